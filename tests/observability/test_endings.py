"""Every job keeps its output whatever its end, and says why it ended (issue 12.2)."""

from __future__ import annotations

import time

import pytest

import scenaria as tp
from scenaria import Config
from scenaria.entities.status import Status
from tests.observability import user_funcs


def _eventually(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)


def _scenario(mode: str, function, **task_options):
    Config.configure_job_executions(mode=mode, max_nb_of_workers=1)
    number = Config.configure_data_node("number", default_data=20)
    out = Config.configure_data_node("out")
    task = Config.configure_task("sleepy", function, number, out, **task_options)
    middle = Config.configure_data_node("after")
    downstream = Config.configure_task("after_it", user_funcs.boom, out, middle)
    return Config.configure_scenario("s", [task, downstream])


@pytest.mark.processes
def test_a_canceled_running_job_keeps_what_it_printed_and_who_canceled_it(capsys):
    config = _scenario("standalone", user_funcs.chatty_then_sleep)
    tp.Orchestrator().run()
    try:
        submission = tp.create_scenario(config).submit()
        job = next(j for j in submission.jobs if j._task_config_id == "sleepy")
        shown: list[str] = []
        _eventually(lambda: shown.append(capsys.readouterr().out) or "[sleepy] before the kill" in "".join(shown))
        tp.cancel_job(job)
        assert job.status is Status.CANCELED
        assert job.reason == "canceled by cancel_job()"
        _eventually(lambda: tp.get(job.id).stdout == "before the kill\n")
        after = next(j for j in submission.jobs if j._task_config_id == "after_it")
        assert after.status is Status.ABANDONED
        assert after.reason == f"abandoned: {job.id}, whose outputs it needs, ended CANCELED"
    finally:
        tp.Orchestrator().stop()


@pytest.mark.processes
def test_a_timed_out_job_keeps_what_it_printed_and_says_which_timeout():
    config = _scenario("standalone", user_funcs.chatty_then_sleep, timeout=1.5)
    tp.Orchestrator().run()
    try:
        submission = tp.create_scenario(config).submit(wait=True, timeout=30)
        job = next(j for j in submission.jobs if j._task_config_id == "sleepy")
        assert job.status is Status.FAILED
        assert job.stdout == "before the kill\n"
        assert job.reason == f"Job {job.id} timed out after 1.5 s; its process was killed."
    finally:
        tp.Orchestrator().stop()


def test_a_failed_job_says_its_failure_and_a_completed_one_nothing():
    config = _scenario("development", user_funcs.boom)
    tp.Orchestrator().run()
    submission = tp.create_scenario(config).submit(wait=True)
    failed = next(j for j in submission.jobs if j._task_config_id == "sleepy")
    assert failed.reason == "ValueError: cannot use 20"
    assert tp.get(failed.id).reason == "ValueError: cannot use 20"  # stored with the job


@pytest.mark.dask
@pytest.mark.processes
def test_dask_canceled_job_says_who_canceled_it():
    config = _scenario("dask", user_funcs.chatty_then_sleep)
    tp.Orchestrator().run()
    try:
        submission = tp.create_scenario(config).submit()
        job = next(j for j in submission.jobs if j._task_config_id == "sleepy")
        tp.cancel_job(job)
        assert job.status is Status.CANCELED
        assert tp.get(job.id).reason == "canceled by cancel_job()"
    finally:
        tp.Orchestrator().stop()
