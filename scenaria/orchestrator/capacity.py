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

import bisect
import itertools
from collections.abc import Iterable, Mapping
from typing import Any

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
    """Ready jobs waiting for capacity, and what the runs handed to the dispatcher hold."""

    def __init__(self, capacities: Mapping[str, float], slots: int | None = None) -> None:
        self._capacity = dict(capacities)
        self._slots = slots  # runs handed over at most at once; None: as many as are ready
        self._busy = 0  # runs handed over and not yet reported
        self._in_use = dict.fromkeys(self._capacity, 0.0)
        self._held: list[tuple[int, Any, int, Any, dict[str, float]]] = []  # sorted: (-priority, order, n, job, uses)
        self._holding: dict[str, dict[str, float]] = {}  # job id -> what its dispatched run holds
        self._count = itertools.count()
        self._freed = False  # a run gave something back since the held jobs were last looked at

    def uses(self, resources: Mapping[str, float]) -> dict[str, float]:
        """What a run of a task with ``resources`` takes here: the amounts of limited resources."""
        return {name: amount for name, amount in resources.items() if amount > 0 and name in self._capacity}

    def admit(self, ready: Iterable[tuple[Any, int, Any, dict[str, float]]]) -> list[Any]:
        """The jobs to dispatch now, in order, among ``ready`` ``(job, priority, order, uses)`` and
        those held before; the others are held until a run ends (``release``)."""
        entries = [(-priority, order, next(self._count), job, uses) for job, priority, order, uses in ready]
        if self._slots is None and not self._held and not any(entry[4] for entry in entries):  # nothing to hold
            entries.sort(key=lambda entry: entry[:3])
            return [entry[3] for entry in entries]
        if not entries and not self._freed:
            return []
        self._freed = False
        for entry in entries:
            bisect.insort(self._held, entry, key=lambda e: e[:3])
        admitted: list[Any] = []
        kept: list[tuple[int, Any, int, Any, dict[str, float]]] = []
        reserved: set[str] = set()
        for entry in self._held:
            uses = entry[4]
            if self._slots is not None and self._busy >= self._slots:
                kept.append(entry)  # no worker free: nothing behind it goes either
            elif uses and (reserved.intersection(uses) or not self._fits(uses)):
                kept.append(entry)
                reserved.update(uses)  # for this one: no job behind it takes them
            else:
                self._take(_job_id(entry), uses)
                admitted.append(entry[3])
        self._held = kept
        return admitted

    def _take(self, job_id: str, uses: dict[str, float]) -> None:
        if self._slots is not None:
            self._busy += 1
        elif not uses:
            return  # nothing to give back
        for name, amount in uses.items():
            self._in_use[name] += amount
        self._holding[job_id] = uses

    def _fits(self, uses: Mapping[str, float]) -> bool:
        return all(self._in_use[name] + amount <= self._capacity[name] for name, amount in uses.items())

    def release(self, job_id: str) -> None:
        """The dispatcher reported the end of ``job_id``'s run: what it held is free again."""
        uses = self._holding.pop(job_id, None)
        if uses is None:
            return
        if self._slots is not None:
            self._busy -= 1
        for name, amount in uses.items():
            self._in_use[name] -= amount
        self._freed = True

    def forget(self, job_id: str) -> None:
        """``job_id`` ended while held (canceled, abandoned): it no longer waits."""
        if self._held:
            self._held = [entry for entry in self._held if _job_id(entry) != job_id]

    def holds(self, job_id: str) -> bool:
        """Whether ``job_id`` is ready but held back (it was never handed to the dispatcher)."""
        return any(_job_id(entry) == job_id for entry in self._held)


def _job_id(entry: tuple[Any, ...]) -> str:
    return str(entry[3].id)
