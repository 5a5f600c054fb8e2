"""Development mode: the orchestrator service, submissions, the job state machine, skipping,
failures, cancels, callbacks and subscribers."""

from __future__ import annotations

import sys

import pytest

import scenaria as tp
from scenaria import Config, Status, SubmissionStatus
from scenaria.dispatch.base import Ending, Outcome
from scenaria.dispatch.development import DevelopmentDispatcher
from scenaria.exceptions import DataNodeIsBeingEdited, OrchestratorServiceIsAlreadyRunning
from tests.core import core_funcs as funcs
from tests.support.core import chain_config


def three_steps(first=funcs.double):
    """source -t1-> b -t2-> c -t3-> d, configured out of order."""
    source = Config.configure_data_node("source", default_data=3)
    b, c, d = (Config.configure_data_node(name) for name in "bcd")
    t1 = Config.configure_task("t1", first, source, b)
    t2 = Config.configure_task("t2", funcs.double, b, c)
    t3 = Config.configure_task("t3", funcs.double, c, d)
    return Config.configure_scenario("steps", [t3, t2, t1])


def by_task(submission):
    return {job.task.config_id: job for job in submission.jobs}


class Transitions:
    """A ``callbacks=`` entry recording each job's statuses, and what all jobs were at each call."""

    def __init__(self):
        self.seen: list[tuple[str, Status]] = []
        self.snapshots: dict[tuple[str, Status], dict[str, Status]] = {}

    def __call__(self, job):
        key = (job.task.config_id, job.status)
        self.seen.append(key)
        self.snapshots[key] = {j.task.config_id: j.status for j in tp.get(job.submit_id).jobs}

    def of(self, config_id):
        return [status for name, status in self.seen if name == config_id]


def test_run_twice_raises_and_stop_allows_a_new_run(repository_type):
    orchestrator = tp.Orchestrator()
    orchestrator.run()
    with pytest.raises(OrchestratorServiceIsAlreadyRunning, match="stop"):
        tp.Orchestrator().run()
    orchestrator.stop()
    orchestrator.run()
    orchestrator.run(force_restart=True)


def test_submit_runs_the_jobs_in_the_callers_thread_in_graph_order(repository_type):
    import threading

    config = three_steps()
    tp.Orchestrator().run()
    scenario = tp.create_scenario(config)
    threads = []
    submission = tp.submit(scenario, callbacks=[lambda job: threads.append(threading.current_thread())])
    assert set(threads) == {threading.current_thread()}
    assert [job.task.config_id for job in submission.jobs] == ["t1", "t2", "t3"]
    assert [job.creation_date for job in submission.jobs] == sorted(job.creation_date for job in submission.jobs)
    assert all(job.is_completed() for job in submission.jobs)
    assert submission.submission_status is SubmissionStatus.COMPLETED and submission.is_finished()
    assert submission.entity_id == scenario.id and submission.entity_type == "SCENARIO"
    assert submission.entity_config_id == "steps"
    assert scenario.d.read() == 24
    assert tp.get_latest_submission(scenario) is submission
    assert tp.get_latest_job(scenario.t3) is by_task(submission)["t3"]


def test_submitting_without_running_the_orchestrator_starts_one_that_a_later_run_goes_on_with(repository_type):
    from scenaria.orchestrator import scheduler

    scenario = tp.create_scenario(chain_config())
    submission = scenario.submit()
    assert submission.is_finished() and scenario.result.read() == 12
    started = scheduler.current()
    tp.Orchestrator().run()  # a Taipy script may submit first, then run the orchestrator
    assert scheduler.current() is started
    assert scenario.submit().is_finished()
    with pytest.raises(OrchestratorServiceIsAlreadyRunning):  # the script's run() was that one
        tp.Orchestrator().run()
    tp.Orchestrator().stop()
    scenario.submit()
    tp.Orchestrator().run(force_restart=True)  # a restart asked for: a new orchestrator
    assert scheduler.current() is not started
    with pytest.raises(OrchestratorServiceIsAlreadyRunning):
        tp.Orchestrator().run()


def test_a_sequence_or_a_task_is_submitted_alone(repository_type):
    scenario = tp.create_scenario(chain_config())
    submission = scenario.first.submit(owner="me")
    assert [job.task.config_id for job in submission.jobs] == ["t1"]
    assert submission.entity_type == "SEQUENCE" and submission.entity_config_id is None
    assert submission.entity_id == scenario.first.id and submission.properties == {"owner": "me"}
    assert scenario.middle.read() == 6 and scenario.result.read() is None
    submission = tp.submit(scenario.t2)
    assert submission.entity_type == "TASK" and submission.entity_config_id == "t2"
    assert [job.task.config_id for job in submission.jobs] == ["t2"]
    assert scenario.result.read() == 12
    assert tp.get_latest_submission(scenario.t2) is submission
    assert tp.submit(scenario.source) is None


def test_job_states_outputs_locked_and_downstream_blocked(repository_type):
    scenario = tp.create_scenario(three_steps())
    record = Transitions()
    submission = scenario.submit(callbacks=[record])
    assert record.of("t1") == [Status.PENDING, Status.RUNNING, Status.COMPLETED]
    assert record.of("t2") == [Status.BLOCKED, Status.PENDING, Status.RUNNING, Status.COMPLETED]
    assert record.snapshots[("t1", Status.RUNNING)] == {
        "t1": Status.RUNNING,
        "t2": Status.BLOCKED,
        "t3": Status.BLOCKED,
    }
    assert not any(dn.edit_in_progress for dn in scenario.data_nodes.values())
    job = by_task(submission)["t2"]
    assert job.submitted_at <= job.run_at <= job.finished_at
    assert job.execution_duration >= 0 and job.pending_duration >= 0 and job.blocked_duration >= 0
    assert job.owner_id == scenario.t2.id and job.task is scenario.t2 and scenario.t2 in job
    assert job.submit_entity is scenario and job.submit_id == submission.id
    assert job.stacktrace == [] and job.is_finished() and job.is_deletable()
    assert by_task(submission)["t1"] < job


def test_skippable_tasks_are_skipped_until_an_input_changes(repository_type):
    scenario = tp.create_scenario(chain_config(skippable=True))
    first = scenario.submit()
    assert {job.status for job in first.jobs} == {Status.COMPLETED}
    second = scenario.submit()
    assert {job.status for job in second.jobs} == {Status.SKIPPED}
    assert second.submission_status is SubmissionStatus.COMPLETED
    scenario.middle.write(100)  # by hand: t1 runs again (it did not write it), t2 then finds its input as before
    third = scenario.submit()
    assert [job.status for job in third.jobs] == [Status.COMPLETED, Status.SKIPPED]
    assert scenario.middle.read() == 6 and scenario.result.read() == 12
    scenario.source.write(50)
    fourth = scenario.submit()
    assert [job.status for job in fourth.jobs] == [Status.COMPLETED, Status.COMPLETED]
    assert scenario.result.read() == 200
    forced = scenario.submit(force=True)
    assert {job.status for job in forced.jobs} == {Status.COMPLETED}
    assert scenario.middle.read() == 100


def test_a_failure_keeps_its_traceback_and_abandons_the_jobs_downstream(repository_type):
    scenario = tp.create_scenario(three_steps(first=funcs.boom))
    record = Transitions()
    submission = scenario.submit(callbacks=[record])
    jobs = by_task(submission)
    assert jobs["t1"].status is Status.FAILED
    assert jobs["t2"].status is Status.ABANDONED and jobs["t3"].status is Status.ABANDONED
    assert submission.submission_status is SubmissionStatus.FAILED
    trace = "".join(jobs["t1"].stacktrace)
    assert "Traceback" in trace and "ValueError: boom on 3" in trace and "core_funcs.py" in trace
    assert record.of("t2") == [Status.BLOCKED, Status.ABANDONED]
    assert scenario.b.read() is None and not scenario.b.edit_in_progress and scenario.b.edits == []
    from scenaria.entities.registry import registry

    registry().forget()
    assert "ValueError: boom on 3" in "".join(tp.get(jobs["t1"].id).stacktrace)


def test_a_wrong_number_of_outputs_fails_saying_what_to_return(repository_type):
    source = Config.configure_data_node("source", default_data=1)
    outs = [Config.configure_data_node(name) for name in ("x", "y", "z")]
    task = Config.configure_task("split", funcs.two_values, source, outs)
    scenario = tp.create_scenario(Config.configure_scenario("sc", [task]))
    submission = scenario.submit()
    job = submission.jobs[0]
    assert job.is_failed() and submission.submission_status is SubmissionStatus.FAILED
    trace = "".join(job.stacktrace)
    assert "3 outputs (x, y, z)" in trace and "returned 2 values" in trace
    assert "return a tuple or list of 3 values" in trace


class _NeverStarts(DevelopmentDispatcher):
    """Reports every run FAILED before it starts, as the standalone pool does for a run that cannot
    travel to a worker or when no worker can start."""

    def submit(self, job_id, runnable, timeout=None, placement=None):
        assert self._listener is not None
        self._listener.job_finished(Outcome(job_id, Ending.FAILED, traceback="it could not be sent"))


def test_a_run_that_fails_before_it_starts_fails_its_job(repository_type, monkeypatch):
    monkeypatch.setattr("scenaria.orchestrator.service.build_dispatcher", lambda job_config: _NeverStarts())
    scenario = tp.create_scenario(chain_config())
    submission = scenario.submit()
    assert [job.status.name for job in submission.jobs] == ["FAILED", "ABANDONED"]
    assert submission.jobs[0].stacktrace == ["it could not be sent"]
    assert submission.submission_status.name == "FAILED"
    assert not scenario.middle.edit_in_progress and not scenario.result.edit_in_progress


def test_job_output_is_captured(repository_type, capsys):
    source = Config.configure_data_node("source", default_data=3)
    out = Config.configure_data_node("out")
    task = Config.configure_task("noisy", funcs.noisy_double, source, out)
    scenario = tp.create_scenario(Config.configure_scenario("sc", [task]))
    job = scenario.submit().jobs[0]
    assert job.stdout == "doubling 3\n" and "a warning" in job.stderr
    assert "doubling 3" in capsys.readouterr().out  # still shown on the console
    from scenaria.entities.registry import registry

    registry().forget()
    assert tp.get(job.id).stdout == "doubling 3\n"


def test_a_job_that_closes_its_stdout_closes_neither_the_console_nor_the_next_jobs(capsys):
    """In development mode a job's ``sys.stdout`` is its own (a tee to the console): closing it
    marks it closed for that job only."""
    source = Config.configure_data_node("source", default_data=3)
    seen, again = Config.configure_data_node("seen"), Config.configure_data_node("again")
    first = Config.configure_task("closer", funcs.closes_stdout, source, seen)
    second = Config.configure_task("next", funcs.noisy_double, source, again)
    scenario = tp.create_scenario(Config.configure_scenario("sc", [first, second]))
    jobs = {job.task.config_id: job for job in scenario.submit().jobs}
    assert scenario.seen.read() is True and jobs["closer"].stdout == "before\n"
    assert scenario.again.read() == 6 and jobs["next"].stdout == "doubling 3\n"
    assert not sys.stdout.closed
    print("after")
    assert "before\ndoubling 3\nafter\n" in capsys.readouterr().out


def test_cancel_from_a_callback_while_upstream_runs(repository_type):
    scenario = tp.create_scenario(three_steps())

    def cancel_t2(job):
        if job.task.config_id == "t1" and job.is_running():
            tp.cancel_job(by_task(tp.get(job.submit_id))["t2"])

    record = Transitions()
    submission = scenario.submit(callbacks=[cancel_t2, record])
    jobs = by_task(submission)
    assert jobs["t1"].is_completed()
    assert jobs["t2"].is_canceled() and jobs["t3"].is_abandoned()
    assert submission.submission_status is SubmissionStatus.CANCELED and submission.is_finished()
    assert record.of("t2") == [Status.BLOCKED, Status.CANCELED]
    assert scenario.b.read() == 6 and scenario.c.read() is None
    assert not any(dn.edit_in_progress for dn in scenario.data_nodes.values())
    assert submission.is_canceled and submission.is_abandoned


def test_cancel_from_a_task_function(repository_type):
    scenario = tp.create_scenario(three_steps(first=funcs.cancel_sibling))
    submission = scenario.submit()
    assert [job.status for job in submission.jobs] == [Status.COMPLETED, Status.CANCELED, Status.ABANDONED]
    assert submission.submission_status is SubmissionStatus.CANCELED


def test_cancel_from_a_subscriber(repository_type):
    other = tp.create_scenario(three_steps())

    def cancel_t3(entity, job):
        if job.task.config_id == "t2" and job.is_running():
            tp.cancel_job(by_task(tp.get(job.submit_id))["t3"].id)

    tp.subscribe_scenario(cancel_t3, scenario=other)
    submission = other.submit()
    assert [job.status for job in submission.jobs] == [Status.COMPLETED, Status.COMPLETED, Status.CANCELED]
    assert submission.submission_status is SubmissionStatus.CANCELED


def test_cancel_of_a_finished_job_changes_nothing(repository_type):
    scenario = tp.create_scenario(chain_config())
    submission = scenario.submit()
    tp.cancel_job(submission.jobs[0])
    assert submission.jobs[0].is_completed() and submission.submission_status is SubmissionStatus.COMPLETED


def test_canceling_a_job_whose_output_an_editor_took_over_leaves_the_editor_its_lock(repository_type):
    scenario = tp.create_scenario(chain_config())
    scenario.source.lock_edit("alice")
    submission = scenario.submit()  # both jobs BLOCKED, their outputs locked by the orchestrator
    scenario.result.lock_edit("bob")  # an editor takes the lock of t2's output over
    tp.cancel_job(submission.jobs[0])
    assert [job.status.name for job in submission.jobs] == ["CANCELED", "ABANDONED"]
    assert submission.submission_status.name == "CANCELED"
    assert not scenario.middle.edit_in_progress
    assert scenario.result.edit_in_progress and scenario.result.editor_id == "bob"


def test_subscribers_are_called_with_params_scenario_and_job(repository_type):
    calls = []

    def on_job(tag, scenario, job):
        calls.append((tag, scenario.id, job.task.config_id, job.status))

    config = chain_config()
    existing = tp.create_scenario(config)
    tp.subscribe_scenario(on_job, ["all"])
    later = tp.create_scenario(config)  # created after subscribing: covered too
    assert [sub.callback for sub in later.subscribers] == [on_job]
    existing.submit()
    later.submit()
    assert {c[1] for c in calls} == {existing.id, later.id}
    assert ("all", later.id, "t2", Status.COMPLETED) in calls

    tp.unsubscribe_scenario(on_job, ["all"])
    calls.clear()
    tp.create_scenario(config).submit()
    existing.submit()
    assert calls == []


def test_sequence_subscribers(repository_type):
    calls = []

    def on_job(sequence, job):
        calls.append((sequence.id, job.status))

    scenario = tp.create_scenario(chain_config())
    tp.subscribe_sequence(on_job, sequence=scenario.first)
    scenario.first.submit()
    assert calls[-1] == (scenario.first.id, Status.COMPLETED)
    tp.unsubscribe_sequence(on_job, sequence=scenario.first)
    calls.clear()
    scenario.first.submit()
    assert calls == []
    tp.subscribe_sequence(on_job)  # every sequence
    scenario.first.submit()
    assert calls


def test_a_job_blocked_by_an_editor_runs_when_the_editor_is_done_or_can_be_canceled(repository_type):
    scenario = tp.create_scenario(three_steps())
    scenario.source.lock_edit("alice")
    submission = scenario.submit(wait=True, timeout=0.01)
    assert [job.status for job in submission.jobs] == [Status.BLOCKED] * 3
    assert submission.submission_status is SubmissionStatus.BLOCKED and not submission.wait(0.01)
    scenario.source.unlock_edit("alice")  # the jobs go on, in the unlocking thread
    assert submission.is_finished() and scenario.d.read() == 24

    scenario.source.lock_edit("alice")
    submission = scenario.submit()
    tp.cancel_job(submission.jobs[0])
    assert [job.status for job in submission.jobs] == [Status.CANCELED, Status.ABANDONED, Status.ABANDONED]
    assert submission.submission_status is SubmissionStatus.CANCELED
    assert not scenario.b.edit_in_progress and not scenario.d.edit_in_progress
    assert scenario.source.editor_id == "alice"  # the editor's lock is the editor's


def test_submitting_while_an_editor_holds_an_output(repository_type):
    scenario = tp.create_scenario(chain_config())
    scenario.middle.lock_edit("alice")
    with pytest.raises(DataNodeIsBeingEdited, match="alice"):
        scenario.submit()
    assert scenario.middle.editor_id == "alice"
    assert not scenario.result.edit_in_progress  # nothing left half locked
    assert tp.get_jobs() == [] and tp.get_submissions() == []


def test_submitting_while_an_editor_holds_a_later_output_leaves_no_output_locked(repository_type):
    scenario = tp.create_scenario(chain_config())
    scenario.result.lock_edit("alice")  # the output of the second task
    with pytest.raises(DataNodeIsBeingEdited, match="alice"):
        scenario.submit()
    assert not scenario.middle.edit_in_progress  # the first task's output was not left locked
    assert scenario.result.editor_id == "alice"
    scenario.result.unlock_edit("alice")
    assert scenario.submit().submission_status.name == "COMPLETED"


def test_core_is_a_deprecated_orchestrator():
    with pytest.warns(DeprecationWarning, match="Orchestrator"):
        core = tp.Core()
    assert isinstance(core, tp.Orchestrator)
