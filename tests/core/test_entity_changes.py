"""Entities change through their own methods: the port to the orchestrator, the transitions the
entities refuse, and the execution settings a task reads once."""

from __future__ import annotations

import pytest

import scenaria as tp
from scenaria import Config, Status, SubmissionStatus
from scenaria.entities import ports
from scenaria.entities.execution import ExecutionSettings
from scenaria.entities.job import Job
from scenaria.exceptions import (
    ConfigCheckError,
    InvalidExecutionSetting,
    InvalidJobTransition,
    InvalidSubmissionTransition,
)
from scenaria.orchestrator import scheduler as scheduling
from tests.core import core_funcs as funcs


def one_task(**task_properties):
    source = Config.configure_data_node("source", default_data=3)
    out = Config.configure_data_node("out")
    task = Config.configure_task("t", funcs.double, source, out, **task_properties)
    return Config.configure_scenario("single", [task])


# --- the port ------------------------------------------------------------------------------------
def test_the_orchestrator_installs_itself_in_the_port_while_it_runs():
    assert ports.installed() is None
    tp.Orchestrator().run()
    assert ports.installed() is not None and ports.installed() is scheduling.current()
    tp.Orchestrator().stop()
    assert ports.installed() is None


def test_without_an_orchestrator_unlocking_and_deleting_tell_nobody():
    scenario = tp.create_scenario(one_task())
    scenario.out.lock_edit("alice")
    scenario.out.unlock_edit("alice")  # nothing runs, nothing fails
    assert not scenario.out.edit_in_progress and ports.installed() is None


def test_an_editor_unlocking_releases_the_blocked_job_through_the_port():
    scenario = tp.create_scenario(one_task())
    scenario.source.lock_edit("alice")
    submission = scenario.submit()
    assert submission.jobs[0].status is Status.BLOCKED
    scenario.source.unlock_edit("alice")
    assert submission.jobs[0].status is Status.COMPLETED and scenario.out.read() == 6


def test_deleting_an_unfinished_job_cancels_it_through_the_port():
    scenario = tp.create_scenario(one_task())
    scenario.source.lock_edit("alice")
    submission = scenario.submit()
    (job,) = submission.jobs
    tp.delete_job(job, force=True)
    assert job.status is Status.CANCELED and tp.get(job.id) is None
    assert submission.submission_status is SubmissionStatus.CANCELED and submission.wait(0)
    assert not scenario.out.edit_in_progress  # the canceled job's output is free again


# --- transitions refused -------------------------------------------------------------------------
def test_a_job_refuses_a_transition_the_table_does_not_allow():
    job = Job(id="JOB_t_1", _task_id="TASK_t_1", _submit_id="SUBMISSION_1", _submit_entity_id="TASK_t_1")
    with pytest.raises(InvalidJobTransition, match="JOB_t_1 cannot go from SUBMITTED to COMPLETED"):
        job._set_status(Status.COMPLETED)
    assert job.status is Status.SUBMITTED and job.attempts == 0
    job._set_status(Status.PENDING)
    job._set_status(Status.RUNNING)
    assert job.attempts == 1 and job.run_at is not None


def test_a_finished_job_keeps_its_record():
    submission = tp.submit(tp.create_scenario(one_task()))
    (job,) = submission.jobs
    assert job.is_completed()
    with pytest.raises(InvalidJobTransition, match="COMPLETED to RUNNING"):
        job._set_status(Status.RUNNING)
    with pytest.raises(InvalidJobTransition, match="output cannot change"):
        job._add_output("late", "")
    with pytest.raises(InvalidJobTransition, match="stack trace cannot change"):
        job._add_trace("late")
    assert job.stdout == "" and job.stacktrace == [] and job.attempts == 1


def test_a_finished_submission_keeps_its_status():
    submission = tp.submit(tp.create_scenario(one_task()))
    assert submission.submission_status is SubmissionStatus.COMPLETED
    with pytest.raises(InvalidSubmissionTransition, match="COMPLETED to RUNNING"):
        submission._set_status(SubmissionStatus.RUNNING)
    assert submission.is_finished()


# --- execution settings --------------------------------------------------------------------------
def test_execution_settings_are_read_once_into_one_typed_object():
    assert ExecutionSettings.from_properties("t", {}) == ExecutionSettings(None, 0, 0.0)
    read = ExecutionSettings.from_properties("t", {"timeout": "2.5", "max_retries": 2, "retry_delay": ""})
    assert read == ExecutionSettings(timeout=2.5, max_retries=2, retry_delay=0.0)
    task = tp.create_scenario(one_task(timeout=4, max_retries="1")).tasks["t"]
    assert task.execution is task.execution and task.execution == ExecutionSettings(4.0, 1, 0.0)
    task.properties["max_retries"] = 3  # a change of the properties is read again
    assert task.execution.max_retries == 3


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [("timeout", "soon", "number of seconds"), ("max_retries", 1.5, "whole number"), ("retry_delay", [1], "seconds")],
)
def test_a_bad_execution_setting_is_refused_when_the_scenario_is_created(key, value, expected):
    # Config.check() (run before the scenario is created) reports the parser's very message
    with pytest.raises(ConfigCheckError) as error:
        tp.create_scenario(one_task(**{key: value}))
    message = str(error.value)
    assert "'t'" in message and f"{key}={value!r}" in message and expected in message
    assert tp.get_scenarios() == []
    with pytest.raises(InvalidExecutionSetting, match=expected):  # the parser itself, used by both
        ExecutionSettings.from_properties("t", {key: value})
