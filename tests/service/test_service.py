"""``scenaria serve`` in a real process, and this test process as its client (another process)."""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import scenaria as tp
from scenaria import Config
from scenaria.cli import serve as serving
from scenaria.entities.job import Job
from scenaria.entities.registry import registry
from scenaria.entities.status import Status, SubmissionStatus
from scenaria.events.notifier import Notifier
from scenaria.exceptions import OrchestratorDeposed, OrchestratorNotRunning, OrchestratorServiceIsAlreadyRunning
from scenaria.orchestrator import control, lease, scheduler
from scenaria.store import open_repository

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.processes

CONFIG = """
import time
from concurrent.futures import ThreadPoolExecutor
from scenaria import Config
from scenaria.cli import serve as serving


def double(x):
    return 2 * x


def sleepy(seconds):
    time.sleep(seconds)
    return seconds


def broken(x):
    raise ValueError("the input " + str(x) + " is wrong")


Config.configure_core(mode={mode!r}, version_number="svc", **{store!r})
Config.configure_job_executions(mode="standalone", max_nb_of_workers=2)
a = Config.configure_data_node("a", default_data=1)
b = Config.configure_data_node("b")
quick = Config.configure_scenario("quick", [Config.configure_task("double", double, a, b)])
seconds = Config.configure_data_node("seconds", default_data=60)
slept = Config.configure_data_node("slept")
slow = Config.configure_scenario("slow", [Config.configure_task("sleepy", sleepy, seconds, slept)])
failing = Config.configure_scenario("failing", [Config.configure_task("broken", broken, a, b)])
"""


def write_config(folder: Path, mode: str = "experiment", store: dict | None = None) -> None:
    (folder / "svc_config.py").write_text(textwrap.dedent(CONFIG.format(mode=mode, store=store or {})))


def env(**extra: str) -> dict[str, str]:
    found = {**os.environ, "PYTHONPATH": str(REPO), **extra}
    found.pop("SCENARIA_CONFIG_PATH", None)
    return found


class Service:
    """``scenaria serve svc_config.py`` started in ``folder``; its stderr in a file."""

    def __init__(self, folder: Path, *args: str, **environment: str) -> None:
        self.log = folder / f"serve-{time.monotonic_ns()}.log"
        mode = "--development" if "--development" in args else "--experiment=svc"
        command = [sys.executable, "-m", "scenaria", "serve", "svc_config.py", mode, "--grace", "1", *args]
        command = [part for part in command if part != "--development" or part == mode]
        with open(self.log, "w") as log:
            # PYTHONFAULTHANDLER: a service that hangs prints every thread's stack on SIGABRT (see stop)
            environment = {"PYTHONFAULTHANDLER": "1", **environment}
            self.process = subprocess.Popen(command, cwd=folder, env=env(**environment), stderr=log)

    def text(self) -> str:
        return self.log.read_text()

    def ready(self, timeout: float = 60) -> Service:
        deadline = time.monotonic() + timeout
        while "Serving version" not in self.text():
            assert self.process.poll() is None, f"the service ended ({self.process.returncode}):\n{self.text()}"
            assert time.monotonic() < deadline, f"the service did not start:\n{self.text()}"
            time.sleep(0.05)
        return self

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGABRT)  # its threads' stacks go to the log
            self.process.wait(30)
            pytest.fail(f"the service did not stop within 30 s of SIGTERM:\n{self.text()}")
        if code == 1:  # its stop was stuck: the log shows where
            pytest.fail(f"the service's stop was stuck:\n{self.text()}")
        return code


@pytest.fixture
def serve(tmp_path):
    started: list[Service] = []

    def start(*args: str, **environment: str) -> Service:
        service = Service(tmp_path, *args, **environment)
        started.append(service)
        return service

    yield start
    for service in started:
        if service.process.poll() is None:
            service.process.kill()
            service.process.wait(30)


def client_config(folder: Path):
    sys.path.insert(0, str(folder))
    sys.modules.pop("svc_config", None)
    try:
        import svc_config
    finally:
        sys.path.remove(str(folder))
    return svc_config


def test_a_client_process_submits_waits_reads_results_and_gets_events(tmp_path, serve):
    write_config(tmp_path)
    service = serve().ready()
    config = client_config(tmp_path)
    scenario = tp.create_scenario(config.quick)
    _, events = Notifier.register()
    submission = tp.submit(scenario, wait=True, timeout=30)
    assert submission.is_finished() and submission.submission_status.name == "COMPLETED"
    assert scenario.b.read() == 2
    assert [job.status for job in submission.jobs] == [Status.COMPLETED]
    assert scheduler.current() is None  # this process orchestrates nothing: the service ran the job
    seen = []
    while not events.empty():
        event = events.get()
        seen.append((event.entity_id, event.attribute_name, event.attribute_value))
    assert (submission.jobs[0].id, "status", Status.COMPLETED) in seen
    jobs_updates = [value for _, name, value in seen if name == "jobs"]
    assert jobs_updates == [submission.jobs]  # Job objects, as a local submission publishes them
    assert all(isinstance(job, Job) for job in jobs_updates[0])
    order = [(entity_id, value) for entity_id, name, value in seen if name in ("status", "submission_status")]
    assert order.index((submission.jobs[0].id, Status.PENDING)) < order.index((submission.id, SubmissionStatus.PENDING))
    assert service.stop() == 0
    assert "Stopped." in service.text()


def test_callbacks_are_refused_while_a_service_orchestrates_saying_what_to_do(tmp_path, serve):
    write_config(tmp_path)
    service = serve().ready()
    scenario = tp.create_scenario(client_config(tmp_path).quick)
    with pytest.raises(OrchestratorServiceIsAlreadyRunning, match="orchestrates this version") as refused:
        tp.submit(scenario, callbacks=[print])
    assert "Notifier.register" in str(refused.value) and "stop that orchestrator" in str(refused.value)
    assert tp.get_submissions() == []  # refused before anything was submitted
    assert service.stop() == 0


def test_a_client_cancels_a_running_job_in_the_service(tmp_path, serve):
    write_config(tmp_path)
    serve().ready()
    config = client_config(tmp_path)
    _, events = Notifier.register(attribute_name="status")
    submission = tp.submit(tp.create_scenario(config.slow))
    job = submission.jobs[0]
    while True:  # the service's RUNNING event reaches this process
        event = events.get(timeout=30)
        if event.entity_id == job.id and event.attribute_value is Status.RUNNING:
            break
    started = time.monotonic()
    tp.cancel_job(job)
    assert submission.wait(30)
    assert time.monotonic() - started < 20  # the job sleeps 60 s: its process was killed
    assert tp.get(job.id).status is Status.CANCELED


def test_a_sigterm_the_kernel_gives_another_thread_still_stops_the_service(tmp_path, serve):
    write_config(tmp_path)
    service = serve().ready()
    pid = service.process.pid
    others = [int(tid) for tid in os.listdir(f"/proc/{pid}/task") if int(tid) != pid]
    tgkill = {"x86_64": 234, "aarch64": 131}[os.uname().machine]  # the system call's number
    assert ctypes.CDLL(None, use_errno=True).syscall(tgkill, pid, others[0], signal.SIGTERM) == 0
    assert service.process.wait(30) == 0  # handled by the main thread, which naps, not sleeps an hour
    assert "Stopped." in service.text()


def test_a_stop_stuck_on_the_store_ends_the_process_and_shows_where_it_was_stuck(tmp_path, serve):
    write_config(tmp_path)
    service = serve().ready()
    blocker = sqlite3.connect(tmp_path / ".taipy" / "scenaria.db", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # the store's write lock, held: the lease cannot be given up
    try:
        started = time.monotonic()
        service.process.send_signal(signal.SIGTERM)
        assert service.process.wait(60) == 1
        elapsed = time.monotonic() - started
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert 1 + serving.STOP_TIMEOUT <= elapsed < 45  # the grace (1 s), then the stop's time limit
    text = service.text()
    assert "Stopping (signal)" in text and "Stopped." not in text
    assert "Timeout" in text and "in release" in text  # every thread's stack: the main one stuck releasing the lease


def test_two_services_race_for_one_version_and_one_refuses(tmp_path, serve):
    write_config(tmp_path)
    first, second = serve(), serve()
    for service in (first, second):
        deadline = time.monotonic() + 60
        while "Serving version" not in service.text() and service.process.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    codes = sorted(service.process.poll() for service in (first, second) if service.process.poll() is not None)
    assert codes == [4]
    loser = first if first.process.poll() is not None else second
    winner = second if loser is first else first
    assert f"Process {winner.process.pid} on host" in loser.text() and "already orchestrates" in loser.text()
    assert winner.stop() == 0


def test_a_killed_holder_on_another_host_is_taken_over_once_its_lease_expires(tmp_path, serve):
    write_config(tmp_path)
    holder = serve("--lease-expiry", "2", SCENARIA_HOSTNAME="another-host").ready()
    holder.process.kill()
    holder.process.wait(30)
    too_soon = serve()
    assert too_soon.process.wait(60) == 4  # its heartbeat is fresh: alive, as far as this host can know
    assert "on host 'another-host' already orchestrates" in too_soon.text()
    time.sleep(2.5)
    successor = serve().ready()
    assert "Taking version 'svc' over from process" in successor.text()
    with open_repository({"type": "sqlite", "path": str(tmp_path / ".taipy" / "scenaria.db")}) as repo:
        record = repo.get_meta(lease.key("svc"))
    assert record["pid"] == successor.process.pid and record["epoch"] == 2
    assert successor.stop() == 0


def test_a_deposed_orchestrator_cannot_write_a_job_state_and_stops(tmp_path):
    write_config(tmp_path)
    config = client_config(tmp_path)
    Config.configure_job_executions(mode="development")
    tp.Orchestrator().run()
    scenario = tp.create_scenario(config.quick)
    repo = open_repository({"type": "sqlite", "path": str(tmp_path / ".taipy" / "scenaria.db")})
    record = repo.get_meta(lease.key("svc"))
    repo.set_meta(lease.key("svc"), {**record, "pid": 1, "host": "elsewhere", "epoch": record["epoch"] + 1})
    with pytest.raises(OrchestratorDeposed, match="was deposed: process 1 on host 'elsewhere' holds it now"):
        tp.submit(scenario)
    assert repo.find("job") == []  # the fenced transaction left nothing
    deadline = time.monotonic() + 10
    while scheduler.current() is not None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    repo.close()


def test_the_development_cleanup_is_refused_while_a_service_holds_the_version(tmp_path, serve, caplog):
    write_config(tmp_path, mode="development")
    service = serve("--development").ready()
    config = client_config(tmp_path)
    kept = tp.create_scenario(config.quick)
    assert f"is not cleaned: process {service.process.pid} on host" in caplog.text
    other = subprocess.run(
        [sys.executable, "-c", "import scenaria as tp, svc_config; tp.create_scenario(svc_config.quick)"],
        cwd=tmp_path,
        env=env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert other.returncode == 0, other.stderr
    assert "is not cleaned" in other.stderr
    assert kept.id in {scenario.id for scenario in tp.get_scenarios()}
    assert len(tp.get_scenarios()) == 2


@pytest.mark.postgresql
def test_a_client_on_another_host_uses_a_service_through_postgresql(tmp_path, serve, postgres_server):
    schema = postgres_server.fresh_schema()
    store = {"repository_type": "postgresql", "repository_properties": {"url": postgres_server.url, "schema": schema}}
    write_config(tmp_path, store=store)
    try:
        service = serve(SCENARIA_HOSTNAME="host-a", SCENARIA_CONTROL_ADDRESS="127.0.0.1:0").ready()
        config = client_config(tmp_path)
        submission = tp.submit(tp.create_scenario(config.quick), wait=True, timeout=30)
        assert submission.submission_status.name == "COMPLETED"
        with open_repository({"type": "postgresql", "url": postgres_server.url, "schema": schema}) as repo:
            record = repo.get_meta(lease.key("svc"))
        assert record["host"] == "host-a" and record["address"].startswith("tcp:127.0.0.1:")
        assert service.stop() == 0
    finally:
        tp.Orchestrator().stop()
        from scenaria.entities.registry import reset_registry

        reset_registry()
        postgres_server.drop_schema(schema)


def test_a_client_is_told_when_no_orchestrator_runs(tmp_path, serve, caplog):
    write_config(tmp_path)
    service = serve().ready()
    config = client_config(tmp_path)
    submission = tp.submit(tp.create_scenario(config.slow))
    service.process.kill()  # on this host, a dead holder holds nothing
    service.process.wait(30)
    assert submission.wait(30) is False  # woken: the connection to the holder closed
    registry().forget()
    time.sleep(0.2)  # its follower thread ends
    assert tp.get(submission.id).wait(30) is False  # a new object: nobody to follow, said so at once
    assert "No orchestrator runs version 'svc'" in caplog.text
    with pytest.raises(OrchestratorNotRunning, match="No orchestrator runs version 'svc'"):
        tp.cancel_job(tp.get(submission.jobs[0].id))


def _sockets_named(name: str) -> int:
    """How many Unix sockets (listening and accepted) are bound to the abstract address ``name``."""
    with open("/proc/net/unix") as table:
        return sum(1 for line in table if line.split()[-1] == name)


@pytest.mark.skipif(sys.platform != "linux", reason="reads the kernel's table of Unix sockets")
def test_a_client_process_submits_from_many_threads_over_one_connection(tmp_path, serve):
    write_config(tmp_path)
    serve().ready()
    config = client_config(tmp_path)
    task = tp.create_scenario(config.quick).tasks["double"]
    _, events = Notifier.register(attribute_name="status")

    def submit(_: int) -> tuple[tp.Submission, int]:
        submission = tp.submit(task)
        return submission, len(submission.jobs)  # read from the store: committed before submit returned

    with ThreadPoolExecutor(8) as pool:  # the holder batches the submits that queue up
        submissions, jobs = zip(*pool.map(submit, range(40)), strict=True)
    assert set(jobs) == {1}
    assert all(submission.wait(60) for submission in submissions)
    assert {submission.submission_status.name for submission in submissions} == {"COMPLETED"}
    completed = set()
    while not events.empty():
        event = events.get()
        if event.attribute_value is Status.COMPLETED:
            completed.add(event.entity_id)
    assert completed == {submission.jobs[0].id for submission in submissions}  # each its own events
    address = control.client(registry()).record["address"]  # unix:@scenaria-...
    assert _sockets_named(address[5:]) == 2  # the service's listening socket, and this process's one connection


LATE_LISTENER = """
import json, sys
import scenaria as tp
from scenaria.entities.status import Status
from scenaria.events.notifier import Notifier
sys.path.insert(0, ".")
import svc_config as config

quick = tp.submit(tp.create_scenario(config.quick), wait=True, timeout=30)  # nobody listens here yet
slow = tp.create_scenario(config.slow)
slow.seconds.write(1.5)
running = tp.submit(slow)
_, events = Notifier.register(attribute_name="status")  # while its job runs in the service
running.wait(30)
seen = []
while not events.empty():
    event = events.get()
    seen.append([event.entity_id, event.attribute_value.name])
print(json.dumps({"quick": quick.submission_status.name, "slow": running.submission_status.name,
                  "job": running.jobs[0].id, "seen": seen}))
"""


def test_a_client_that_starts_listening_mid_submission_gets_the_events_that_follow(tmp_path, serve):
    """The holder sends a client's events only once it listens; what happens after that arrives."""
    write_config(tmp_path)
    serve().ready()
    script = tmp_path / "late_listener.py"
    script.write_text(LATE_LISTENER)
    command = [sys.executable, str(script)]
    ran = subprocess.run(command, cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    found = json.loads(ran.stdout.strip().splitlines()[-1])
    assert found["quick"] == found["slow"] == "COMPLETED"  # wait() works whether anyone listens or not
    assert [found["job"], "COMPLETED"] in found["seen"]
