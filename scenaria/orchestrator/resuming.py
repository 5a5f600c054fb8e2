"""Taking over the unfinished jobs a previous process left in the store (``resume``).

Kept apart from the scheduler because it runs once per start, on a scheduler that is not yet
dispatching anything else; it uses the scheduler's own bookkeeping to route what it takes over.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from scenaria.dispatch.base import Ending
from scenaria.entities import rules
from scenaria.entities.base import now
from scenaria.entities.job import Job
from scenaria.entities.registry import Registry
from scenaria.entities.status import Status
from scenaria.entities.submission import Submission
from scenaria.orchestrator import outputs

if TYPE_CHECKING:
    from scenaria.orchestrator.scheduler import Scheduler

LOST_RUN = "Job {job} was running when the orchestrating process stopped; its run was lost."
ROLLED_FORWARD = (
    "Job {job} completed, and the orchestrating process stopped while it committed its outputs; "
    "the next one finished the commit."
)


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


def roll_forward(scheduler: Scheduler, job: Job) -> bool:
    """Finish the commit a killed process began for ``job`` (its run was accepted, its intent
    stored): the writes still to do, then the job COMPLETED with its edits, each recorded once.

    False when the intent cannot be read back: it is rolled back (what is still staged is
    deleted) and the job is handled as a lost run.
    """
    if job.status is not Status.RUNNING:  # its RUNNING report was handled in the batch that was lost
        scheduler._set_status(job, Status.RUNNING)  # it ran: an attempt
    writes = outputs.intended(job)
    intent = job._commit_intent or {}
    if writes is None:
        job._set_commit_intent(None)
        scheduler._registry.after_commit(partial(outputs.sweep, job))  # once the intent's end is stored
        return False
    job._add_run(intent.get("host"), intent.get("pid"), Ending.COMPLETED.name)
    job._add_trace(ROLLED_FORWARD.format(job=job.id))
    scheduler._complete(job, writes, resumed=True)
    return True


def tell_moved(scheduler: Scheduler, jobs: list[Job]) -> None:
    """Tell the ends of the jobs whose staged files a killed process left to move after storing
    their end (``outputs.finish_moves``): it was killed before it could tell them."""
    registry = scheduler._registry
    for job in jobs:
        submission = registry.cached(job.submit_id)
        if not isinstance(submission, Submission):
            continue
        status = submission.submission_status if submission.is_finished() else None
        scheduler._callbacks.tell(job, Status.COMPLETED, submission, status, subscribers(registry, submission), job)


def resume(scheduler: Scheduler, jobs: list[Job]) -> None:
    """Take over the unfinished jobs a previous process left in the store.

    Jobs left RUNNING lost their process with it: they run again when their task allows
    retries, else they fail saying why. Jobs left waiting are routed again.
    """
    by_submission: dict[str, list[Job]] = collections.defaultdict(list)
    for job in jobs:
        by_submission[job.submit_id].append(job)
    with scheduler._lock, scheduler._routing():  # all launched together: the ready ones go by priority
        for submit_id, unfinished in by_submission.items():
            submission = scheduler._registry.cached(submit_id)
            if not isinstance(submission, Submission):
                fail_orphans(scheduler._registry, unfinished)
                continue
            scheduler._track(submission, submission.jobs)
            callbacks = subscribers(scheduler._registry, submission)
            for job in unfinished:
                scheduler._job_callbacks[job.id] = callbacks
            ordered = sorted(unfinished, key=lambda j: j.creation_date or now())
            with scheduler._routing() as ready, scheduler._registry.transaction():
                for job in ordered:
                    if job._commit_intent is not None and roll_forward(scheduler, job):
                        continue
                    if job.status is Status.RUNNING:
                        reason = LOST_RUN.format(job=job.id)
                        if job.attempts <= job.task.execution.max_retries:
                            job._add_trace(reason + " Running it again.")
                            scheduler._set_status(job, Status.PENDING)
                            ready.append(job)
                        else:
                            scheduler._fail(job, reason)
                waiting = (Status.SUBMITTED, Status.BLOCKED, Status.PENDING)
                for job in ordered:
                    if job.id in scheduler._active and job.status in waiting and job not in ready:
                        scheduler._route(job, ready)
