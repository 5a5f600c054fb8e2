"""How the scheduler reads a run's end: the trace and reason a job keeps, the failure it logs.

Whether a job runs at all is decided by ``skipping.decide``.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Container

from scenaria.dispatch.base import Ending, Outcome
from scenaria.entities.job import Job
from scenaria.entities.status import Status

logger = logging.getLogger("scenaria")

HOST = socket.gethostname()  # where local worker processes run

FAILURES = {Ending.FAILED: "failed", Ending.TIMED_OUT: "timed out", Ending.DIED: "died"}


def log_retry(job: Job, ending: Ending, retries: int) -> None:
    logger.warning("Job %s %s (attempt %d of %d); trying again.", job.id, FAILURES[ending], job.attempts, retries + 1)


def log_failure(job: Job, trace: str) -> None:
    """One loud record per failed job, in every mode: the user sees it without asking.

    ``job_id`` and ``task_config_id`` are extra fields of the record, for structured logs.
    """
    logger.error(
        "Job %s of task %r failed:\n%s",
        job.id,
        job._task_config_id,
        trace.rstrip("\n"),
        extra={"job_id": job.id, "task_config_id": job._task_config_id},
    )


def last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def describe(job: Job, outcome: Outcome) -> str:
    if outcome.ending is Ending.FAILED:
        return outcome.traceback or repr(outcome.error)
    if outcome.ending is Ending.TIMED_OUT:
        return outcome.traceback or f"Job {job.id} timed out and was stopped."
    return outcome.traceback or f"The worker process running job {job.id} died."


def downstream(job: Job, jobs: list[Job], active: Container[str]) -> list[Job]:
    """The unfinished, not running ``jobs`` (of ``job``'s submission) that need ``job``'s outputs,
    directly or through one another: they are abandoned when ``job`` ends unsuccessfully."""
    lost = set(job.task._output_ids)
    found = []
    for other in jobs:
        if other.id == job.id or other.id not in active or other.is_finished():
            continue
        task = other.task
        if lost.intersection(task._input_ids) and other.status is not Status.RUNNING:
            lost.update(task._output_ids)
            found.append(other)
    return found


def ran_on(outcome: Outcome) -> tuple[str | None, int | None]:
    """(host, pid) of the process that ran the job (local workers: this host)."""
    host = outcome.details.get("host") or (HOST if "pid" in outcome.details else None)
    return host, outcome.details.get("pid")
