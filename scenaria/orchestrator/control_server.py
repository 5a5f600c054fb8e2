"""The holder's side of the control channel (``orchestrator.control``): sessions of client processes.

A client process keeps one connection (a *session*) to the holder, whatever the number of its
submissions. A session has two threads: one reads the client's requests, the other (the pump)
answers them and streams the events of the submissions the client follows, both through one
queue. Requests and events share that queue, so a ``submit`` is answered before the first event
of its submission goes out, and an event published before a ``watch`` arrived is never taken
for one the client asked for. Submits queued one behind another are performed as one scheduler
batch (one commit), answered once it has committed. A session hears only submissions' state
changes (to see them end) until its client asks for every event.

A followed submission ends with a ``done`` line once its final state is committed: the
scheduler publishes a state change inside its transaction and holds its lock until it commits,
so when the pump sees a submission finished it waits for that lock, then queues a marker behind
the events already published; ``done`` goes out when the pump reaches it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import sys
import threading
from queue import Empty, SimpleQueue
from typing import Any

from scenaria.entities.job import Job
from scenaria.entities.registry import Stored, registry
from scenaria.entities.submission import Submission
from scenaria.events.event import Event, EventEntityType
from scenaria.events.notifier import Notifier, Topic
from scenaria.exceptions import OrchestratorNotRunning, ScenariaError
from scenaria.orchestrator import lease
from scenaria.orchestrator import scheduler as scheduling
from scenaria.orchestrator.control_wire import TOPICS, encode_event, send

logger = logging.getLogger("scenaria")
_END = object()
_NOTHING = object()  # no item
BATCH = 64  # submits performed in one scheduler batch at most
#: what a session hears while its client listens to no event: submissions' state changes, to
#: see them end (events cost the holder, the wire and the client, per job, for nobody)
ENDS = (Topic(entity_type=EventEntityType.SUBMISSION, attribute_name="submission_status"),)


class ControlServer:
    """Listens for client processes in the orchestrating process, one session per connection.

    ``stream_events`` False (a PostgreSQL store, where ``orchestrator.notify`` carries events to
    every host) makes the sessions answer requests only.
    """

    def __init__(self, tcp: bool, stream_events: bool = True) -> None:
        self.token = os.urandom(16).hex()  # as secrets.token_hex, without importing it (slow)
        self.stream_events = stream_events
        self._sessions: set[_Session] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._path: str | None = None
        listen = os.environ.get("SCENARIA_CONTROL_ADDRESS")
        if tcp or listen:
            host, _, port = (listen or "0.0.0.0:0").rpartition(":")
            self._socket = socket.create_server((host or "0.0.0.0", int(port or 0)))
            shown = host if host not in ("", "0.0.0.0") else lease.hostname()
            self.address = f"tcp:{shown}:{self._socket.getsockname()[1]}"
        else:
            name = f"scenaria-{os.getpid()}-{os.urandom(4).hex()}"
            self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            if sys.platform == "linux":  # an abstract socket: no file, gone with the process (even on SIGKILL)
                self._socket.bind("\0" + name)
                self.address = f"unix:@{name}"
            else:
                import tempfile

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
            with self._lock:
                if self._closed:
                    conn.close()
                    return
                self._sessions.add(_Session(self, conn))

    def ended(self, session: _Session) -> None:
        with self._lock:
            self._sessions.discard(session)

    def close(self) -> None:
        """Take no more requests; each session ends (its client's waits return)."""
        with self._lock:
            self._closed = True
            sessions = list(self._sessions)
        with contextlib.suppress(OSError):
            self._socket.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        self._socket.close()
        if self._acceptor is not threading.current_thread():
            self._acceptor.join(5)
        for session in sessions:
            session.queue.put(_END)
        if self._path:
            with contextlib.suppress(OSError):
                os.unlink(self._path)


class _Request(dict):  # type: ignore[type-arg]
    """A client's request, as it waits in the session's queue."""


class _Flush(set):  # type: ignore[type-arg]
    """Submissions whose ``done`` goes out when the pump reaches this marker."""


class _Session:
    """One client process: its requests, and the events of the submissions it follows."""

    def __init__(self, server: ControlServer, conn: socket.socket) -> None:
        self.server = server
        self.conn = conn
        self.queue: SimpleQueue[Any] = SimpleQueue()
        self.registration: str | None = None
        self.events = False  # whether the client listens to events: until it says so, only ends go out
        if server.stream_events:  # before any request: no end of a submission made here is missed
            self.registration, _ = Notifier.register_topics(ENDS, queue=self.queue)
        self.followed: dict[str, Submission] = {}  # submission id -> the submission
        self.owner: dict[str, str] = {}  # job or submission id -> the followed submission's id
        self.finishing: set[str] = set()  # finished, their done marker queued
        self._out = conn.makefile("wb")
        threading.Thread(target=self._read, name="scenaria-control-in", daemon=True).start()
        threading.Thread(target=self._pump, name="scenaria-control-out", daemon=True).start()

    def _read(self) -> None:
        try:
            with self.conn.makefile("rb") as lines:
                for line in lines:
                    self.queue.put(_Request(json.loads(line)))
        except (OSError, ValueError):
            pass  # the client went away, or wrote garbage: the session ends
        self.queue.put(_END)

    def _pump(self) -> None:
        try:
            while True:
                item = self.queue.get()
                while _submits(item):  # and those queued behind it, as one
                    item = self._submit_queued(item)
                if item is _END:
                    break
                if item is not _NOTHING:
                    self._take(item)
                if self.queue.empty():
                    self._out.flush()
        except OSError:
            pass  # the client went away
        finally:
            if self.registration is not None:
                Notifier.unregister(self.registration)
            self.server.ended(self)
            with contextlib.suppress(OSError):
                self._out.close()
            self.conn.close()

    def _submit_queued(self, first: _Request) -> Any:
        """Perform ``first`` and the submits queued behind it in one scheduler batch; answer them
        once committed (a client may read their jobs from the store at once). Returns the item
        that ended the run (``_NOTHING`` when the queue ran dry)."""
        batch, after = [first], _NOTHING
        with contextlib.suppress(Empty):
            while len(batch) < BATCH:
                after = self.queue.get_nowait()
                if not _submits(after):
                    break
                batch.append(after)
                after = _NOTHING
        scheduler = scheduling.current()
        if scheduler is None or len(batch) == 1:
            answers = [self._reply(request) for request in batch]
        else:
            answers = []
            try:
                with scheduler.batch():
                    answers.extend(self._reply(request) for request in batch)
            except Exception as exc:  # the commit failed (this holder was deposed): none of them is stored
                if not isinstance(exc, ScenariaError):
                    logger.exception("Control requests submit failed.")
                for answer in answers:
                    self._unfollow(str(answer.get("submission_id")))
                error = str(exc) if isinstance(exc, ScenariaError) else f"{type(exc).__name__}: {exc}"
                answers = [{"rid": request.get("rid"), "ok": False, "error": error} for request in batch]
        for answer in answers:
            send(self._out, answer, flush=False)
        return after

    def _take(self, item: Any) -> None:
        if isinstance(item, _Request):
            self._answer(item)
        elif isinstance(item, _Flush):
            for submission_id in item:
                records = _records(self.followed[submission_id])
                self._unfollow(submission_id)
                send(self._out, {"done": submission_id, "records": records}, flush=False)
        else:
            self._forward(item)

    def _forward(self, event: Event) -> None:
        submission_id = self.owner.get(event.entity_id or "")
        if submission_id is None:
            return
        if self.events:
            send(self._out, {"event": encode_event(event), "submission_id": submission_id}, flush=False)
        if submission_id not in self.finishing and self.followed[submission_id].is_finished():
            self._finish(submission_id)

    def _finish(self, submission_id: str) -> None:
        self.finishing.add(submission_id)
        current = scheduling.current()
        if current is not None:  # once the scheduler lets go of its lock, the final states are committed
            with current._lock:
                pass
        self.queue.put(_Flush({submission_id}))  # behind what that transaction published

    def _follow(self, submission: Submission) -> None:
        self.followed[submission.id] = submission
        for entity_id in (submission.id, *submission._job_ids):
            self.owner[entity_id] = submission.id
        if submission.is_finished():
            self._finish(submission.id)

    def _unfollow(self, submission_id: str) -> None:
        submission = self.followed.pop(submission_id, None)
        self.finishing.discard(submission_id)
        if submission is not None:
            for entity_id in (submission.id, *submission._job_ids):
                self.owner.pop(entity_id, None)

    def _answer(self, request: _Request) -> None:
        answer = self._reply(request)
        if answer.get("rid") is not None:
            send(self._out, answer, flush=False)

    def _reply(self, request: _Request) -> dict[str, Any]:
        """Perform a request; its answer (sent unless the request has no ``rid``)."""
        rid = request.get("rid")
        if request.get("token") != self.server.token:
            return {"rid": rid, "ok": False, "error": "wrong token: read the lease again"}
        try:
            return {"rid": rid, "ok": True, **self._perform(request)}
        except ScenariaError as exc:
            return {"rid": rid, "ok": False, "error": str(exc)}
        except Exception as exc:  # a bug here must not end the session
            logger.exception("Control request %s failed.", request.get("op"))
            return {"rid": rid, "ok": False, "error": f"{type(exc).__name__}: {exc}"}

    def _perform(self, request: _Request) -> dict[str, Any]:
        op = request.get("op")
        if op == "watch":
            found = registry().get(str(request.get("submission_id")))
            if not isinstance(found, Submission):
                send(self._out, {"done": request.get("submission_id"), "missing": True}, flush=False)
            elif self.registration is not None:
                self._follow(found)
            return {}
        if op == "events":  # from now on, every event of a followed submission goes out
            if self.registration is not None and not self.events:
                self.events = True
                Notifier.register_topics(TOPICS, registration_id=self.registration)
            return {}
        scheduler = scheduling.current()
        if scheduler is None:
            raise OrchestratorNotRunning("The orchestrator is stopping; submit again once one runs.")
        if op == "submit":
            submission = _submit(scheduler, request)
            if self.registration is not None:
                self._follow(submission)
            return {"submission_id": submission.id, "record": _stored(submission)}
        if op == "cancel":
            job = registry().get(str(request.get("job_id")))
            if job is not None:
                scheduler.cancel(job)  # type: ignore[arg-type]
            return {}
        raise ValueError(f"unknown control request {op!r}")


def _submits(item: Any) -> bool:
    return isinstance(item, _Request) and item.get("op") == "submit"


def _submit(scheduler: scheduling.Scheduler, request: _Request) -> Submission:
    # the entity held here if any: what a submit reads of it (its tasks, their data nodes) never
    # changes once created, and the client checked that it still exists
    entity = registry().cached(str(request.get("entity_id")))
    if entity is None:
        raise OrchestratorNotRunning(f"{request.get('entity_id')} does not exist in the store; it cannot be submitted.")
    tasks = [entity] if entity.id.startswith("TASK_") else entity._get_sorted_tasks()  # type: ignore[attr-defined]
    created = scheduler.submit(entity, tasks, None, bool(request.get("force")), request.get("properties") or {})
    entity._publish("SUBMISSION")  # type: ignore[attr-defined]
    return created


def _stored(entity: Stored) -> dict[str, Any]:
    """The entity's record as this process last committed it (its revision included)."""
    return {**entity._to_record(), "revision": entity.__dict__.get("_revision", 0)}


def _records(submission: Submission) -> list[dict[str, Any]]:
    """A finished submission's committed records and its jobs': the client takes them without reading the store."""
    return [_stored(submission), *(_stored(job) for job in registry().get_many(Job, submission._job_ids))]
