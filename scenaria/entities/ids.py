"""The id types of the entities: each a `typing.NewType` of ``str``, as in Taipy.

At run time an id is a plain string; the types let a type checker tell a scenario id from a
job id in user code (``def report(scenario_id: ScenarioId) -> None``).
"""

from __future__ import annotations

from typing import NewType

ScenarioId = NewType("ScenarioId", str)
SequenceId = NewType("SequenceId", str)
TaskId = NewType("TaskId", str)
DataNodeId = NewType("DataNodeId", str)
JobId = NewType("JobId", str)
SubmissionId = NewType("SubmissionId", str)
CycleId = NewType("CycleId", str)

__all__ = ["CycleId", "DataNodeId", "JobId", "ScenarioId", "SequenceId", "SubmissionId", "TaskId"]
