"""The Dask worker's side of dask mode: each job runs in a child process, so that it can be killed.

A Dask worker runs a task in one of its threads, and nothing stops a thread. So the task that
``DaskDispatcher`` submits (``run_on_worker``) does not run the job itself: it hands it to a
child process of the Dask worker — a standalone worker process (``worker``, ``workerproc``),
one per Dask worker thread, started when an orchestrator connects (``prepare_children``) or else
at the thread's first job, and kept for the next ones, with the same hygiene between jobs as
in standalone mode — and watches, while the job runs:

- the child's messages: what the job prints, the log records it emits and its progress are
  published at once to the orchestrator as Dask events (``Worker.log_event`` on the dispatcher's
  topic), and so is the job's end, last: the scheduler pushes them to the orchestrator's client in
  the order they were sent, with no round trip to fetch a result (the task's own result repeats
  the end, with the job's whole output, in case an event went missing). The job's start is
  published when it has run for ``QUIET_START`` seconds, or before its first report: a job that
  ends sooner sends its end only, which says when it started. Each stream between Dask's
  processes sends at most one batch every few milliseconds, so a "started" event just before
  the end would hold the end back, and the orchestrator would store a RUNNING state of its own;
- whether the task is still wanted: a task that the orchestrator canceled (``cancel``, a
  ``stop``) or whose client went away (the orchestrator died) is ``cancelled`` in the Dask
  worker's state; the child is then killed with every process it started, before it writes again;
- the job's ``timeout``, counted from when the child got the job (not while it waited in the
  cluster's queue); at the deadline the child is killed the same way.

The child dies with its Dask worker (``PR_SET_PDEATHSIG`` and a lifeline pipe, as standalone
workers do with their orchestrator), so a killed Dask worker leaves no job running.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import wait as wait_for_any
from typing import Any

from scenaria.dispatch import wire
from scenaria.dispatch.capture import Capped
from scenaria.dispatch.jobside import apply_levels
from scenaria.dispatch.workerproc import WorkerProcess, death_reason

POLL = 0.05  # seconds between two looks at whether the task is still wanted
QUIET_START = 0.02  # seconds a job runs before its start is published (unless it reports sooner)
START_TIMEOUT = 120.0  # seconds a child process may take to import what it needs
# How a run ended on the worker, besides the child's own DONE or FAILED message.
KILLED_CANCELED, KILLED_TIMED_OUT, CHILD_DIED = "canceled", "timed_out", "died"

_idle: list[WorkerProcess] = []  # children waiting for a job, one per Dask worker thread at most
_idle_lock = threading.Lock()
_idle_changed = threading.Condition(_idle_lock)  # a child was given back, or the preparing ended
_preparing = [0]  # children that ``prepare_children`` is still to start: a job waits for one of them
_lifeline: list[int] = []  # the read end of a pipe nobody writes: EOF when this process dies
_spawner: list[ThreadPoolExecutor] = []  # the one thread that starts children (see ``_take``)
HOST = socket.gethostname()


class WithLevels:
    """A job's pickled runnable with the orchestrator's logger levels, set in the child before it runs."""

    def __init__(self, levels: dict[str, int], payload: bytes) -> None:
        self.levels = levels
        self.payload = payload

    def run(self) -> Any:
        apply_levels(self.levels)
        return pickle.loads(self.payload).run()


def run_on_worker(
    payload: bytes, levels: dict[str, int], job_id: str, topic: str, timeout: float | None, max_output: int
) -> dict[str, Any]:
    """Run one job in a child process of this Dask worker; what became of it, as plain data. Never
    raises for the job's own failures (they are in the child's FAILED message)."""
    from distributed import get_worker

    worker = get_worker()
    watch = _Watch(worker, worker.get_current_task(), topic, job_id, max_output)
    child = _take()
    started = time.time()
    watch.start = (started, HOST, child.pid)
    end: dict[str, Any] = {"host": HOST, "pid": child.pid, "started_at": started}
    with contextlib.suppress(OSError):  # it died: the loop below says how
        child.conn.send_bytes(pickle.dumps(WithLevels(levels, payload), protocol=wire.PROTOCOL))
    now = time.monotonic()
    deadline = None if timeout is None else now + timeout
    quiet_until = now + QUIET_START
    ending: tuple[Any, ...] | str | None = None
    while ending is None:
        quiet = quiet_until - time.monotonic()
        if quiet <= 0:
            watch.announce()
        ending = _step(child, watch, POLL if quiet <= 0 else min(quiet, POLL))
        if ending is None and not watch.wanted():
            ending = KILLED_CANCELED
        elif ending is None and deadline is not None and time.monotonic() >= deadline:
            ending = KILLED_TIMED_OUT
    if isinstance(ending, str):
        if ending != CHILD_DIED:
            child.doomed = True
            child.kill()
        code = child.reap()
        end["reason"] = f"its process (pid {child.pid} on {HOST}) {death_reason(code)}"
    elif child.retiring or child.exited():
        child.kill()
        child.reap()
    else:
        _give_back(child, worker.state.nthreads)
    end.update(ending=ending, finished_at=time.time(), announced=watch.start is None)
    watch.publish("ended", end)  # pushed to the orchestrator after its output: no round trip to fetch it
    end.update(stdout=str(watch.out), stderr=str(watch.err))
    return end  # the future's result, fetched only if the "ended" event went missing


class _Watch:
    """One running job as its Dask task sees it: where its reports go, and what it printed."""

    def __init__(self, worker: Any, key: Any, topic: str, job_id: str, max_output: int) -> None:
        self._worker = worker
        self._key = key
        self._topic = topic
        self._job_id = job_id
        self.out = Capped(max_output)
        self.err = Capped(max_output)
        self.start: tuple[float, str, int] | None = None  # (when, host, pid) until the start is published

    def announce(self) -> None:
        """Publish the job's start, once, before any other report of it but its end."""
        if self.start is not None:
            start, self.start = self.start, None
            self.publish("started", *start)

    def publish(self, kind: str, *args: Any) -> None:
        self._worker.log_event(self._topic, [self._job_id, kind, *args])

    def wanted(self) -> bool:
        """False once the scheduler let go of the task: canceled, or its client is gone."""
        task = self._worker.state.tasks.get(self._key)
        return task is not None and task.state not in ("cancelled", "released", "forgotten")

    def handle(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        self.announce()
        if kind == wire.OUTPUT:
            (self.out if message[1] == wire.STDOUT else self.err).append(message[2])
            self.publish("output", wire.STREAM_NAMES[message[1]], message[2])
        elif kind == wire.LOG:
            self.err.append(message[2])
            self.publish("log", message[1], message[2])
        elif kind == wire.PROGRESS:
            self.publish("progress", message[1], message[2])


def _step(child: WorkerProcess, watch: _Watch, wait: float) -> tuple[Any, ...] | str | None:
    """Wait up to ``wait`` s for the child; its end (DONE or FAILED message, or ``CHILD_DIED``), else None."""
    ready = wait_for_any([child.conn, child.sentinel], wait)
    if not ready:
        return None
    for message in _read(child):
        if message[0] == wire.DONE or message[0] == wire.FAILED:
            return message
        if message[0] == wire.RETIRING:
            child.retiring = True
        else:
            watch.handle(message)
    if child.exited_seen:
        return CHILD_DIED
    return None


def _read(child: WorkerProcess) -> list[tuple[Any, ...]]:
    """The messages the child sent that are there to read (all of them once it has exited)."""
    messages: list[tuple[Any, ...]] = []
    while True:
        try:
            data = os.read(child.conn.fileno(), 1 << 16) if child.conn.poll(0) else None
        except OSError:
            data = b""
        if data is None and child.exited():
            child.exited_seen = True
            return messages
        if data is None:
            return messages
        if not data:
            child.exited_seen = True
            return messages
        try:
            messages.extend(child.frames.feed(data))
        except wire.Malformed:  # the job wrote onto the channel: the child cannot be trusted
            child.kill()
            child.exited_seen = True
            return messages


async def prepare_children(dask_worker: Any) -> None:
    """Start this Dask worker's job processes before its first jobs come (the dispatcher has every
    worker run this when it connects): one per worker thread, in the background, so that the
    first jobs do not each wait for a process to start and import what it needs. A worker that
    has job processes already, or that joins later, starts them at its first jobs."""
    count = dask_worker.state.nthreads
    threading.Thread(target=_prepare, args=(count,), name="scenaria-dask-prepare", daemon=True).start()


def _prepare(count: int) -> None:
    with _idle_lock:
        if not _first_child():
            return
        _preparing[0] = count
    try:
        for _ in range(count):
            child = _new_child()
            with _idle_changed:  # at once for a job that waits (no job started a child of its own)
                _preparing[0] -= 1
                _idle.append(child)
                _idle_changed.notify()
    except Exception:  # a job's own start says why, to its orchestrator
        pass
    finally:
        with _idle_changed:
            _preparing[0] = 0
            _idle_changed.notify_all()


def _first_child() -> bool:
    """Get ready to start children (under ``_idle_lock``); True the first time."""
    if _lifeline:
        return False
    read_end, _write_end = os.pipe()  # the write end stays open, unused, for this process's life
    _lifeline.append(read_end)
    _spawner.append(ThreadPoolExecutor(1, thread_name_prefix="scenaria-dask-spawner"))
    return True


def _take() -> WorkerProcess:
    """An idle child process, or a new one once it said it is ready."""
    with _idle_changed:
        while True:
            while _idle:
                child = _idle.pop()
                if not child.exited():
                    return child
                child.reap()
            if not _preparing[0]:
                break
            _idle_changed.wait()
        _first_child()
    return _new_child()


def _new_child() -> WorkerProcess:
    settings = {"sys_path": list(sys.path), "log_level": logging.getLogger().getEffectiveLevel(), "log_levels": {},
                "preload": (), "initializer": None, "job_grace": 1.0, "max_jobs": None}  # fmt: skip
    # Started from a thread that lives as long as this process: Linux sends a child its death signal
    # when the *thread* that started it ends, and Dask may retire the thread running this task.
    child = _spawner[0].submit(WorkerProcess, settings, _lifeline[0], os.getcwd()).result()
    deadline = time.monotonic() + START_TIMEOUT
    while not child.ready and not child.exited_seen and time.monotonic() < deadline:
        wait_for_any([child.conn, child.sentinel], 1.0)
        for message in _read(child):
            if message[0] == wire.READY:
                child.ready = True
            elif message[0] == wire.INIT_FAILED:
                child.init_error = message[1]
    if not child.ready:
        child.kill()
        code = child.reap()
        raise RuntimeError(
            f"The child process that runs scenaria jobs on Dask worker {HOST} did not start "
            f"(it {death_reason(code)}): {child.init_error or 'no error reported'}"
        )
    return child


def _give_back(child: WorkerProcess, limit: int) -> None:
    """Keep ``child`` for a next job, unless ``limit`` children (one per worker thread) wait already."""
    with _idle_changed:
        keep = len(_idle) < limit
        if keep:
            _idle.append(child)
            _idle_changed.notify()
    if not keep:
        child.kill()
        child.reap()
