"""Callbacks and subscribers of standalone jobs: on the callback thread, in status order for each
job, and a slow one never delays the jobs."""

from __future__ import annotations

import threading
import time

import pytest

import scenaria as tp
from scenaria import Config
from tests.standalone import e2e_jobs as jobs
from tests.support import standalone as helpers
from tests.support.standalone import StatusWatch, standalone

pytestmark = pytest.mark.processes


def chain_and_side():
    """number -double-> doubled -double-> quadrupled, and an independent nap of 0.3 s."""
    number = Config.configure_data_node("number", default_data=1)
    doubled, quadrupled = Config.configure_data_node("doubled"), Config.configure_data_node("quadrupled")
    spec = Config.configure_data_node("spec", default_data={"name": "side", "seconds": 0.3})
    side_out = Config.configure_data_node("side_out")
    first = Config.configure_task("first", jobs.double, number, doubled)
    second = Config.configure_task("second", jobs.double, doubled, quadrupled)
    side = Config.configure_task("side", jobs.nap, spec, side_out)
    return Config.configure_scenario("callbacks", [first, second, side])


EXPECTED = {
    "first": ["PENDING", "RUNNING", "COMPLETED"],
    "second": ["BLOCKED", "PENDING", "RUNNING", "COMPLETED"],
    "side": ["PENDING", "RUNNING", "COMPLETED"],
}


def test_callbacks_and_subscribers_run_on_the_callback_thread_in_status_order():
    config = chain_and_side()
    standalone(2)
    helpers.SUBSCRIBED.clear()
    tp.subscribe_scenario(helpers.subscriber, ["tag"])
    scenario = tp.create_scenario(config)
    watch = StatusWatch()
    submission = scenario.submit(callbacks=[watch])
    assert submission.wait(20)
    watch.wait_for("second", "COMPLETED")
    tp.Orchestrator().stop()  # the queued calls are made before it returns
    for job in submission.jobs:
        expected = EXPECTED[job.task.config_id]
        assert watch.of(job.id) == expected
        assert [status for _, _, name, status, _ in helpers.SUBSCRIBED if name == job.task.config_id] == expected
    assert {(tag, sid) for tag, sid, *_ in helpers.SUBSCRIBED} == {("tag", scenario.id)}
    assert watch.threads == {thread for *_, thread in helpers.SUBSCRIBED} == {"scenaria-callbacks"}
    assert threading.main_thread().name not in watch.threads


def test_a_subscriber_holding_live_state_can_subscribe():
    config = chain_and_side()
    standalone(2)
    seen = threading.Event()
    tp.subscribe_scenario(lambda scenario, job: seen.set())
    scenario = tp.create_scenario(config)
    assert scenario.submit(wait=True, timeout=20).is_finished()
    assert seen.wait(5)


def test_a_slow_callback_does_not_delay_the_jobs():
    config = chain_and_side()
    standalone(2)
    release = threading.Event()
    calls: list[tuple[str, str]] = []

    def slow(job):
        calls.append((job.task.config_id, job.status.name))
        if len(calls) == 1:
            release.wait(10)  # holds the callback thread until the test has seen the jobs end

    scenario = tp.create_scenario(config)
    began = time.perf_counter()
    submission = scenario.submit(callbacks=[slow])
    assert submission.wait(5), "the jobs waited for a callback"
    took = time.perf_counter() - began
    assert calls == [calls[0]] and took < 2
    assert [job.status.name for job in submission.jobs] == ["COMPLETED"] * 3
    assert scenario.quadrupled.read() == 4
    release.set()
    tp.Orchestrator().stop()  # the queued calls are made before it returns
    assert len(calls) == sum(map(len, EXPECTED.values()))
