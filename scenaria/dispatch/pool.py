"""The standalone dispatcher's inside: the state its callers and its loop share, and the loop thread.

``StandaloneDispatcher`` (``standalone``) is the facade callers use; like
``concurrent.futures.ProcessPoolExecutor`` and its manager thread, it only queues, cancels and asks
to stop, while ``PoolLoop`` — the only thread that starts processes, reads their messages and sends
them jobs — does the rest. Both work on one ``PoolState``, whose fields change under its lock, held
for bookkeeping only.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
import os
import selectors
import signal
import threading
import time
from collections import deque
from concurrent.futures import Future
from multiprocessing.connection import wait as wait_for_any
from typing import Any

from scenaria.dispatch import wire
from scenaria.dispatch.base import Ending, Outcome
from scenaria.dispatch.capture import DEFAULT_MAX_OUTPUT, Capped
from scenaria.dispatch.reporter import Reporter
from scenaria.dispatch.run import unpack
from scenaria.dispatch.workerproc import WorkerProcess, death_reason
from scenaria.exceptions import JobTimeout, WorkerDied

_logger = logging.getLogger("scenaria")

NEW, RUNNING, STOPPING, STOPPED = "new", "running", "stopping", "stopped"
_READ_SIZE = 1 << 16  # under malloc's mmap threshold: a read of a small message stays cheap


class Job:
    """A submitted job, from the queue to its ending. Fields change under the state's lock."""

    __slots__ = ("done", "err", "job_id", "out", "payload", "started_at", "timeout", "worker")

    def __init__(
        self, job_id: str, payload: bytes, timeout: float | None, max_output: int = DEFAULT_MAX_OUTPUT
    ) -> None:
        self.job_id = job_id
        self.payload = payload
        self.timeout = timeout
        self.worker: WorkerProcess | None = None  # set while it runs
        self.started_at: float | None = None
        self.out = Capped(max_output)
        self.err = Capped(max_output)
        self.done = False  # ended (or canceled in the queue): nothing more is reported

    def outcome(self, ending: Ending, **fields: Any) -> Outcome:
        fields.setdefault("started_at", self.started_at)
        fields.setdefault("finished_at", time.time())
        return Outcome(self.job_id, ending, stdout=str(self.out), stderr=str(self.err), **fields)


class PoolState:
    """What the facade and the loop share: the queue, the jobs, the workers, the wake-up pipe."""

    def __init__(self, reporter: Reporter) -> None:
        self.lock = threading.Lock()
        self.state = NEW
        self.queue: list[tuple[int, int, Job]] = []  # heap (-priority, order, job); canceled jobs stay, marked done
        self.order = itertools.count()
        self.jobs: dict[str, Job] = {}  # queued or running, by id
        self.workers: set[WorkerProcess] = set()  # started and not reaped
        self.idle: deque[WorkerProcess] = deque()
        self.wake_pending = False
        self.broken = ""  # why no worker can start any more
        self.ready: Future[None] = Future()
        self.reporter = reporter
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_r, False)
        os.set_blocking(self.wake_w, False)

    def report(self, outcome: Outcome) -> None:
        self.reporter.finished(outcome)

    def wake(self) -> None:
        with contextlib.suppress(OSError):  # full (the loop will wake anyway) or closed (stopped)
            os.write(self.wake_w, b"\0")

    def kill_running(self, job: Job, ending: Ending, error: BaseException | None, reason: str) -> None:
        """End a running job by killing its process (lock held); the loop replaces the process."""
        worker = job.worker
        assert worker is not None
        worker.job, job.worker, job.done = None, None, True
        worker.doomed = True
        del self.jobs[job.job_id]
        worker.kill()
        self.report(job.outcome(ending, error=error, traceback=reason, details={"pid": worker.pid}))


class PoolLoop(threading.Thread):
    """The loop thread: keeps ``max_workers`` processes, feeds them jobs and hears how each ended.

    It sleeps in one selector over every worker's connection, every worker's death sentinel (a
    pidfd) and the state's wake-up pipe; the selector's timeout is the nearest job deadline.
    """

    def __init__(self, shared: PoolState, max_workers: int, settings: dict[str, Any], stop_grace: float) -> None:
        super().__init__(name="scenaria-standalone", daemon=True)
        self._shared = shared
        self._max_workers = max_workers
        self._settings = settings
        self._stop_grace = stop_grace
        self._cwd = os.getcwd()
        self._lifeline_r, self._lifeline_w = os.pipe()  # we never write: workers wait for EOF
        self._deadlines: list[tuple[float, int, Job]] = []  # heap
        self._sequence = itertools.count()
        self._starting = 0
        self._sends: list[tuple[WorkerProcess, bytes]] = []  # jobs handed to workers in this step
        self._selector: selectors.BaseSelector = selectors.DefaultSelector()

    def run(self) -> None:
        shared = self._shared
        failure: BaseException | None = None
        try:
            self._selector.register(shared.wake_r, selectors.EVENT_READ, None)
            for _ in range(self._max_workers):
                self._spawn()
            while shared.state is RUNNING:
                self._step()
        except BaseException as exc:
            failure = exc
            if shared.ready.done():
                _logger.exception("The standalone dispatcher's loop failed; its jobs are lost.")
            else:
                shared.ready.set_exception(exc)
        finally:
            self._shutdown(failure)

    def _step(self) -> None:
        """Handle what the selector says, then report what it made happen (in one go: one wake-up
        of the listener's thread for the runs' ends and the starts of the jobs taking their
        workers), then send those jobs (their start is reported before they run, as always)."""
        events = self._selector.select(self._next_deadline_in())
        with self._shared.reporter.gathering():
            for key, _ in events:
                if key.data is None:
                    self._drain_wake()
                    continue
                worker, is_sentinel = key.data
                if worker not in self._shared.workers:  # reaped earlier in this batch
                    continue
                if is_sentinel:
                    self._on_exit(worker)
                else:
                    self._on_readable(worker)
            self._expire_deadlines()
            self._dispatch()
        sends, self._sends = self._sends, []
        for worker, payload in sends:
            with contextlib.suppress(OSError):  # it died: its sentinel will say so
                worker.conn.send_bytes(payload)

    def _dispatch(self) -> None:
        """Hand queued jobs to idle workers, highest priority first, then oldest first; the step
        sends them once it has reported what it saw."""
        shared = self._shared
        with shared.lock:
            if shared.broken:
                self._fail_queue()
            while shared.idle and shared.queue:
                job = heapq.heappop(shared.queue)[2]
                if job.done:  # canceled while queued
                    continue
                worker = shared.idle.popleft()
                worker.job, job.worker = job, worker
                job.started_at = time.time()
                if job.timeout is not None:
                    entry = (time.monotonic() + job.timeout, next(self._sequence), job)
                    heapq.heappush(self._deadlines, entry)
                shared.reporter.started(job.job_id, job.started_at)
                self._sends.append((worker, job.payload))
                job.payload = b""

    def _on_readable(self, worker: WorkerProcess) -> bool:
        """Read what the worker sent and act on it; False at EOF (or when it sent garbage)."""
        try:
            data = os.read(worker.conn.fileno(), _READ_SIZE)
        except OSError:
            data = b""
        if not data:  # EOF stays readable: stop watching it
            self._unregister(worker.conn)
            if worker.pidfd is None and not worker.exited_seen:
                self._on_exit(worker)
            return False
        try:
            for message in worker.frames.feed(data):
                self._handle(worker, message)
        except wire.Malformed as exc:
            self._on_malformed(worker, str(exc))
            return False
        return True

    def _on_malformed(self, worker: WorkerProcess, what: str) -> None:
        """A worker's channel carried garbage: fail its job with the reason and replace it."""
        self._unregister(worker.conn)
        reason = (
            f"The worker process (pid {worker.pid}) sent {what}; its channel cannot be trusted any more, "
            "so it was killed and replaced. Something the job ran wrote onto that channel."
        )
        with self._shared.lock:
            job = worker.job
            if job is not None and not job.done:
                self._shared.kill_running(job, Ending.FAILED, WorkerDied(reason), reason)
            else:
                worker.doomed = True
                worker.kill()
        _logger.error("%s", reason)

    def _handle(self, worker: WorkerProcess, message: tuple[Any, ...]) -> None:
        shared = self._shared
        kind = message[0]
        if kind == wire.OUTPUT:
            with shared.lock:
                job = worker.job
                if job is not None:
                    (job.out if message[1] == wire.STDOUT else job.err).append(message[2])
                    shared.reporter.output(job.job_id, wire.STREAM_NAMES[message[1]], message[2])
        elif kind == wire.LOG or kind == wire.PROGRESS:
            self._on_side(worker, message)
        elif kind == wire.DONE or kind == wire.FAILED:
            self._on_end(worker, message)
        elif kind == wire.RETIRING:
            worker.retiring = True
        elif kind == wire.READY:
            worker.ready = True
            with shared.lock:
                shared.idle.append(worker)
            self._starting -= 1
            if self._starting == 0 and not shared.ready.done():
                shared.ready.set_result(None)
        elif kind == wire.INIT_FAILED:
            worker.init_error = message[1]

    def _on_side(self, worker: WorkerProcess, message: tuple[Any, ...]) -> None:
        """A running job's log record (kept in its stderr, handed to the listener) or progress."""
        shared = self._shared
        with shared.lock:
            job = worker.job
            if job is None:
                return
            if message[0] == wire.LOG:
                job.err.append(message[2])
                shared.reporter.log(job.job_id, message[1])
            else:
                shared.reporter.progress(job.job_id, message[1], message[2])

    def _on_end(self, worker: WorkerProcess, message: tuple[Any, ...]) -> None:
        """A worker answered DONE or FAILED: it is idle again; report the job's end."""
        shared = self._shared
        with shared.lock:
            job = worker.job
            if job is None:  # canceled or timed out meanwhile: already reported
                return
            worker.job, job.worker, job.done = None, None, True
            del shared.jobs[job.job_id]
            if not worker.exited_seen and not worker.retiring:
                shared.idle.append(worker)  # the step gives it the next job
        shared.report(job.outcome(**unpack(job.job_id, message), details={"pid": worker.pid}))

    def _on_exit(self, worker: WorkerProcess) -> None:
        """A worker exited: report its job DIED (unless it was killed on purpose), replace it."""
        shared = self._shared
        worker.exited_seen = True
        self._unregister(worker.conn)
        if worker.pidfd is not None:
            self._unregister(worker.pidfd)
        with contextlib.suppress(OSError):  # what it said before dying still counts
            while not worker.doomed and worker.conn.poll(0) and self._on_readable(worker):
                pass
        with shared.lock:
            shared.workers.discard(worker)
            with contextlib.suppress(ValueError):
                shared.idle.remove(worker)
            job, worker.job = worker.job, None
            if job is not None:
                job.done, job.worker = True, None
                del shared.jobs[job.job_id]
        # Reaped only now: until then a concurrent cancel() may still signal it (a zombie keeps
        # its pid, so the signal cannot reach a stranger that reused it).
        code = worker.reap()
        if job is not None:
            reason = f"The worker process (pid {worker.pid}) running job {job.job_id} {death_reason(code)}."
            if worker.crash_report:
                reason += "\n" + worker.crash_report
            shared.report(job.outcome(Ending.DIED, error=WorkerDied(reason), traceback=reason,
                                      details={"pid": worker.pid, "exit_code": code}))  # fmt: skip
        if not worker.ready:
            self._lost_while_starting(worker, code)
        elif shared.state is RUNNING:
            self._replace(worker)

    def _lost_while_starting(self, worker: WorkerProcess, code: int) -> None:
        """A worker died before it was ready: fail the start, or give up on that place."""
        shared = self._shared
        self._starting -= 1
        message = f"A standalone worker process {death_reason(code)} while starting."
        if worker.init_error:
            message += "\n" + worker.init_error
        if not shared.ready.done():
            shared.ready.set_exception(WorkerDied(message))
            return
        _logger.error("%s It is not replaced.", message)
        if not shared.workers:
            with shared.lock:
                shared.broken = message

    def _replace(self, worker: WorkerProcess) -> None:
        try:
            self._spawn()
        except OSError as exc:
            _logger.exception("Cannot start a standalone worker to replace pid %s.", worker.pid)
            if not self._shared.workers:
                with self._shared.lock:
                    self._shared.broken = f"No standalone worker process can start: {exc}"

    def _expire_deadlines(self) -> None:
        now = time.monotonic()
        while self._deadlines and self._deadlines[0][0] <= now:
            job = heapq.heappop(self._deadlines)[2]
            with self._shared.lock:
                if not job.done:
                    message = f"Job {job.job_id} timed out after {job.timeout:g} s; its process was killed."
                    self._shared.kill_running(job, Ending.TIMED_OUT, JobTimeout(message), message)

    def _next_deadline_in(self) -> float | None:
        """Seconds to the nearest deadline of a running job: the selector's timeout."""
        while self._deadlines and self._deadlines[0][2].done:
            heapq.heappop(self._deadlines)
        if not self._deadlines:
            return None
        return max(0.0, self._deadlines[0][0] - time.monotonic())

    def _spawn(self) -> None:
        """Start one worker (this thread only: PR_SET_PDEATHSIG ties workers to this thread)."""
        worker = WorkerProcess(self._settings, self._lifeline_r, self._cwd)
        with self._shared.lock:
            self._shared.workers.add(worker)
        self._starting += 1
        self._selector.register(worker.conn, selectors.EVENT_READ, (worker, False))
        if worker.pidfd is not None:
            self._selector.register(worker.pidfd, selectors.EVENT_READ, (worker, True))

    def _fail_queue(self) -> None:
        """No worker can run anything: fail every queued job with the reason (lock held)."""
        shared = self._shared
        while shared.queue:
            job = heapq.heappop(shared.queue)[2]
            if not job.done:
                job.done = True
                del shared.jobs[job.job_id]
                shared.report(job.outcome(Ending.FAILED, error=WorkerDied(shared.broken), traceback=shared.broken))

    def _drain_wake(self) -> None:
        # Read first, then clear: a byte written between the two would be drained with the flag
        # still set, and every later submit would skip its wake-up (a lost wake-up). One read: the
        # flag keeps the pipe to a few bytes, and any left would only wake the loop once more.
        with contextlib.suppress(OSError):
            os.read(self._shared.wake_r, 4096)
        with self._shared.lock:
            self._shared.wake_pending = False

    def _unregister(self, fileobj: Any) -> None:
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._selector.unregister(fileobj)

    def _shutdown(self, failure: BaseException | None) -> None:
        """End every worker and release everything (this thread, when it leaves)."""
        shared = self._shared
        with shared.lock:
            shared.state = STOPPING
            running = [job for job in shared.jobs.values() if job.worker is not None]
            for job in running:
                job.done, job.worker = True, None
            shared.jobs.clear()
            shared.queue.clear()
            shared.idle.clear()
            workers = list(shared.workers)
        if failure is not None:  # nobody else will ever say how these ended
            message = f"The standalone dispatcher failed: {failure!r}"
            for job in running:
                shared.report(job.outcome(Ending.DIED, error=WorkerDied(message), traceback=message))
        self._end_processes(workers)
        with shared.lock:
            shared.workers.clear()
            shared.state = STOPPED
        self._selector.close()
        for fd in (shared.wake_r, shared.wake_w, self._lifeline_r, self._lifeline_w):
            with contextlib.suppress(OSError):
                os.close(fd)
        if not shared.ready.done():
            shared.ready.set_exception(RuntimeError("The dispatcher stopped while it started."))
        shared.reporter.close()

    def _end_processes(self, workers: list[WorkerProcess]) -> None:
        """SIGTERM every worker, SIGKILL those still there after the grace period, reap all."""
        for worker in workers:
            worker.kill(signal.SIGTERM)
        deadline = time.monotonic() + self._stop_grace
        pending = {worker.sentinel: worker for worker in workers if not worker.exited()}
        while pending and (left := deadline - time.monotonic()) > 0:
            for sentinel in wait_for_any(list(pending), timeout=left):
                pending.pop(sentinel)  # type: ignore[arg-type]
        for worker in pending.values():
            worker.kill(signal.SIGKILL)
        for worker in workers:
            worker.reap()
