"""Events published by entities and the orchestrator, and EventProcessor shortcuts on them."""

from __future__ import annotations

import threading

import scenaria as tp
from scenaria import Config, EventEntityType, EventOperation, EventProcessor, Frequency, Notifier, SubmissionStatus
from scenaria.entities.registry import registry
from tests.core import core_funcs as funcs
from tests.support.core import chain_config

E, Op = EventEntityType, EventOperation


def keys(events):
    return [(e.entity_type, e.operation, e.attribute_name) for e in events]


def test_creation_submission_and_update_events(repository_type, recorder):
    scenario = tp.create_scenario(chain_config(Frequency.DAILY))
    created = recorder.drain()
    assert {(e.entity_type, e.operation) for e in created} >= {
        (E.CYCLE, Op.CREATION),
        (E.SCENARIO, Op.CREATION),
        (E.TASK, Op.CREATION),
        (E.DATA_NODE, Op.CREATION),
        (E.SEQUENCE, Op.CREATION),
    }
    scenario_event = next(e for e in created if e.entity_type is E.SCENARIO)
    assert scenario_event.entity_id == scenario.id
    assert scenario_event.metadata["config_id"] == "chain" and scenario_event.metadata["version"] == scenario.version
    task_event = next(e for e in created if e.entity_type is E.TASK and e.entity_id == scenario.t1.id)
    assert task_event.metadata["config_id"] == "t1"

    submission = scenario.submit()
    events = recorder.drain()
    found = keys(events)
    assert (E.SUBMISSION, Op.CREATION, None) in found
    assert found.count((E.JOB, Op.CREATION, None)) == 2
    assert (E.SUBMISSION, Op.UPDATE, "jobs") in found
    assert (E.JOB, Op.UPDATE, "status") in found
    assert (E.SUBMISSION, Op.UPDATE, "submission_status") in found
    assert (E.SCENARIO, Op.SUBMISSION, None) in found
    assert (E.DATA_NODE, Op.UPDATE, "last_edit_date") in found
    assert found.index((E.SUBMISSION, Op.CREATION, None)) < found.index((E.JOB, Op.CREATION, None))
    assert found[-1] == (E.SCENARIO, Op.SUBMISSION, None)

    job = submission.jobs[0]
    statuses = [e.attribute_value.name for e in events if e.entity_id == job.id and e.attribute_name == "status"]
    assert statuses == ["PENDING", "RUNNING", "COMPLETED"]
    job_event = next(e for e in events if e.entity_id == job.id)
    assert job_event.metadata["task_config_id"] == "t1" and job_event.metadata["version"] == job.version
    finals = [e.attribute_value for e in events if e.attribute_name == "submission_status"]
    assert finals[-1] is SubmissionStatus.COMPLETED
    sub_event = next(e for e in events if e.entity_type is E.SUBMISSION)
    assert sub_event.metadata["origin_entity_id"] == scenario.id
    assert sub_event.metadata["origin_entity_type"] == "SCENARIO"
    assert sub_event.metadata["origin_entity_config_id"] == "chain"
    written = {e.entity_id for e in events if e.attribute_name == "last_edit_date"}
    assert written == {scenario.middle.id, scenario.result.id}


def test_entity_changes_publish_updates_and_deletions(repository_type, recorder):
    scenario = tp.create_scenario(chain_config())
    recorder.drain()
    scenario.properties["owner"] = "me"
    scenario.add_tag("t")
    scenario.source.write(1)
    scenario.middle.lock_edit("alice")
    found = keys(recorder.drain())
    assert (E.SCENARIO, Op.UPDATE, "properties") in found
    assert (E.SCENARIO, Op.UPDATE, "tags") in found
    assert (E.DATA_NODE, Op.UPDATE, "last_edit_date") in found
    assert (E.DATA_NODE, Op.UPDATE, "edit_in_progress") in found
    scenario.middle.unlock_edit("alice")
    ids = scenario.id, scenario.t1.id, scenario.source.id
    tp.delete(scenario.id)
    deleted = {(e.entity_type, e.entity_id) for e in recorder.drain() if e.operation is Op.DELETION}
    assert {(E.SCENARIO, ids[0]), (E.TASK, ids[1]), (E.DATA_NODE, ids[2])} <= deleted


def test_failure_events_come_after_the_traceback_is_stored(repository_type):
    source = Config.configure_data_node("source", default_data=1)
    out = Config.configure_data_node("out")
    scenario = tp.create_scenario(
        Config.configure_scenario("sc", [Config.configure_task("t", funcs.boom, source, out)])
    )
    seen = []

    class Checking:
        """A queue that looks at the job when the event is published."""

        def put(self, event):
            if event.attribute_name == "status" and event.attribute_value.name == "FAILED":
                live = registry().cached(event.entity_id)
                stored = registry().repository.load("job", event.entity_id)
                seen.append(("".join(live.stacktrace), "".join(stored["stacktrace"])))

    registration_id, _ = Notifier.register(entity_type=E.JOB, operation=Op.UPDATE, attribute_name="status")
    Notifier._registrations[registration_id].queue = Checking()
    try:
        scenario.submit()
    finally:
        Notifier.unregister(registration_id)
    assert len(seen) == 1
    live, stored = seen[0]
    assert "ValueError: boom on 1" in live and "ValueError: boom on 1" in stored


def test_event_processor_shortcuts_get_real_entities_on_their_thread(repository_type):
    calls: list = []
    done = threading.Event()
    processor = EventProcessor()

    def created(event, scenario, gui, extra):
        calls.append(("created", scenario, gui, extra, threading.current_thread()))

    def written(event, data_node, data, gui):
        calls.append(("written", data_node.config_id, data, threading.current_thread()))

    def finished(event, entity, submission, gui):
        calls.append(("finished", entity, submission.submission_status, threading.current_thread()))
        done.set()

    processor.on_scenario_created(created, ["x"])
    processor.on_datanode_written(written)
    processor.on_submission_finished(finished)
    processor.start()
    try:
        scenario = tp.create_scenario(chain_config())
        submission = scenario.submit()
        assert done.wait(10), calls
    finally:
        processor.stop()
    assert calls[0][:4] == ("created", scenario, None, "x")
    assert ("written", "middle", 6) in [c[:3] for c in calls] and ("written", "result", 12) in [c[:3] for c in calls]
    assert calls[-1][:3] == ("finished", scenario, SubmissionStatus.COMPLETED)
    assert submission.is_finished()
    assert {c[-1] for c in calls} == {processor}
