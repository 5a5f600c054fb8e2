"""The control channel: how another process asks the orchestrator of a version to act.

The holder of a version listens on a stream socket whose address (and a token) it records in
its lease (``orchestrator.lease``): a Unix socket for a store on this machine (SQLite, files),
TCP for PostgreSQL, whose clients may be on other hosts (``SCENARIA_CONTROL_ADDRESS=HOST:PORT``
chooses where it listens). Anyone who can read the store can read the token, hence control the
orchestrator: the store's access rights are the channel's.

A client process keeps one connection to the holder for all its submissions (the holder's side
is ``orchestrator.control_server``). Messages are JSON lines. A request carries a number
(``rid``) that its answer repeats: ``submit`` (the holder creates the submission and its jobs
in the store, runs them, and answers with the submission's id), ``watch`` (follow a submission
submitted elsewhere), ``cancel`` (a running job's process is killed). The events of the
submissions the client follows come on the same connection, each naming its submission, then
``done`` once the submission's final state is committed; the events go out only after the
client said ``events`` (someone in its process registered to the ``Notifier``), else just the
``done``. A client's ``Submission.wait()`` and its event consumers are woken by those lines:
nothing polls. The client reads results from the
store, where the holder committed them before it said so.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from typing import Any

from scenaria.entities import submission as submission_module
from scenaria.entities.registry import Registry, registry
from scenaria.entities.submission import Submission
from scenaria.events.notifier import Notifier
from scenaria.exceptions import OrchestratorNotRunning
from scenaria.orchestrator import lease
from scenaria.orchestrator import scheduler as scheduling
from scenaria.orchestrator.control_wire import decode_event, send

logger = logging.getLogger("scenaria")


# --- a client's side ---------------------------------------------------------------------------------
class Client:
    """Requests to the live holder of a version, as its lease describes it."""

    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record

    def request(self, op: str, **arguments: Any) -> dict[str, Any]:
        return _connection(self.record).call(op, arguments)

    def submit(self, entity_id: str, force: bool, properties: dict[str, Any]) -> Submission:
        """Have the holder submit an entity; its events arrive here from the first one."""
        answer = _connection(self.record).call(
            "submit", {"entity_id": entity_id, "force": force, "properties": properties}, follow=True
        )
        submission: Submission = answer["submission"]
        return submission

    def watch(self, submission: Submission) -> None:
        """Follow a submission: republish its events here, wake its waiters at its end."""
        _connection(self.record).watch(submission)


class _Call:
    __slots__ = ("answer", "arrived", "follow")

    def __init__(self, follow: bool) -> None:
        self.follow = follow
        self.arrived = threading.Event()
        self.answer: dict[str, Any] | None = None


class _Connection:
    """This process's one connection to a holder: its requests, and the submissions it follows.

    One thread reads it: answers wake their callers, events are published to this process's
    ``Notifier``, ``done`` refreshes the submission and its jobs from the store and wakes
    ``wait()``. When the holder goes away, every caller and waiter is woken.
    """

    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record
        self._socket = _connect(record)
        self._out = self._socket.makefile("wb")
        self._lock = threading.RLock()
        self._calls: dict[int, _Call] = {}
        self._followed: dict[str, Submission] = {}
        self._next = 0
        self.closed = False
        self._listener = None
        self._early: dict[str, list[dict[str, Any]]] = {}  # notified before their submit's answer came
        if record.get("channel"):  # a PostgreSQL store: the events come through it (orchestrator.pg_notify)
            from scenaria.orchestrator.pg_notify import Listener

            self._listener = Listener(registry().repository.settings, str(record["channel"]), self._notified)
        self.hears = self._listener is not None  # whether the holder sends every event of what it follows
        self._listening = threading.Lock()
        if Notifier.has_listeners():
            self.listen(wait=False)  # the first line: before any submission
        threading.Thread(target=self._read, name="scenaria-control-client", daemon=True).start()

    def listen(self, wait: bool = True) -> None:
        """Have the holder send every event of the submissions followed here (until then it sends
        only their ends: nobody here listens); with ``wait``, once it has answered."""
        with self._listening:  # a second thread registering meanwhile returns once the holder heard
            if self.hears:
                return
            if wait:
                self.call("events", {})
            else:
                with self._lock:
                    self._write({"op": "events", "token": self.record.get("token")})
            self.hears = True

    def call(self, op: str, arguments: dict[str, Any], follow: bool = False) -> dict[str, Any]:
        pending = _Call(follow)
        with self._lock:
            self._next += 1
            rid = self._next
            self._calls[rid] = pending
            self._write({"op": op, "rid": rid, "token": self.record.get("token"), **arguments})
        pending.arrived.wait()
        answer = pending.answer or {"ok": False, "error": "the orchestrator closed the connection"}
        if not answer.get("ok"):
            raise OrchestratorNotRunning(f"{lease.describe(self.record).capitalize()} refused {op}: {answer['error']}")
        return answer

    def watch(self, submission: Submission) -> None:
        with self._lock:
            if submission.id in self._followed:
                return
            self._followed[submission.id] = submission
            if self._listener is None:
                self._write({"op": "watch", "token": self.record.get("token"), "submission_id": submission.id})
                return
        found = registry().get(submission.id)  # notified from now on; it may have ended before
        if found is None or found.is_finished():  # type: ignore[attr-defined]
            self._end(submission.id, None)

    def _end(self, submission_id: str, records: list[dict[str, Any]] | None) -> None:
        with self._lock:
            submission = self._followed.pop(submission_id, None)
        if submission is not None:
            _ended(submission, records)

    def _notified(self, message: dict[str, Any]) -> None:
        """A message from the store's notifications: for a submission followed, or about to be."""
        submission_id = str(message.get("submission_id") or message.get("done"))
        with self._lock:  # in order with the early ones, which the answer's reader hands on under it
            if submission_id in self._followed:
                self._take(message)
            elif any(pending.follow for pending in self._calls.values()):
                self._early.setdefault(submission_id, []).append(message)

    def _write(self, message: dict[str, Any]) -> None:
        if self.closed:
            raise OrchestratorNotRunning(f"{lease.describe(self.record).capitalize()} closed the connection.")
        try:
            send(self._out, message)
        except OSError as exc:
            raise OrchestratorNotRunning(f"{lease.describe(self.record).capitalize()} does not answer: {exc}.") from exc

    def _read(self) -> None:
        try:
            with self._socket.makefile("rb") as lines:
                for line in lines:
                    self._take(json.loads(line))
        except (OSError, ValueError):
            pass
        with self._lock:
            self.closed = True
            calls, self._calls = self._calls, {}
            followed, self._followed = self._followed, {}
        for pending in calls.values():
            pending.arrived.set()
        for submission in followed.values():
            _ended(submission)
        if self._listener is not None:
            self._listener.close()
        with contextlib.suppress(OSError):
            self._out.close()
        self._socket.close()

    def _take(self, message: dict[str, Any]) -> None:
        if "event" in message:
            if Notifier.has_listeners():  # else the event would be built for nobody
                Notifier.publish(decode_event(message["event"]))
        elif "done" in message:
            self._end(str(message["done"]), message.get("records"))
        elif "rid" in message:
            self._answered(message)

    def _answered(self, message: dict[str, Any]) -> None:
        with self._lock:  # one step: a notification never finds the call gone and its submission not followed
            pending = self._calls.pop(message["rid"], None)
            if pending is None:
                return
            if pending.follow and message.get("ok"):  # before the next line: its events follow
                made = registry().take(message["record"])
                assert isinstance(made, Submission)
                self._followed[made.id] = made
                message["submission"] = made
                for notified in self._early.pop(made.id, []):
                    self._take(notified)
                if not any(call.follow for call in self._calls.values()):
                    self._early.clear()  # nobody else waits for an answer: the rest is others'
        pending.answer = message
        pending.arrived.set()

    def follows(self, submission_id: str) -> bool:
        return submission_id in self._followed


def _connect(record: dict[str, Any]) -> socket.socket:
    address = str(record.get("address") or "")
    try:
        if address.startswith("unix:"):
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            path = address[5:]
            conn.connect("\0" + path[1:] if path.startswith("@") else path)
        else:
            host, _, port = address[4:].rpartition(":")
            conn = socket.create_connection((host, int(port)), timeout=10)
            conn.settimeout(None)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn
    except (OSError, ValueError) as exc:
        raise OrchestratorNotRunning(
            f"The orchestrator of this version ({lease.describe(record)}) does not answer at "
            f"{address or 'no address'}: {exc}."
        ) from exc


def _ended(submission: Submission, records: list[dict[str, Any]] | None = None) -> None:
    """Take a followed submission's final state (committed before the holder sent it; read from the
    store when the holder went away without sending it); wake its waiters."""
    reg = registry()
    with contextlib.suppress(Exception):
        if records is not None:
            for record in records:
                reg.take(record)
        else:
            for job_id in submission._job_ids:
                reg.get(job_id)
            reg.get(submission.id)
    submission._done.set()


_connections: dict[tuple[str, str], _Connection] = {}
_connections_lock = threading.Lock()


def _connection(record: dict[str, Any]) -> _Connection:
    """The open connection to this holder, made on first use (again after the holder went away)."""
    key = (str(record.get("address")), str(record.get("token")))
    with _connections_lock:
        found = _connections.get(key)
        if found is None or found.closed:
            for old in [k for k, conn in _connections.items() if conn.closed]:
                del _connections[old]
            found = _connections[key] = _Connection(record)
        return found


#: version -> (when its lease was read, its holder's record): while this process's connection to
#: that holder is open, its lease is read again at most once a second, not at every submit
_holders: dict[str, tuple[float, dict[str, Any]]] = {}
LEASE_REREAD = 1.0


def client(reg: Registry, version: str | None = None) -> Client | None:
    """A client of the live orchestrator of the version if another process holds it, else None."""
    version = version or reg.version or reg.repository.get_meta("latest_version")
    if not version:
        return None
    cached = _holders.get(version)
    if cached is not None and time.monotonic() - cached[0] < LEASE_REREAD and _is_open(cached[1]):
        return Client(cached[1])
    record = lease.holder(reg.repository, version)
    if record is None:
        _holders.pop(version, None)
        return None
    _holders[version] = (time.monotonic(), record)
    return Client(record)


def _listened() -> None:
    """Someone here registered to the ``Notifier``: from now on, holders send their events."""
    with _connections_lock:
        deaf = [conn for conn in _connections.values() if not conn.closed and not conn.hears]
    for conn in deaf:
        with contextlib.suppress(OrchestratorNotRunning):  # gone: nothing of it to hear
            conn.listen()


Notifier.when_registered(_listened)


def _is_open(record: dict[str, Any]) -> bool:
    found = _connections.get((str(record.get("address")), str(record.get("token"))))
    return found is not None and not found.closed


def _followed(submission_id: str) -> bool:
    with _connections_lock:
        return any(conn.follows(submission_id) for conn in _connections.values() if not conn.closed)


def remote_wait(submission: Submission) -> None:
    """Called by ``Submission.wait()`` on an unfinished submission: follow it if another process
    runs it; say so, and do not wait, if no process does."""
    if scheduling.current() is not None or _followed(submission.id):
        return
    remote = client(registry(), submission.version)
    if remote is None:
        logger.warning(
            "No orchestrator runs version %r: submission %s cannot finish until one runs (scenaria serve).",
            submission.version,
            submission.id,
        )
        submission._done.set()
        return
    remote.watch(submission)


submission_module.remote_wait = remote_wait
