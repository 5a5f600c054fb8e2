"""A job's outputs: at its end, commit the writes its run staged, or drop them.

A ``TaskRun`` stages each output where it runs (``DataNode._stage``) and returns the ``Staged``
records with its result. The scheduler calls ``commit`` when it accepts the job's completion,
while the job still holds its outputs' locks, and ``discard`` / ``sweep`` for a run it does not
accept, so that no write of an unaccepted run ever lands.

Committing and recording the job COMPLETED are two steps (renames and writers, then a store
transaction), so the commit is made all-or-nothing by an *intent*: before the first write, the
store keeps the staged writes on the job (``intent``), in a transaction of their own. A process
killed between the two steps leaves a job that is not finished and holds its intent; the next
process rolls it forward (``resuming.roll_forward``): it finishes the writes still to do (a
staged file that is gone was moved already: staged files are deleted only after the job's end
is stored), then records the job COMPLETED and its edits, as the killed process would have.
"""

from __future__ import annotations

import os
import signal
from typing import Any

from scenaria.dispatch.base import Ending, Outcome
from scenaria.entities import codec, values
from scenaria.entities.job import Job
from scenaria.entities.storage_types import Staged

#: tests only: the point of a commit (``intent``, ``write``, ``commit``) at which this process
#: SIGKILLs itself, to reproduce an orchestrator killed between two steps of a commit
CRASH_AT = "SCENARIA_CRASH_AT"


def staged(outcome: Outcome) -> list[Staged]:
    """The staged writes a completed ``TaskRun`` returned (none for other runnables)."""
    result = outcome.result
    if outcome.ending is not Ending.COMPLETED or not isinstance(result, list):
        return []
    return [each for each in result if isinstance(each, Staged)]


def intent(writes: list[Staged], host: str | None, pid: int | None) -> dict[str, Any] | None:
    """The store's record of ``writes`` about to be committed, and where their run ran; None when
    a value cannot be stored (it does not pickle): that commit then has no roll-forward."""
    try:
        encoded = [[each.data_node_id, each.location, codec.encode(each.value), each.version] for each in writes]
    except Exception:
        return None
    return {"writes": encoded, "host": host, "pid": pid}


def intended(job: Job) -> list[Staged] | None:
    """The staged writes of ``job``'s intent; None when they cannot be read back (a value whose
    class is gone): the intent is then rolled back."""
    recorded = job._commit_intent or {}
    try:
        return [
            Staged(dn_id, location, values.loaded(codec.decode(value)), version)
            for dn_id, location, value, version in recorded["writes"]
        ]
    except Exception:
        return None


def commit(job: Job, outputs: list[Any], writes: list[Staged], resumed: bool = False) -> str | None:
    """Make the staged writes of ``job`` visible; the reason when one cannot be.

    Values kept for the commit (generic writers, databases: user code that may fail) are
    written first, then staged files are moved in place (renames, server-side copies). When
    ``resumed`` (a roll-forward), a staged file that is gone was moved by the killed process.
    What is left staged after a failure is deleted with the job's end (``sweep``).
    """
    by_id = {dn.id: dn for dn in outputs}
    pending = sorted(writes, key=lambda each: each.location is not None)
    _crash_point("intent")
    for index, each in enumerate(pending):
        node = by_id[each.data_node_id]
        try:
            if not resumed or node._staged_exists(each):
                node._commit_staged(each)
        except Exception as exc:
            names = ", ".join(by_id[rest.data_node_id].config_id for rest in pending[index:])
            return (
                f"Job {job.id} ran, but writing its output {node.config_id!r} failed "
                f"({type(exc).__name__}: {exc}); {names} not written."
            )
        _crash_point("write" if index + 1 < len(pending) else "commit")
    return None


def _crash_point(name: str) -> None:
    if os.environ.get(CRASH_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def discard(job: Any, outcome: Outcome) -> None:
    """Throw away what a run that is not accepted (its job ended meanwhile) staged."""
    if isinstance(job, Job):
        by_id = {dn.id: dn for dn in job.task.output.values()}
        for each in staged(outcome):
            by_id[each.data_node_id]._discard_staged(each)


def sweep(job: Job) -> None:
    """Drop the staged writes a killed run of ``job`` (or a failed commit) may have left beside its outputs."""
    for dn in job.task.output.values():
        dn._discard_job_staging(job.id)
