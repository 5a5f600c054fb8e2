"""Workloads of ``scenaria serve``: this process is a client of a service started in a child.

``service_latency``: on an idle service (SQLite store, 2 workers), submit -> job running, job end
-> the client's ``wait()`` returning, and ``cancel_job`` -> the job's process gone, each beside
the same figure in one process (the in-process orchestrator). ``service_soak``: many trivial
jobs through a service; its RSS after the last job against its RSS after the first tenth, and
its throughput beside the same submissions in one process.
"""

from __future__ import annotations

import os
import select
import statistics
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

CONFIG = """
from scenaria import Config
from benchmarks import tasks

Config.configure_core(mode="experiment", version_number="bench")
Config.configure_job_executions(mode="standalone", max_nb_of_workers=2)
seed = Config.configure_data_node("seed", default_data=0)
stamp = Config.configure_data_node("stamp")
latency = Config.configure_scenario("latency", [Config.configure_task("stamp_t", tasks.stamped, seed, stamp)])
pid_file = Config.configure_data_node("pid_file", default_data="job.pid")
sleeper = Config.configure_scenario("sleeper", [Config.configure_task("sleep_t", tasks.pid_then_sleep, pid_file)])
trivial = Config.configure_task("trivial_t", tasks.nothing)
soak = Config.configure_scenario("soak", [trivial])
"""


def _row(name: str, value: float, unit: str, floor: float | None, target: str, better: str = "lower") -> dict[str, Any]:
    return {"name": name, "value": value, "unit": unit, "floor": floor, "floor_name": "in-process" if floor else "",
            "target": target, "better": better}  # fmt: skip


def _serve() -> subprocess.Popen:
    with open("bench_service_config.py", "w") as file:
        file.write(textwrap.dedent(CONFIG))
    sys.path.insert(0, os.getcwd())
    with open("serve.log", "w") as log:
        service = subprocess.Popen(
            [sys.executable, "-m", "scenaria", "serve", "bench_service_config.py", "--experiment=bench"], stderr=log
        )
    deadline = time.monotonic() + 60
    while "Serving version" not in _text("serve.log"):
        if service.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the service did not start: {_text('serve.log')}")
        time.sleep(0.05)
    return service


def _text(path: str) -> str:
    with open(path) as file:
        return file.read()


def _gone(pidfd: int, timeout: float) -> bool:
    """Wait until the process of ``pidfd`` (opened before it was told to die) has exited."""
    try:
        return bool(select.select([pidfd], [], [], timeout)[0])
    finally:
        os.close(pidfd)


def _measure(tp: Any, config: Any, rounds: int) -> tuple[float, float, float]:
    """Medians of submit -> running, end -> wait returns, cancel -> process gone (seconds)."""
    scenario = tp.create_scenario(config.latency)
    scenario.submit(wait=True)
    to_start, to_return, to_kill = [], [], []
    for _ in range(rounds):
        time.sleep(0.05)  # let the pool go idle
        submitted = time.time()
        submission = scenario.submit()
        submission.wait(60)
        returned = time.time()
        ran = scenario.stamp.read()
        to_start.append(ran - submitted)
        to_return.append(returned - ran)
    sleeper = tp.create_scenario(config.sleeper)
    for _ in range(max(3, rounds // 5)):
        if os.path.exists("job.pid"):
            os.unlink("job.pid")
        submission = sleeper.submit()
        while not os.path.exists("job.pid"):
            time.sleep(0.002)
        pidfd = os.pidfd_open(int(_text("job.pid")))  # before the cancel: it may be reaped by the time it returns
        canceled = time.monotonic()
        tp.cancel_job(submission.jobs[0])
        _gone(pidfd, 10)
        to_kill.append(time.monotonic() - canceled)
        submission.wait(10)
    return statistics.median(to_start), statistics.median(to_return), statistics.median(to_kill)


def service_latency(tp: Any, quick: bool) -> list[dict[str, Any]]:
    rounds = 10 if quick else 30
    service = _serve()
    import bench_service_config as config

    remote = _measure(tp, config, rounds)
    service.terminate()
    service.wait(60)
    tp.Orchestrator().run()
    local = _measure(tp, config, rounds)
    tp.Orchestrator().stop()
    names = ("submit in a client -> job running", "job end -> client's wait() returns",
             "cancel_job in a client -> job's process killed")  # fmt: skip
    targets = ("<= 50 ms", "<= 50 ms", "<= 100 ms")
    return [
        _row(f"service: {name} (median)", value * 1e3, "ms", floor * 1e3, target)
        for name, value, floor, target in zip(names, remote, local, targets, strict=True)
    ]


def _rss(pid: int) -> float:
    with open(f"/proc/{pid}/status") as file:
        for line in file:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def run_jobs(tp: Any, task: Any, count: int, threads: int = 1, batch: int = 200) -> float:
    """Submit ``count`` jobs of ``task``, ``batch`` at a time from ``threads`` threads; jobs per second.

    In a client every thread's submissions share the process's one connection to the service.
    """
    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        for start in range(0, count, batch):
            submissions = list(pool.map(lambda _: tp.submit(task), range(min(batch, count - start))))
            for submission in submissions:
                submission.wait(120)
    return count / (time.monotonic() - started)


THREADS = 4  # client threads of the soak


def service_soak(tp: Any, quick: bool) -> list[dict[str, Any]]:
    total = 10_000 if quick else 100_000
    service = _serve()
    import bench_service_config as config

    task = tp.create_scenario(config.soak).tasks["trivial_t"]
    started = time.monotonic()
    run_jobs(tp, task, total // 10, THREADS)
    first = _rss(service.pid)
    run_jobs(tp, task, total - total // 10, THREADS)
    remote = total / (time.monotonic() - started)
    last = _rss(service.pid)
    remote_one = run_jobs(tp, task, 2000)  # one thread: each submit waits for its answer
    service.terminate()
    service.wait(60)
    tp.Orchestrator().run()  # the floors: the same submissions in one process, standalone, 2 workers
    local = run_jobs(tp, task, total // 10, THREADS)
    local_one = run_jobs(tp, task, 2000)
    tp.Orchestrator().stop()
    ratio = f"service soak: RSS after {total:,} jobs / after the first {total // 10:,}"
    per_second = "service soak: jobs per second through the service"
    return [
        _row(ratio, last / first, "x", None, "<= 1.2 x"),
        _row(f"{per_second}, {THREADS} client threads", remote, "jobs/s", local, ">= 80% of in-process", "higher"),
        _row(f"{per_second}, 1 client thread (2,000 jobs)", remote_one, "jobs/s", local_one, "", "higher"),
    ]


SERVICE_WORKLOADS = {"service_latency": service_latency, "service_soak": service_soak}
