"""Calls a ``DispatchListener`` from a thread of its own, in the order reports were made.

The dispatcher's loop only queues reports: a listener that takes its time (writing a job state to
the store, running user callbacks) never holds up dispatch, and the loop never runs user code.
Reports of one job keep their order (started, output..., finished) because one thread delivers
all of them from one FIFO queue.

A listener whose ``job_started``, ``job_progress`` and ``job_finished`` only queue the report for
a thread of its own (``queues_reports``, the scheduler's) gets those straight from the reporting
thread when nothing queued here is still to deliver before them: one thread handoff less between
a run's end and its job's end, and the order is the same.

The dispatcher's loop ``gathers`` the reports of each of its steps and hands them over together
(before it sends the jobs of that step to their workers): the listener's thread is woken once per
step, not once per report, and finds the ends of a step's runs and the starts of the jobs that
took their workers together, to record in one store transaction. Reports other threads make
meanwhile join the gathered ones, in the order they were made.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

from scenaria.dispatch.base import DispatchListener, Outcome

_logger = logging.getLogger("scenaria")
_Call = tuple[Callable[..., Any], tuple[Any, ...]]  # a listener method and its arguments


class Reporter:
    """A FIFO of listener calls and the thread that makes them."""

    def __init__(self, listener: DispatchListener, name: str) -> None:
        self._listener = listener
        self._queue: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._direct = bool(getattr(listener, "queues_reports", False))
        self._lock = threading.Lock()
        self._undelivered = 0  # queued, or being delivered
        self._gathered: list[tuple[Callable[..., Any], tuple[Any, ...], bool]] | None = None
        self._thread = threading.Thread(target=self._deliver, name=name, daemon=True)
        self._thread.start()

    def started(self, job_id: str, at: float) -> None:
        self._report(self._listener.job_started, (job_id, at), True)

    def output(self, job_id: str, stream: str, text: str) -> None:
        self._report(self._listener.job_output, (job_id, stream, text))

    def log(self, job_id: str, records: list[dict[str, Any]]) -> None:
        self._report(self._listener.job_log, (job_id, records))

    def progress(self, job_id: str, fraction: float, message: str | None) -> None:
        self._report(self._listener.job_progress, (job_id, fraction, message), True)

    def finished(self, outcome: Outcome) -> None:
        self._report(self._listener.job_finished, (outcome,), True)

    @contextlib.contextmanager
    def gathering(self) -> Iterator[None]:
        """Hold the reports made inside the block (by any thread), and make them in order at its end."""
        with self._lock:
            self._gathered = []
        try:
            yield
        finally:
            with self._lock:
                gathered, self._gathered = self._gathered, None
                for method, args, direct in gathered:
                    try:  # one failing delivery must not drop the step's other reports (job ends)
                        self._deliver_or_queue(method, args, direct)
                    except Exception:
                        _logger.exception("The dispatch listener failed on %s%r", method.__name__, args[:1])

    def _report(self, method: Callable[..., Any], args: tuple[Any, ...], direct: bool = False) -> None:
        with self._lock:
            if self._gathered is not None:
                self._gathered.append((method, args, direct))
            else:
                self._deliver_or_queue(method, args, direct)

    def _deliver_or_queue(self, method: Callable[..., Any], args: tuple[Any, ...], direct: bool) -> None:
        """Call the listener now when it only queues and nothing queued here goes before, else queue
        the report for this reporter's thread (lock held)."""
        if direct and self._direct and not self._undelivered:
            method(*args)  # it only queues: quick, and never calls back here
            return
        self._undelivered += 1
        self._queue.put((method, args))

    def close(self) -> None:
        """Deliver what is queued, then end the thread."""
        with self._lock:
            self._direct = False  # nothing reaches the listener after what is queued
            self._queue.put(None)

    def join(self, timeout: float | None = None) -> None:
        if threading.current_thread() is not self._thread:  # stop() called from a listener
            self._thread.join(timeout)

    def _deliver(self) -> None:
        get = self._queue.get
        while (item := get()) is not None:
            method, args = item
            try:
                method(*args)
            except Exception:
                _logger.exception("The dispatch listener failed on %s%r", method.__name__, args[:1])
            with self._lock:
                self._undelivered -= 1
