"""The development dispatcher: each job runs in the caller's thread, one after another.

Handy to debug a task: a breakpoint in the function stops the caller. Jobs released while one
runs are queued and run by the same loop once it returns, so a long chain never nests calls.
The first job queued so is reported started when it is queued (``runs_later``): its RUNNING
state is then stored in the same write as the end that released it, before its function runs.
What a job prints still reaches the console, and is also kept with the job. A task's
``timeout`` is not enforced here: nothing can stop the caller's own thread.
"""

from __future__ import annotations

import collections
import io
import sys
import time
from collections.abc import Mapping
from typing import Any, TextIO

from scenaria.dispatch.base import ANYWHERE, Dispatcher, DispatchListener, Ending, Outcome, Placement, Runnable
from scenaria.dispatch.capture import DEFAULT_MAX_OUTPUT, Capped
from scenaria.dispatch.run import execute


class DevelopmentDispatcher(Dispatcher):
    def __init__(self, max_output: int = DEFAULT_MAX_OUTPUT) -> None:
        self._max_output = max_output
        self._listener: DispatchListener | None = None
        self._queue: collections.deque[tuple[str, Runnable]] = collections.deque()
        self._draining = False
        self._reporting = False  # inside the listener's handling of a run's end
        self._stopped = False
        self._reported: set[str] = set()  # queued jobs already reported started (the next to run)

    @property
    def max_workers(self) -> int:
        return 1

    @property
    def runs_later(self) -> bool:
        return self._reporting

    @classmethod
    def configured(
        cls, max_workers: int, properties: Mapping[str, Any], preload: tuple[str, ...] = ()
    ) -> DevelopmentDispatcher:
        return cls(max_output=int(properties.get("max_output_size", DEFAULT_MAX_OUTPUT)))

    def start(self, listener: DispatchListener) -> None:
        self._listener = listener

    def submit(
        self,
        job_id: str,
        runnable: Runnable,
        timeout: float | None = None,
        placement: Placement = ANYWHERE,
    ) -> None:
        if self._stopped:
            raise RuntimeError("The dispatcher is stopped: it takes no more jobs.")
        self._queue.append((job_id, runnable))
        if self._draining:
            if self._reporting and len(self._queue) == 1:  # the next to run, once this report is handled
                assert self._listener is not None
                self._reported.add(job_id)
                self._listener.job_started(job_id, time.time())
            return
        self._draining = True
        try:
            while self._queue:
                self._run(*self._queue.popleft())
        finally:
            self._draining = False

    def _run(self, job_id: str, runnable: Runnable) -> None:
        assert self._listener is not None, "start() the dispatcher first"
        if job_id in self._reported:
            self._reported.discard(job_id)
        else:
            self._listener.job_started(job_id, time.time())
        stdout, stderr = _Tee(sys.stdout, self._max_output), _Tee(sys.stderr, self._max_output)
        # Records go to the job's copy only: the caller's own handlers already show them.
        listener = self._listener

        def progress(kind: str, args: tuple[Any, ...]) -> None:  # records are handled here already
            listener.job_progress(job_id, *args)

        ran = execute(runnable, stdout, stderr, records=stderr.copy, send=progress, ship_records=False)
        ending = Ending.COMPLETED if ran.error is None else Ending.FAILED
        outcome = Outcome(job_id, ending, result=ran.result, error=ran.error, traceback=ran.traceback,
                          stdout=str(stdout.copy), stderr=str(stderr.copy),
                          started_at=ran.started_at, finished_at=ran.finished_at)  # fmt: skip
        self._reporting = True
        try:
            self._listener.job_finished(outcome)
        finally:
            self._reporting = False
        if isinstance(ran.error, KeyboardInterrupt):
            raise ran.error  # Ctrl-C in the caller's thread stops the caller too, once reported

    def cancel(self, job_id: str) -> bool:
        for item in self._queue:
            if item[0] == job_id:
                self._queue.remove(item)
                self._reported.discard(job_id)
                assert self._listener is not None
                self._listener.job_finished(Outcome(job_id, Ending.CANCELED))
                return True
        return False

    def stop(self, wait: bool = True) -> None:
        self._stopped = True
        self._queue.clear()
        self._reported.clear()


class _Tee(io.TextIOBase):
    """Writes through to the console and keeps a copy (capped) for the job."""

    def __init__(self, through: TextIO, max_output: int) -> None:
        self._through = through
        self.copy = Capped(max_output)
        self._closed = False

    def close(self) -> None:
        """Mark it closed, closing neither the console nor the copy. (``IOBase.close``, which
        runs when each job's tee is freed, flushed the console through the ``IOBase`` machinery:
        three quarters of what a tee cost.)"""
        self._closed = True

    @property
    def closed(self) -> bool:
        return self._closed

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self._through.write(text)

    def flush(self) -> None:
        self._through.flush()

    def writable(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._through, name)
