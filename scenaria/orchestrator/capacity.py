"""Resource limits and priorities: which ready jobs the scheduler hands to its dispatcher, and when.

The job configuration declares capacities (``[JOB] resources = {"gpu": 1, "db": 4}``) and a task
what one of its runs uses (``resources = {"gpu": 1}``). A ready (PENDING) job goes to the
dispatcher only when what it uses is free; it holds it from then until the dispatcher reports
its run's end (every run is reported exactly once, however it ends), so at most the capacity
runs at once, whatever the mode. It is the scheduler's gate, not the workers': the same rule in
every mode, with no server and no worker declaring anything (Dask worker resources come on top,
see ``dispatch.dask``).

Among the jobs ready at once, the one of higher priority goes first, then the older one. A job
held for a resource keeps that resource for itself: a job behind it that uses the same resource
waits too (so a job that needs 3 of 4 is not starved by a stream of jobs that need 1), while
jobs that use other resources, or none, go on.

With ``slots`` (the number of workers, when capacities are declared and the workers are
scenaria's), a job is handed over only when a worker is free for it: a job never holds a
resource while it waits in the dispatcher's queue, and this gate is the only queue, so
priorities hold across jobs that use resources and jobs that do not. Without capacities nothing
is held here: the dispatcher's own queue orders jobs by priority, and no job waits for a round
trip through the scheduler when a worker frees.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from scenaria.config.execution import whole_priority
from scenaria.exceptions import InvalidExecutionSetting

SUBMIT_PRIORITY = "priority"  # the submission property that overrides its tasks' priority


def submit_priority(value: Any) -> int | None:
    """``submit(..., priority=...)`` as an int, None when not given; a clear error for a bad value."""
    if value is None:
        return None
    return whole_priority(
        value,
        lambda: InvalidExecutionSetting(
            f"submit(..., priority={value!r}): the priority is a whole number, higher first among ready jobs "
            "(e.g. priority=5 or priority=-1); leave it out for each task's own priority (0 by default).",
            "priority",
            value,
        ),
    )


def job_priority(task_priority: int, submission_properties: Mapping[str, Any]) -> int:
    """The submission's priority when it gives one, else the task's."""
    given = submission_properties.get(SUBMIT_PRIORITY)
    if given is None:
        return task_priority
    try:
        return whole_priority(given, lambda: ValueError())
    except ValueError:  # a store written by hand: the submission was refused otherwise
        return task_priority


class Gate:
    """Ready jobs waiting for capacity, and what the runs handed to the dispatcher hold.

    Held jobs are kept in one heap per set of resource names they use: the jobs of one such
    group wait for the same resources, so when the first of a group cannot go, none behind it
    can, and a walk looks at the first job of each group only, never at every held job.
    """

    def __init__(self, capacities: Mapping[str, float], slots: int | None = None) -> None:
        self._capacity = dict(capacities)
        self._slots = slots  # runs handed over at most at once; None: as many as are ready
        self._busy = 0  # runs handed over and not yet reported
        self._in_use = dict.fromkeys(self._capacity, 0.0)
        self._groups: dict[frozenset[str], list[_Entry]] = {}  # heaps of held jobs, by the names they use
        self._held: set[str] = set()  # held job ids (an entry whose id is not here was forgotten)
        self._holding: dict[str, dict[str, float]] = {}  # job id -> what its dispatched run holds
        self._count = itertools.count()
        self._freed = False  # a run gave something back since the held jobs were last looked at

    def uses(self, resources: Mapping[str, float]) -> dict[str, float]:
        """What a run of a task with ``resources`` takes here: the amounts of limited resources."""
        return {name: amount for name, amount in resources.items() if amount > 0 and name in self._capacity}

    def admit(self, ready: Iterable[tuple[Any, int, Any, dict[str, float]]]) -> list[Any]:
        """The jobs to dispatch now, in order, among ``ready`` ``(job, priority, order, uses)`` and
        those held before; the others are held until a run ends (``release``)."""
        entries = sorted(_Entry(-priority, order, next(self._count), job, uses) for job, priority, order, uses in ready)
        free: list[Any] = []
        for entry in entries:
            if self._slots is None and not entry.uses:
                free.append(entry.job)  # it uses nothing limited: it waits for nothing here
            else:
                heapq.heappush(self._groups.setdefault(frozenset(entry.uses), []), entry)
                self._held.add(entry.job.id)
        if len(free) == len(entries) and not self._freed:
            return free
        self._freed = False
        return free + self._walk()

    def _walk(self) -> list[Any]:
        """Take held jobs, best first, while a worker is free and their resources are."""
        admitted: list[Any] = []
        reserved: set[str] = set()  # resources a held job waits for: no job behind it takes them
        heads = [(self._groups[names][0], names) for names in list(self._groups) if self._first(names)]
        heapq.heapify(heads)
        while heads and (self._slots is None or self._busy < self._slots):
            entry, names = heapq.heappop(heads)
            if reserved.intersection(names) or not self._fits(entry.uses):
                reserved.update(names)
                continue  # this group waits, all of it
            group = self._groups[names]
            heapq.heappop(group)
            self._held.discard(entry.job.id)
            self._take(entry.job.id, entry.uses)
            admitted.append(entry.job)
            if self._first(names):
                heapq.heappush(heads, (group[0], names))
        return admitted

    def _first(self, names: frozenset[str]) -> bool:
        """Whether the group ``names`` holds a job still waiting (forgotten ones are dropped here)."""
        group = self._groups[names]
        while group and group[0].job.id not in self._held:
            heapq.heappop(group)
        if not group:
            del self._groups[names]
        return bool(group)

    def _take(self, job_id: str, uses: dict[str, float]) -> None:
        if self._slots is not None:
            self._busy += 1
        for name, amount in uses.items():
            self._in_use[name] += amount
        self._holding[job_id] = uses

    def _fits(self, uses: Mapping[str, float]) -> bool:
        return all(self._in_use[name] + amount <= self._capacity[name] for name, amount in uses.items())

    def release(self, job_id: str) -> bool:
        """The dispatcher reported the end of ``job_id``'s run: what it held is free again.
        True when a held job may now go (``admit``)."""
        uses = self._holding.pop(job_id, None)
        if uses is None:
            return False
        if self._slots is not None:
            self._busy -= 1
        for name, amount in uses.items():
            self._in_use[name] -= amount
        self._freed = True
        return bool(self._held)

    def forget(self, job_id: str) -> None:
        """``job_id`` ended while held (canceled, abandoned): it no longer waits."""
        self._held.discard(job_id)

    def holds(self, job_id: str) -> bool:
        """Whether ``job_id`` is ready but held back (it was never handed to the dispatcher)."""
        return job_id in self._held


class _Entry(NamedTuple):  # a named tuple: quicker to define at import than a dataclass
    """A held job, ordered by priority (higher first), then age, then arrival (unique: two
    entries never compare their jobs)."""

    rank: int  # -priority
    order: Any
    arrival: int
    job: Any
    uses: dict[str, float]
