"""``scenaria.explain``: why each job of a submission ran, was skipped or reused."""

from __future__ import annotations

from typing import Any

from scenaria.api.getting import _resolve, get_latest_job, get_latest_submission
from scenaria.entities.job import Job
from scenaria.entities.submission import Submission
from scenaria.entities.task import Task
from scenaria.exceptions import EntityError


def explain(entity: Any) -> list[str]:
    """One line per job, in the order they were created: its task, its status and
    ``job.run_reason`` (with why it ended, when it did not complete).

    ``entity`` is a submission, or a scenario or sequence (their latest submission is
    explained), or a task (its latest job, whatever submitted it), or a job, or the id of any of them.
    """
    found = _resolve(entity)
    if isinstance(found, Task):  # most often run as part of its scenario, seldom submitted alone
        found = get_latest_job(found)
        if found is None:
            return []
    if isinstance(found, Job):
        jobs = [found]
    else:
        submission = found if isinstance(found, Submission) else None
        if submission is None and found is not None and hasattr(found, "submit"):
            submission = get_latest_submission(found)
            if submission is None:
                return []
        if submission is None:
            raise EntityError(
                f"scenaria.explain() needs a submission, a scenario, a sequence, a task or a job (or its id); "
                f"got {entity!r}" + (", which names no existing entity." if found is None else ".")
            )
        jobs = sorted(submission.jobs)
    return [_line(job) for job in jobs]


def _line(job: Job) -> str:
    why = job.run_reason or f"not started ({job.status.name.lower()})."
    ended = f" It ended: {job.reason}" if job.reason else ""
    return f"{job._task_config_id} {job.status.name}: {why}{ended}"
