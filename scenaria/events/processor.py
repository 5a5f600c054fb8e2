"""`EventProcessor`: register callbacks for events; they run on the processor's own thread.

One processor is one `Notifier` registration (one queue) and one thread. Each `on_*` call adds
a subscription (a topic, a callback, its extra arguments, an optional filter). For each event,
in publication order, every matching subscription's callback runs, one after the other, on the
processor thread: a slow callback delays other callbacks of this processor, never the
orchestrator. An exception in a filter or a callback is logged on the "scenaria" logger and
the processor goes on.

Callback arguments follow the reference: ``callback(event, *predefined, gui, *callback_args)``
where ``predefined`` depends on the shortcut (the scenario, the data node and its data, ...);
broadcast callbacks go through ``gui.broadcast_callback(callback, [event, *predefined,
*callback_args])``, which calls them once per GUI state with the state first.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from queue import SimpleQueue
from typing import Any

from scenaria.events.consumer import CoreEventConsumerBase
from scenaria.events.event import Event, EventEntityType, EventOperation
from scenaria.events.notifier import Notifier, Topic, new_registration_id
from scenaria.exceptions import EventError, ScenariaError

__all__ = ["EventProcessor", "NoGuiDefinedInEventProcessor"]

logger = logging.getLogger("scenaria")

#: Submission statuses after which a submission changes no more (compared by name, so this
#: module needs no entity import).
_FINISHED_STATUSES = frozenset({"COMPLETED", "FAILED", "CANCELED"})

#: Returns the arguments to pass before ``gui``, or None to skip the callback for this event.
Prepare = Callable[[Event], "tuple[Any, ...] | None"]


class NoGuiDefinedInEventProcessor(EventError):
    """A ``broadcast_on_*`` callback was registered on an `EventProcessor` built without a gui."""


@dataclass(frozen=True)
class _Subscription:
    topic: Topic
    callback: Callable[..., Any]
    args: tuple[Any, ...]
    filter: Callable[[Event], bool] | None
    broadcast: bool
    prepare: Prepare | None = None


def _config_ids(configs: Any) -> frozenset[str] | None:
    """Config ids from an id, a config object (anything with ``.id``) or a list of either."""
    if configs is None:
        return None
    if isinstance(configs, str) or hasattr(configs, "id"):
        configs = [configs]
    ids = frozenset(c if isinstance(c, str) else c.id for c in configs)
    return ids or None


def _get(entity_id: str | None) -> Any:
    """The live entity for ``entity_id``, or None when it no longer exists."""
    if not entity_id:
        return None
    from scenaria import get  # lazy: events must not import the entity layer

    try:
        return get(entity_id)
    except ScenariaError:
        logger.debug("Entity %s is gone before its event was processed.", entity_id)
        return None


def _config_id_of(event: Event, entity: Any) -> str | None:
    config_id = event.metadata.get("config_id")
    return config_id if config_id is not None else getattr(entity, "config_id", None)


class EventProcessor(CoreEventConsumerBase):
    """Run callbacks on events, on a dedicated thread; build, subscribe, then `start()`.

    Subscriptions may also be added after `start()`: they take effect for events published
    after the call.
    """

    def __init__(self, gui: Any = None) -> None:
        registration_id = new_registration_id()
        super().__init__(registration_id, SimpleQueue())
        self.name = f"scenaria-event-processor-{registration_id}"
        self._gui = gui
        self._subscriptions: tuple[_Subscription, ...] = ()
        self._subscribe_lock = threading.Lock()
        self._registered = False

    # --- generic subscriptions ------------------------------------------------------------------
    def on_event(
        self,
        callback: Callable[..., Any],
        callback_args: Iterable[Any] | None = None,
        entity_type: EventEntityType | None = None,
        entity_id: str | None = None,
        operation: EventOperation | None = None,
        attribute_name: str | None = None,
        filter: Callable[[Event], bool] | None = None,
    ) -> EventProcessor:
        """Call ``callback(event, gui, *callback_args)`` for each matching event.

        ``filter(event)`` returning False skips the callback for that event.
        """
        return self._subscribe(
            Topic(entity_type, entity_id, operation, attribute_name),
            callback,
            callback_args,
            filter,
            broadcast=False,
        )

    def broadcast_on_event(
        self,
        callback: Callable[..., Any],
        callback_args: Iterable[Any] | None = None,
        entity_type: EventEntityType | None = None,
        entity_id: str | None = None,
        operation: EventOperation | None = None,
        attribute_name: str | None = None,
        filter: Callable[[Event], bool] | None = None,
    ) -> EventProcessor:
        """Like `on_event`, but the callback is broadcast to every GUI state: ``callback(state,
        event, *callback_args)``."""
        return self._subscribe(
            Topic(entity_type, entity_id, operation, attribute_name),
            callback,
            callback_args,
            filter,
            broadcast=True,
        )

    # --- shortcuts ------------------------------------------------------------------------------
    def on_scenario_created(
        self,
        callback: Callable[..., Any],
        callback_args: Iterable[Any] | None = None,
        scenario_config: Any = None,
    ) -> EventProcessor:
        """``callback(event, scenario, gui, *args)`` when a scenario (of these configs) is created."""
        return self._scenario_created(callback, callback_args, scenario_config, broadcast=False)

    def broadcast_on_scenario_created(
        self,
        callback: Callable[..., Any],
        callback_args: Iterable[Any] | None = None,
        scenario_config: Any = None,
    ) -> EventProcessor:
        """Broadcast ``callback(state, event, scenario, *args)`` on scenario creation."""
        return self._scenario_created(callback, callback_args, scenario_config, broadcast=True)

    def on_scenario_deleted(
        self,
        callback: Callable[..., Any],
        callback_args: Iterable[Any] | None = None,
        scenario_config: Any = None,
    ) -> EventProcessor:
        """``callback(event, scenario_id, gui, *args)`` when a scenario is deleted."""
        return self._deleted(EventEntityType.SCENARIO, callback, callback_args, scenario_config, broadcast=False)

    def broadcast_on_scenario_deleted(
        self,
        callback: Callable[..., Any],
        callback_args: Iterable[Any] | None = None,
        scenario_config: Any = None,
    ) -> EventProcessor:
        """Broadcast ``callback(state, event, scenario_id, *args)`` on scenario deletion."""
        return self._deleted(EventEntityType.SCENARIO, callback, callback_args, scenario_config, broadcast=True)

    def on_datanode_written(
        self,
        callback: Callable[..., Any],
        callback_args: Iterable[Any] | None = None,
        datanode_config: Any = None,
    ) -> EventProcessor:
        """``callback(event, data_node, data, gui, *args)`` when a data node is written."""
        return self._datanode_written(callback, callback_args, datanode_config, broadcast=False)

    def broadcast_on_datanode_written(
        self,
        callback: Callable[..., Any],
        callback_args: Iterable[Any] | None = None,
        datanode_config: Any = None,
    ) -> EventProcessor:
        """Broadcast ``callback(state, event, data_node, data, *args)`` when a data node is written."""
        return self._datanode_written(callback, callback_args, datanode_config, broadcast=True)

    def on_datanode_deleted(
        self,
        callback: Callable[..., Any],
        callback_args: Iterable[Any] | None = None,
        datanode_config: Any = None,
    ) -> EventProcessor:
        """``callback(event, data_node_id, gui, *args)`` when a data node is deleted."""
        return self._deleted(EventEntityType.DATA_NODE, callback, callback_args, datanode_config, broadcast=False)

    def broadcast_on_datanode_deleted(
        self,
        callback: Callable[..., Any],
        callback_args: Iterable[Any] | None = None,
        datanode_config: Any = None,
    ) -> EventProcessor:
        """Broadcast ``callback(state, event, data_node_id, *args)`` on data node deletion."""
        return self._deleted(EventEntityType.DATA_NODE, callback, callback_args, datanode_config, broadcast=True)

    def on_datanode_created(
        self,
        callback: Callable[..., Any],
        callback_args: Iterable[Any] | None = None,
        datanode_config: Any = None,
    ) -> EventProcessor:
        """``callback(event, data_node, gui, *args)`` when a data node is created."""
        return self._datanode_created(callback, callback_args, datanode_config, broadcast=False)

    def broadcast_on_datanode_created(
        self,
        callback: Callable[..., Any],
        callback_args: Iterable[Any] | None = None,
        datanode_config: Any = None,
    ) -> EventProcessor:
        """Broadcast ``callback(state, event, data_node, *args)`` on data node creation."""
        return self._datanode_created(callback, callback_args, datanode_config, broadcast=True)

    def on_submission_finished(
        self, callback: Callable[..., Any], callback_args: Iterable[Any] | None = None, config_ids: Any = None
    ) -> EventProcessor:
        """``callback(event, submitted_entity, submission, gui, *args)`` when a submission ends
        (COMPLETED, FAILED or CANCELED); ``config_ids`` filters on the submitted entity's config."""
        return self._submission_finished(callback, callback_args, config_ids, broadcast=False)

    def broadcast_on_submission_finished(
        self, callback: Callable[..., Any], callback_args: Iterable[Any] | None = None, config_ids: Any = None
    ) -> EventProcessor:
        """Broadcast ``callback(state, event, submitted_entity, submission, *args)`` when a
        submission ends."""
        return self._submission_finished(callback, callback_args, config_ids, broadcast=True)

    # --- thread ---------------------------------------------------------------------------------
    def start(self) -> None:
        """Subscribe to the `Notifier` and start the processor thread."""
        with self._subscribe_lock:
            Notifier.register_topics(self._topics(), registration_id=self.registration_id, queue=self.queue)
            self._registered = True
        super().start()

    def stop(self, timeout: float | None = None) -> None:
        """Unsubscribe, run the callbacks of the events already received, then end the thread."""
        with self._subscribe_lock:
            Notifier.unregister(self.registration_id)
            self._registered = False
        super().stop(timeout)

    def process_event(self, event: Event) -> None:
        """Run every matching subscription's callback for ``event``, each failure logged apart."""
        for sub in self._subscriptions:
            if not sub.topic.matches_event(event):
                continue
            try:
                if sub.filter is not None and not sub.filter(event):
                    continue
                predefined = () if sub.prepare is None else sub.prepare(event)
                if predefined is None:
                    continue
                if sub.broadcast:
                    self._gui.broadcast_callback(sub.callback, [event, *predefined, *sub.args])
                else:
                    sub.callback(event, *predefined, self._gui, *sub.args)
            except Exception:
                logger.exception(
                    "Event callback %s failed on %r.",
                    getattr(sub.callback, "__qualname__", sub.callback),
                    event,
                )

    # --- internals ------------------------------------------------------------------------------
    def _topics(self) -> list[Topic]:
        return list(dict.fromkeys(sub.topic for sub in self._subscriptions))

    def _subscribe(
        self,
        topic: Topic,
        callback: Callable[..., Any],
        callback_args: Iterable[Any] | None,
        filter: Callable[[Event], bool] | None,
        *,
        broadcast: bool,
        prepare: Prepare | None = None,
    ) -> EventProcessor:
        if not callable(callback):
            raise TypeError(f"The event callback must be callable, got {callback!r}.")
        if broadcast and self._gui is None:
            raise NoGuiDefinedInEventProcessor(
                "A broadcast callback needs a GUI to broadcast to: build the processor with "
                "EventProcessor(gui), or register the callback with on_* instead of broadcast_on_*."
            )
        sub = _Subscription(topic, callback, tuple(callback_args or ()), filter, broadcast, prepare)
        with self._subscribe_lock:
            self._subscriptions = (*self._subscriptions, sub)
            if self._registered:
                Notifier.register_topics(self._topics(), registration_id=self.registration_id)
        return self

    def _scenario_created(
        self,
        callback: Callable[..., Any],
        callback_args: Iterable[Any] | None,
        configs: Any,
        *,
        broadcast: bool,
    ) -> EventProcessor:
        ids = _config_ids(configs)

        def prepare(event: Event) -> tuple[Any, ...] | None:
            scenario = _get(event.entity_id)
            if scenario is None or (ids and _config_id_of(event, scenario) not in ids):
                return None
            return (scenario,)

        topic = Topic(EventEntityType.SCENARIO, operation=EventOperation.CREATION)
        return self._subscribe(topic, callback, callback_args, None, broadcast=broadcast, prepare=prepare)

    def _deleted(
        self,
        entity_type: EventEntityType,
        callback: Callable[..., Any],
        callback_args: Iterable[Any] | None,
        configs: Any,
        *,
        broadcast: bool,
    ) -> EventProcessor:
        ids = _config_ids(configs)

        def prepare(event: Event) -> tuple[Any, ...] | None:
            if ids:
                # The entity is gone: use the config id the event carries, else the one in the id.
                config_id = event.metadata.get("config_id")
                if config_id is not None:
                    if config_id not in ids:
                        return None
                elif not any(cfg in str(event.entity_id) for cfg in ids):
                    return None
            return (event.entity_id,)

        topic = Topic(entity_type, operation=EventOperation.DELETION)
        return self._subscribe(topic, callback, callback_args, None, broadcast=broadcast, prepare=prepare)

    def _datanode_written(
        self,
        callback: Callable[..., Any],
        callback_args: Iterable[Any] | None,
        configs: Any,
        *,
        broadcast: bool,
    ) -> EventProcessor:
        ids = _config_ids(configs)

        def prepare(event: Event) -> tuple[Any, ...] | None:
            data_node = _get(event.entity_id)
            if data_node is None or (ids and _config_id_of(event, data_node) not in ids):
                return None
            return (data_node, data_node.read())

        topic = Topic(EventEntityType.DATA_NODE, operation=EventOperation.UPDATE, attribute_name="last_edit_date")
        return self._subscribe(topic, callback, callback_args, None, broadcast=broadcast, prepare=prepare)

    def _datanode_created(
        self,
        callback: Callable[..., Any],
        callback_args: Iterable[Any] | None,
        configs: Any,
        *,
        broadcast: bool,
    ) -> EventProcessor:
        ids = _config_ids(configs)

        def prepare(event: Event) -> tuple[Any, ...] | None:
            data_node = _get(event.entity_id)
            if data_node is None or (ids and _config_id_of(event, data_node) not in ids):
                return None
            return (data_node,)

        topic = Topic(EventEntityType.DATA_NODE, operation=EventOperation.CREATION)
        return self._subscribe(topic, callback, callback_args, None, broadcast=broadcast, prepare=prepare)

    def _submission_finished(
        self,
        callback: Callable[..., Any],
        callback_args: Iterable[Any] | None,
        configs: Any,
        *,
        broadcast: bool,
    ) -> EventProcessor:
        ids = _config_ids(configs)

        def prepare(event: Event) -> tuple[Any, ...] | None:
            status = event.attribute_value
            if getattr(status, "name", status) not in _FINISHED_STATUSES:
                return None
            submission = _get(event.entity_id)
            if submission is None:
                return None
            if ids and getattr(submission, "entity_config_id", None) not in ids:
                return None
            return (_get(submission.entity_id), submission)

        topic = Topic(EventEntityType.SUBMISSION, operation=EventOperation.UPDATE, attribute_name="submission_status")
        return self._subscribe(topic, callback, callback_args, None, broadcast=broadcast, prepare=prepare)
