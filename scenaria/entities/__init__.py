"""The entities: what a configuration becomes once scenarios are created and submitted."""

from __future__ import annotations

from scenaria.entities.base import Entity
from scenaria.entities.cycle import Cycle
from scenaria.entities.data_node import DataNode
from scenaria.entities.job import Job
from scenaria.entities.scenario import Scenario
from scenaria.entities.sequence import Sequence
from scenaria.entities.status import Status, SubmissionStatus
from scenaria.entities.submission import Submission
from scenaria.entities.task import Task

#: id prefix -> class of the entities kept in the store
ENTITY_CLASSES: dict[str, type[Entity]] = {
    cls._ID_PREFIX: cls for cls in (Cycle, Scenario, Task, DataNode, Job, Submission)
}

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
