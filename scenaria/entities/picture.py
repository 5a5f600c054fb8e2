"""Pictures of scenarios, sequences and submissions: their task graph, tasks coloured by job state.

A scenario or sequence shows each task's latest job; a submission shows its own jobs. The
drawing itself is `scenaria.drawing`'s; this module only turns entities into its graph.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from scenaria.drawing import Graph, save, to_mermaid, to_svg
from scenaria.entities.data_node import DataNode
from scenaria.entities.graph import sorted_tasks
from scenaria.entities.registry import entity_class, registry


def graph_of(entity: Any) -> Graph:
    """The graph of a scenario, a sequence or a submission, with its tasks' job states."""
    if getattr(entity, "_KIND", None) == "submission":  # known by kind: submissions use this module
        jobs = entity.jobs
        tasks = [job.task for job in jobs if job.task is not None]
        states = {job._task_id: job.status.name for job in jobs}
        return _graph(entity.id, tasks, states, [])
    tasks = entity._task_objects()
    extra = list(getattr(entity, "additional_data_nodes", {}).values())
    return _graph(entity.id, tasks, _latest_states(tasks), extra)


def draw(entity: Any, file_path: str | os.PathLike[str] | None) -> Path:
    """Write the entity's picture (default ``<id>.png``); the format follows the suffix."""
    return save(graph_of(entity), f"{entity.id}.png" if file_path is None else file_path)


def svg(entity: Any) -> str:
    return to_svg(graph_of(entity))


def mermaid(entity: Any) -> str:
    return to_mermaid(graph_of(entity))


def _latest_states(tasks: Iterable[Any]) -> dict[str, str]:
    job_class: Any = entity_class("JOB_")  # by its id prefix: jobs use this module
    states = {}
    for task in tasks:
        jobs = registry().find(job_class, task_id=task.id)
        if jobs:
            latest = max(jobs, key=lambda job: job.creation_date or dt.datetime.min)
            states[task.id] = latest.status.name
    return states


def _graph(title: str, tasks: list[Any], states: dict[str, str], extra: list[Any]) -> Graph:
    graph = Graph(title, with_states=True)
    ordered = sorted_tasks(tasks)
    ids = [dn_id for task in ordered for dn_id in (*task._input_ids, *task._output_ids)]
    labels = {dn.id: dn.config_id for dn in registry().get_many(DataNode, ids)}
    for task in ordered:
        for dn_id in task._input_ids:
            graph.add_node(dn_id, labels.get(dn_id, dn_id), "data")
        graph.add_node(task.id, task.config_id, "task", states.get(task.id))
        for dn_id in task._output_ids:
            graph.add_node(dn_id, labels.get(dn_id, dn_id), "data")
        for dn_id in task._input_ids:
            graph.add_edge(dn_id, task.id)
        for dn_id in task._output_ids:
            graph.add_edge(task.id, dn_id)
    for dn in extra:
        graph.add_node(dn.id, dn.config_id, "data")
    return graph
