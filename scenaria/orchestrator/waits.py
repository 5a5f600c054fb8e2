"""Which blocked jobs wait for which data nodes: unlocking a node releases exactly its jobs.

Nothing is rescanned: each blocked job waits on a set of data nodes, and when the last of them is
unlocked the job is ready to be routed again.

It also keeps, for each data node, the unfinished jobs that will write it, oldest first: jobs
of two submissions of one scenario write a node in the order they were created.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterable
from typing import Any


class Waits:
    """Blocked job ids and the data node ids each waits for (both ways)."""

    def __init__(self) -> None:
        self._waiting: dict[str, set[str]] = collections.defaultdict(set)  # dn id -> blocked job ids
        self._blocked_on: dict[str, set[str]] = {}  # job id -> dn ids it waits for
        self._writers: dict[str, list[str]] = {}  # dn id -> unfinished jobs that write it, oldest first

    def add_writer(self, job_id: str, dn_ids: Iterable[str], order: Callable[[str], Any]) -> None:
        """``job_id`` will write ``dn_ids``; ``order`` sorts writers (creation order)."""
        for dn_id in dn_ids:
            writers = self._writers.setdefault(dn_id, [])
            writers.append(job_id)
            if len(writers) > 1:
                writers.sort(key=order)

    def writers_ahead(self, job_id: str, dn_ids: Iterable[str]) -> set[str]:
        """The data nodes among ``dn_ids`` that an older unfinished job is still to write."""
        return {dn_id for dn_id in dn_ids if self._writers.get(dn_id, [job_id])[0] != job_id}

    def drop_writer(self, job_id: str, dn_id: str) -> bool:
        """Forget ``job_id`` as a writer of ``dn_id``; True while other jobs are still to write it."""
        writers = self._writers.get(dn_id, [])
        if job_id in writers:
            writers.remove(job_id)
        if writers:
            return True
        self._writers.pop(dn_id, None)
        return False

    def block(self, job_id: str, dn_ids: set[str]) -> None:
        self._blocked_on[job_id] = dn_ids
        for dn_id in dn_ids:
            self._waiting[dn_id].add(job_id)

    def release(self, dn_id: str) -> list[str]:
        """The jobs that waited for ``dn_id`` and now wait for nothing (no longer blocked here)."""
        freed = []
        for job_id in self._waiting.pop(dn_id, ()):
            waiting_for = self._blocked_on.get(job_id)
            if waiting_for is None:
                continue
            waiting_for.discard(dn_id)
            if not waiting_for:
                del self._blocked_on[job_id]
                freed.append(job_id)
        return freed

    def forget(self, job_id: str) -> None:
        """The job waits no more (it ended, or was abandoned)."""
        for dn_id in self._blocked_on.pop(job_id, ()):
            self._waiting.get(dn_id, set()).discard(job_id)
