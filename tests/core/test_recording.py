"""How job states and records reach the store: each state stored before anyone can see it, in as
few writes as the guarantees allow (docs/execution.md, "How a job is recorded")."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest

import scenaria as tp
from scenaria import Config, EventEntityType, EventOperation, Scope, Status
from scenaria.entities.data_node import EDIT_HISTORY_LIMIT
from scenaria.entities.registry import registry
from tests.support.core import Recorder


def test_a_data_node_with_a_long_edit_history_is_stored_as_it_is(repository_type):
    """Its record's text is built from edits encoded once each: it must be the record all the same,
    as the history grows past its limit and is trimmed."""
    node = tp.create_global_data_node(Config.configure_data_node("noted", scope=Scope.GLOBAL))
    for round_ in range(EDIT_HISTORY_LIMIT + 7):
        node.write(round_, comment=f"write {round_}")
        if round_ in (0, 1, EDIT_HISTORY_LIMIT - 1, EDIT_HISTORY_LIMIT + 6):
            stored = registry().repository.load("data_node", node.id)
            expected = json.loads(json.dumps({**node._to_record(), "revision": node._revision}, default=str))
            assert stored == expected
    registry().forget()
    again = tp.get(node.id)
    assert again is not node and again.read() == EDIT_HISTORY_LIMIT + 6
    assert [edit["comment"] for edit in again.edits] == [f"write {n}" for n in range(7, EDIT_HISTORY_LIMIT + 7)]


def _stored_states(*_: object) -> dict[str, str]:
    """What the store says of every job of task ``step*`` now (read from inside a task's function)."""
    jobs = registry().repository.find("job")
    return {job["task_config_id"]: job["status"] for job in jobs}


def flaky(value: int) -> int:
    FLAKY.append(value)
    if len(FLAKY) == 1:
        raise RuntimeError("first try fails")
    return value + 1


FLAKY: list[int] = []


def test_a_jobs_record_is_stored_as_it_is_through_its_states(repository_type):
    """Its status dates are encoded once per change (``Job._dates``): at every state (a retry, a
    start undone, a record read back from the store) the stored record must be the job's record."""
    FLAKY.clear()
    first = Config.configure_data_node("first", default_data=1)
    then = Config.configure_data_node("then")
    task = Config.configure_task("flaky", flaky, first, then, max_retries=1)
    scenario = tp.create_scenario(Config.configure_scenario("retried", [task]))
    tp.Orchestrator().run()
    seen: list[tuple[dict, dict]] = []

    def stored_as_made(view):
        job = registry().cached(view.id)  # the live job, as the commit before this callback stored it
        made = json.loads(json.dumps({**job._to_record(), "revision": job._revision}, default=str))
        seen.append((registry().repository.load("job", job.id), made))

    submission = scenario.submit(callbacks=[stored_as_made])
    assert submission.is_finished() and scenario.then.read() == 2
    (job,) = submission.jobs
    assert job.attempts == 2 and len(job.stacktrace) == 1
    stored_as_made(job)
    assert len(seen) >= 4 and all(stored == made for stored, made in seen)
    assert set(seen[-1][0]["status_change_records"]) == {"SUBMITTED", "PENDING", "RUNNING", "FAILED", "COMPLETED"} - {
        "FAILED"
    }
    # a copy read back and saved again is stored as it is too
    registry().forget()
    again = tp.get(job.id)
    again._status_change_records.pop("SUBMITTED")
    registry().save(again)
    stored_as_made(again)
    assert seen[-1][0] == seen[-1][1] and "SUBMITTED" not in seen[-1][0]["status_change_records"]


SEEN: list[dict[str, str]] = []


def step(value: int) -> int:
    SEEN.append(_stored_states())
    return value + 1


def test_development_mode_stores_a_jobs_start_before_its_function_runs():
    """The start of the job an end releases is stored with that end (one commit), before its function runs."""
    nodes = [Config.configure_data_node("n0", default_data=0)]
    nodes += [Config.configure_data_node(f"n{i}") for i in (1, 2, 3)]
    tasks = [Config.configure_task(f"step{i}", step, nodes[i], nodes[i + 1]) for i in range(3)]
    scenario = tp.create_scenario(Config.configure_scenario("steps", tasks))
    tp.Orchestrator().run()
    SEEN.clear()
    recorder = Recorder(entity_type=EventEntityType.JOB, operation=EventOperation.UPDATE, attribute_name="status")
    try:
        submission = scenario.submit()
        events = recorder.drain()
    finally:
        recorder.close()
    assert scenario.n3.read() == 3 and submission.is_finished()
    assert SEEN == [
        {"step0": "RUNNING", "step1": "BLOCKED", "step2": "BLOCKED"},
        {"step0": "COMPLETED", "step1": "RUNNING", "step2": "BLOCKED"},
        {"step0": "COMPLETED", "step1": "COMPLETED", "step2": "RUNNING"},
    ]
    jobs = {job.task.config_id: job for job in submission.jobs}
    by_job = {job.id: name for name, job in jobs.items()}
    told = [(by_job[event.entity_id], event.attribute_value) for event in events]
    # every state is told, in order, each once it is stored
    assert [state for name, state in told if name == "step1"] == [
        Status.BLOCKED,
        Status.PENDING,
        Status.RUNNING,
        Status.COMPLETED,
    ]
    assert told.index(("step0", Status.COMPLETED)) < told.index(("step1", Status.PENDING))
    for job in jobs.values():
        assert job.attempts == 1 and job.runs[0]["ending"] == "COMPLETED"
        assert job.run_at is not None and job.finished_at >= job.run_at


def test_a_roll_forward_tells_a_file_exchanged_into_place_from_one_still_to_move(tmp_path):
    """A kill between the exchange of names and the deletion of the old file leaves the old file
    under the staged name: moving it again would put the old value back. The inode the intent
    recorded tells the two cases apart."""
    from scenaria.orchestrator import outputs
    from scenaria.store import replacing

    node = tp.create_global_data_node(Config.configure_data_node("target", scope=Scope.GLOBAL))
    node.write("old")
    staged = node._stage("new", "JOB_x_0")
    staged_path, target = node._staged_file(staged)
    inodes = {staged.location: os.stat(staged_path).st_ino}
    assert outputs._still_to_move(node, staged, inodes)  # not moved yet
    assert replacing._exchange(staged_path, target)  # killed here, before the old file is deleted
    assert node.read() == "new" and os.path.exists(staged_path)
    assert not outputs._still_to_move(node, staged, inodes)
    assert node.read() == "new" and not os.path.exists(staged_path)  # the old file is gone, the new one stays


FAILURES: list[float] = []


def fails_once(value: int) -> int:
    """Fails at its first call, and then writes the store from another thread, timing that write."""
    if not FAILURES:
        FAILURES.append(0.0)

        def write() -> None:
            time.sleep(0.05)
            started = time.monotonic()
            registry().repository.set_meta("elsewhere", 1)
            FAILURES.append(time.monotonic() - started)

        threading.Thread(target=write, daemon=True).start()
        raise ValueError("first call")
    return value + 1


def test_a_development_mode_retry_waits_for_its_delay_without_holding_the_store():
    """The caller waits ``retry_delay`` in development mode; the store stays free for others meanwhile."""
    source = Config.configure_data_node("source", default_data=1)
    out = Config.configure_data_node("out")
    task = Config.configure_task("t", fails_once, source, out, max_retries=1, retry_delay=1.0)
    scenario = tp.create_scenario(Config.configure_scenario("retried", [task]))
    FAILURES.clear()
    scenario.submit()
    assert scenario.out.read() == 2 and len(FAILURES) == 2
    assert FAILURES[1] < 0.5  # not held up until the retry


def _completed_job() -> tp.Job:
    a, b = Config.configure_data_node("a", default_data=1), Config.configure_data_node("b")
    config = Config.configure_scenario("moved", [Config.configure_task("step", tasks_increment, a, b)])
    scenario = tp.create_scenario(config)
    (job,) = tp.submit(scenario).jobs
    assert job.is_completed()
    return job


def tasks_increment(value: int) -> int:
    return value + 1


def test_a_renames_only_intent_is_stored_after_a_commit_that_failed():
    """A transaction that fails after a renames-only end was recorded in it forgets that end, and
    the next such end still stores its intent (a kill before its renames must find it)."""
    from scenaria.orchestrator import outputs
    from scenaria.orchestrator.moves import Moves

    job = _completed_job()
    moves, key = Moves(registry()), outputs.moves_key(job.version)
    registry().repository.set_meta(key, None)
    with pytest.raises(RuntimeError), registry().transaction():
        moves.record(job, [], [], {})
        raise RuntimeError("the batch failed")
    assert registry().repository.get_meta(key) is None
    moves.started("JOB_next")  # no commit under way any more: names no job
    with registry().transaction():
        moves.record(job, [], [], {})
    stored = registry().repository.get_meta(key)  # stored in that commit (cleared by the next start)
    assert stored is not None and set(stored) == {job.id} and stored[job.id]["then"] == []


def test_a_start_goes_on_past_a_leftover_move_whose_output_is_gone(tmp_path):
    """A stored move naming a data node its job no longer writes is skipped, not a failed start."""
    from scenaria.entities.storage_types import Staged
    from scenaria.orchestrator import outputs

    job = _completed_job()
    leftover = outputs.intent([Staged("DATANODE_gone_0", str(tmp_path / ".staged-x"), None, None)], None, None)
    registry().repository.set_meta(outputs.moves_key(job.version), {job.id: {**leftover, "then": []}})
    assert outputs.finish_moves(registry(), job.version) == []
    assert registry().repository.get_meta(outputs.moves_key(job.version)) is None
