"""The standalone dispatcher: jobs run in a pool of local worker processes, driven by events.

Threads of the orchestrating process:

- **callers** of ``submit``/``cancel``/``stop``. ``submit`` pickles the runnable in the caller's
  thread (an unpicklable one is reported FAILED at once) and queues it; ``cancel`` acts at once:
  it drops a queued job, or kills the process of a running one (SIGKILL to its process group
  and to every process below it).
- **the loop** (``scenaria-standalone``), the only thread that starts processes, reads their
  messages and sends them jobs. It sleeps in one selector over every worker's connection, every
  worker's death sentinel (a pidfd) and a self-pipe that ``submit`` and ``stop`` write to; the
  selector's timeout is the nearest job deadline, or none. Nothing on the path polls or sleeps.
- **the reporter** (``scenaria-standalone-reporter``) calls the listener, so a slow listener
  never holds up dispatch (see ``reporter``).

Per job, one message goes to a worker (the pickled runnable, sent only to an idle worker, which
starts it at once: ``job_started`` is reported as it is sent) and one comes back (its result or
error with the run's timings), plus a message per line the job prints. This module is the facade;
the loop thread and the state both share are in ``pool``.

How endings are detected: a result message (COMPLETED / FAILED); ``cancel`` (CANCELED, process
killed by the caller's thread); the loop's deadline heap (TIMED_OUT, process killed); the pidfd of
a worker that exited with a job still assigned (DIED, with its exit code or signal, and the Python
stack faulthandler wrote if it crashed). Every worker that ends is replaced. Workers die with the
orchestrator through ``PR_SET_PDEATHSIG`` and a lifeline pipe (see ``worker``).
"""

from __future__ import annotations

import heapq
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import cloudpickle

from scenaria.dispatch.base import ANYWHERE, Dispatcher, DispatchListener, Ending, Outcome, Placement, Runnable
from scenaria.dispatch.capture import DEFAULT_MAX_OUTPUT
from scenaria.dispatch.jobside import logger_levels
from scenaria.dispatch.pickling import RunnableNotPicklable, dumps_runnable
from scenaria.dispatch.pool import NEW, RUNNING, STOPPED, STOPPING, Job, PoolLoop, PoolState
from scenaria.dispatch.reporter import Reporter
from scenaria.exceptions import WorkerDied


class StandaloneDispatcher(Dispatcher):
    """Runs jobs in ``max_workers`` local worker processes, at most one job per process at once.

    ``preload`` names modules every worker imports when it starts, before it says it is ready, so
    that the first job of each worker does not pay for them (the orchestrator's runnable module,
    say). ``initializer`` (picklable, no arguments) then runs once in every worker: the place for
    per-process set-up such as serving ``import taipy``. ``log_level`` is the level of the
    workers' root logger (default: the orchestrator's root level when ``start`` is called);
    records are formatted onto the job's stderr. ``stop_grace`` is how long ``stop`` lets workers
    end after SIGTERM before killing them. ``job_grace`` is how long processes a job left running
    get after SIGTERM before they are killed and the worker takes its next job.
    ``max_jobs_per_worker`` (0: no limit) replaces a worker after that many jobs. ``max_output``
    is the number of characters of each stream of a job that is kept (head and tail).
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
        job_grace: float = 1.0,
        max_jobs_per_worker: int = 0,
        max_output: int = DEFAULT_MAX_OUTPUT,
    ) -> None:
        if os.name != "posix":
            raise OSError("The standalone dispatcher needs a POSIX system (Linux or macOS).")
        if max_workers < 1:
            raise ValueError(f"max_workers must be at least 1, not {max_workers!r}")
        self._max_workers = max_workers
        self._preload = tuple(preload)
        self._initializer = initializer
        self._log_level = log_level
        self._job_grace = job_grace
        self._max_jobs = max_jobs_per_worker
        self._max_output = max_output
        self._stop_grace = stop_grace
        self._start_timeout = start_timeout
        self._lock = threading.Lock()  # guards the state before start(); the shared lock after
        self._state = NEW  # until start(): then the shared state says
        self._shared: PoolState | None = None
        self._loop: PoolLoop | None = None

    @classmethod
    def configured(
        cls, max_workers: int, properties: Mapping[str, Any], preload: tuple[str, ...] = ()
    ) -> StandaloneDispatcher:
        return cls(  # the values were checked with the configuration (``config.checks``)
            max_workers=max_workers,
            preload=preload,
            job_grace=float(properties.get("job_grace_period", 1.0)),
            max_jobs_per_worker=int(properties.get("max_jobs_per_worker", 0)),
            max_output=int(properties.get("max_output_size", DEFAULT_MAX_OUTPUT)),
        )

    @property
    def max_workers(self) -> int:
        return self._max_workers

    def worker_pids(self) -> list[int]:
        """The process ids of the live workers (for monitoring and tests)."""
        shared = self._shared
        if shared is None:
            return []
        with shared.lock:
            return sorted(worker.pid for worker in shared.workers)

    def start(self, listener: DispatchListener) -> None:
        """Start the workers; return once each has answered that it is ready."""
        with self._lock:
            if self._state is not NEW:
                raise RuntimeError("A StandaloneDispatcher can be started once only.")
            self._state = RUNNING
            initializer = None if self._initializer is None else cloudpickle.dumps(self._initializer)
            level = self._log_level if self._log_level is not None else logging.getLogger().getEffectiveLevel()
            settings = {"sys_path": list(sys.path), "log_level": level, "log_levels": logger_levels(),
                        "preload": self._preload, "initializer": initializer, "job_grace": self._job_grace,
                        "max_jobs": self._max_jobs}  # fmt: skip
            shared = PoolState(Reporter(listener, "scenaria-standalone-reporter"))
            shared.state = RUNNING
            self._loop = PoolLoop(shared, self._max_workers, settings, self._stop_grace)
            self._shared = shared
        self._loop.start()
        try:
            shared.ready.result(timeout=self._start_timeout)
        except BaseException as exc:
            self.stop()
            if isinstance(exc, TimeoutError):
                raise WorkerDied(
                    f"The {self._max_workers} standalone worker process(es) were not ready after "
                    f"{self._start_timeout:g} s."
                ) from None
            raise

    def submit(
        self,
        job_id: str,
        runnable: Runnable,
        timeout: float | None = None,
        placement: Placement = ANYWHERE,
    ) -> None:
        """Queue the job and return at once; it starts when a worker is free, higher priority first,
        then in submission order (``placement.resources`` are the scheduler's to count: every worker
        runs any)."""
        if timeout is not None and not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds or None, not {timeout!r}")
        shared = self._shared
        if shared is None:
            self._refuse(self._state)
        assert shared is not None
        if shared.state is not RUNNING:
            self._refuse(shared.state)
        try:
            payload = dumps_runnable(job_id, runnable)
        except RunnableNotPicklable as exc:
            shared.report(Outcome(job_id, Ending.FAILED, error=exc, traceback=str(exc), finished_at=time.time()))
            return
        job = Job(job_id, payload, timeout, self._max_output)
        with shared.lock:
            if shared.state is not RUNNING:
                self._refuse(shared.state)
            if job_id in shared.jobs:
                raise ValueError(f"Job {job_id} is already queued or running.")
            shared.jobs[job_id] = job
            heapq.heappush(shared.queue, (-placement.priority, next(shared.order), job))
            wake, shared.wake_pending = not shared.wake_pending, True
        if wake:
            shared.wake()

    @staticmethod
    def _refuse(state: str) -> None:
        if state is NEW:
            raise RuntimeError("The dispatcher is not started: call start() before submit().")
        raise RuntimeError(f"The dispatcher is {state}: it takes no more jobs.")

    def cancel(self, job_id: str) -> bool:
        """Drop a queued job or kill the process of a running one; either is reported CANCELED."""
        shared = self._shared
        if shared is None:
            return False
        with shared.lock:
            job = shared.jobs.get(job_id)
            if job is None:
                return False
            if job.worker is None:
                job.done = True
                job.payload = b""
                del shared.jobs[job_id]
                shared.report(job.outcome(Ending.CANCELED, traceback=f"Job {job_id} was canceled before it started."))
            else:
                message = f"Job {job_id} was canceled while it ran; its process was killed."
                shared.kill_running(job, Ending.CANCELED, None, message)
        return True

    def where(self, job_id: str) -> dict[str, Any]:
        shared = self._shared
        if shared is None:
            return {}
        with shared.lock:
            job = shared.jobs.get(job_id)
            return {} if job is None or job.worker is None else {"pid": job.worker.pid}

    def stop(self, wait: bool = True) -> None:
        """End every worker (SIGTERM, then SIGKILL after ``stop_grace``); running and queued jobs
        are dropped unreported. With ``wait``, return when all is released and every report made
        before the stop has been delivered."""
        with self._lock:
            if self._state is NEW:
                self._state = STOPPED
                return
        shared, loop = self._shared, self._loop
        if shared is None or loop is None:
            return  # stopped before it started
        with shared.lock:
            if shared.state is RUNNING:
                shared.state = STOPPING
        shared.wake()
        if wait:
            if threading.current_thread() is not loop:
                loop.join()
            shared.reporter.join()
