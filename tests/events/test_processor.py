from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from scenaria.events import (
    Event,
    EventEntityType,
    EventOperation,
    EventProcessor,
    NoGuiDefinedInEventProcessor,
    Notifier,
)

SCENARIO, JOB, SUBMISSION = EventEntityType.SCENARIO, EventEntityType.JOB, EventEntityType.SUBMISSION
CREATION, UPDATE = EventOperation.CREATION, EventOperation.UPDATE


class Calls:
    """Records callback calls; `wait(n)` blocks until n calls were recorded."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.threads: set[str] = set()
        self._cond = threading.Condition()

    def make(self, label: str, fail_on: str | None = None) -> Callable[..., None]:
        def callback(*args: Any) -> None:
            event = next((a for a in args if isinstance(a, Event)), None)
            if fail_on is not None and event is not None and event.entity_id == fail_on:
                raise ValueError(f"{label} fails on {fail_on}")
            with self._cond:
                self.threads.add(threading.current_thread().name)
                self.calls.append((label, args))
                self._cond.notify_all()

        return callback

    def wait(self, count: int) -> list[tuple[str, tuple[Any, ...]]]:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.calls) >= count, timeout=5), self.calls
            return list(self.calls)


@pytest.fixture
def processor() -> Iterator[EventProcessor]:
    gui = FakeGui()
    processor = EventProcessor(gui)
    yield processor
    processor.stop()


class FakeGui:
    def __init__(self) -> None:
        self.broadcasts: list[tuple[Callable[..., Any], list[Any]]] = []

    def broadcast_callback(self, callback: Callable[..., Any], args: list[Any]) -> None:
        self.broadcasts.append((callback, args))
        callback("state", *args)


def test_callback_gets_event_gui_and_extra_args_on_the_processor_thread(processor: EventProcessor) -> None:
    calls = Calls()
    assert processor.on_event(calls.make("all"), callback_args=[1, 2]) is processor
    processor.start()
    Notifier.publish_event(SCENARIO, CREATION, "SCENARIO_a")
    [(label, args)] = calls.wait(1)
    event, gui, *extra = args
    assert (label, event.entity_id, gui, extra) == ("all", "SCENARIO_a", processor._gui, [1, 2])
    assert calls.threads == {processor.name}
    assert processor.name.startswith("scenaria-event-processor-")


def test_topics_and_filters_select_callbacks(processor: EventProcessor) -> None:
    calls = Calls()
    processor.on_event(calls.make("scenario"), entity_type=SCENARIO)
    processor.on_event(calls.make("job-status"), entity_type=JOB, operation=UPDATE, attribute_name="status")
    processor.on_event(calls.make("only-b"), filter=lambda event: event.entity_id == "SCENARIO_b")
    processor.on_event(calls.make("one"), entity_id="JOB_1")
    processor.start()
    Notifier.publish_event(SCENARIO, CREATION, "SCENARIO_a")
    Notifier.publish_event(SCENARIO, CREATION, "SCENARIO_b")
    Notifier.publish_event(JOB, UPDATE, "JOB_1", "status", "RUNNING")
    Notifier.publish_event(JOB, UPDATE, "JOB_2", "stacktrace", [])
    Notifier.publish_event(EventEntityType.CYCLE, CREATION, "CYCLE_1")  # matches nothing
    calls.wait(5)
    processor.stop()
    assert [(label, args[0].entity_id) for label, args in calls.calls] == [
        ("scenario", "SCENARIO_a"),
        ("scenario", "SCENARIO_b"),
        ("only-b", "SCENARIO_b"),
        ("job-status", "JOB_1"),
        ("one", "JOB_1"),
    ]


def test_events_are_processed_one_at_a_time_in_publication_order(processor: EventProcessor) -> None:
    calls = Calls()
    active = []
    overlap = []

    def slow(event: Event, gui: Any) -> None:
        active.append(event)
        if len(active) > 1:
            overlap.append(event)
        calls.make("slow")(event)
        active.remove(event)

    processor.on_event(slow)
    processor.start()
    publishers = [
        threading.Thread(target=lambda n=n: Notifier.publish_event(JOB, CREATION, f"JOB_{n}")) for n in range(20)
    ]
    for thread in publishers:
        thread.start()
    for thread in publishers:
        thread.join()
    calls.wait(20)
    assert not overlap
    assert len({args[0].entity_id for _, args in calls.calls}) == 20


def test_a_failing_callback_is_logged_and_others_still_run(
    processor: EventProcessor, caplog: pytest.LogCaptureFixture
) -> None:
    calls = Calls()
    processor.on_event(calls.make("fragile", fail_on="SCENARIO_bad"))
    processor.on_event(calls.make("steady"))
    processor.on_event(calls.make("bad-filter"), filter=lambda event: 1 / 0 > 0)
    processor.start()
    Notifier.publish_event(SCENARIO, CREATION, "SCENARIO_bad")
    Notifier.publish_event(SCENARIO, CREATION, "SCENARIO_good")
    calls.wait(3)
    processor.stop()
    assert [(label, args[0].entity_id) for label, args in calls.calls] == [
        ("steady", "SCENARIO_bad"),
        ("fragile", "SCENARIO_good"),
        ("steady", "SCENARIO_good"),
    ]
    errors = [r for r in caplog.records if r.name == "scenaria" and r.levelname == "ERROR"]
    assert len(errors) == 3  # the failing callback once, the failing filter twice


def test_broadcast_goes_through_the_gui_with_state_first(processor: EventProcessor) -> None:
    calls = Calls()
    processor.broadcast_on_event(calls.make("b"), callback_args=["x"], entity_type=SCENARIO)
    processor.start()
    Notifier.publish_event(SCENARIO, CREATION, "SCENARIO_a")
    [(_, args)] = calls.wait(1)
    state, event, extra = args
    assert (state, event.entity_id, extra) == ("state", "SCENARIO_a", "x")


def test_broadcast_without_gui_is_refused() -> None:
    processor = EventProcessor()
    with pytest.raises(NoGuiDefinedInEventProcessor, match="EventProcessor\\(gui\\)"):
        processor.broadcast_on_event(print)
    with pytest.raises(NoGuiDefinedInEventProcessor):
        processor.broadcast_on_submission_finished(print)


def test_callback_must_be_callable() -> None:
    with pytest.raises(TypeError, match="callable"):
        EventProcessor().on_event("not a function")  # type: ignore[arg-type]


def test_nothing_is_received_before_start_and_after_stop() -> None:
    calls = Calls()
    processor = EventProcessor()
    processor.on_event(calls.make("any"))
    Notifier.publish_event(SCENARIO, CREATION, "SCENARIO_before")
    assert not Notifier.has_listeners()
    processor.start()
    assert Notifier.has_listeners()
    Notifier.publish_event(SCENARIO, CREATION, "SCENARIO_during")
    processor.stop()
    assert not processor.is_alive()
    assert not Notifier.has_listeners()
    Notifier.publish_event(SCENARIO, CREATION, "SCENARIO_after")
    assert [args[0].entity_id for _, args in calls.calls] == ["SCENARIO_during"]


def test_subscribing_after_start(processor: EventProcessor) -> None:
    calls = Calls()
    processor.on_event(calls.make("scenario"), entity_type=SCENARIO)
    processor.start()
    processor.on_event(calls.make("job"), entity_type=JOB)
    Notifier.publish_event(JOB, CREATION, "JOB_1")
    assert [label for label, _ in calls.wait(1)] == ["job"]


def test_submission_finished_ignores_unfinished_statuses_without_fetching(processor: EventProcessor) -> None:
    calls = Calls()
    processor.on_submission_finished(calls.make("finished"))
    processor.on_event(calls.make("sentinel"), entity_id="SENTINEL")
    processor.start()
    for status in ("SUBMITTED", "PENDING", "RUNNING", "BLOCKED", "UNDEFINED"):
        Notifier.publish_event(SUBMISSION, UPDATE, "SUBMISSION_1", "submission_status", status)
    Notifier.publish_event(JOB, CREATION, "SENTINEL")
    assert [label for label, _ in calls.wait(1)] == ["sentinel"]


def test_scenario_deleted_passes_the_id_and_filters_on_config(processor: EventProcessor) -> None:
    calls = Calls()

    class Cfg:
        id = "kept"

    processor.on_scenario_deleted(calls.make("deleted"), callback_args=[7], scenario_config=[Cfg(), "other"])
    processor.start()
    Notifier.publish_event(SCENARIO, EventOperation.DELETION, "SCENARIO_dropped_1", config_id="dropped")
    Notifier.publish_event(SCENARIO, EventOperation.DELETION, "SCENARIO_kept_2", config_id="kept")
    Notifier.publish_event(SCENARIO, EventOperation.DELETION, "SCENARIO_other_3")  # no metadata: id is used
    calls.wait(2)
    processor.stop()
    assert [(args[0].entity_id, args[1:]) for _, args in calls.calls] == [
        ("SCENARIO_kept_2", ("SCENARIO_kept_2", processor._gui, 7)),
        ("SCENARIO_other_3", ("SCENARIO_other_3", processor._gui, 7)),
    ]


def test_stop_without_start_and_twice() -> None:
    processor = EventProcessor()
    processor.stop()
    processor.stop()
    assert not processor.is_alive()
