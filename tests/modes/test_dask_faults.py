"""Dask mode on a multi-process cluster (``dask scheduler`` + ``dask worker`` processes): faults caused on purpose."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import scenaria as tp
from scenaria import Config
from tests.modes import dask_jobs as jobs
from tests.support.dask_processes import DaskProcesses

pytestmark = [pytest.mark.dask, pytest.mark.processes]


@pytest.fixture
def cluster():
    processes = DaskProcesses(workers=2, cwd=Path.cwd())
    yield processes
    tp.Orchestrator().stop()
    processes.stop()


def wait_for_runs(effect: Path, count: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while len(jobs.runs(str(effect))) < count:
        assert time.monotonic() < deadline, "the job never ran"
        time.sleep(0.05)


def test_a_dask_worker_killed_mid_job_makes_a_counted_attempt_and_the_job_retries(cluster, tmp_path):
    effect = tmp_path / "runs"
    spec = Config.configure_data_node("spec", default_data={"effect": str(effect)})
    result = Config.configure_data_node("result")
    task = Config.configure_task("killed_first", jobs.killed_first, spec, result, max_retries=1)
    config = Config.configure_scenario("dask_killed", [task])
    Config.configure_job_executions(mode="dask", address=cluster.address, max_nb_of_workers=2)
    tp.Orchestrator().run()
    scenario = tp.create_scenario(config)
    submission = scenario.submit(wait=True, timeout=60)
    job = tp.get(submission.jobs[0].id)
    assert job.status.name == "COMPLETED", job.stacktrace
    assert job.attempts == len(jobs.runs(str(effect))) == 2
    assert [run["ending"] for run in job.runs] == ["DIED", "COMPLETED"]
    assert "died" in "".join(job.stacktrace)
    assert tp.get(scenario.result.id).read() == "second run"


def test_losing_the_dask_scheduler_fails_the_running_job_saying_why(cluster, tmp_path):
    effect = tmp_path / "runs"
    spec = Config.configure_data_node("spec", default_data={"effect": str(effect), "seconds": 5})
    result = Config.configure_data_node("result")
    task = Config.configure_task("long_run", jobs.long_run, spec, result)
    config = Config.configure_scenario("dask_lost", [task])
    Config.configure_job_executions(mode="dask", address=cluster.address, max_nb_of_workers=2)
    tp.Orchestrator().run()
    scenario = tp.create_scenario(config)
    scenario.result.write("old")
    submission = scenario.submit()
    wait_for_runs(effect, 1)
    cluster.scheduler.kill()
    assert submission.wait(timeout=60)
    job = tp.get(submission.jobs[0].id)
    assert job.status.name == "FAILED", job.status
    assert "lost" in "".join(job.stacktrace)
    time.sleep(6)  # the worker may finish the call: its staged write is never committed
    assert tp.get(scenario.result.id).read() == "old"


@pytest.mark.parametrize("end", ["cancel", "timeout"])
def test_a_dask_job_canceled_or_timed_out_while_it_runs_never_writes_its_output(cluster, tmp_path, end):
    effect = tmp_path / "runs"
    spec = Config.configure_data_node("spec", default_data={"effect": str(effect), "seconds": 3})
    result = Config.configure_data_node("result")
    options = {"timeout": 1} if end == "timeout" else {}
    task = Config.configure_task("long_run", jobs.long_run, spec, result, **options)
    config = Config.configure_scenario("dask_ended", [task])
    Config.configure_job_executions(mode="dask", address=cluster.address, max_nb_of_workers=2)
    tp.Orchestrator().run()
    scenario = tp.create_scenario(config)
    scenario.result.write("old")
    submission = scenario.submit()
    wait_for_runs(effect, 1)
    if end == "cancel":
        tp.cancel_job(submission.jobs[0])
    assert submission.wait(timeout=30)
    assert tp.get(submission.jobs[0].id).status.name == ("CANCELED" if end == "cancel" else "FAILED")
    time.sleep(4)  # Dask lets the call finish: it stages its write, which is never committed
    assert len(jobs.runs(str(effect))) == 1
    assert tp.get(scenario.result.id).read() == "old"
    assert len(tp.get(scenario.result.id).edits) == 1
