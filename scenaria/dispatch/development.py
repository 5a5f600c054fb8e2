"""The development dispatcher: each job runs in the caller's thread, one after another.

Handy to debug a task: a breakpoint in the function stops the caller. Jobs released while one
runs are queued and run by the same loop once it returns, so a long chain never nests calls.
What a job prints still reaches the console, and is also kept with the job. A task's
``timeout`` is not enforced here: nothing can stop the caller's own thread.
"""

from __future__ import annotations

import collections
import contextlib
import io
import logging
import sys
import time
import traceback
from typing import Any, TextIO

from scenaria.dispatch.base import Dispatcher, DispatchListener, Ending, Outcome, Runnable


class DevelopmentDispatcher(Dispatcher):
    def __init__(self) -> None:
        self._listener: DispatchListener | None = None
        self._queue: collections.deque[tuple[str, Runnable]] = collections.deque()
        self._draining = False

    @property
    def max_workers(self) -> int:
        return 1

    def start(self, listener: DispatchListener) -> None:
        self._listener = listener

    def submit(self, job_id: str, runnable: Runnable, timeout: float | None = None) -> None:
        self._queue.append((job_id, runnable))
        if self._draining:
            return
        self._draining = True
        try:
            while self._queue:
                self._run(*self._queue.popleft())
        finally:
            self._draining = False

    def _run(self, job_id: str, runnable: Runnable) -> None:
        assert self._listener is not None, "start() the dispatcher first"
        started = time.time()
        self._listener.job_started(job_id, started)
        stdout, stderr = _Tee(sys.stdout), _Tee(sys.stderr)
        handler = logging.StreamHandler(stderr.copy)
        handler.setFormatter(logging.Formatter("%(levelname)s:%(name)s:%(message)s"))
        root = logging.getLogger()
        root.addHandler(handler)
        try:
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                result = runnable.run()
            outcome = Outcome(job_id, Ending.COMPLETED, result=result)
        except Exception as exc:
            outcome = Outcome(job_id, Ending.FAILED, error=exc, traceback=traceback.format_exc())
        finally:
            root.removeHandler(handler)
        outcome.stdout, outcome.stderr = stdout.copy.getvalue(), stderr.copy.getvalue()
        outcome.started_at, outcome.finished_at = started, time.time()
        self._listener.job_finished(outcome)

    def cancel(self, job_id: str) -> bool:
        for item in self._queue:
            if item[0] == job_id:
                self._queue.remove(item)
                assert self._listener is not None
                self._listener.job_finished(Outcome(job_id, Ending.CANCELED))
                return True
        return False

    def stop(self, wait: bool = True) -> None:
        self._queue.clear()


class _Tee(io.TextIOBase):
    """Writes through to the console and keeps a copy for the job."""

    def __init__(self, through: TextIO) -> None:
        self._through = through
        self.copy = io.StringIO()

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self._through.write(text)

    def flush(self) -> None:
        self._through.flush()

    def writable(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._through, name)
