"""The event notifier as Server-Sent Events, with a bounded recent history for reconnects.

One `EventHub` per app registers once with the `Notifier` and reads its queue on one thread;
each event gets an increasing number (the SSE ``id``), is turned into its SSE text once (not
once per client) and appended to one log shared by every stream. The streams are woken
together, at most once per `TICK` (a burst's events gather meanwhile; `BUSY_TICK` in a long
run of them to many streams), and each then sends all it has not sent yet in one write: with
many clients the cost is a wake-up and a write per client and tick, not per client and event
(each wake-up is Python work on the server's thread, under the GIL the orchestrator's threads
need too).
A client that reconnects with ``Last-Event-ID`` first gets the events after that number that
are among the latest `HISTORY`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import threading
import time
from collections.abc import AsyncIterator
from queue import Empty
from typing import Any

from scenaria.events import Notifier
from scenaria.web.serialize import jsonable

__all__ = ["BUSY_TICK", "HISTORY", "MANY", "SUSTAINED", "TICK", "EventHub", "event_dict"]

#: How many recent events a reconnecting client can catch up on.
HISTORY = 1000

#: Seconds the hub lets a burst of events gather before it wakes the streams again.
TICK = 0.025

#: The same once events have kept coming for `SUSTAINED` seconds (each pause gathered some), as
#: in a long run of jobs, to more than `MANY` streams: half the wake-ups and writes per stream,
#: each event still out within this. A few streams cost little per tick: they keep `TICK`.
BUSY_TICK = 0.05
SUSTAINED = 0.1
MANY = 10


def event_dict(number: int, event: Any) -> dict[str, Any]:
    """An event as the JSON of one SSE message (values not yet made plain: see `_compact`)."""
    return {
        "id": number,
        "entity_type": event.entity_type.name,
        "operation": event.operation.name,
        "entity_id": event.entity_id,
        "attribute_name": event.attribute_name,
        "attribute_value": event.attribute_value,
        "creation_date": event.creation_date.isoformat(),
        "metadata": event.metadata,
    }


class EventHub:
    """Fans the notifier's events out to the SSE clients, at most one wake-up per `TICK`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._log = _Log()
        self._loops: dict[asyncio.AbstractEventLoop, _Waiters] = {}
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
        """Numbers and encodes each event as it comes, wakes the streams, then lets the next ones gather.

        The first event after a quiet spell goes out at once; those of a burst go out together
        one `TICK` later (`BUSY_TICK` in a sustained run to many streams), so 50 streams cost 50
        wake-ups per tick, not 50 per event.
        """
        busy_since: float | None = None  # since when each pause has gathered events
        while not self._stop.is_set():
            try:
                events = [queue.get(timeout=0.2)]
            except Empty:
                continue
            with contextlib.suppress(Empty):
                while True:
                    events.append(queue.get_nowait())
            with self._lock:
                for event in events:
                    self._number += 1
                    self._log.append(_message(self._number, event))
                self._log.trim(self._number)
                loops = list(self._loops.items())
            for loop, waiters in loops:
                with contextlib.suppress(RuntimeError):  # that loop is closed: its clients are leaving
                    loop.call_soon_threadsafe(waiters.wake)
            many = sum(waiters.streams for _, waiters in loops) > MANY
            sustained = busy_since is not None and time.monotonic() - busy_since >= SUSTAINED
            self._stop.wait(BUSY_TICK if many and sustained else TICK)
            if queue.empty():
                busy_since = None
            elif busy_since is None:
                busy_since = time.monotonic()

    def position(self) -> int:
        """The number of the last event so far: a stream started from it sends every later one.

        Taken while the request is handled, before the response's headers go out: the stream's
        body starts later (under load, after events the client published once it saw the headers),
        and a stream that started at the number of *that* moment would miss them."""
        with self._lock:
            return self._number

    async def stream(
        self, last_id: int | None, entity_type: str | None, entity_id: str | None, keepalive: float = 15.0
    ) -> AsyncIterator[bytes]:
        """The SSE text of the events after ``last_id`` (from the history), then of every new one.

        Each wake-up sends every event logged since the last one (that the filter keeps) in one write.
        """
        loop = asyncio.get_running_loop()
        with self._lock:
            waiters = self._loops.setdefault(loop, _Waiters())
            waiters.streams += 1
            # a number from before a restart (above ours) replays nothing; one older than the history, the history
            start = self._number if last_id is None else min(max(last_id, self._number - HISTORY), self._number)
            cursor = self._log.join(start)
        try:
            yield b"retry: 1000\n\n"
            while True:
                with self._lock:
                    last, chunk = self._log.after(cursor.number, entity_type, entity_id)
                if last > cursor.number:
                    cursor.number = last
                    if chunk:
                        yield chunk
                    continue
                if not await waiters.wait(keepalive):
                    yield b": keep-alive\n\n"
        finally:
            with self._lock:
                self._log.leave(cursor)
                waiters.streams -= 1
                if not waiters.streams:
                    del self._loops[loop]


class _Waiters:
    """The streams of one event loop, woken together: one call from the pump thread per loop and tick."""

    def __init__(self) -> None:
        self.streams = 0
        self._futures: list[asyncio.Future[bool]] = []

    async def wait(self, timeout: float) -> bool:
        """Until the next wake-up (True) or ``timeout`` seconds (False); a future each, no task."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bool] = loop.create_future()
        self._futures.append(future)
        timer = loop.call_later(timeout, _settle, future, False)
        try:
            return await future
        finally:
            timer.cancel()

    def wake(self) -> None:
        futures, self._futures = self._futures, []
        for future in futures:
            _settle(future, True)


def _settle(future: asyncio.Future[bool], woken: bool) -> None:
    if not future.done():  # a stream that left (cancelled), or already woken
        future.set_result(woken)


class _Cursor:
    """Where a stream is in the log: the number of the last event it has dealt with."""

    __slots__ = ("number",)

    def __init__(self, number: int) -> None:
        self.number = number


class _Log:
    """The events in number order, shared by the streams (callers hold the hub's lock).

    It keeps the latest `HISTORY` for reconnects, and anything older that a connected stream
    has not reached yet (a slow client loses nothing while it stays connected).
    """

    def __init__(self) -> None:
        self._messages: list[_Message] = []
        self._cursors: set[_Cursor] = set()
        # the chunks handed out since the last append, by (after, filter): the streams woken by
        # one tick are mostly at the same place with the same filter, so they share one
        self._chunks: dict[tuple[int, str | None, str | None], bytes] = {}

    def join(self, number: int) -> _Cursor:
        cursor = _Cursor(number)
        self._cursors.add(cursor)
        return cursor

    def leave(self, cursor: _Cursor) -> None:
        self._cursors.discard(cursor)

    def append(self, message: _Message) -> None:
        self._messages.append(message)
        self._chunks.clear()

    def trim(self, last: int) -> None:
        """Forget what is neither among the latest `HISTORY` nor still ahead of a stream."""
        if len(self._messages) > 2 * HISTORY:  # now and then, not on every event
            keep_after = min([last - HISTORY, *(cursor.number for cursor in self._cursors)])
            del self._messages[: max(0, self._index(keep_after + 1))]

    def after(self, number: int, entity_type: str | None, entity_id: str | None) -> tuple[int, bytes]:
        """The last event's number, and the SSE text of the events after ``number`` the filter keeps."""
        last = self._messages[-1].number if self._messages else number
        if last <= number:
            return number, b""
        key = (number, entity_type, entity_id)
        chunk = self._chunks.get(key)
        if chunk is None:
            pending = self._messages[max(0, self._index(number + 1)) :]
            if entity_type is not None or entity_id is not None:
                pending = [message for message in pending if message.wanted(entity_type, entity_id)]
            chunk = self._chunks[key] = b"".join(message.text for message in pending)
        return last, chunk

    def _index(self, number: int) -> int:
        """Where event ``number`` is (numbers are consecutive), or would be."""
        return number - self._messages[0].number if self._messages else 0


class _Message:
    """One event as sent: its number, what filters look at, and its SSE text."""

    __slots__ = ("_metadata_text", "entity_id", "entity_type", "metadata", "number", "text")

    def __init__(self, number: int, entity_type: str, entity_id: str, metadata: Any, text: bytes) -> None:
        self.number, self.entity_type, self.entity_id = number, entity_type, entity_id
        self.metadata, self.text = metadata, text
        self._metadata_text: str | None = None

    def wanted(self, entity_type: str | None, entity_id: str | None) -> bool:
        """Whether a client's filter keeps it: its entity type, and its id (or one its metadata names)."""
        if entity_type is not None and self.entity_type != entity_type:
            return False
        if entity_id is None or self.entity_id == entity_id:
            return True
        if self._metadata_text is None:  # only for a stream filtered by id, and once
            self._metadata_text = _compact(self.metadata)
        return entity_id in self._metadata_text


def _plain(value: Any) -> Any:
    """What the C encoder cannot write itself, made plain: most often a date (metadata's), so that first."""
    return value.isoformat() if isinstance(value, dt.datetime) else jsonable(value)


# JSON without the optional spaces (every client reads each event's bytes: with 50 clients every
# byte counts 50 times, on both ends of each connection); `_plain` is called only for the values
# the encoder does not know (dates, enums...), not for each value as `jsonable` would be.
_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False, default=_plain)


def _compact(value: Any) -> str:
    """``value`` as JSON in one pass of the C encoder; through `jsonable` first when that refuses
    it (a NaN, a key that is not text), as the REST answers are."""
    try:
        return _ENCODER.encode(value)
    except (TypeError, ValueError):
        return _ENCODER.encode(jsonable(value))


def _message(number: int, event: Any) -> _Message:
    entity_type = event.entity_type.name
    data = _compact(event_dict(number, event))
    text = f"id: {number}\nevent: {entity_type.lower()}\ndata: {data}\n\n".encode()
    return _Message(number, entity_type, event.entity_id, event.metadata, text)
