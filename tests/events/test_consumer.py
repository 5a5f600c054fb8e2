from __future__ import annotations

import threading
import time
from queue import SimpleQueue

import pytest

from scenaria.events import CoreEventConsumerBase, Event, EventEntityType, EventOperation, Notifier


class Recorder(CoreEventConsumerBase):
    def __init__(self, registration_id: str, queue: SimpleQueue[Event]) -> None:
        super().__init__(registration_id, queue)
        self.events: list[Event] = []
        self.threads: set[str] = set()
        self.got = threading.Semaphore(0)

    def process_event(self, event: Event) -> None:
        self.threads.add(threading.current_thread().name)
        if event.entity_id == "boom":
            raise RuntimeError("callback failure")
        self.events.append(event)
        self.got.release()


def test_the_base_is_abstract() -> None:
    with pytest.raises(TypeError):
        CoreEventConsumerBase("REGISTRATION_x", SimpleQueue())  # type: ignore[abstract]


def test_consumer_processes_in_order_on_its_own_daemon_thread() -> None:
    registration_id, queue = Notifier.register()
    consumer = Recorder(registration_id, queue)
    consumer.start()
    try:
        assert consumer.daemon
        for i in range(100):
            Notifier.publish_event(EventEntityType.SCENARIO, EventOperation.CREATION, f"SCENARIO_{i}")
        for _ in range(100):
            assert consumer.got.acquire(timeout=5)
        assert [e.entity_id for e in consumer.events] == [f"SCENARIO_{i}" for i in range(100)]
        assert consumer.threads == {consumer.name} != {threading.current_thread().name}
    finally:
        consumer.stop()
        Notifier.unregister(registration_id)
    assert not consumer.is_alive()


def test_an_exception_is_logged_and_the_consumer_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    registration_id, queue = Notifier.register()
    consumer = Recorder(registration_id, queue)
    consumer.start()
    try:
        Notifier.publish_event(EventEntityType.SCENARIO, EventOperation.CREATION, "boom")
        Notifier.publish_event(EventEntityType.SCENARIO, EventOperation.CREATION, "after")
        assert consumer.got.acquire(timeout=5)
        assert [e.entity_id for e in consumer.events] == ["after"]
    finally:
        consumer.stop()
        Notifier.unregister(registration_id)
    failures = [r for r in caplog.records if r.name == "scenaria" and r.exc_info]
    assert len(failures) == 1 and "callback failure" in str(failures[0].exc_info[1])


def test_stop_processes_what_was_queued_first_and_is_prompt() -> None:
    registration_id, queue = Notifier.register()
    consumer = Recorder(registration_id, queue)
    for i in range(10):
        Notifier.publish_event(EventEntityType.TASK, EventOperation.CREATION, f"TASK_{i}")
    Notifier.unregister(registration_id)
    consumer.start()
    began = time.perf_counter()
    consumer.stop()
    consumer.stop()  # idempotent
    assert time.perf_counter() - began < 1.0
    assert not consumer.is_alive()
    assert len(consumer.events) == 10


def test_stop_from_inside_process_event() -> None:
    class StopsItself(CoreEventConsumerBase):
        def process_event(self, event: Event) -> None:
            self.stop()

    registration_id, queue = Notifier.register()
    consumer = StopsItself(registration_id, queue)
    consumer.start()
    Notifier.publish_event(EventEntityType.CYCLE, EventOperation.CREATION, "CYCLE_1")
    Notifier.unregister(registration_id)
    consumer.join(timeout=5)
    assert not consumer.is_alive()
