"""Dask mode on a multi-process cluster (``dask scheduler`` + ``dask worker`` processes): faults caused on purpose."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

import scenaria as tp
from scenaria import Config
from tests.modes import dask_jobs as jobs
from tests.support.processes import wait_gone
from tests.support.scripts import child_env, write_script

pytestmark = [pytest.mark.dask, pytest.mark.processes]


def wait_for_runs(effect: Path, count: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while len(jobs.runs(str(effect))) < count:
        assert time.monotonic() < deadline, "the job never ran"
        time.sleep(0.05)


@pytest.mark.parametrize("kill", ["worker", "process"])
def test_a_dask_worker_or_job_process_killed_mid_job_makes_a_counted_attempt_and_the_job_retries(cluster, tmp_path,
                                                                                                 kill):  # fmt: skip
    effect = tmp_path / "runs"
    spec = Config.configure_data_node("spec", default_data={"effect": str(effect), "kill": kill})
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


@pytest.mark.parametrize("end", ["cancel", "timeout", "stop"])
def test_a_dask_job_canceled_timed_out_or_stopped_while_it_runs_is_killed_and_never_writes(cluster, tmp_path, end):
    effect = tmp_path / "runs"
    spec = Config.configure_data_node("spec", default_data={"effect": str(effect), "seconds": 4})
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
    (pid,) = [int(line.split()[1]) for line in jobs.runs(str(effect))]
    if end == "cancel":
        tp.cancel_job(submission.jobs[0])
    if end == "stop":
        tp.Orchestrator().stop()
    else:
        assert submission.wait(timeout=30)
        job = tp.get(submission.jobs[0].id)
        assert job.status.name == ("CANCELED" if end == "cancel" else "FAILED")
        ending = "CANCELED" if end == "cancel" else "TIMED_OUT"
        assert [(run["pid"], run["ending"]) for run in job.runs] == [(pid, ending)]  # its process on the worker
        if end == "timeout":
            assert "timed out after 1 s" in "".join(job.stacktrace)
    assert wait_gone(pid, 10), f"the job's process {pid} still runs"
    time.sleep(5)  # past the end of the run it would have made
    assert jobs.runs(str(effect)) == [f"run {pid}"]  # it never got to its write
    if end == "stop":
        tp.Orchestrator().run()
    assert tp.get(scenario.result.id).read() == "old"
    assert len(tp.get(scenario.result.id).edits) == 1


ORPHANING = """
import sys, time

import scenaria as tp
from scenaria import Config
from tests.modes import dask_jobs as jobs

spec = Config.configure_data_node("spec", default_data={"effect": sys.argv[2], "seconds": 4})
task = Config.configure_task("long_run", jobs.long_run, spec, Config.configure_data_node("result"))
config = Config.configure_scenario("orphaned", [task])
Config.configure_core(storage_folder=sys.argv[3])
Config.configure_job_executions(mode="dask", address=sys.argv[1])
tp.Orchestrator().run()
tp.create_scenario(config).submit()
time.sleep(60)  # SIGKILLed before that
"""


def test_a_dask_job_whose_orchestrator_is_killed_is_killed_too_and_never_writes(cluster, tmp_path):
    effect = tmp_path / "runs"
    script = write_script(tmp_path, ORPHANING)
    arguments = [cluster.address, str(effect), str(tmp_path / "data")]
    with subprocess.Popen([sys.executable, str(script), *arguments], cwd=tmp_path, env=child_env()) as orchestrator:
        try:
            wait_for_runs(effect, 1)
        finally:
            orchestrator.kill()
    (pid,) = [int(line.split()[1]) for line in jobs.runs(str(effect))]
    assert wait_gone(pid, 15), f"the job's process {pid} outlived its orchestrator"
    time.sleep(5)  # past the end of the run it would have made
    assert jobs.runs(str(effect)) == [f"run {pid}"]
