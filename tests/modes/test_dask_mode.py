"""Dask mode on a real local cluster (started in its own process by the dispatcher)."""

from __future__ import annotations

import pytest

import scenaria as tp
from scenaria import Config
from scenaria.entities.status import Status, SubmissionStatus

pytestmark = [pytest.mark.dask, pytest.mark.processes]


def fail(value):
    raise ValueError(f"cannot use {value}")


def test_jobs_run_on_a_dask_cluster_with_output_and_failures_reported():
    Config.configure_job_executions(mode="dask", max_nb_of_workers=2)
    number = Config.configure_data_node("number", default_data=20)
    doubled = Config.configure_data_node("doubled")
    result = Config.configure_data_node("result")
    broken = Config.configure_data_node("broken")
    double = Config.configure_task("double", lambda x: print("doubling") or 2 * x, number, doubled)
    plus_two = Config.configure_task("plus_two", lambda x: x + 2, doubled, result)
    failing = Config.configure_task("failing", fail, number, broken)
    good = Config.configure_scenario("good", task_configs=[double, plus_two])
    bad = Config.configure_scenario("bad", task_configs=[failing])
    tp.Orchestrator().run()
    try:
        scenario = tp.create_scenario(good)
        submission = scenario.submit(wait=True, timeout=60)
        assert submission.submission_status is SubmissionStatus.COMPLETED
        assert scenario.result.read() == 42
        assert submission.jobs[0].stdout == "doubling\n"

        failed = tp.create_scenario(bad).submit(wait=True, timeout=60)
        job = failed.jobs[0]
        assert job.status is Status.FAILED
        assert "cannot use 20" in "".join(job.stacktrace)
        # These jobs end before their worker says they started (it waits QUIET_START for that):
        # their end says it, and each is recorded RUNNING, with one attempt and where it ran.
        for ran in [tp.get(each.id) for each in [*submission.jobs, job]]:
            assert ran.attempts == 1 and ran.run_at is not None and ran.run_at <= ran.finished_at
            assert [(run["attempt"], run["ending"]) for run in ran.runs] == [(1, ran.status.name)]
            assert isinstance(ran.runs[0]["pid"], int) and ran.runs[0]["host"]
    finally:
        tp.Orchestrator().stop()
