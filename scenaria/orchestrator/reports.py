"""The scheduler's ear: what dispatchers report about runs, handed to the scheduler in batches.

In development mode reports come from the caller's thread, in order, and are handled at once.
Otherwise they come from the dispatcher's threads and are queued for one thread of their own,
which handles everything that is waiting in one store transaction (what arrives while it waits for
the scheduler's lock included): under load many job ends share one commit, and the dispatcher's
threads never wait for the store. The intents of the completions in a batch (``outputs``) are
stored before it, in one transaction of their own.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scenaria.dispatch.base import Outcome
from scenaria.dispatch.jobside import handle_records

if TYPE_CHECKING:
    from scenaria.orchestrator.scheduler import Scheduler

logger = logging.getLogger("scenaria")

_STOP = object()


class Reports:
    """The ``DispatchListener`` a scheduler starts its dispatcher with."""

    def __init__(self, scheduler: Scheduler, inline: bool) -> None:
        self._scheduler = scheduler
        #: started, progress and finished reports only go into ``_queue`` (see ``dispatch.reporter``)
        self.queues_reports = not inline
        self._queue: queue.SimpleQueue[Any] | None = None
        self._thread: threading.Thread | None = None
        if not inline:
            self._queue = queue.SimpleQueue()
            self._thread = threading.Thread(target=self._handle, name="scenaria-scheduler", daemon=True)
            self._thread.start()

    def _put(self, handle: Callable[[Any], None], argument: Any) -> None:
        if self._queue is None:
            handle(argument)
        else:
            self._queue.put((handle, argument))

    def job_started(self, job_id: str, at: float) -> None:
        self._put(self._scheduler._started, job_id)

    def job_finished(self, outcome: Outcome) -> None:
        if self._queue is None:
            self._scheduler._intend([outcome])
        self._put(self._scheduler._finished, outcome)

    def job_progress(self, job_id: str, fraction: float, message: str | None) -> None:
        self._put(self._scheduler._progress, (job_id, fraction, message))

    def job_log(self, job_id: str, records: list[dict[str, Any]]) -> None:
        """Records a job emitted in another process: this process's logging configuration handles them."""
        handle_records(records)

    def job_output(self, job_id: str, stream: str, text: str) -> None:
        self._scheduler._output(job_id, stream, text)

    def _handle(self) -> None:
        reports = self._queue
        assert reports is not None
        scheduler = self._scheduler
        finished = scheduler._finished
        while True:
            batch = [reports.get()]
            try:
                with scheduler._lock:
                    # what came while the lock was held elsewhere (a submit) joins this batch
                    while not reports.empty():
                        batch.append(reports.get())
                    # the intents of the completions first, committed before any of their writes
                    scheduler._intend([report[1] for report in batch if report is not _STOP and report[0] == finished])
                    with scheduler._routing(), scheduler._registry.transaction():
                        for report in batch:
                            if report is _STOP:
                                return
                            handle, argument = report
                            handle(argument)
            except Exception:  # a bug must not stop every later job: say it, and go on
                logger.exception("The scheduler failed to handle job reports %s.", batch)

    def stop(self, wait: bool) -> None:
        """Handle the reports already queued, then stop."""
        if self._queue is not None and self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(None if wait else 5)
