"""What scenarios and sequences share: a graph of tasks that can be submitted."""

from __future__ import annotations

import os
from typing import Any

from scenaria.entities.data_node import DataNode
from scenaria.entities.graph import io_data_nodes, sorted_tasks
from scenaria.entities.reasons import ReasonCollection
from scenaria.entities.registry import registry
from scenaria.entities.submitting import Submits
from scenaria.entities.task import Task


class Submittable(Submits):
    """Mixin for entities made of tasks (``_task_id_list()``) that can be submitted."""

    def _task_id_list(self) -> list[str]:
        raise NotImplementedError

    def _task_objects(self) -> list[Any]:
        return registry().get_many(Task, self._task_id_list())

    def draw(self, file_path: str | os.PathLike[str] | None = None) -> None:
        """Draw the task graph, each task coloured by its latest job's state (see ``scenaria.drawing``)."""
        from scenaria.entities.picture import draw

        draw(self, file_path)

    def _get_sorted_tasks(self) -> list[Any]:
        return sorted_tasks(self._task_objects())

    def _data_node_objects(self, ids: list[str]) -> set[Any]:
        return set(registry().get_many(DataNode, ids))

    def get_inputs(self) -> set[Any]:
        """Data nodes that tasks read and no task writes."""
        return self._data_node_objects(io_data_nodes(self._task_objects())[0])

    def get_outputs(self) -> set[Any]:
        """Data nodes that tasks write and no task reads."""
        return self._data_node_objects(io_data_nodes(self._task_objects())[1])

    def get_intermediate(self) -> set[Any]:
        """Data nodes that tasks both write and read."""
        return self._data_node_objects(io_data_nodes(self._task_objects())[2])

    def data_nodes_being_edited(self) -> set[Any]:
        return {dn for dn in self._all_data_nodes() if dn.edit_in_progress}

    def _all_data_nodes(self) -> set[Any]:
        ids: list[str] = []
        for task in self._task_objects():
            ids += task._input_ids + task._output_ids
        return self._data_node_objects(ids)

    def is_ready_to_run(self) -> Any:
        """Truthy when every input is written and none is being edited; else the reasons."""
        reasons = ReasonCollection()
        for dn in self.get_inputs():
            if dn.edit_in_progress:
                reasons.add(dn.id, f"Data node {dn.id} is being edited.")
            elif not dn._is_written():
                reasons.add(dn.id, f"Data node {dn.id} has never been written.")
        return reasons
