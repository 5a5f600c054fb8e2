"""The event notifier as Server-Sent Events, with a bounded recent history for reconnects.

One `EventHub` per app registers once with the `Notifier` and reads its queue on one thread;
each event gets an increasing number (the SSE ``id``), is turned into its SSE text once (not
once per client), is kept in a ring of the latest `HISTORY` events, and is handed to every
connected client's asyncio queue through its loop.
A client that reconnects with ``Last-Event-ID`` first gets the events after that number that
are still in the ring.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections import deque
from collections.abc import AsyncIterator
from queue import Empty
from typing import Any

from scenaria.events import Notifier
from scenaria.web.serialize import jsonable

__all__ = ["HISTORY", "EventHub", "event_dict"]

#: How many recent events a reconnecting client can catch up on.
HISTORY = 1000


def event_dict(number: int, event: Any) -> dict[str, Any]:
    """An event as the JSON of one SSE message."""
    return {
        "id": number,
        "entity_type": event.entity_type.name,
        "operation": event.operation.name,
        "entity_id": event.entity_id,
        "attribute_name": event.attribute_name,
        "attribute_value": jsonable(event.attribute_value),
        "creation_date": jsonable(event.creation_date),
        "metadata": jsonable(event.metadata),
    }


class EventHub:
    """Fans the notifier's events out to the SSE clients."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._history: deque[_Message] = deque(maxlen=HISTORY)
        self._clients: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[_Message]]] = set()
        self._number = 0
        self._stop = threading.Event()
        self._registration: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._registration, queue = Notifier.register()
        self._stop.clear()
        self._thread = threading.Thread(target=self._pump, args=(queue,), name="scenaria-web-events", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._registration is not None:
            Notifier.unregister(self._registration)
            self._registration = None
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def _pump(self, queue: Any) -> None:
        while not self._stop.is_set():
            try:
                event = queue.get(timeout=0.2)
            except Empty:
                continue
            with self._lock:
                self._number += 1
                message = _message(event_dict(self._number, event))
                self._history.append(message)
                clients = list(self._clients)
            # one wake-up per event loop (usually the server's one), not one per client
            by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Queue[_Message]]] = {}
            for loop, client in clients:
                by_loop.setdefault(loop, []).append(client)
            for loop, queues in by_loop.items():
                with contextlib.suppress(RuntimeError):  # that loop is closed: its clients are leaving
                    loop.call_soon_threadsafe(_deliver, queues, message)

    async def stream(
        self, last_id: int | None, entity_type: str | None, entity_id: str | None, keepalive: float = 15.0
    ) -> AsyncIterator[str]:
        """The SSE text of the events after ``last_id`` (from the history), then of every new one."""
        client: asyncio.Queue[_Message] = asyncio.Queue()
        member = (asyncio.get_running_loop(), client)
        with self._lock:
            missed = [message for message in self._history if last_id is not None and message.number > last_id]
            self._clients.add(member)
        try:
            yield "retry: 1000\n\n"
            for message in missed:
                if message.wanted(entity_type, entity_id):
                    yield message.text
            while True:
                try:
                    message = await asyncio.wait_for(client.get(), timeout=keepalive)
                except asyncio.TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if message.wanted(entity_type, entity_id):
                    yield message.text
        finally:
            with self._lock:
                self._clients.discard(member)


class _Message:
    """One event as sent: its number, what filters look at, and its SSE text."""

    __slots__ = ("entity_id", "entity_type", "metadata", "number", "text")

    def __init__(self, number: int, entity_type: str, entity_id: str, metadata: str, text: str) -> None:
        self.number, self.entity_type, self.entity_id = number, entity_type, entity_id
        self.metadata, self.text = metadata, text

    def wanted(self, entity_type: str | None, entity_id: str | None) -> bool:
        """Whether a client's filter keeps it: its entity type, and its id (or one its metadata names)."""
        if entity_type is not None and self.entity_type != entity_type:
            return False
        return entity_id is None or self.entity_id == entity_id or entity_id in self.metadata


def _deliver(queues: list[asyncio.Queue[_Message]], message: _Message) -> None:
    for queue in queues:
        queue.put_nowait(message)


def _message(event: dict[str, Any]) -> _Message:
    text = f"id: {event['id']}\nevent: {event['entity_type'].lower()}\ndata: {json.dumps(event)}\n\n"
    return _Message(event["id"], event["entity_type"], event["entity_id"], json.dumps(event["metadata"]), text)
