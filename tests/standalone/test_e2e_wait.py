"""Waiting on standalone submissions: ``submit(wait=True[, timeout])`` and ``Submission.wait``."""

from __future__ import annotations

import time

import pytest

import scenaria as tp
from scenaria import Config
from tests.standalone import e2e_jobs as jobs
from tests.support.standalone import standalone

pytestmark = pytest.mark.processes


def slow_chain(seconds: float = 0.8):
    """double, then a nap of ``seconds``: the scenario takes a little longer than that."""
    number = Config.configure_data_node("number", default_data=21)
    doubled = Config.configure_data_node("doubled")
    spec = Config.configure_data_node("spec", default_data={"name": "slow", "seconds": seconds})
    slept = Config.configure_data_node("slept")
    first = Config.configure_task("double", jobs.double, number, doubled)
    second = Config.configure_task("slow", jobs.nap, [spec, doubled], slept)
    return Config.configure_scenario("slow_chain", [first, second])


def test_submit_wait_returns_when_every_job_is_finished():
    config = slow_chain()
    standalone(2)
    scenario = tp.create_scenario(config)
    submission = scenario.submit(wait=True)
    assert submission.is_finished()
    assert [job.status.name for job in submission.jobs] == ["COMPLETED", "COMPLETED"]
    assert scenario.slept.read() == "42+slow"


def test_submit_wait_with_a_timeout_returns_with_the_jobs_still_going():
    config = slow_chain()
    standalone(2)
    scenario = tp.create_scenario(config)
    began = time.perf_counter()
    submission = scenario.submit(wait=True, timeout=0.3)
    took = time.perf_counter() - began
    assert 0.28 <= took < 0.5
    assert not submission.is_finished()
    assert any(not job.is_finished() for job in submission.jobs)
    assert submission.wait(timeout=10) is True
    assert submission.is_finished() and scenario.slept.read() == "42+slow"


def test_submission_wait_says_whether_it_finished_in_time():
    config = slow_chain()
    standalone(2)
    scenario = tp.create_scenario(config)
    submission = scenario.submit()
    began = time.perf_counter()
    assert submission.wait(timeout=0.2) is False
    assert 0.18 <= time.perf_counter() - began < 0.4
    assert submission.wait(timeout=10) is True
    assert submission.wait(timeout=0) is True  # finished: returns at once
    assert submission.submission_status.name == "COMPLETED"


def test_wait_returns_within_milliseconds_of_the_last_jobs_end():
    """Woken by the job's end, not by a polling period (the reference polls every 0.5 s)."""
    config = slow_chain(0.05)
    standalone(2)
    scenario = tp.create_scenario(config)
    lags = []
    for _ in range(3):
        scenario.submit(wait=True, timeout=10)
        returned = time.time()
        _, ended, _ = jobs.span("slow")
        lags.append(returned - ended)
    assert min(lags) < 0.05, lags


def test_stopping_the_orchestrator_wakes_who_waits_and_the_next_run_settles_the_jobs(tmp_path):
    """wait() returns False when the orchestrator stops under it; the next run() settles the jobs."""
    import threading

    Config.configure_core(mode="experiment", version_number="resume")
    config = slow_chain(1.0)
    standalone(1)
    scenario = tp.create_scenario(config)
    submission = scenario.submit()
    results = []
    waiter = threading.Thread(target=lambda: results.append(submission.wait()))
    waiter.start()
    time.sleep(0.3)
    tp.Orchestrator().stop()
    waiter.join(5)
    assert results == [False] and not submission.is_finished()
    tp.Orchestrator().run()
    assert submission.wait(30) is True
    slow = submission.jobs[-1]
    assert slow.status.name == "FAILED"  # its run died with the stop; no retries: it says so
    assert "was running when the orchestrating process stopped" in slow.stacktrace[-1]


def test_an_output_is_in_place_once_a_polled_job_shows_completed():
    """A script that polls ``is_finished()`` (as Taipy users do) and then reads: the file of a
    fresh output must be there, though the store records the end before the rename."""
    number = Config.configure_data_node("number", default_data=21)
    doubled = Config.configure_data_node("doubled")
    config = Config.configure_scenario("polled", [Config.configure_task("double", jobs.double, number, doubled)])
    standalone(2)
    missing = 0
    for _ in range(40):
        scenario = tp.create_scenario(config)
        submission = tp.submit(scenario)
        deadline = time.monotonic() + 60
        while not tp.get(submission.id).is_finished() and time.monotonic() < deadline:
            pass  # a tight poll, to land between the end's commit and its rename
        try:
            assert scenario.doubled.read() == 42
        except tp.exceptions.DataFileNotFound:
            missing += 1
    assert missing == 0
