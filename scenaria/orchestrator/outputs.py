"""A job's outputs: at its end, commit the writes its run staged, or drop them.

A ``TaskRun`` stages each output where it runs (``DataNode._stage``) and returns the ``Staged``
records with its result. The scheduler calls ``commit`` when it accepts the job's completion,
while the job still holds its outputs' locks, and ``discard`` / ``sweep`` for a run it does not
accept, so that no write of an unaccepted run ever lands.

Committing and recording the job COMPLETED are two steps, made all-or-nothing by an *intent*
(the staged writes, stored before any write) that the next process rolls forward if this one
is killed between them. Two orders, by what the commit has to do:

- **Writes by code** (a value a generic writer, a database or memory takes; files elsewhere than
  on this machine's file system): the intent is stored on the job, in a transaction of its own
  (``Scheduler._intend``), then the values are written (user code, which may fail: the job then
  FAILS), then the job's end is stored. A killed process leaves a job that is not finished and
  holds its intent: the next one finishes the writes still to do and records the job COMPLETED
  (``resuming.roll_forward``), as the killed process would have.
- **Renames only** (every output a staged local file, the common case): nothing there can fail
  but the file system, so the intent is stored *with* the job's end, in the version's meta value
  ``moves_key`` (``Scheduler._complete``), and the files are moved once that is committed, before
  anyone is told of the end. A killed process leaves a COMPLETED job named in that meta value: the
  next one moves what is still staged before anything else (``finish_moves``). For the few
  microseconds between the commit and the renames, another process may read a job COMPLETED
  whose outputs still hold their former files.

Either way a staged file that is gone was moved already (staged files are deleted only after the
job's end is stored), and one whose target is already the staged file (same inode, recorded in the
intent) was exchanged into place (``store.replacing``), and what is left under its name is the old
file, which is deleted.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from typing import Any

from scenaria.dispatch.base import Ending, Outcome
from scenaria.entities import codec, values
from scenaria.entities.job import Job
from scenaria.entities.registry import Registry
from scenaria.entities.status import Status
from scenaria.entities.storage_types import Staged

#: tests only: the point of a commit (``intent``, ``write``, ``commit``) at which this process
#: SIGKILLs itself, to reproduce an orchestrator killed between two steps of a commit
CRASH_AT = "SCENARIA_CRASH_AT"

logger = logging.getLogger("scenaria")


def staged(outcome: Outcome) -> list[Staged]:
    """The staged writes a completed ``TaskRun`` returned (none for other runnables)."""
    result = outcome.result
    if outcome.ending is not Ending.COMPLETED or not isinstance(result, list):
        return []
    return [each for each in result if isinstance(each, Staged)]


def intent(
    writes: list[Staged], host: str | None, pid: int | None, inodes: dict[str, int] | None = None
) -> dict[str, Any] | None:
    """The store's record of ``writes`` about to be committed, where their run ran and the inodes
    of the staged local files; None when a value cannot be stored (it does not pickle): that commit
    then has no roll-forward."""
    try:
        encoded = [[each.data_node_id, each.location, codec.encode(each.value), each.version] for each in writes]
    except Exception:
        return None
    return {"writes": encoded, "host": host, "pid": pid, "inodes": inodes or {}}


def inodes(job: Job, writes: list[Staged]) -> dict[str, int]:
    """The inode of each staged write that is a local file to rename, by its location: a commit
    with one for every write is renames only (see the module docstring)."""
    by_id = {dn.id: dn for dn in job.task.output.values()}
    found = {}
    for each in writes:
        node = by_id.get(each.data_node_id)
        files = None if node is None else node._staged_file(each)
        if files is not None:
            with contextlib.suppress(OSError):  # gone meanwhile: the commit says so
                found[str(each.location)] = os.stat(files[0]).st_ino
    return found


def moves_key(version: str) -> str:
    """The meta value naming the jobs whose end is stored and whose staged files may still be to move."""
    return f"moves:{version}"


def intended(job: Job) -> list[Staged] | None:
    """The staged writes of ``job``'s intent; None when they cannot be read back (a value whose
    class is gone): the intent is then rolled back."""
    return _writes(job._commit_intent or {})


def _writes(recorded: dict[str, Any]) -> list[Staged] | None:
    try:
        return [
            Staged(dn_id, location, values.loaded(codec.decode(value)), version)
            for dn_id, location, value, version in recorded["writes"]
        ]
    except Exception:
        return None


def commit(
    job: Job, outputs: list[Any], writes: list[Staged], resumed: bool = False, inodes: dict[str, int] | None = None
) -> str | None:
    """Make the staged writes of ``job`` visible; the reason when one cannot be.

    Values kept for the commit (generic writers, databases: user code that may fail) are
    written first, then staged files are moved in place (renames, server-side copies). When
    ``resumed`` (a roll-forward), only what is still to move is moved (``_still_to_move``, by the
    ``inodes`` the intent recorded). What is left staged after a failure is deleted with the
    job's end (``sweep``).
    """
    by_id = {dn.id: dn for dn in outputs}
    pending = sorted(writes, key=lambda each: each.location is not None)
    _crash_point("intent")
    for index, each in enumerate(pending):
        node = by_id[each.data_node_id]
        try:
            if not resumed or _still_to_move(node, each, inodes or {}):
                node._commit_staged(each)
        except Exception as exc:
            names = ", ".join(by_id[rest.data_node_id].config_id for rest in pending[index:])
            return (
                f"Job {job.id} ran, but writing its output {node.config_id!r} failed "
                f"({type(exc).__name__}: {exc}); {names} not written."
            )
        _crash_point("write" if index + 1 < len(pending) else "commit")
    return None


def _still_to_move(node: Any, staged_write: Staged, inodes: dict[str, int]) -> bool:
    """Whether a killed process left ``staged_write`` to commit: not if its staged file is gone
    (moved), nor if its target is that file already (exchanged into place: what is left under the
    staged name is the old file, deleted here)."""
    if not node._staged_exists(staged_write):
        return False
    files, inode = node._staged_file(staged_write), inodes.get(str(staged_write.location))
    if files is None or inode is None:
        return True
    try:
        in_place = os.stat(files[1]).st_ino == inode
    except OSError:
        return True
    if in_place:
        node._discard_staged(staged_write)
    return not in_place


def finish_moves(registry: Registry, version: str) -> list[Job]:
    """Move the staged files a killed process left behind jobs whose end it had stored (renames-only
    commits, see the module docstring), before anything else touches them; the jobs whose files
    were still to move (their end was never told: the caller tells it)."""
    repository = registry.repository
    pending = repository.get_meta(moves_key(version))
    if not pending:
        return []
    unfinished, kept = [], {}
    for job_id, recorded in pending.items():
        job = registry.get(job_id)
        writes = _writes(recorded)
        if not isinstance(job, Job) or job.status is not Status.COMPLETED or writes is None:
            continue  # its end was not stored (then it is resumed), or the job is gone
        try:
            outputs = list(job.task.output.values())
        except Exception as exc:  # its task is gone: nothing can be moved, and the start must go on
            logger.error("The outputs of job %s cannot be moved into place: %s", job_id, exc)
            continue
        by_id = {dn.id: dn for dn in outputs}
        inodes = recorded.get("inodes", {})
        left = [
            each
            for each in writes
            if each.data_node_id in by_id and _still_to_move(by_id[each.data_node_id], each, inodes)
        ]
        if not left:
            continue  # moved: the killed process went on after (and may have told the end, and run what followed)
        failure = commit(job, outputs, left)
        if failure is not None:  # kept, with its staged files (litter spares them): the next start tries again
            logger.error("%s The next start of the orchestrator tries again.", failure)
            kept[job_id] = recorded
        unfinished.append(job)
        for started in registry.get_many(Job, recorded.get("then", ())):  # their functions never ran
            if started.status is Status.RUNNING and not started.runs:
                started._unstart()
                registry.save(started)
    repository.set_meta(moves_key(version), kept or None)
    return unfinished


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
