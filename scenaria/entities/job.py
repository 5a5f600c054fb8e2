"""A job: one run of a task for one submission."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from typing import Any, ClassVar

from scenaria.entities import codec, rules
from scenaria.entities.base import ANY, DATETIME, Entity, enum_codec, field, now
from scenaria.entities.registry import registry
from scenaria.entities.status import FINISHED, Status, check_transition, check_unfinished
from scenaria.store.base import encode_record, with_text_last

#: the status dates' codec: ``Job._to_record`` encodes them (once per change, see ``_dates``)
_DATES: tuple[Any, Any] = (lambda dates: dates, codec.decode)


@dataclasses.dataclass(eq=False, repr=False)
class Job(Entity):
    """A task's execution. Its status is changed by the orchestrator only.

    Besides the reference's attributes, a job keeps what its run printed (``stdout``,
    ``stderr``), how many times it was tried (``attempts``) and where each try ran (``runs``),
    why it ended (``reason``: who canceled it, which timeout stopped it, the failure's last line)
    and the progress its task reported (``progress``, ``progress_message``: see ``scenaria.report_progress``).
    """

    _KIND: ClassVar[str] = "job"
    _ID_PREFIX: ClassVar[str] = "JOB"
    _EVENT_TYPE: ClassVar[str] = "JOB"

    id: str
    _task_id: str
    _submit_id: str
    _submit_entity_id: str
    _status: Status = field(Status.SUBMITTED, codec=enum_codec(Status))
    _status_change_records: dict[str, dt.datetime] = field(default_factory=dict, codec=_DATES)
    _force: bool = False
    _creation_date: dt.datetime | None = field(None, codec=DATETIME)
    _stacktrace: list[str] = field(default_factory=list)
    version: str = ""
    _stdout: str = ""
    _stderr: str = ""
    _attempts: int = 0
    _task_config_id: str = ""
    _runs: list[dict[str, Any]] = field(default_factory=list, codec=ANY)
    _reason: str = ""
    _progress: float | None = None
    _progress_message: str = ""
    _run_reason: str = ""  # why it ran, was skipped or reused (docs/execution.md)
    _fingerprint: dict[str, Any] = field(default_factory=dict, codec=ANY)  # see orchestrator/skipping.py
    #: the staged writes of its accepted run while they are committed (``orchestrator.outputs``)
    _commit_intent: dict[str, Any] | None = None

    def __repr__(self) -> str:
        from scenaria.entities.display import job_repr

        return job_repr(self)

    def _repr_html_(self) -> str:
        from scenaria.entities.display import job_html

        return job_html(self)

    # --- records -------------------------------------------------------------------------------
    def _to_record(self) -> dict[str, Any]:
        record = super()._to_record()
        record["status_change_records"] = self._dates()[1]
        return record

    def _dates(self) -> tuple[dict[str, dt.datetime], dict[str, Any], str]:
        """The status dates, their record value and its JSON, made again only when they changed:
        a job is saved three times or more (created, started, ended), and its tagged dates were
        half the cost of each save. Compared by value (a copy is kept), so a change made any way
        (a refresh from the store, ``_unstart``) is seen."""
        dates = self._status_change_records
        kept = self.__dict__.get("_dates_json")
        if kept is None or kept[0] != dates:
            encoded = codec.encode(dates)
            kept = (dict(dates), encoded, encode_record(encoded))
            self.__dict__["_dates_json"] = kept
        return kept  # type: ignore[no-any-return]

    def _encoded(self, record: dict[str, Any]) -> dict[str, Any]:
        """The record with its JSON text, the status dates' (last) from ``_dates``."""
        kept = self.__dict__.get("_dates_json")
        dates = record.get("status_change_records")
        if kept is None or dates is not kept[1]:
            return record
        return with_text_last(record, "status_change_records", kept[2])

    # --- attributes ----------------------------------------------------------------------------
    @property
    def task(self) -> Any:
        kept = self.__dict__.get("_task")  # a snapshot keeps its task (it may be deleted since)
        if kept is not None:
            return kept
        return registry().cached(self._task_id)

    @property
    def owner_id(self) -> str:
        return self._task_id

    @property
    def force(self) -> bool:
        return self._force

    @property
    def submit_id(self) -> str:
        return self._submit_id

    @property
    def submit_entity_id(self) -> str:
        return self._submit_entity_id

    @property
    def submit_entity(self) -> Any:
        return registry().cached(self._submit_entity_id)

    @property
    def status(self) -> Status:
        return self._status

    @property
    def stacktrace(self) -> list[str]:
        return list(self._stacktrace)

    @property
    def stdout(self) -> str:
        """What the job's run printed on standard output."""
        return self._stdout

    @property
    def stderr(self) -> str:
        """What the job's run printed on standard error, logging records included."""
        return self._stderr

    @property
    def reason(self) -> str:
        """Why the job ended, in a line ("" while it has not, or when it completed)."""
        return self._reason

    @property
    def run_reason(self) -> str:
        """Why the job ran, was skipped or reused, in a sentence ("" until it is decided):
        which input or the code changed, forced, never run, outputs missing..."""
        return self._run_reason

    @property
    def fingerprint(self) -> dict[str, Any]:
        """What its run was computed from (skippable and reusing tasks): ``key``, the hash of the
        rest; ``code``, the function's code version; ``config``; ``inputs``, by config id."""
        return dict(self._fingerprint)

    @property
    def progress(self) -> float | None:
        """The fraction (0 to 1) its task last reported with ``report_progress``, None if none."""
        return self._progress

    @property
    def progress_message(self) -> str:
        return self._progress_message

    @property
    def attempts(self) -> int:
        """How many times the job was started."""
        return self._attempts

    @property
    def runs(self) -> list[dict[str, Any]]:
        """One entry per attempt that ended: ``attempt``, ``host``, ``pid`` (None when unknown), ``ending``."""
        return [dict(run) for run in self._runs]

    # --- timings -------------------------------------------------------------------------------
    def _when(self, status: Status) -> dt.datetime | None:
        return self._status_change_records.get(status.name)

    @property
    def submitted_at(self) -> dt.datetime | None:
        return self._when(Status.SUBMITTED) or self._creation_date

    @property
    def run_at(self) -> dt.datetime | None:
        return self._when(Status.RUNNING)

    @property
    def finished_at(self) -> dt.datetime | None:
        if not self.is_finished():
            return None
        return self._when(self._status)

    @property
    def execution_duration(self) -> float | None:
        started, ended = self.run_at, self.finished_at
        return (ended - started).total_seconds() if started and ended else None

    @property
    def pending_duration(self) -> float | None:
        pending = self._when(Status.PENDING)
        end = self.run_at or self.finished_at
        return (end - pending).total_seconds() if pending and end else None

    @property
    def blocked_duration(self) -> float | None:
        blocked = self._when(Status.BLOCKED)
        end = self._when(Status.PENDING) or self.finished_at
        return (end - blocked).total_seconds() if blocked and end else None

    # --- status checks -------------------------------------------------------------------------
    def is_submitted(self) -> bool:
        return self._status is Status.SUBMITTED

    def is_blocked(self) -> bool:
        return self._status is Status.BLOCKED

    def is_pending(self) -> bool:
        return self._status is Status.PENDING

    def is_running(self) -> bool:
        return self._status is Status.RUNNING

    def is_canceled(self) -> bool:
        return self._status is Status.CANCELED

    def is_failed(self) -> bool:
        return self._status is Status.FAILED

    def is_completed(self) -> bool:
        return self._status is Status.COMPLETED

    def is_skipped(self) -> bool:
        return self._status is Status.SKIPPED

    def is_abandoned(self) -> bool:
        return self._status is Status.ABANDONED

    def is_finished(self) -> bool:
        return self._status in FINISHED

    def _is_finished(self) -> bool:
        return self.is_finished()

    def is_deletable(self) -> Any:
        return rules.is_deletable(registry(), self)

    # --- changes (by the orchestrator, the only writer of job states) ---------------------------
    def _set_status(self, status: Status, at: dt.datetime | None = None) -> Status:
        """Move to ``status``, as ``status.TRANSITIONS`` allows, noting when (now unless told).

        Becoming RUNNING counts an attempt: every real run is one. Returns the former status;
        the caller saves the job and tells who listens.
        """
        old = self._status
        check_transition(self.id, old, status)
        if status is Status.RUNNING:
            self._attempts += 1
        self._status = status
        self._status_change_records[status.name] = at or now()
        return old

    def _unstart(self) -> None:
        """Back to PENDING, the attempt not counted: its RUNNING was stored with the end of the job
        that released it, whose orchestrator was killed before this job's function could run."""
        check_transition(self.id, self._status, Status.PENDING)
        self._attempts -= 1
        self._status = Status.PENDING
        self._status_change_records.pop(Status.RUNNING.name, None)

    def _add_output(self, stdout: str, stderr: str) -> None:
        """Keep what a run printed (a finished job's record is final)."""
        check_unfinished(self.id, self._status, "output")
        self._stdout += stdout
        self._stderr += stderr

    def _add_run(self, host: str | None, pid: int | None, ending: str) -> None:
        """Note where the current attempt ran and how it ended (the caller saves the job)."""
        check_unfinished(self.id, self._status, "run")
        self._runs.append({"attempt": self._attempts, "host": host, "pid": pid, "ending": ending})

    def _set_reason(self, reason: str) -> None:
        """Say why the job ends (before its final status is set and saved)."""
        check_unfinished(self.id, self._status, "reason")
        self._reason = reason

    def _set_run_reason(self, reason: str, fingerprint: dict[str, Any] | None) -> None:
        """Say why the job runs or not, and from what (before its state changes and is saved)."""
        check_unfinished(self.id, self._status, "run reason")
        self._run_reason = reason
        if fingerprint:
            self._fingerprint = fingerprint

    def _set_progress(self, fraction: float, message: str | None) -> None:
        check_unfinished(self.id, self._status, "progress")
        self._progress = fraction
        if message is not None:
            self._progress_message = message

    def _keep_output_of_kill(self, stdout: str, stderr: str) -> None:
        """What a canceled job printed up to its kill, which its dispatcher reports after the
        job was canceled: kept once, only by a canceled job that has none yet."""
        if self._status is Status.CANCELED and not (self._stdout or self._stderr):
            self._stdout, self._stderr = stdout, stderr

    def _set_commit_intent(self, intent: dict[str, Any] | None) -> None:
        """Note (a dict) or clear (None) the writes its orchestrator is committing (the caller saves the job)."""
        check_unfinished(self.id, self._status, "commit intent")
        self._commit_intent = intent

    def _add_trace(self, text: str) -> None:
        """Keep why a run failed or was run again (a finished job's record is final)."""
        check_unfinished(self.id, self._status, "stack trace")
        self._stacktrace.append(text)

    def _snapshot(self) -> Job:
        """A copy of the job as it is now (for a callback that runs later, on another thread)."""
        view = copy.copy(self)
        view._status_change_records = dict(self._status_change_records)
        view._stacktrace = list(self._stacktrace)
        view.__dict__["_task"] = self.task
        return view

    def _event_metadata(self) -> dict[str, Any]:
        return {"creation_date": self._creation_date, "task_config_id": self._task_config_id, "version": self.version}

    def get_event_context(self) -> dict[str, Any]:
        return self._event_metadata()

    def __contains__(self, task: Any) -> bool:
        return getattr(task, "id", task) == self._task_id

    def __lt__(self, other: Job) -> bool:
        return (self._creation_date or dt.datetime.min) < (other._creation_date or dt.datetime.min)

    def __le__(self, other: Job) -> bool:
        return self == other or self < other

    def __gt__(self, other: Job) -> bool:
        return other < self

    def __ge__(self, other: Job) -> bool:
        return self == other or other < self
