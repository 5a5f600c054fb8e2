"""Taking over the unfinished jobs of a previous process (``Scheduler.resume``): what is not the
scheduler's own state."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from scenaria.entities import rules
from scenaria.entities.job import Job
from scenaria.entities.registry import Registry
from scenaria.entities.status import Status
from scenaria.entities.submission import Submission

LOST_RUN = "Job {job} was running when the orchestrating process stopped; its run was lost."


def fail_orphans(registry: Registry, jobs: list[Job]) -> None:
    """Fail jobs whose submission is gone: nothing can finish them any more."""
    for job in jobs:
        job._add_trace(f"Job {job.id} was left unfinished and its submission no longer exists.")
        job._set_status(Status.FAILED)
        registry.save(job)


def subscribers(registry: Registry, submission: Submission) -> list[Callable[..., Any]]:
    """The callbacks of a resumed submission: its entity's subscribers (``submit``'s ``callbacks=``
    are not stored)."""
    entity = registry.cached(submission.entity_id)
    if entity is None and submission.entity_id.startswith("SEQUENCE_"):
        entity = rules.get(registry, submission.entity_id)
    return [partial(sub.callback, *sub.params, entity) for sub in getattr(entity, "subscribers", [])]
