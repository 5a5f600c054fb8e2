from __future__ import annotations

import threading
from queue import Empty, SimpleQueue

import pytest

from scenaria.events import Event, EventEntityType, EventOperation, Notifier, Topic
from scenaria.exceptions import InvalidEventOperation

SCENARIO, JOB, DATA_NODE = EventEntityType.SCENARIO, EventEntityType.JOB, EventEntityType.DATA_NODE
CREATION, UPDATE, DELETION = EventOperation.CREATION, EventOperation.UPDATE, EventOperation.DELETION


def drain(queue: SimpleQueue[Event]) -> list[Event]:
    events = []
    while True:
        try:
            events.append(queue.get_nowait())
        except Empty:
            return events


def test_register_returns_an_id_and_a_simple_queue() -> None:
    registration_id, queue = Notifier.register()
    try:
        assert registration_id.startswith("REGISTRATION_")
        assert isinstance(queue, SimpleQueue)
        assert Notifier.has_listeners()
    finally:
        Notifier.unregister(registration_id)
    assert not Notifier.has_listeners()


def test_none_is_a_wildcard_and_each_field_filters() -> None:
    everything = Notifier.register()
    scenarios = Notifier.register(entity_type=SCENARIO)
    one = Notifier.register(entity_id="SCENARIO_a")
    deletions = Notifier.register(operation=DELETION)
    try:
        events = [
            Event(SCENARIO, CREATION, "SCENARIO_a"),
            Event(SCENARIO, DELETION, "SCENARIO_b"),
            Event(JOB, UPDATE, "JOB_1", "status", "RUNNING"),
        ]
        for event in events:
            Notifier.publish(event)
        assert drain(everything[1]) == events
        assert drain(scenarios[1]) == events[:2]
        assert drain(one[1]) == events[:1]
        assert drain(deletions[1]) == events[1:2]
    finally:
        for registration_id, _ in (everything, scenarios, one, deletions):
            Notifier.unregister(registration_id)


def test_attribute_filter_applies_only_to_events_that_name_an_attribute() -> None:
    registration_id, queue = Notifier.register(entity_type=JOB, attribute_name="status")
    try:
        created = Event(JOB, CREATION, "JOB_1")
        status = Event(JOB, UPDATE, "JOB_1", "status", "RUNNING")
        other = Event(JOB, UPDATE, "JOB_1", "stacktrace", [])
        for event in (created, status, other):
            Notifier.publish(event)
        assert drain(queue) == [created, status]
    finally:
        Notifier.unregister(registration_id)


def test_an_event_reaches_a_multi_topic_registration_once() -> None:
    topics = [Topic(SCENARIO), Topic(operation=CREATION), Topic(entity_id="SCENARIO_a")]
    registration_id, queue = Notifier.register_topics(topics)
    try:
        both = Event(SCENARIO, CREATION, "SCENARIO_a")
        neither = Event(JOB, UPDATE, "JOB_1", "status", 1)
        dn = Event(DATA_NODE, CREATION, "DATANODE_1")
        for event in (both, neither, dn):
            Notifier.publish(event)
        assert drain(queue) == [both, dn]
    finally:
        Notifier.unregister(registration_id)


def test_register_topics_with_a_live_id_replaces_topics_and_keeps_the_queue() -> None:
    registration_id, queue = Notifier.register(entity_type=SCENARIO)
    try:
        same_id, same_queue = Notifier.register_topics([Topic(JOB)], registration_id=registration_id)
        assert (same_id, same_queue) == (registration_id, queue)
        Notifier.publish(Event(SCENARIO, CREATION, "SCENARIO_a"))
        job = Event(JOB, CREATION, "JOB_1")
        Notifier.publish(job)
        assert drain(queue) == [job]
    finally:
        Notifier.unregister(registration_id)


def test_unregister_stops_delivery_and_ignores_unknown_ids() -> None:
    registration_id, queue = Notifier.register()
    Notifier.unregister(registration_id)
    Notifier.unregister(registration_id)
    Notifier.unregister("REGISTRATION_unknown")
    Notifier.publish(Event(SCENARIO, CREATION, "SCENARIO_a"))
    assert drain(queue) == []


def test_an_impossible_topic_is_refused() -> None:
    with pytest.raises(InvalidEventOperation):
        Notifier.register(entity_type=JOB, operation=EventOperation.SUBMISSION)


def test_publish_event_builds_the_event_only_for_a_matching_registration() -> None:
    registration_id, queue = Notifier.register(entity_type=SCENARIO)
    try:
        Notifier.publish_event(JOB, UPDATE, "JOB_1", "status", "RUNNING", version="1")
        Notifier.publish_event(SCENARIO, UPDATE, "SCENARIO_a", "tags", {"x"}, config_id="cfg", version="1")
        (event,) = drain(queue)
        assert (event.entity_type, event.operation, event.entity_id) == (SCENARIO, UPDATE, "SCENARIO_a")
        assert (event.attribute_name, event.attribute_value) == ("tags", {"x"})
        assert event.metadata == {"config_id": "cfg", "version": "1"}
    finally:
        Notifier.unregister(registration_id)


def test_publishing_with_no_listener_does_nothing() -> None:
    assert not Notifier.has_listeners()
    Notifier.publish(Event(SCENARIO, CREATION, "SCENARIO_a"))
    Notifier.publish_event(SCENARIO, CREATION, "SCENARIO_a")


def test_concurrent_publishers_lose_nothing_and_every_queue_sees_one_order() -> None:
    first = Notifier.register()
    second = Notifier.register(entity_type=JOB)
    threads_count, per_thread = 8, 500
    start = threading.Barrier(threads_count)

    def publish(thread_index: int) -> None:
        start.wait()
        for i in range(per_thread):
            Notifier.publish_event(JOB, UPDATE, f"JOB_{thread_index}_{i}", "status", i)

    threads = [threading.Thread(target=publish, args=(n,)) for n in range(threads_count)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seen_first = [e.entity_id for e in drain(first[1])]
        seen_second = [e.entity_id for e in drain(second[1])]
        assert len(seen_first) == threads_count * per_thread
        assert seen_first == seen_second
        for n in range(threads_count):
            mine = [e for e in seen_first if e.startswith(f"JOB_{n}_")]
            assert mine == [f"JOB_{n}_{i}" for i in range(per_thread)]
    finally:
        Notifier.unregister(first[0])
        Notifier.unregister(second[0])


def test_register_and_unregister_while_publishing() -> None:
    stop = threading.Event()
    errors: list[BaseException] = []

    def churn() -> None:
        try:
            while not stop.is_set():
                registration_id, _ = Notifier.register(entity_type=SCENARIO)
                Notifier.unregister(registration_id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    registration_id, queue = Notifier.register()
    thread = threading.Thread(target=churn)
    thread.start()
    try:
        for i in range(2000):
            Notifier.publish_event(SCENARIO, CREATION, f"SCENARIO_{i}")
    finally:
        stop.set()
        thread.join()
        Notifier.unregister(registration_id)
    assert not errors
    assert len(drain(queue)) == 2000


def test_listens_to_names_the_entity_types_some_registration_may_want() -> None:
    """Publishers skip building events of a type nobody listens to (an orchestrator serving
    clients listens to submissions only, not to each job's change)."""
    assert not Notifier.listens_to("JOB")
    jobs_only, queue = Notifier.register(JOB)
    assert Notifier.listens_to("JOB") and not Notifier.listens_to("SCENARIO")
    Notifier.publish_event(SCENARIO, CREATION, entity_id="SCENARIO_a")
    Notifier.publish_event(JOB, CREATION, entity_id="JOB_a")
    assert [event.entity_id for event in drain(queue)] == ["JOB_a"]
    anything, _ = Notifier.register()
    assert Notifier.listens_to("SCENARIO")
    Notifier.unregister(anything)
    assert not Notifier.listens_to("SCENARIO")
    Notifier.unregister(jobs_only)
    assert not Notifier.listens_to("JOB")
