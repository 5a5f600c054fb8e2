"""Parallelism in standalone mode: as many jobs at once as workers, as the graph allows."""

from __future__ import annotations

import time

import pytest

import scenaria as tp
from scenaria import Config
from tests.standalone import e2e_jobs as jobs
from tests.support.standalone import standalone

pytestmark = pytest.mark.processes


def nap_task(name: str, seconds: float, *upstream):
    """A task ``name`` napping ``seconds`` after its upstream data nodes; returns (task, output) configs."""
    spec = Config.configure_data_node(f"{name}_spec", default_data={"name": name, "seconds": seconds})
    out = Config.configure_data_node(f"{name}_out")
    return Config.configure_task(name, jobs.nap, [spec, *upstream], out), out


def two_independent_naps(seconds: float):
    first, _ = nap_task("first", seconds)
    second, _ = nap_task("second", seconds)
    return Config.configure_scenario("pair", [first, second])


def test_two_independent_jobs_run_at_once_on_two_workers():
    config = two_independent_naps(1.0)
    standalone(2)
    scenario = tp.create_scenario(config)
    began = time.perf_counter()
    assert scenario.submit(wait=True, timeout=10).is_finished()
    assert time.perf_counter() - began < 1.8
    assert jobs.overlap("first", "second") > 0.8


def test_one_worker_by_default_runs_one_job_at_a_time():
    config = two_independent_naps(0.3)
    standalone(None)
    assert Config.job_config.max_nb_of_workers == 1
    scenario = tp.create_scenario(config)
    submission = scenario.submit(wait=True, timeout=10)
    assert submission.submission_status.name == "COMPLETED"
    assert jobs.overlap("first", "second") <= 0


def test_a_diamond_runs_its_two_middle_tasks_in_parallel():
    top, top_out = nap_task("top", 0)
    left, left_out = nap_task("left", 0.5, top_out)
    right, right_out = nap_task("right", 0.5, top_out)
    bottom, _ = nap_task("bottom", 0, left_out, right_out)
    config = Config.configure_scenario("diamond", [bottom, right, left, top])
    standalone(2)
    scenario = tp.create_scenario(config)
    submission = scenario.submit(wait=True, timeout=10)
    assert submission.submission_status.name == "COMPLETED"
    assert scenario.bottom_out.read() == "top+left+top+right+bottom"
    assert jobs.overlap("left", "right") > 0.3
    # each waits only for what it reads: left and right after top, bottom after both
    assert jobs.overlap("top", "left") <= 0 and jobs.overlap("top", "right") <= 0
    assert jobs.overlap("left", "bottom") <= 0 and jobs.overlap("right", "bottom") <= 0


def test_jobs_of_several_submitted_scenarios_run_in_parallel():
    task, _ = nap_task("solo", 0.5)
    config = Config.configure_scenario("solo_scenario", [task])
    standalone(2)
    first, second = tp.create_scenario(config), tp.create_scenario(config)
    began = time.perf_counter()
    submissions = [first.submit(), second.submit()]
    assert all(submission.wait(10) for submission in submissions)
    assert time.perf_counter() - began < 0.95
    assert [scenario.solo_out.read() for scenario in (first, second)] == ["solo", "solo"]
