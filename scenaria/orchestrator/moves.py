"""A scheduler's renames-only commits (``outputs``): their intent stored with their job's end, their
files moved once that is committed.

When every write of an accepted run is a staged local file, nothing in its commit can fail but
the file system, so there is no transaction of its own for the intent: ``note`` marks the run
when it is accepted, ``record`` puts the intent in the version's meta value (``moves_key``) in the
transaction that stores the job's end, and the files are moved after that commits, before
anyone is told of the end (``Registry.after_commit`` runs actions in order). A job started in that
same commit (development mode: ``Dispatcher.runs_later``) is named in it (``then``): if the
commit is cut before the files are moved, its function never ran (``outputs.finish_moves``).
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from scenaria.dispatch.base import Outcome
from scenaria.entities import landing
from scenaria.entities.job import Job
from scenaria.entities.registry import Registry
from scenaria.entities.storage_types import Staged
from scenaria.orchestrator import outputs
from scenaria.orchestrator.outcomes import ran_on

logger = logging.getLogger("scenaria")


class Moves:
    """The renames-only commits of one scheduler, from their run's acceptance until their files are moved."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        self._inodes: dict[str, dict[str, int]] = {}  # accepted runs whose commit is renames only
        self._moving: dict[str, Any] = {}  # their intents, stored with their end, until their files are moved
        self._unmoved: dict[str, Any] = {}  # those of the commit under way

    def note(self, job: Job, writes: list[Staged]) -> dict[str, int] | None:
        """Mark an accepted run whose commit is renames only; else the inodes its stored intent keeps."""
        inodes = outputs.inodes(job, writes)
        if len(inodes) == len(writes):
            self._inodes[job.id] = inodes
            return None
        return inodes

    def intend(self, accepted: list[tuple[Job, Outcome]]) -> None:
        """Before the runs about to be accepted are committed: store, in a transaction of their own,
        the staged writes of those whose commit runs code; mark those whose commit is renames only."""
        intents = []
        for job, outcome in accepted:
            writes = outputs.staged(outcome)
            inodes = self.note(job, writes) if writes else None
            if inodes is not None:
                intents.append((job, outputs.intent(writes, *ran_on(outcome), inodes)))
        if any(intent is not None for _, intent in intents):
            with self._registry.transaction():
                for job, intent in intents:
                    if intent is not None:
                        job._set_commit_intent(intent)
                        self._registry.save(job)

    def take(self, job_id: str) -> dict[str, int] | None:
        """The inodes of a marked run (None: not marked), which is committed or dropped now."""
        return self._inodes.pop(job_id, None)

    def record(self, job: Job, nodes: list[Any], writes: list[Staged], inodes: dict[str, int]) -> None:
        """Inside the transaction storing ``job``'s end: store its intent with it, and move its
        files once it is committed."""
        intent = outputs.intent(writes, None, None, inodes) or {}  # (a file's value is None: never None)
        self._moving[job.id] = self._unmoved[job.id] = {**intent, "then": []}
        landing.begin(each.data_node_id for each in writes)  # reads in this process wait for the move
        self._write()
        self._registry.after_commit(partial(self._move, job, nodes, writes))  # before any telling
        self._registry.on_abort(partial(self._forget, job.id, writes))

    def started(self, job_id: str) -> None:
        """A job whose function starts after the commit under way (``Dispatcher.runs_later``)."""
        if self._unmoved:
            for intent in self._unmoved.values():
                intent["then"].append(job_id)
            self._write()

    def _write(self) -> None:
        self._registry.before_commit(self._store)  # once per transaction, however many changes

    def _store(self) -> None:
        self._registry.repository.set_meta(outputs.moves_key(self._registry.version), self._moving)

    def _forget(self, job_id: str, writes: list[Staged]) -> None:
        """The transaction that was to store this job's end failed: its files are not to move."""
        self._unmoved.pop(job_id, None)
        self._moving.pop(job_id, None)
        landing.end(each.data_node_id for each in writes)

    def _move(self, job: Job, nodes: list[Any], writes: list[Staged]) -> None:
        self._unmoved.pop(job.id, None)
        try:
            failure = outputs.commit(job, nodes, writes)
        finally:
            landing.end(each.data_node_id for each in writes)
        if failure is None:
            self._moving.pop(job.id, None)
        else:  # kept in the stored intent: the next start of an orchestrator tries again
            logger.error("%s The job stays COMPLETED; the next start of the orchestrator moves what is left.", failure)
