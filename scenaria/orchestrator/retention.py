"""Pruning old submissions and their jobs, by age or by count: ``scenaria prune`` and the
``retention`` setting a live orchestrator applies.

The unit is a submission with its jobs: a submission goes, jobs and all, when it is finished,
older than the age (``older_than``) or beyond the newest ``keep``, and none of its jobs is
unfinished or the latest job of its task (which ``tp.get_latest_job`` and skippable tasks read).
So what is left is always whole: every kept submission has its jobs, every kept job its submission.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from scenaria.entities import Job, Submission
from scenaria.entities.registry import Registry
from scenaria.orchestrator.periodic import Periodic

logger = logging.getLogger("scenaria")


@dataclass
class Pruned:
    """What a prune removed (or, dry, would remove)."""

    submissions: list[str] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)


def prune(
    registry: Registry,
    older_than: dt.timedelta | None = None,
    keep: int | None = None,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> Pruned:
    """Delete the submissions (and jobs) of the current version that the rules let go."""
    if older_than is None and keep is None:
        raise ValueError("prune needs older_than, keep, or both")
    submissions = sorted(registry.find(Submission), key=_created)
    candidates = [s for s in submissions if s.is_finished()]
    if keep is not None:
        newest = {s.id for s in submissions[max(0, len(submissions) - keep) :]} if keep else set()
        candidates = [s for s in candidates if s.id not in newest]
    if older_than is not None:
        cutoff = (now or dt.datetime.now()) - older_than
        candidates = [s for s in candidates if _created(s) < cutoff]
    protected = _latest_jobs(registry)
    pruned = Pruned()
    doomed: list[Any] = []
    for submission in candidates:
        jobs = registry.get_many(Job, submission._job_ids)
        if any(job.id in protected or not job.is_finished() for job in jobs):
            continue
        pruned.submissions.append(submission.id)
        pruned.jobs.extend(job.id for job in jobs)
        doomed += [submission, *jobs]
    if doomed and not dry_run:
        with registry.transaction():
            registry.delete(doomed)
    return pruned


def _latest_jobs(registry: Registry) -> set[str]:
    """The id of each task's latest job."""
    latest: dict[str, Job] = {}
    for job in registry.find(Job):
        current = latest.get(job._task_id)
        if current is None or _created(job) >= _created(current):
            latest[job._task_id] = job
    return {job.id for job in latest.values()}


def _created(entity: Any) -> dt.datetime:
    return entity.creation_date or dt.datetime.min


class RetentionRunner(Periodic):
    """Applies the ``retention`` setting every ``period`` seconds while an orchestrator lives."""

    name = "retention"

    def __init__(self, registry: Registry, older_than: dt.timedelta | None, keep: int | None, period: float) -> None:
        self._registry, self._older_than, self._keep, self._period = registry, older_than, keep, period
        super().__init__()

    def _round(self) -> None:
        pruned = prune(self._registry, self._older_than, self._keep)
        if pruned.submissions:
            logger.info("Retention: pruned %d submission(s), %d job(s).", len(pruned.submissions), len(pruned.jobs))

    def _delay(self) -> float:
        return self._period
