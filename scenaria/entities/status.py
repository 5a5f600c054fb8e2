"""Job and submission statuses, and the tables of the transitions they allow."""

from __future__ import annotations

import enum

from scenaria.exceptions import InvalidJobTransition, InvalidSubmissionTransition


class Status(enum.Enum):
    """Where a job is in its life."""

    SUBMITTED = 1
    BLOCKED = 2
    PENDING = 3
    RUNNING = 4
    CANCELED = 5
    FAILED = 6
    COMPLETED = 7
    SKIPPED = 8
    ABANDONED = 9

    # Members are compared by identity (an Enum's equality): hashing them by identity too, in C,
    # instead of ``Enum.__hash__`` (Python code hashing the name), makes the ~60 set and table
    # lookups of each job's life (transitions, counts, finished or not) cost next to nothing.
    __hash__ = object.__hash__


class SubmissionStatus(enum.Enum):
    """The status of a submission, derived from its jobs'."""

    SUBMITTED = 0
    UNDEFINED = 1
    BLOCKED = 2
    PENDING = 3
    RUNNING = 4
    CANCELED = 5
    FAILED = 6
    COMPLETED = 7

    __hash__ = object.__hash__  # as ``Status``'s


S = Status
FINISHED: frozenset[Status] = frozenset({S.COMPLETED, S.FAILED, S.CANCELED, S.SKIPPED, S.ABANDONED})

#: status -> statuses it may become. RUNNING -> PENDING is a retry; X -> FAILED from a waiting
#: status is a job that cannot start (an input nobody writes, a restart that finds it orphaned).
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.SUBMITTED: frozenset({S.BLOCKED, S.PENDING, S.CANCELED, S.ABANDONED, S.FAILED}),
    S.BLOCKED: frozenset({S.PENDING, S.CANCELED, S.ABANDONED, S.FAILED}),
    S.PENDING: frozenset({S.RUNNING, S.SKIPPED, S.CANCELED, S.ABANDONED, S.FAILED, S.BLOCKED}),
    S.RUNNING: frozenset({S.COMPLETED, S.FAILED, S.CANCELED, S.PENDING}),
    S.COMPLETED: frozenset(),
    S.FAILED: frozenset(),
    S.CANCELED: frozenset(),
    S.SKIPPED: frozenset(),
    S.ABANDONED: frozenset(),
}


def check_transition(job_id: str, old: Status, new: Status) -> None:
    """Raise ``InvalidJobTransition`` unless ``old -> new`` is allowed."""
    if new not in TRANSITIONS[old]:
        raise InvalidJobTransition(f"Job {job_id} cannot go from {old.name} to {new.name}.")


def check_unfinished(job_id: str, status: Status, change: str) -> None:
    """Raise ``InvalidJobTransition`` when a finished job (whose record is final) would change."""
    if status in FINISHED:
        raise InvalidJobTransition(f"Job {job_id} is {status.name}: its {change} cannot change any more.")


SS = SubmissionStatus
#: the statuses a submission ends in: every job is finished, so none of them changes again
SUBMISSION_FINAL: frozenset[SubmissionStatus] = frozenset({SS.COMPLETED, SS.FAILED, SS.CANCELED})

#: submission status -> statuses it may become (derived from its jobs' while one is unfinished)
SUBMISSION_TRANSITIONS: dict[SubmissionStatus, frozenset[SubmissionStatus]] = {
    status: frozenset() if status in SUBMISSION_FINAL else frozenset(SS) - {status} for status in SS
}


def check_submission_transition(submission_id: str, old: SubmissionStatus, new: SubmissionStatus) -> None:
    """Raise ``InvalidSubmissionTransition`` unless ``old -> new`` is allowed."""
    if new not in SUBMISSION_TRANSITIONS[old]:
        raise InvalidSubmissionTransition(f"Submission {submission_id} cannot go from {old.name} to {new.name}.")
