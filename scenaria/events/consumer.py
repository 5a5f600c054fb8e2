"""A thread that takes events from a registration queue and hands them to `process_event`.

It blocks on the queue: an event is processed as soon as it is published (no polling
timeout), and `stop()` wakes the thread by queuing a sentinel behind the events already
waiting, so nothing published before `stop()` is lost. An exception in `process_event` is
logged and the thread goes on with the next event.
"""

from __future__ import annotations

import abc
import atexit
import logging
import threading
import weakref
from queue import SimpleQueue
from typing import Any

from scenaria.events.event import Event

__all__ = ["CoreEventConsumerBase"]

logger = logging.getLogger("scenaria")

#: Queued by `stop()`; the consumer thread returns when it reaches it.
_STOP = object()

#: How long the interpreter waits at exit for each running consumer to drain its queue.
EXIT_DRAIN_TIMEOUT = 5.0

_running: weakref.WeakSet[CoreEventConsumerBase] = weakref.WeakSet()
_atexit_lock = threading.Lock()
_atexit_registered = False


def _drain_at_exit() -> None:
    """Let every running consumer finish the events already queued before the process ends.

    Consumers are daemon threads (a forgotten `stop()` must not hang the program); without
    this, events published just before the end of a script would be dropped with the thread.
    """
    for consumer in list(_running):
        consumer.stop(timeout=EXIT_DRAIN_TIMEOUT)


class CoreEventConsumerBase(threading.Thread, metaclass=abc.ABCMeta):
    """Consume the queue of one `Notifier` registration on a dedicated daemon thread.

    Subclasses implement `process_event`. The registration stays the caller's: register
    before creating the consumer and unregister after stopping it.
    """

    def __init__(self, registration_id: str, queue: SimpleQueue[Any]) -> None:
        super().__init__(name=f"scenaria-event-consumer-{registration_id}", daemon=True)
        self.registration_id = registration_id
        self.queue = queue
        self._stop_requested = False
        self._stop_lock = threading.Lock()

    @abc.abstractmethod
    def process_event(self, event: Event) -> None:
        """Handle one event; called on the consumer thread, one event at a time, in order."""

    def start(self) -> None:
        """Start the thread; events already in the queue are processed first."""
        global _atexit_registered
        with _atexit_lock:
            if not _atexit_registered:
                atexit.register(_drain_at_exit)
                _atexit_registered = True
        _running.add(self)
        super().start()

    def stop(self, timeout: float | None = None) -> None:
        """Process what is already queued, then end the thread; wait up to ``timeout`` for it.

        Safe to call more than once, and from `process_event` itself (it then does not wait).
        """
        with self._stop_lock:
            if not self._stop_requested:
                self._stop_requested = True
                self.queue.put(_STOP)
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout)

    def run(self) -> None:
        try:
            while True:
                item = self.queue.get()
                if item is _STOP:
                    return
                try:
                    self.process_event(item)
                except Exception:
                    logger.exception("Event consumer %s failed on %r; it goes on with the next event.", self.name, item)
        finally:
            _running.discard(self)
