"""A submission: the jobs created by one ``submit`` of a scenario, sequence or task."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import math
import os
import threading
from collections.abc import Callable
from typing import Any, ClassVar

from scenaria.entities import rules
from scenaria.entities.base import ANY, DATETIME, Entity, enum_codec, field
from scenaria.entities.job import Job
from scenaria.entities.registry import registry
from scenaria.entities.status import SUBMISSION_FINAL as _FINAL
from scenaria.entities.status import Status, SubmissionStatus, check_submission_transition
from scenaria.exceptions import InvalidExecutionSetting


def derive_status(counts: collections.Counter[Status], total: int) -> SubmissionStatus:
    """A submission's status from how many of its jobs are in each status.

    While a job is unfinished the submission is RUNNING, PENDING or BLOCKED (in that order of
    precedence). Once every job is finished: FAILED if one failed, CANCELED if one was canceled
    or abandoned, else COMPLETED. So a final status means every job is done, and a cancel never
    leaves the submission UNDEFINED.
    """
    if counts[Status.RUNNING]:
        return SubmissionStatus.RUNNING
    if counts[Status.PENDING] or counts[Status.SUBMITTED]:
        return SubmissionStatus.PENDING
    if counts[Status.BLOCKED]:
        return SubmissionStatus.BLOCKED
    if total and sum(counts.values()) < total:
        return SubmissionStatus.SUBMITTED
    if counts[Status.FAILED]:
        return SubmissionStatus.FAILED
    if counts[Status.CANCELED] or counts[Status.ABANDONED]:
        return SubmissionStatus.CANCELED
    return SubmissionStatus.COMPLETED


@dataclasses.dataclass(eq=False, repr=False)
class Submission(Entity):
    """What one ``submit`` started. ``wait()`` blocks until every job is finished."""

    _KIND: ClassVar[str] = "submission"
    _ID_PREFIX: ClassVar[str] = "SUBMISSION"
    _EVENT_TYPE: ClassVar[str] = "SUBMISSION"

    id: str
    _entity_id: str
    _entity_type: str
    _entity_config_id: str | None = None
    _job_ids: list[str] = field(default_factory=list)
    _properties: dict[str, Any] = field(default_factory=dict, codec=ANY)
    _creation_date: dt.datetime | None = field(None, codec=DATETIME)
    _submission_status: SubmissionStatus = field(SubmissionStatus.SUBMITTED, codec=enum_codec(SubmissionStatus))
    version: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        self._done = threading.Event()
        if self._submission_status in _FINAL:
            self._done.set()

    def _after_refresh(self) -> None:
        super()._after_refresh()
        done = getattr(self, "_done", None)
        if done is not None and self._submission_status in _FINAL:
            done.set()

    def __repr__(self) -> str:
        from scenaria.entities.display import submission_repr

        return submission_repr(self)

    def draw(self, file_path: str | os.PathLike[str] | None = None) -> None:
        """Draw the submitted tasks' graph, each task coloured by its job's state in this submission."""
        from scenaria.entities.picture import draw

        draw(self, file_path)

    # --- attributes ----------------------------------------------------------------------------
    @property
    def entity_id(self) -> str:
        return self._entity_id

    @property
    def entity_type(self) -> str:
        return self._entity_type

    @property
    def entity_config_id(self) -> str | None:
        return self._entity_config_id

    @property
    def jobs(self) -> list[Any]:
        return registry().get_many(Job, self._job_ids)

    @property
    def submission_status(self) -> SubmissionStatus:
        return self._submission_status

    def _set_status(self, status: SubmissionStatus, tell: Callable[[Callable[[], None]], None] | None = None) -> bool:
        """Set a derived status (``status.SUBMISSION_TRANSITIONS`` must allow the change); True when
        it changed (the caller saves and publishes). A final status wakes ``wait()`` through ``tell``
        (the orchestrator's: once it is stored and the jobs' files are in place), else now."""
        if status is self._submission_status:
            return False
        check_submission_transition(self.id, self._submission_status, status)
        self._submission_status = status
        if status in _FINAL:
            (tell or _now)(self._done.set)
        return True

    def _await_jobs(self) -> None:
        """Make ``wait()`` block again: an orchestrator (re)takes the unfinished jobs."""
        if not self.is_finished():
            self._done.clear()

    def _release_waiters(self) -> None:
        """Wake who waits in ``wait()``: the orchestrator stops (it returns False, jobs unfinished)."""
        self._done.set()

    def _statuses(self) -> list[Status]:
        return [job.status for job in self.jobs]

    @property
    def is_completed(self) -> bool:
        return any(s in (Status.COMPLETED, Status.SKIPPED) for s in self._statuses())

    @property
    def is_abandoned(self) -> bool:
        return Status.ABANDONED in self._statuses()

    @property
    def is_canceled(self) -> bool:
        return Status.CANCELED in self._statuses()

    @property
    def submitted_at(self) -> dt.datetime | None:
        return min(filter(None, (job.submitted_at for job in self.jobs)), default=None)

    @property
    def run_at(self) -> dt.datetime | None:
        return min(filter(None, (job.run_at for job in self.jobs)), default=None)

    @property
    def finished_at(self) -> dt.datetime | None:
        if not self.is_finished():
            return None
        return max(filter(None, (job.finished_at for job in self.jobs)), default=None)

    @property
    def execution_duration(self) -> float | None:
        start, end = self.run_at, self.finished_at
        return (end - start).total_seconds() if start and end else None

    def is_finished(self) -> bool:
        return self._submission_status in _FINAL

    def is_deletable(self) -> Any:
        return rules.is_deletable(registry(), self)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every job is finished, or ``timeout`` seconds; True when finished.

        Woken by the orchestrator when the last job ends (no polling), or when it stops with jobs
        unfinished (they resume when it runs again): then it returns False.
        """
        wait_timeout(timeout, "Submission.wait(timeout=...)")
        if not self._done.is_set() and remote_wait is not None:
            remote_wait(self)  # run by another process: follow it there
        self._done.wait(timeout)
        return self.is_finished()

    def _event_metadata(self) -> dict[str, Any]:
        return {
            "origin_entity_id": self._entity_id,
            "origin_entity_type": self._entity_type,
            "origin_entity_config_id": self._entity_config_id,
            "creation_date": self._creation_date,
            "version": self.version,
        }


def wait_timeout(timeout: Any, where: str) -> None:
    """Refuse a ``timeout`` that is not a number of seconds (0 or more) or None, with ``where`` it was
    given: ``threading.Event.wait`` would raise a bare TypeError, and ``submit(wait=True)`` only
    after the submission was made (so it is checked before)."""
    number = isinstance(timeout, (int, float)) and not isinstance(timeout, bool)
    if timeout is None or (number and math.isfinite(timeout) and timeout >= 0):
        return
    raise InvalidExecutionSetting(
        f"{where}: timeout={timeout!r}, but the timeout is a number of seconds, 0 or more (e.g. 5 or 2.5), "
        "or None to wait until every job is finished.",
        "timeout",
        timeout,
    )


def _now(action: Callable[[], None]) -> None:
    action()


#: set by the orchestrator's control channel: makes ``wait()`` follow a submission another process runs
remote_wait: Callable[[Submission], None] | None = None
