"""The process-wide publish/subscribe hub that entities and the orchestrator publish to.

Design points, each a fix of something Taipy users hit (USER_PAINS rows 2 and 20):

* **Lossless.** Every registration owns an unbounded `queue.SimpleQueue`; `publish` never
  blocks and never drops an event.
* **One total order.** Delivery happens under one lock, so two registrations that both match
  two events see them in the same order, even when several threads publish.
* **Nearly free when nobody listens.** The registrations live in a copy-on-write dict that
  `publish_event` checks before anything else: with no subscriber, publishing costs one
  attribute read and a truth test, and no `Event` is built. The event is also only built
  when at least one registration matches it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from queue import SimpleQueue
from typing import Any

from scenaria.events.event import Event, EventEntityType, EventOperation, check_operation

__all__ = ["Notifier", "RegistrationId", "Topic"]

#: Registration ids are plain strings, as in the reference (``REGISTRATION_<uuid>``).
RegistrationId = str


@dataclass(frozen=True)
class Topic:
    """What a registration listens to. ``None`` in a field means "any".

    The attribute-name filter only applies to events that name an attribute: a topic for
    ``attribute_name="status"`` also receives the entity's CREATION and DELETION events.
    """

    entity_type: EventEntityType | None = None
    entity_id: str | None = None
    operation: EventOperation | None = None
    attribute_name: str | None = None

    def __post_init__(self) -> None:
        check_operation(self.entity_type, self.operation)

    def matches(
        self,
        entity_type: EventEntityType,
        entity_id: str | None,
        operation: EventOperation,
        attribute_name: str | None,
    ) -> bool:
        """Whether an event with these fields belongs to this topic (fields, not an Event, so
        the notifier can decide before building one)."""
        return (
            (self.entity_type is None or self.entity_type is entity_type)
            and (self.entity_id is None or self.entity_id == entity_id)
            and (self.operation is None or self.operation is operation)
            and (attribute_name is None or self.attribute_name is None or self.attribute_name == attribute_name)
        )

    def matches_event(self, event: Event) -> bool:
        """Whether ``event`` belongs to this topic."""
        return self.matches(event.entity_type, event.entity_id, event.operation, event.attribute_name)


class _Registration:
    """One subscriber: its queue and the topics it listens to (an event is queued once)."""

    __slots__ = ("id", "queue", "topics")

    def __init__(self, registration_id: RegistrationId, queue: SimpleQueue[Any], topics: tuple[Topic, ...]):
        self.id = registration_id
        self.queue = queue
        self.topics = topics

    def accepts(
        self,
        entity_type: EventEntityType,
        entity_id: str | None,
        operation: EventOperation,
        attribute_name: str | None,
    ) -> bool:
        return any(topic.matches(entity_type, entity_id, operation, attribute_name) for topic in self.topics)


def new_registration_id() -> RegistrationId:
    """A fresh registration id, in the reference's ``REGISTRATION_<uuid>`` form."""
    import uuid  # here: registering is rare, and uuid is slow to import

    return f"REGISTRATION_{uuid.uuid4()}"


class Notifier:
    """Process-wide event hub: `register` for a queue, `publish` into the matching queues.

    Class-level, as Taipy user code calls it (``Notifier.register(...)``). Thread-safe.
    """

    # Copy-on-write: replaced under the lock, never mutated in place, so `has_listeners` and
    # the fast path of `publish_event` can read it without taking the lock.
    _registrations: dict[RegistrationId, _Registration] = {}
    _lock = threading.Lock()
    _on_register: list[Callable[[], None]] = []  # told of each new registration (see `when_registered`)
    # the entity type names some registration listens to (None: any), replaced with the registrations
    _kinds: frozenset[str] | None = frozenset()

    @classmethod
    def register(
        cls,
        entity_type: EventEntityType | None = None,
        entity_id: str | None = None,
        operation: EventOperation | None = None,
        attribute_name: str | None = None,
    ) -> tuple[RegistrationId, SimpleQueue[Event]]:
        """Subscribe to one topic; returns the registration id and the queue events arrive in.

        Raises `InvalidEventOperation` for a topic that can never match (a SUBMISSION of a
        data node, job, cycle or submission).
        """
        return cls.register_topics([Topic(entity_type, entity_id, operation, attribute_name)])

    @classmethod
    def register_topics(
        cls,
        topics: Iterable[Topic],
        registration_id: RegistrationId | None = None,
        queue: SimpleQueue[Any] | None = None,
    ) -> tuple[RegistrationId, SimpleQueue[Any]]:
        """Subscribe one queue to several topics; an event matching more than one arrives once.

        With the ``registration_id`` of a live registration, its topics are replaced (its queue
        is kept), which lets a subscriber add topics while it runs without missing events.
        """
        topics = tuple(topics)
        with cls._lock:
            current = cls._registrations.get(registration_id) if registration_id else None
            if current is not None:
                registration = _Registration(current.id, current.queue, topics)
            else:
                registration = _Registration(
                    registration_id or new_registration_id(),
                    queue if queue is not None else SimpleQueue(),
                    topics,
                )
            cls._set({**cls._registrations, registration.id: registration})
        if current is None:
            for callback in cls._on_register:
                callback()
        return registration.id, registration.queue

    @classmethod
    def _reset(cls) -> None:
        """No registrations and no hooks: a fresh start (the tests' isolation)."""
        with cls._lock:
            cls._set({})
            cls._on_register.clear()

    @classmethod
    def when_registered(cls, callback: Callable[[], None]) -> None:
        """Have ``callback`` called (outside the lock) after each new registration, before
        ``register`` returns: for whom events cost something while nobody listens, such as a
        client of another process's orchestrator, told of them only once someone here listens."""
        cls._on_register.append(callback)

    @classmethod
    def unregister(cls, registration_id: RegistrationId) -> None:
        """Stop delivering to a registration. Once this returns, its queue gets no new event.

        An unknown id is ignored, as in the reference.
        """
        with cls._lock:
            if registration_id in cls._registrations:
                registrations = dict(cls._registrations)
                del registrations[registration_id]
                cls._set(registrations)

    @classmethod
    def _set(cls, registrations: dict[RegistrationId, _Registration]) -> None:
        topics = [topic for registration in registrations.values() for topic in registration.topics]
        kinds = {topic.entity_type.name for topic in topics if topic.entity_type is not None}
        cls._kinds = None if any(topic.entity_type is None for topic in topics) else frozenset(kinds)
        cls._registrations = registrations

    @classmethod
    def listens_to(cls, entity_type: str) -> bool:
        """Whether some registration may want events of this entity type (its name, "JOB"): a
        publisher's first test, before it builds anything. An orchestrator serving other
        processes listens to their submissions, not to each of its jobs' changes."""
        kinds = cls._kinds
        return bool(cls._registrations) and (kinds is None or entity_type in kinds)

    @classmethod
    def has_listeners(cls) -> bool:
        """Whether anyone is registered: check it before computing an expensive event payload."""
        return bool(cls._registrations)

    @classmethod
    def publish(cls, event: Event) -> None:
        """Queue ``event`` once for each registration with a matching topic."""
        if not cls._registrations:
            return
        with cls._lock:
            for registration in cls._registrations.values():
                if registration.accepts(event.entity_type, event.entity_id, event.operation, event.attribute_name):
                    registration.queue.put(event)

    @classmethod
    def publish_event(
        cls,
        entity_type: EventEntityType,
        operation: EventOperation,
        /,
        entity_id: str | None = None,
        attribute_name: str | None = None,
        attribute_value: Any = None,
        **metadata: Any,
    ) -> None:
        """Publish an event given by its fields; the `Event` is built only if someone wants it.

        This is the call for scenaria's own hot paths (entity setters, job transitions): with
        no registration it returns after one truth test, and with registrations that do not
        match it returns without building anything. Keyword arguments become the metadata.
        """
        if not cls._registrations:
            return
        with cls._lock:
            targets = [
                registration.queue
                for registration in cls._registrations.values()
                if registration.accepts(entity_type, entity_id, operation, attribute_name)
            ]
            if not targets:
                return
            event = Event(entity_type, operation, entity_id, attribute_name, attribute_value, metadata)
            for queue in targets:
                queue.put(event)
