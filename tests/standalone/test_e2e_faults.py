"""Faults in standalone mode: cancel a running job, timeouts, retries, workers that die."""

from __future__ import annotations

import time

import pytest

import scenaria as tp
from scenaria import Config
from tests.standalone import e2e_jobs as jobs
from tests.support.processes import wait_gone
from tests.support.standalone import StatusWatch, standalone

pytestmark = pytest.mark.processes


def wait_for_file(path, timeout: float = 10) -> str:
    """The text of ``path`` once a job wrote it (jobs report no progress: the test looks)."""
    deadline = time.monotonic() + timeout
    while not path.exists() or not path.read_text():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.01)
    return path.read_text()


def statuses(submission) -> dict[str, str]:
    return {job.task.config_id: job.status.name for job in submission.jobs}


def quick_scenario():
    """A scenario that runs fine: to show that the pool goes on after a fault."""
    number = Config.configure_data_node("number", default_data=4)
    doubled = Config.configure_data_node("doubled")
    task = Config.configure_task("quick", jobs.double, number, doubled)
    return Config.configure_scenario("quick_scenario", [task])


def runs_fine(config) -> None:
    scenario = tp.create_scenario(config)
    submission = scenario.submit(wait=True, timeout=20)
    assert submission.submission_status.name == "COMPLETED" and scenario.doubled.read() == 8


# --- cancel ----------------------------------------------------------------------------------------
def test_canceling_a_running_job_kills_its_process_and_keeps_its_outputs(tmp_path):
    effect = tmp_path / "side_effect"
    spec = Config.configure_data_node("spec", default_data={"name": "long", "seconds": 3, "effect": str(effect)})
    result = Config.configure_data_node("result")
    final = Config.configure_data_node("final")
    long = Config.configure_task("long", jobs.sleep_then_write, spec, result)
    after = Config.configure_task("after", jobs.double, result, final)
    config = Config.configure_scenario("cancel_me", [long, after])
    quick = quick_scenario()
    standalone(2)
    scenario = tp.create_scenario(config)
    scenario.result.write("old")
    watch = StatusWatch()
    submission = scenario.submit(callbacks=[watch])
    watch.wait_for("long", "RUNNING")
    marker = jobs.started_marker("long")
    worker = wait_for_file(marker)  # the function runs in its worker
    job = next(job for job in submission.jobs if job.task.config_id == "long")

    tp.cancel_job(job)

    assert statuses(submission) == {"long": "CANCELED", "after": "ABANDONED"}
    assert not scenario.result.edit_in_progress and not scenario.final.edit_in_progress
    assert submission.wait(5) and submission.submission_status.name == "CANCELED"
    assert wait_gone(int(worker), 2)  # killed at once, long before its side effect
    assert [(run["pid"], run["ending"]) for run in tp.get(job.id).runs] == [(int(worker), "CANCELED")]
    assert not effect.exists()
    assert scenario.result.read() == "old"
    assert tp.get(scenario.result.id).read() == "old"
    runs_fine(quick)  # the killed worker was replaced


def test_canceling_a_pending_job_behind_a_running_one():
    spec = Config.configure_data_node("spec", default_data={"name": "busy", "seconds": 0.6})
    busy_out = Config.configure_data_node("busy_out")
    busy = Config.configure_task("busy", jobs.nap, spec, busy_out)
    config = Config.configure_scenario("busy_scenario", [busy])
    quick = quick_scenario()
    standalone(1)
    busy_submission = tp.create_scenario(config).submit()
    waiting = tp.create_scenario(quick)
    waiting_submission = waiting.submit()
    queued = waiting_submission.jobs[0]
    assert queued.status.name == "PENDING"
    tp.cancel_job(queued)
    assert queued.status.name == "CANCELED" and tp.get(queued.id).runs == []  # it never ran
    assert waiting_submission.wait(5) and waiting_submission.submission_status.name == "CANCELED"
    assert busy_submission.wait(10) and busy_submission.submission_status.name == "COMPLETED"
    assert waiting.doubled.read() is None
    runs_fine(quick)


# --- failures --------------------------------------------------------------------------------------
def test_a_finished_submission_has_every_output_unlocked():
    """submit(wait=True) returns on the last job's end: the outputs of a failed job and of the jobs it
    abandoned are free by then (they were once unlocked only after the job was marked FAILED)."""
    number = Config.configure_data_node("number", default_data=1)
    broken, final = Config.configure_data_node("broken"), Config.configure_data_node("final")
    failing = Config.configure_task("failing", jobs.fail, number, broken)
    after = Config.configure_task("after", jobs.double, broken, final)
    config = Config.configure_scenario("failing_scenario", [failing, after])
    standalone(2)
    for _ in range(5):
        scenario = tp.create_scenario(config)
        submission = scenario.submit(wait=True, timeout=20)
        assert [scenario.broken.edit_in_progress, scenario.final.edit_in_progress] == [False, False]
        assert statuses(submission) == {"failing": "FAILED", "after": "ABANDONED"}
        assert "cannot handle 1" in submission.jobs[0].stacktrace[-1]


def test_a_chain_whose_first_input_was_never_written_fails_and_abandons_the_rest():
    """The first job fails at submit (nothing will write its input); the next one, already abandoned,
    is not routed again (that raised InvalidJobTransition ABANDONED -> FAILED out of submit)."""
    never, middle, final = (Config.configure_data_node(name) for name in ("never", "middle", "final"))
    first = Config.configure_task("first", jobs.double, never, middle)
    second = Config.configure_task("second", jobs.double, middle, final)
    config = Config.configure_scenario("unwritten", [first, second])
    quick = quick_scenario()
    standalone(2)
    scenario = tp.create_scenario(config)
    submission = scenario.submit(wait=True, timeout=5)
    assert statuses(submission) == {"first": "FAILED", "second": "ABANDONED"}
    assert "'never'" in submission.jobs[0].stacktrace[-1] and "never been written" in submission.jobs[0].stacktrace[-1]
    assert submission.submission_status.name == "FAILED"
    assert not scenario.middle.edit_in_progress and not scenario.final.edit_in_progress
    runs_fine(quick)


# --- timeout ---------------------------------------------------------------------------------------
def test_a_task_timeout_kills_a_longer_job():
    spec = Config.configure_data_node("spec", default_data={"name": "slow", "seconds": 10})
    out = Config.configure_data_node("out")
    slow = Config.configure_task("slow", jobs.nap, spec, out, timeout=0.5)
    config = Config.configure_scenario("slow_scenario", [slow])
    quick = quick_scenario()
    standalone(2)
    submission = tp.create_scenario(config).submit(wait=True, timeout=5)
    job = submission.jobs[0]
    assert job.status.name == "FAILED"
    assert "timed out after 0.5 s" in job.stacktrace[-1]
    assert 0.45 <= job.execution_duration < 1.5
    assert submission.submission_status.name == "FAILED"
    runs_fine(quick)


def test_a_timeout_from_toml(tmp_path):
    (tmp_path / "slow.toml").write_text("""
[JOB]
mode = "standalone"
max_nb_of_workers = "2:int"

[DATA_NODE.spec]
default_data = { name = "slow", seconds = "10:int" }

[DATA_NODE.out]

[TASK.slow]
function = "tests.standalone.e2e_jobs.nap:function"
inputs = [ "spec:SECTION",]
outputs = [ "out:SECTION",]
timeout = "0.5:float"

[SCENARIO.slow_scenario]
tasks = [ "slow:SECTION",]
""")
    Config.load(str(tmp_path / "slow.toml"))
    assert Config.tasks["slow"].properties["timeout"] == 0.5
    tp.Orchestrator().run()
    submission = tp.create_scenario(Config.scenarios["slow_scenario"]).submit(wait=True, timeout=5)
    job = submission.jobs[0]
    assert job.status.name == "FAILED" and "timed out" in job.stacktrace[-1]


# --- retries ---------------------------------------------------------------------------------------
def flaky_scenario(failures: int, max_retries: int):
    spec = Config.configure_data_node("spec", default_data={"name": "flaky", "failures": failures})
    out = Config.configure_data_node("out")
    task = Config.configure_task("flaky", jobs.flaky, spec, out, max_retries=max_retries, retry_delay=0.05)
    return Config.configure_scenario("flaky_scenario", [task])


def test_a_job_that_fails_at_first_completes_after_retries():
    config = flaky_scenario(failures=2, max_retries=3)
    standalone(2)
    scenario = tp.create_scenario(config)
    submission = scenario.submit(wait=True, timeout=20)
    job = submission.jobs[0]
    assert job.status.name == "COMPLETED" and job.attempts == 3
    assert jobs.attempts_of("flaky") == 3 and scenario.out.read() == 3
    assert "attempt 1 of flaky fails on purpose" in job.stacktrace[0]
    assert submission.submission_status.name == "COMPLETED"


def test_a_job_that_always_fails_is_failed_after_its_retries():
    config = flaky_scenario(failures=99, max_retries=2)
    standalone(2)
    submission = tp.create_scenario(config).submit(wait=True, timeout=20)
    job = submission.jobs[0]
    assert job.status.name == "FAILED" and job.attempts == 3
    assert jobs.attempts_of("flaky") == 3
    assert "attempt 3 of flaky fails on purpose" in job.stacktrace[-1]
    assert submission.submission_status.name == "FAILED"


# --- workers that die ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("exit", "exited with code 3"),
        ("sigkill", "SIGKILL"),
        ("segfault", "SIGSEGV"),
    ],
)
def test_a_worker_that_dies_fails_its_job_only(how, reason):
    how_dn = Config.configure_data_node("how", default_data=how)
    dead = Config.configure_data_node("dead")
    dying = Config.configure_task("dying", jobs.die, how_dn, dead)
    spec = Config.configure_data_node("spec", default_data={"name": "bystander", "seconds": 0.5})
    bystander_out = Config.configure_data_node("bystander_out")
    bystander = Config.configure_task("bystander", jobs.nap, spec, bystander_out)
    config = Config.configure_scenario("dying_scenario", [bystander, dying])
    quick = quick_scenario()
    standalone(2)
    scenario = tp.create_scenario(config)
    submission = scenario.submit(wait=True, timeout=20)
    assert statuses(submission) == {"dying": "FAILED", "bystander": "COMPLETED"}
    job = next(job for job in submission.jobs if job.task.config_id == "dying")
    assert reason in job.stacktrace[-1] and "worker process" in job.stacktrace[-1]
    assert scenario.bystander_out.read() == "bystander"
    assert not scenario.dead.edit_in_progress
    runs_fine(quick)


# --- deleting what runs --------------------------------------------------------------------------------
def test_deleting_a_scenario_while_its_job_runs_cancels_it_and_the_orchestrator_goes_on(tmp_path):
    """Taipy #2877: there, the orchestrator then fails every later submission."""
    effect = tmp_path / "side_effect"
    spec = Config.configure_data_node("spec", default_data={"name": "long", "seconds": 3, "effect": str(effect)})
    result = Config.configure_data_node("result")
    config = Config.configure_scenario("doomed", [Config.configure_task("long", jobs.sleep_then_write, spec, result)])
    quick = quick_scenario()
    standalone(2)
    scenario = tp.create_scenario(config)
    watch = StatusWatch()
    submission = scenario.submit(callbacks=[watch])
    watch.wait_for("long", "RUNNING")
    job_id = submission.jobs[0].id
    tp.delete(scenario.id)
    watch.wait_for("long", "CANCELED")
    assert tp.get(scenario.id) is None and tp.get(job_id) is None and tp.get(submission.id) is None
    runs_fine(quick)
    time.sleep(3.5)  # past the time the killed job would have written its side effect
    assert not effect.exists()
