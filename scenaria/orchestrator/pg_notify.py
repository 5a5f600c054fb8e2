"""Notifications through PostgreSQL (LISTEN/NOTIFY): how the states of jobs and submissions reach
client processes on any host when the store is PostgreSQL.

The holder (``Publisher``) sends each job and submission event on the version's channel, with
the id of its submission, then ``done`` once a submission has finished; a client process
(``Listener``) listens on that channel on a connection of its own, and hands what arrives to its
control connection (``orchestrator.control``), which publishes the events of the submissions it
follows and wakes their waiters. Requests (submit, cancel) still go to the holder over TCP.

The holder sends a batch once the scheduler has let go of its lock (the states it published are
committed then), so a client that reads the store on ``done`` reads the final states. A
notification is delivered after the statement that sends it commits, to every listener, in the
order sent. Nothing polls: both sides sleep in ``select`` on their connection.
"""

from __future__ import annotations

import contextlib
import json
import logging
import select
import socket
import threading
import zlib
from collections.abc import Callable
from typing import Any

from scenaria.entities.registry import registry
from scenaria.events.event import Event, EventEntityType
from scenaria.events.notifier import Notifier
from scenaria.orchestrator import scheduler as scheduling
from scenaria.orchestrator.control_wire import TOPICS, encode_event

logger = logging.getLogger("scenaria")
_END = object()


def _connect(url: str) -> Any:
    import psycopg2  # the store is PostgreSQL: it is installed

    conn = psycopg2.connect(url)
    conn.autocommit = True
    return conn


def channel(settings: dict[str, Any], version: str) -> str:
    """The channel of a version of a PostgreSQL store (an identifier of at most 63 bytes)."""
    schema = settings.get("schema", "scenaria")
    return f"scenaria_{zlib.crc32(f'{schema}:{version}'.encode()):08x}"


class Publisher:
    """In the holder: sends the events of jobs and submissions on the version's channel."""

    def __init__(self, settings: dict[str, Any], name: str) -> None:
        self._conn = _connect(settings["url"])
        self.channel = name
        self._registration, self._queue = Notifier.register_topics(TOPICS)
        self._thread = threading.Thread(target=self._run, name="scenaria-notify", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while True:
                batch = [self._queue.get()]
                while not self._queue.empty():
                    batch.append(self._queue.get())
                if _END in batch:
                    return
                self._send(batch)
        except Exception:  # the store went away: the holder's own writes will say so
            logger.exception("Notifications through PostgreSQL stopped.")
        finally:
            Notifier.unregister(self._registration)
            with contextlib.suppress(Exception):
                self._conn.close()

    def _send(self, batch: list[Event]) -> None:
        current = scheduling.current()
        if current is not None:  # once the scheduler lets go of its lock, what it published is committed
            with current._lock:
                pass
        messages, finished = [], []
        for event in batch:
            submission_id = _submission_of(event)
            if submission_id is None:
                continue
            messages.append(json.dumps({"event": encode_event(event), "submission_id": submission_id}, default=str))
            if event.attribute_name == "submission_status" and getattr(event.attribute_value, "name", "") in _FINAL:
                finished.append(submission_id)
        messages += [json.dumps({"done": submission_id}) for submission_id in finished]
        if messages:
            with self._conn.cursor() as cursor:
                cursor.execute("SELECT pg_notify(%s, m) FROM unnest(%s::text[]) WITH ORDINALITY AS t(m, i) ORDER BY i",
                               [self.channel, messages])  # fmt: skip

    def close(self) -> None:
        self._queue.put(_END)
        if self._thread is not threading.current_thread():
            self._thread.join(5)


_FINAL = {"COMPLETED", "FAILED", "CANCELED", "ABANDONED"}


def _submission_of(event: Event) -> str | None:
    if event.entity_type is EventEntityType.SUBMISSION:
        return event.entity_id
    if event.entity_type is EventEntityType.JOB and event.entity_id:
        job = registry().cached(event.entity_id)
        return getattr(job, "_submit_id", None)
    return None


class Listener:
    """In a client process: listens on a version's channel and hands each message to ``deliver``."""

    def __init__(self, settings: dict[str, Any], name: str, deliver: Callable[[dict[str, Any]], None]) -> None:
        self._conn = _connect(settings["url"])
        with self._conn.cursor() as cursor:
            cursor.execute(f'LISTEN "{name}"')  # before any request: nothing sent after it is missed
        self._deliver = deliver
        self._wake, self._woken = socket.socketpair()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="scenaria-listen", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._closed:
                select.select([self._conn, self._woken], [], [])
                self._conn.poll()
                while self._conn.notifies:
                    self._deliver(json.loads(self._conn.notifies.pop(0).payload))
        except Exception:
            if not self._closed:
                logger.exception("Listening to PostgreSQL notifications stopped.")
        finally:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._woken.close()

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self._wake.send(b"x")
            self._wake.close()
