"""The control channel: how another process asks the orchestrator of a version to act.

The holder of a version listens on a stream socket whose address (and a token) it records in
its lease (``orchestrator.lease``): a Unix socket for a store on this machine (SQLite, files),
TCP for PostgreSQL, whose clients may be on other hosts (``SCENARIA_CONTROL_ADDRESS=HOST:PORT``
chooses where it listens). Anyone who can read the store can read the token, hence control the
orchestrator: the store's access rights are the channel's.

Requests are JSON lines, one answer each: ``submit`` (the holder creates the submission and its
jobs in the store, and runs them), ``cancel`` (a running job's process is killed). ``watch``
keeps the connection open: the holder sends the events of a submission as they happen, then
``done``. A client's ``Submission.wait()`` and its event consumers are woken by those lines:
nothing polls. The client reads results from the store, where the holder committed them before
it said so.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import socket
import sys
import tempfile
import threading
from queue import SimpleQueue
from typing import Any

from scenaria.entities import submission as submission_module
from scenaria.entities.job import Job
from scenaria.entities.registry import Registry, registry
from scenaria.entities.status import Status
from scenaria.entities.submission import Submission, SubmissionStatus
from scenaria.events.event import Event, EventEntityType, EventOperation
from scenaria.events.notifier import Notifier, Topic
from scenaria.exceptions import OrchestratorNotRunning, ScenariaError
from scenaria.orchestrator import lease
from scenaria.orchestrator import scheduler as scheduling

logger = logging.getLogger("scenaria")
_END = object()
_PLAIN = (str, int, float, bool, type(None))


# --- the holder's side -----------------------------------------------------------------------------
class ControlServer:
    """Listens for clients' requests in the orchestrating process, one thread per connection."""

    def __init__(self, tcp: bool) -> None:
        self.token = secrets.token_hex(16)
        self._watches: set[SimpleQueue[Any]] = set()
        self._closed = False
        listen = os.environ.get("SCENARIA_CONTROL_ADDRESS")
        if tcp or listen:
            host, _, port = (listen or "0.0.0.0:0").rpartition(":")
            self._socket = socket.create_server((host or "0.0.0.0", int(port or 0)))
            shown = host if host not in ("", "0.0.0.0") else lease.hostname()
            self.address = f"tcp:{shown}:{self._socket.getsockname()[1]}"
            self._path = None
        else:
            name = f"scenaria-{os.getpid()}-{secrets.token_hex(4)}"
            self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            if sys.platform == "linux":  # an abstract socket: no file, gone with the process (even on SIGKILL)
                self._path = None
                self._socket.bind("\0" + name)
                self.address = f"unix:@{name}"
            else:
                self._path = os.path.join(tempfile.gettempdir(), f"{name}.sock")
                self._socket.bind(self._path)
                self.address = f"unix:{self._path}"
            self._socket.listen(64)
        self._acceptor = threading.Thread(target=self._accept, name="scenaria-control", daemon=True)
        self._acceptor.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._socket.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rwb") as stream:
            for line in stream:
                request = json.loads(line)
                if request.get("token") != self.token:
                    _send(stream, {"ok": False, "error": "wrong token: read the lease again"})
                    return
                if request.get("op") == "watch":
                    self._watch(stream, request["submission_id"])
                    return
                if request.get("op") == "submit":
                    self._submit_and_watch(stream, request)
                    return
                try:
                    answer = {"ok": True, **_handle(request)}
                except ScenariaError as exc:
                    answer = {"ok": False, "error": str(exc)}
                except Exception as exc:  # a bug here must not kill the channel
                    logger.exception("Control request %s failed.", request.get("op"))
                    answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
                _send(stream, answer)

    def _submit_and_watch(self, stream: Any, request: dict[str, Any]) -> None:
        """Submit, answer with the submission's id, then stream its events from its first one."""
        registration, queue = Notifier.register_topics([Topic()])  # before the jobs exist
        try:
            answer = _handle(request)
        except ScenariaError as exc:
            Notifier.unregister(registration)
            _send(stream, {"ok": False, "error": str(exc)})
            return
        _send(stream, {"ok": True, **answer})
        self._watch(stream, answer["submission_id"], registration, queue)

    def _watch(self, stream: Any, submission_id: str, registration: str | None = None, queue: Any = None) -> None:
        found = registry().get(submission_id)
        if not isinstance(found, Submission):
            _send(stream, {"done": True, "missing": True})
            return
        ids = {submission_id, *found._job_ids}
        if registration is None:
            registration, queue = Notifier.register_topics([Topic(entity_id=entity_id) for entity_id in ids])
        self._watches.add(queue)
        try:
            while not found.is_finished() and not self._closed:
                event = queue.get()
                if event is _END:
                    break
                if event.entity_id in ids:
                    _send(stream, {"event": _encode_event(event)})
            while not queue.empty():  # what the last transaction published
                event = queue.get()
                if event is not _END and event.entity_id in ids:
                    _send(stream, {"event": _encode_event(event)})
            current = scheduling.current()
            if current is not None:  # events are published inside the scheduler's transaction:
                with current._lock:  # once it lets go of its lock, the final states are committed
                    pass
            _send(stream, {"done": True})
        except OSError:
            pass  # the client went away
        finally:
            Notifier.unregister(registration)
            self._watches.discard(queue)

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self._socket.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        self._socket.close()
        if self._acceptor is not threading.current_thread():
            self._acceptor.join(5)
        for queue in list(self._watches):
            queue.put(_END)
        if self._path:
            with contextlib.suppress(OSError):
                os.unlink(self._path)


def _handle(request: dict[str, Any]) -> dict[str, Any]:
    scheduler = scheduling.current()
    if scheduler is None:
        raise OrchestratorNotRunning("The orchestrator is stopping; submit again once one runs.")
    reg = registry()
    if request["op"] == "submit":
        entity = reg.get(request["entity_id"])
        if entity is None:
            raise OrchestratorNotRunning(f"{request['entity_id']} does not exist in the store; it cannot be submitted.")
        tasks = [entity] if entity.id.startswith("TASK_") else entity._get_sorted_tasks()  # type: ignore[attr-defined]
        created = scheduler.submit(entity, tasks, None, bool(request.get("force")), request.get("properties") or {})
        entity._publish("SUBMISSION")  # type: ignore[attr-defined]
        return {"submission_id": created.id}
    if request["op"] == "cancel":
        job = reg.get(request["job_id"])
        if job is not None:
            scheduler.cancel(job)  # type: ignore[arg-type]
        return {}
    raise ValueError(f"unknown control request {request['op']!r}")


def _send(stream: Any, message: dict[str, Any]) -> None:
    stream.write(json.dumps(message, default=str).encode() + b"\n")
    stream.flush()


def _encode_event(event: Event) -> dict[str, Any]:
    value = event.attribute_value
    if event.attribute_name == "jobs":  # Job objects travel as their ids (read back from the store)
        value = [job.id for job in value]
    return {
        "entity_type": event.entity_type.name,
        "operation": event.operation.name,
        "entity_id": event.entity_id,
        "attribute_name": event.attribute_name,
        "attribute_value": value.name if hasattr(value, "name") and hasattr(value, "value") else value,
        "metadata": {
            k: v if isinstance(v, str | int | float | bool | None) else str(v) for k, v in event.metadata.items()
        },
    }


# --- a client's side ---------------------------------------------------------------------------------
class Client:
    """Requests to the live holder of a version, as its lease describes it."""

    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record

    def _connect(self) -> socket.socket:
        address = str(self.record.get("address") or "")
        try:
            if address.startswith("unix:"):
                conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                path = address[5:]
                conn.connect("\0" + path[1:] if path.startswith("@") else path)
                return conn
            host, _, port = address[4:].rpartition(":")
            return socket.create_connection((host, int(port)), timeout=10)
        except (OSError, ValueError) as exc:
            raise OrchestratorNotRunning(
                f"The orchestrator of this version ({lease.describe(self.record)}) does not answer at "
                f"{address or 'no address'}: {exc}."
            ) from exc

    def request(self, op: str, **arguments: Any) -> dict[str, Any]:
        with self._connect() as conn, conn.makefile("rwb") as stream:
            _send(stream, {"op": op, "token": self.record.get("token"), **arguments})
            line = stream.readline()
        answer = json.loads(line) if line else {"ok": False, "error": "the orchestrator closed the connection"}
        if not answer.get("ok"):
            raise OrchestratorNotRunning(f"{lease.describe(self.record).capitalize()} refused {op}: {answer['error']}")
        return answer

    def submit(self, entity_id: str, force: bool, properties: dict[str, Any]) -> Submission:
        """Have the holder submit an entity; the submission is followed from its first event."""
        conn = self._connect()
        conn.settimeout(None)
        stream = conn.makefile("rwb")
        request = {"op": "submit", "token": self.record.get("token"), "entity_id": entity_id, "force": force}
        _send(stream, {**request, "properties": properties})
        line = stream.readline()
        answer = json.loads(line) if line else {"ok": False, "error": "the orchestrator closed the connection"}
        if not answer.get("ok"):
            stream.close()
            conn.close()
            raise OrchestratorNotRunning(
                f"{lease.describe(self.record).capitalize()} refused submit: {answer['error']}"
            )
        submission = registry().get(str(answer["submission_id"]))
        assert isinstance(submission, Submission)
        _watched.add(submission.id)
        threading.Thread(target=_follow, args=(conn, stream, submission), daemon=True).start()
        return submission

    def watch(self, submission: Submission) -> None:
        """Follow a submission on a thread: republish its events here, wake its waiters at its end."""
        conn = self._connect()
        conn.settimeout(None)
        stream = conn.makefile("rwb")
        _send(stream, {"op": "watch", "token": self.record.get("token"), "submission_id": submission.id})
        threading.Thread(target=_follow, args=(conn, stream, submission), daemon=True).start()


def _follow(conn: socket.socket, stream: Any, submission: Submission) -> None:
    with conn, stream:
        for line in stream:
            message = json.loads(line)
            if "event" in message:
                Notifier.publish(_decode_event(message["event"]))
            if message.get("done"):
                break
    reg = registry()
    with contextlib.suppress(Exception):  # the results were committed before the holder said so
        for job_id in submission._job_ids:
            reg.get(job_id)
        reg.get(submission.id)
    _watched.discard(submission.id)
    submission._done.set()


_VALUES = {"status": Status, "submission_status": SubmissionStatus}


def _decode_event(data: dict[str, Any]) -> Event:
    value = data["attribute_value"]
    enum = _VALUES.get(data["attribute_name"] or "")
    if enum is not None and isinstance(value, str):
        value = enum[value]
    if data["attribute_name"] == "jobs":
        value = registry().get_many(Job, value)
    return Event(
        EventEntityType[data["entity_type"]],
        EventOperation[data["operation"]],
        data["entity_id"],
        data["attribute_name"],
        value,
        data["metadata"],
    )


def client(reg: Registry, version: str | None = None) -> Client | None:
    """A client of the live orchestrator of the version if another process holds it, else None."""
    version = version or reg.version or reg.repository.get_meta("latest_version")
    if not version:
        return None
    record = lease.holder(reg.repository, version)
    return Client(record) if record is not None else None


_watched: set[str] = set()


def remote_wait(submission: Submission) -> None:
    """Called by ``Submission.wait()`` on an unfinished submission: follow it if another process
    runs it; say so, and do not wait, if no process does."""
    if scheduling.current() is not None or submission.id in _watched:
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
    follow(remote, submission)


def follow(remote: Client, submission: Submission) -> None:
    """Follow a submission the holder runs (once): its events, and its end for ``wait()``."""
    if submission.id not in _watched:
        _watched.add(submission.id)
        remote.watch(submission)


submission_module.remote_wait = remote_wait
