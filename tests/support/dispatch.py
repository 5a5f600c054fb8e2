"""Helpers of the dispatcher tests: a listener that records every report of a dispatcher."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from scenaria.dispatch.base import Outcome


class RecordingListener:
    """Records every report with the time it arrived; tests wait on its condition, never sleep."""

    def __init__(self) -> None:
        self.events: list[tuple[str, ...]] = []
        self.started: dict[str, float] = {}
        self.started_seen: dict[str, float] = {}
        self.outcomes: dict[str, Outcome] = {}
        self.finished_seen: dict[str, float] = {}
        self.output: list[tuple[str, str, str]] = []
        self.logs: list[tuple[str, dict]] = []
        self.progress: list[tuple[str, float, str | None]] = []
        self._changed = threading.Condition()

    def job_started(self, job_id: str, at: float) -> None:
        with self._changed:
            self.started[job_id] = at
            self.started_seen[job_id] = time.perf_counter()
            self.events.append(("started", job_id))
            self._changed.notify_all()

    def job_output(self, job_id: str, stream: str, text: str) -> None:
        with self._changed:
            self.output.append((job_id, stream, text))
            self.events.append(("output", job_id, stream, text))
            self._changed.notify_all()

    def job_log(self, job_id: str, records: list[dict]) -> None:
        with self._changed:
            self.logs.extend((job_id, fields) for fields in records)
            self._changed.notify_all()

    def job_progress(self, job_id: str, fraction: float, message: str | None) -> None:
        with self._changed:
            self.progress.append((job_id, fraction, message))
            self._changed.notify_all()

    def job_finished(self, outcome: Outcome) -> None:
        with self._changed:
            assert outcome.job_id not in self.outcomes, f"{outcome.job_id} reported twice"
            self.outcomes[outcome.job_id] = outcome
            self.finished_seen[outcome.job_id] = time.perf_counter()
            self.events.append(("finished", outcome.job_id))
            self._changed.notify_all()

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 20.0) -> None:
        with self._changed:
            assert self._changed.wait_for(predicate, timeout), "timed out waiting for the dispatcher"

    def outcome(self, job_id: str, timeout: float = 20.0) -> Outcome:
        self.wait_until(lambda: job_id in self.outcomes, timeout)
        return self.outcomes[job_id]

    def wait_started(self, job_id: str, timeout: float = 20.0) -> None:
        self.wait_until(lambda: job_id in self.started, timeout)

    def wait_output(self, job_id: str, text: str, timeout: float = 20.0) -> None:
        self.wait_until(lambda: any(j == job_id and text in t for j, _, t in self.output), timeout)
