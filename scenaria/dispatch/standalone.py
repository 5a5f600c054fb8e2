"""The standalone dispatcher: jobs run in a pool of local worker processes, driven by events.

Threads of the orchestrating process:

- **callers** of ``submit``/``cancel``/``stop``. ``submit`` pickles the runnable in the caller's
  thread (an unpicklable one is reported FAILED at once) and queues it; ``cancel`` acts at once:
  it drops a queued job, or kills the process of a running one (SIGKILL to its process group).
- **the loop** (``scenaria-standalone``), the only thread that starts processes, reads their
  messages and sends them jobs. It sleeps in one selector over every worker's connection, every
  worker's death sentinel (a pidfd) and a self-pipe that ``submit`` and ``stop`` write to; the
  selector's timeout is the nearest job deadline, or none. Nothing on the path polls or sleeps.
- **the reporter** (``scenaria-standalone-reporter``) calls the listener, so a slow listener
  never holds up dispatch (see ``reporter``).

Per job, one message goes to a worker (the pickled runnable, sent only to an idle worker, which
starts it at once: ``job_started`` is reported as it is sent) and one comes back (its result or
error with the run's timings), plus a message per line the job prints. Shared state is guarded by
one lock, held for bookkeeping only.

How endings are detected: a result message (COMPLETED / FAILED); ``cancel`` (CANCELED, process
killed by the caller's thread); the loop's deadline heap (TIMED_OUT, process killed); the pidfd of
a worker that exited with a job still assigned (DIED, with its exit code or signal, and the Python
stack faulthandler wrote if it crashed). Every worker that ends is replaced. Workers die with the
orchestrator through ``PR_SET_PDEATHSIG`` and a lifeline pipe (see ``worker``).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
import os
import selectors
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from multiprocessing.connection import wait as wait_for_any
from typing import Any

import cloudpickle

from scenaria.dispatch import wire
from scenaria.dispatch.base import Dispatcher, DispatchListener, Ending, Outcome, Runnable
from scenaria.dispatch.pickling import RunnableNotPicklable, dumps_runnable
from scenaria.dispatch.reporter import Reporter
from scenaria.dispatch.workerproc import WorkerProcess, death_reason
from scenaria.exceptions import JobTimeout, ResultNotPicklable, WorkerDied

_logger = logging.getLogger("scenaria")

_NEW, _RUNNING, _STOPPING, _STOPPED = "new", "running", "stopping", "stopped"


class _Job:
    """A submitted job, from the queue to its ending. Fields change under the dispatcher's lock."""

    __slots__ = ("done", "err", "job_id", "out", "payload", "started_at", "timeout", "worker")

    def __init__(self, job_id: str, payload: bytes, timeout: float | None) -> None:
        self.job_id = job_id
        self.payload = payload
        self.timeout = timeout
        self.worker: WorkerProcess | None = None  # set while it runs
        self.started_at: float | None = None
        self.out: list[str] = []
        self.err: list[str] = []
        self.done = False  # ended (or canceled in the queue): nothing more is reported

    def outcome(self, ending: Ending, **fields: Any) -> Outcome:
        fields.setdefault("started_at", self.started_at)
        fields.setdefault("finished_at", time.time())
        return Outcome(self.job_id, ending, stdout="".join(self.out), stderr="".join(self.err), **fields)


class StandaloneDispatcher(Dispatcher):
    """Runs jobs in ``max_workers`` local worker processes, at most one job per process at once.

    ``preload`` names modules every worker imports when it starts, before it says it is ready, so
    that the first job of each worker does not pay for them (the orchestrator's runnable module,
    say). ``initializer`` (picklable, no arguments) then runs once in every worker: the place for
    per-process set-up such as serving ``import taipy``. ``log_level`` is the level of the
    workers' root logger (default: the orchestrator's root level when ``start`` is called);
    records are formatted onto the job's stderr. ``stop_grace`` is how long ``stop`` lets workers
    end after SIGTERM before killing them.
    """

    def __init__(
        self,
        max_workers: int = 1,
        *,
        preload: Iterable[str] = (),
        initializer: Callable[[], object] | None = None,
        log_level: int | None = None,
        stop_grace: float = 1.0,
        start_timeout: float = 60.0,
    ) -> None:
        if os.name != "posix":
            raise OSError("The standalone dispatcher needs a POSIX system (Linux or macOS).")
        if max_workers < 1:
            raise ValueError(f"max_workers must be at least 1, not {max_workers!r}")
        self._max_workers = max_workers
        self._preload = tuple(preload)
        self._initializer = initializer
        self._log_level = log_level
        self._stop_grace = stop_grace
        self._start_timeout = start_timeout
        self._lock = threading.Lock()
        self._state = _NEW
        self._queue: deque[_Job] = deque()  # FIFO; canceled jobs stay in it, marked done
        self._jobs: dict[str, _Job] = {}  # queued or running, by id
        self._workers: set[WorkerProcess] = set()  # started and not reaped
        self._idle: deque[WorkerProcess] = deque()
        self._deadlines: list[tuple[float, int, _Job]] = []  # heap; the loop's only
        self._sequence = itertools.count()
        self._starting = 0
        self._wake_pending = False
        self._broken = ""  # why no worker can start any more
        self._ready: Future[None] = Future()
        self._thread: threading.Thread | None = None
        self._reporter: Reporter | None = None
        self._selector: selectors.BaseSelector | None = None
        self._settings: dict[str, Any] = {}
        self._cwd = ""
        self._wake_r = self._wake_w = self._lifeline_r = self._lifeline_w = -1

    @property
    def max_workers(self) -> int:
        return self._max_workers

    def worker_pids(self) -> list[int]:
        """The process ids of the live workers (for monitoring and tests)."""
        with self._lock:
            return sorted(worker.pid for worker in self._workers)

    # --- the contract ----------------------------------------------------------------------------
    def start(self, listener: DispatchListener) -> None:
        """Start the workers; return once each has answered that it is ready."""
        with self._lock:
            if self._state is not _NEW:
                raise RuntimeError("A StandaloneDispatcher can be started once only.")
            self._state = _RUNNING
        initializer = None if self._initializer is None else cloudpickle.dumps(self._initializer)
        level = self._log_level if self._log_level is not None else logging.getLogger().getEffectiveLevel()
        self._settings = {
            "sys_path": list(sys.path),
            "log_level": level,
            "preload": self._preload,
            "initializer": initializer,
        }
        self._cwd = os.getcwd()
        self._reporter = Reporter(listener, "scenaria-standalone-reporter")
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._lifeline_r, self._lifeline_w = os.pipe()  # we never write: workers wait for EOF
        self._thread = threading.Thread(target=self._loop, name="scenaria-standalone", daemon=True)
        self._thread.start()
        try:
            self._ready.result(timeout=self._start_timeout)
        except BaseException as exc:
            self.stop()
            if isinstance(exc, TimeoutError):
                raise WorkerDied(
                    f"The {self._max_workers} standalone worker process(es) were not ready after "
                    f"{self._start_timeout:g} s."
                ) from None
            raise

    def submit(self, job_id: str, runnable: Runnable, timeout: float | None = None) -> None:
        """Queue the job and return at once; it starts when a worker is free, in FIFO order."""
        if timeout is not None and not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds or None, not {timeout!r}")
        if self._state is _NEW:
            raise RuntimeError("The dispatcher is not started: call start() before submit().")
        if self._state is not _RUNNING:
            raise RuntimeError(f"The dispatcher is {self._state}: it takes no more jobs.")
        try:
            payload = dumps_runnable(job_id, runnable)
        except RunnableNotPicklable as exc:
            assert self._reporter is not None
            self._reporter.finished(Outcome(job_id, Ending.FAILED, error=exc, traceback=str(exc),
                                            finished_at=time.time()))  # fmt: skip
            return
        job = _Job(job_id, payload, timeout)
        with self._lock:
            if self._state is not _RUNNING:
                raise RuntimeError(f"The dispatcher is {self._state}: it takes no more jobs.")
            if job_id in self._jobs:
                raise ValueError(f"Job {job_id} is already queued or running.")
            self._jobs[job_id] = job
            self._queue.append(job)
            wake, self._wake_pending = not self._wake_pending, True
        if wake:
            self._wake()

    def cancel(self, job_id: str) -> bool:
        """Drop a queued job or kill the process of a running one; either is reported CANCELED."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                return False
            if job.worker is None:
                job.done = True
                job.payload = b""
                del self._jobs[job_id]
                self._report(job.outcome(Ending.CANCELED, traceback=f"Job {job_id} was canceled before it started."))
            else:
                self._kill_running(
                    job,
                    Ending.CANCELED,
                    None,
                    f"Job {job_id} was canceled while it ran; its process was killed.",
                )
        return True

    def stop(self, wait: bool = True) -> None:
        """End every worker (SIGTERM, then SIGKILL after ``stop_grace``); running and queued jobs
        are dropped unreported. With ``wait``, return when all is released and every report made
        before the stop has been delivered."""
        with self._lock:
            if self._state is _NEW:
                self._state = _STOPPED
                return
            if self._state is _RUNNING:
                self._state = _STOPPING
        self._wake()
        if wait and self._thread is not None:
            if threading.current_thread() is not self._thread:
                self._thread.join()
            assert self._reporter is not None
            self._reporter.join()

    # --- the loop --------------------------------------------------------------------------------
    def _loop(self) -> None:
        failure: BaseException | None = None
        self._selector = selectors.DefaultSelector()
        try:
            self._selector.register(self._wake_r, selectors.EVENT_READ, None)
            for _ in range(self._max_workers):
                self._spawn()
            while self._state is _RUNNING:
                self._step()
        except BaseException as exc:
            failure = exc
            if self._ready.done():
                _logger.exception("The standalone dispatcher's loop failed; its jobs are lost.")
            else:
                self._ready.set_exception(exc)
        finally:
            self._shutdown(failure)

    def _step(self) -> None:
        assert self._selector is not None
        for key, _ in self._selector.select(self._next_deadline_in()):
            if key.data is None:
                self._drain_wake()
                continue
            worker, is_sentinel = key.data
            if worker not in self._workers:  # reaped earlier in this batch
                continue
            if is_sentinel:
                self._on_exit(worker)
            else:
                self._on_readable(worker)
        self._expire_deadlines()
        self._dispatch()

    def _dispatch(self) -> None:
        """Send queued jobs to idle workers, oldest first."""
        sends = []
        with self._lock:
            if self._broken:
                self._fail_queue()
            while self._idle and self._queue:
                job = self._queue.popleft()
                if job.done:  # canceled while queued
                    continue
                worker = self._idle.popleft()
                worker.job, job.worker = job, worker
                job.started_at = time.time()
                if job.timeout is not None:
                    entry = (time.monotonic() + job.timeout, next(self._sequence), job)
                    heapq.heappush(self._deadlines, entry)
                self._reporter.started(job.job_id, job.started_at)  # type: ignore[union-attr]
                sends.append((worker, job.payload))
                job.payload = b""
        for worker, payload in sends:
            with contextlib.suppress(OSError):  # it died: its sentinel will say so
                worker.conn.send_bytes(payload)

    def _on_readable(self, worker: WorkerProcess) -> None:
        try:
            data = worker.conn.recv_bytes()
        except (EOFError, OSError):  # EOF stays readable: stop watching it
            self._unregister(worker.conn)
            if worker.pidfd is None:
                self._on_exit(worker)
            return
        self._handle(worker, wire.loads(data))

    def _handle(self, worker: WorkerProcess, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == wire.OUTPUT:
            with self._lock:
                job = worker.job
                if job is not None:
                    (job.out if message[1] == wire.STDOUT else job.err).append(message[2])
                    self._reporter.output(job.job_id, wire.STREAM_NAMES[message[1]], message[2])  # type: ignore[union-attr]
        elif kind == wire.DONE or kind == wire.FAILED:
            with self._lock:
                job = worker.job
                if job is None:  # canceled or timed out meanwhile: already reported
                    return
                worker.job, job.worker, job.done = None, None, True
                del self._jobs[job.job_id]
                alive = not worker.exited_seen
                if alive:
                    self._idle.append(worker)
            if alive:
                self._dispatch()  # feed the worker before building the outcome
            self._report(_outcome(job, message, worker.pid))
        elif kind == wire.READY:
            worker.ready = True
            with self._lock:
                self._idle.append(worker)
            self._starting -= 1
            if self._starting == 0 and not self._ready.done():
                self._ready.set_result(None)
        elif kind == wire.INIT_FAILED:
            worker.init_error = message[1]

    def _on_exit(self, worker: WorkerProcess) -> None:
        """A worker exited: report its job DIED (unless it was killed on purpose), replace it."""
        worker.exited_seen = True
        self._unregister(worker.conn)
        if worker.pidfd is not None:
            self._unregister(worker.pidfd)
        with contextlib.suppress(OSError, EOFError):  # what it said before dying still counts
            while worker.conn.poll(0):
                self._handle(worker, wire.loads(worker.conn.recv_bytes()))
        with self._lock:
            self._workers.discard(worker)
            with contextlib.suppress(ValueError):
                self._idle.remove(worker)
            job, worker.job = worker.job, None
            if job is not None:
                job.done, job.worker = True, None
                del self._jobs[job.job_id]
        # Reaped only now: until then a concurrent cancel() may still signal it (a zombie keeps
        # its pid, so the signal cannot reach a stranger that reused it).
        code = worker.reap()
        if job is not None:
            reason = f"The worker process (pid {worker.pid}) running job {job.job_id} {death_reason(code)}."
            if worker.crash_report:
                reason += "\n" + worker.crash_report
            self._report(job.outcome(Ending.DIED, error=WorkerDied(reason), traceback=reason,
                                     details={"pid": worker.pid, "exit_code": code}))  # fmt: skip
        if not worker.ready:
            self._starting -= 1
            message = f"A standalone worker process {death_reason(code)} while starting."
            if worker.init_error:
                message += "\n" + worker.init_error
            if not self._ready.done():
                self._ready.set_exception(WorkerDied(message))
                return
            _logger.error("%s It is not replaced.", message)
            if not self._workers:
                with self._lock:
                    self._broken = message
            return
        if self._state is _RUNNING:
            try:
                self._spawn()
            except OSError as exc:
                _logger.exception("Cannot start a standalone worker to replace pid %s.", worker.pid)
                if not self._workers:
                    with self._lock:
                        self._broken = f"No standalone worker process can start: {exc}"

    def _expire_deadlines(self) -> None:
        now = time.monotonic()
        while self._deadlines and self._deadlines[0][0] <= now:
            job = heapq.heappop(self._deadlines)[2]
            with self._lock:
                if not job.done:
                    message = f"Job {job.job_id} timed out after {job.timeout:g} s; its process was killed."
                    self._kill_running(job, Ending.TIMED_OUT, JobTimeout(message), message)

    def _next_deadline_in(self) -> float | None:
        """Seconds to the nearest deadline of a running job: the selector's timeout."""
        while self._deadlines and self._deadlines[0][2].done:
            heapq.heappop(self._deadlines)
        if not self._deadlines:
            return None
        return max(0.0, self._deadlines[0][0] - time.monotonic())

    # --- helpers -----------------------------------------------------------------------------------
    def _spawn(self) -> None:
        """Start one worker (loop thread only: PR_SET_PDEATHSIG ties workers to this thread)."""
        assert self._selector is not None
        worker = WorkerProcess(self._settings, self._lifeline_r, self._cwd)
        with self._lock:
            self._workers.add(worker)
        self._starting += 1
        self._selector.register(worker.conn, selectors.EVENT_READ, (worker, False))
        if worker.pidfd is not None:
            self._selector.register(worker.pidfd, selectors.EVENT_READ, (worker, True))

    def _kill_running(self, job: _Job, ending: Ending, error: BaseException | None, reason: str) -> None:
        """End a running job by killing its process (lock held); the loop replaces the process."""
        worker = job.worker
        assert worker is not None
        worker.job, job.worker, job.done = None, None, True
        worker.doomed = True
        del self._jobs[job.job_id]
        worker.kill()
        self._report(job.outcome(ending, error=error, traceback=reason, details={"pid": worker.pid}))

    def _fail_queue(self) -> None:
        """No worker can run anything: fail every queued job with the reason (lock held)."""
        while self._queue:
            job = self._queue.popleft()
            if not job.done:
                job.done = True
                del self._jobs[job.job_id]
                self._report(job.outcome(Ending.FAILED, error=WorkerDied(self._broken), traceback=self._broken))

    def _report(self, outcome: Outcome) -> None:
        assert self._reporter is not None
        self._reporter.finished(outcome)

    def _wake(self) -> None:
        with contextlib.suppress(OSError):  # full (the loop will wake anyway) or closed (stopped)
            os.write(self._wake_w, b"\0")

    def _drain_wake(self) -> None:
        # Read first, then clear: a byte written between the two would be drained with the flag
        # still set, and every later submit would skip its wake-up (a lost wake-up).
        with contextlib.suppress(OSError):
            while os.read(self._wake_r, 4096):
                pass
        with self._lock:
            self._wake_pending = False

    def _unregister(self, fileobj: Any) -> None:
        assert self._selector is not None
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._selector.unregister(fileobj)

    def _shutdown(self, failure: BaseException | None) -> None:
        """End every worker and release everything (loop thread, when it leaves)."""
        with self._lock:
            self._state = _STOPPING
            running = [job for job in self._jobs.values() if job.worker is not None]
            for job in running:
                job.done, job.worker = True, None
            self._jobs.clear()
            self._queue.clear()
            self._idle.clear()
            workers = list(self._workers)
        if failure is not None:  # nobody else will ever say how these ended
            message = f"The standalone dispatcher failed: {failure!r}"
            for job in running:
                self._report(job.outcome(Ending.DIED, error=WorkerDied(message), traceback=message))
        self._end_processes(workers)
        with self._lock:
            self._workers.clear()
            self._state = _STOPPED
        if self._selector is not None:
            self._selector.close()
        for fd in (self._wake_r, self._wake_w, self._lifeline_r, self._lifeline_w):
            with contextlib.suppress(OSError):
                os.close(fd)
        if not self._ready.done():
            self._ready.set_exception(RuntimeError("The dispatcher stopped while it started."))
        if self._reporter is not None:
            self._reporter.close()

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


def _outcome(job: _Job, message: tuple[Any, ...], pid: int) -> Outcome:
    """The Outcome of a job whose worker answered DONE or FAILED."""
    details = {"pid": pid}
    if message[0] == wire.DONE:
        _, started, finished, data = message
        try:
            result = wire.loads(data)
        except Exception as exc:
            unloadable = ResultNotPicklable(
                f"The result of job {job.job_id} cannot be unpickled in the orchestrator "
                f"({type(exc).__name__}: {exc}); return plain data, or write it to an output data node."
            )
            return job.outcome(Ending.FAILED, error=unloadable, traceback=str(unloadable),
                               started_at=started, finished_at=finished, details=details)  # fmt: skip
        return job.outcome(Ending.COMPLETED, result=result, started_at=started, finished_at=finished,
                           details=details)  # fmt: skip
    _, started, finished, data, trace, kind, text = message
    try:
        error = wire.loads(data)
    except Exception:
        error = wire.RemoteError(f"{kind}: {text}", kind)
    if isinstance(error, BaseException):
        error.__cause__ = wire.RemoteTraceback(trace)
    return job.outcome(Ending.FAILED, error=error, traceback=trace, started_at=started,
                       finished_at=finished, details=details)  # fmt: skip
