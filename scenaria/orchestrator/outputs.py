"""A job's outputs: whether they need a run; at its end, commit the writes its run staged, or drop them.

A ``TaskRun`` stages each output where it runs (``DataNode._stage``) and returns the ``Staged``
records with its result. The scheduler calls ``commit`` when it accepts the job's completion,
while the job still holds its outputs' locks, and ``discard`` / ``sweep`` for a run it does not
accept, so that no write of an unaccepted run ever lands.
"""

from __future__ import annotations

from typing import Any

from scenaria.dispatch.base import Ending, Outcome
from scenaria.entities.data_node import Staged
from scenaria.entities.job import Job


def staged(outcome: Outcome) -> list[Staged]:
    """The staged writes a completed ``TaskRun`` returned (none for other runnables)."""
    result = outcome.result
    if outcome.ending is not Ending.COMPLETED or not isinstance(result, list):
        return []
    return [each for each in result if isinstance(each, Staged)]


def commit(job: Job, outputs: list[Any], writes: list[Staged]) -> str | None:
    """Make the staged writes of ``job`` visible; the reason when one cannot be (the rest discarded).

    Values kept for the commit (generic writers, databases: user code that may fail) are
    written first, then staged files are moved in place (renames, server-side copies).
    """
    by_id = {dn.id: dn for dn in outputs}
    pending = sorted(writes, key=lambda each: each.location is not None)
    while pending:
        each = pending[0]
        try:
            by_id[each.data_node_id]._commit_staged(each)
        except Exception as exc:
            for rest in pending[1:]:
                by_id[rest.data_node_id]._discard_staged(rest)
            names = ", ".join(by_id[rest.data_node_id].config_id for rest in pending)
            return (
                f"Job {job.id} ran, but writing its output {by_id[each.data_node_id].config_id!r} failed "
                f"({type(exc).__name__}: {exc}); {names} not written."
            )
        pending.pop(0)
    return None


def discard(job: Any, outcome: Outcome) -> None:
    """Throw away what a run that is not accepted (its job ended meanwhile) staged."""
    if isinstance(job, Job):
        by_id = {dn.id: dn for dn in job.task.output.values()}
        for each in staged(outcome):
            by_id[each.data_node_id]._discard_staged(each)


def sweep(job: Job) -> None:
    """Drop the staged writes a killed run of ``job`` may have left beside its outputs."""
    for dn in job.task.output.values():
        dn._discard_job_staging(job.id)
