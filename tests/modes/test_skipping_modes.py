"""Skipping by content and reuse in standalone and dask modes: the outputs' content versions are
computed in the worker processes, the decisions in the orchestrator (docs/execution.md)."""

from __future__ import annotations

import pandas as pd
import pytest

import scenaria as tp
from scenaria import Config
from scenaria.entities.content import version_of
from scenaria.entities.status import Status

pytestmark = [pytest.mark.processes]

MODES = [
    pytest.param({"mode": "standalone", "max_nb_of_workers": 2}, id="standalone"),
    pytest.param({"mode": "dask", "max_nb_of_workers": 2}, id="dask", marks=pytest.mark.dask),
]


def table(number):
    return pd.DataFrame({"n": range(number), "label": [f"row {i}" for i in range(number)]})


def count(frame):
    return len(frame)


@pytest.mark.parametrize("mode", MODES)
def test_skips_changes_and_reuse_are_decided_alike_in_worker_modes(mode):
    Config.configure_job_executions(**mode)
    number = Config.configure_data_node("number", default_data=3)
    frame = Config.configure_parquet_data_node("frame")
    make = Config.configure_task("make", table, number, frame, skippable=True)
    counting = Config.configure_task("count", count, frame, Config.configure_data_node("n"), reuse=True)
    config = Config.configure_scenario("modes", task_configs=[make, counting])
    tp.Orchestrator().run()
    try:
        scenario = tp.create_scenario(config)
        first = sorted(scenario.submit(wait=True, timeout=120).jobs)
        assert [job.status for job in first] == [Status.COMPLETED, Status.COMPLETED]
        assert scenario.frame.content_version == version_of(table(3))  # hashed in a worker, the same here
        assert scenario.n.read() == 3

        scenario.number.write(3)  # the same content: nothing downstream runs
        same = sorted(scenario.submit(wait=True, timeout=120).jobs)
        assert [job.status for job in same] == [Status.SKIPPED, Status.COMPLETED]
        same_inputs = "the same code, configuration and inputs."
        assert same[0].run_reason == f"Job {first[0].id} wrote its outputs from {same_inputs}"
        assert same[1].run_reason == "Task 'count' is not skippable."  # no reuse within its own scenario

        other = tp.create_scenario(config)
        jobs = sorted(other.submit(wait=True, timeout=120).jobs)
        assert jobs[0].run_reason == "Never run: its output 'frame' has never been written."
        reused = f"Reused the outputs of job {same[1].id} (of {scenario.id}), which ran {same_inputs}"
        assert jobs[1].run_reason == reused
        assert other.n.read() == 3

        scenario.number.write(5)
        changed = sorted(scenario.submit(wait=True, timeout=120).jobs)
        assert changed[0].run_reason == f"Input 'number' changed since job {first[0].id} wrote its outputs."
        assert changed[1].status is Status.COMPLETED and scenario.n.read() == 5
    finally:
        tp.Orchestrator().stop()
