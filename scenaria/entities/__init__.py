"""The entities: what a configuration becomes once scenarios are created and submitted."""

from __future__ import annotations

from typing import Any

from scenaria.entities.base import Entity
from scenaria.entities.cycle import Cycle
from scenaria.entities.job import Job
from scenaria.entities.scenario import Scenario
from scenaria.entities.sequence import Sequence
from scenaria.entities.status import Status, SubmissionStatus
from scenaria.entities.submission import Submission
from scenaria.entities.task import Task


def __getattr__(name: str) -> Any:
    """``DataNode`` and ``ENTITY_CLASSES`` (id prefix -> class of the entities kept in the store).

    Loaded on first use: ``scenaria.data.base`` builds on this package, so importing it here
    would fail whenever ``scenaria.data`` is the package imported first.
    """
    if name not in ("DataNode", "ENTITY_CLASSES"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from scenaria.data.base import DataNode

    globals()["DataNode"] = DataNode
    globals()["ENTITY_CLASSES"] = {cls._ID_PREFIX: cls for cls in (Cycle, Scenario, Task, DataNode, Job, Submission)}
    return globals()[name]


__all__ = [
    "ENTITY_CLASSES",
    "Cycle",
    "DataNode",
    "Entity",
    "Job",
    "Scenario",
    "Sequence",
    "Status",
    "Submission",
    "SubmissionStatus",
    "Task",
]
