"""The task graph of a scenario or sequence: order, inputs, outputs, cycles.

Tasks are linked through data nodes: a task that writes a data node comes before every task
that reads it. ``graphlib`` does the ordering and finds cycles.
"""

from __future__ import annotations

import graphlib
from collections.abc import Iterable
from typing import Any

from scenaria.entities.registry import registry
from scenaria.exceptions import InvalidGraph


def dependencies(tasks: Iterable[Any]) -> dict[str, set[str]]:
    """For each task id, the ids of the tasks (among ``tasks``) whose outputs it reads."""
    tasks = list(tasks)
    writers: dict[str, str] = {}
    for task in tasks:
        for dn_id in task._output_ids:
            writers[dn_id] = task.id
    return {task.id: {writers[dn_id] for dn_id in task._input_ids if dn_id in writers} - {task.id} for task in tasks}


def sorted_tasks(tasks: Iterable[Any]) -> list[Any]:
    """The tasks in an order where each comes after the tasks it depends on.

    Ties keep the given order. ``InvalidGraph`` when the tasks form a cycle.
    """
    tasks = list(tasks)
    by_id = {task.id: task for task in tasks}
    sorter = graphlib.TopologicalSorter(dependencies(tasks))
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        raise InvalidGraph(
            f"The tasks {' -> '.join(exc.args[1])} form a cycle: a task cannot "
            "depend, directly or not, on its own outputs."
        ) from exc
    position = {task.id: index for index, task in enumerate(tasks)}
    ordered: list[Any] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=position.__getitem__)
        ordered.extend(by_id[task_id] for task_id in ready)
        sorter.done(*ready)
    return ordered


def io_data_nodes(tasks: Iterable[Any]) -> tuple[list[str], list[str], list[str]]:
    """Ids of the (inputs, outputs, intermediate) data nodes of a set of tasks.

    Inputs are read by a task but written by none; outputs written but read by none;
    intermediate both.
    """
    read: dict[str, None] = {}
    written: dict[str, None] = {}
    for task in tasks:
        read.update(dict.fromkeys(task._input_ids))
        written.update(dict.fromkeys(task._output_ids))
    inputs = [dn for dn in read if dn not in written]
    outputs = [dn for dn in written if dn not in read]
    intermediate = [dn for dn in written if dn in read]
    return inputs, outputs, intermediate


def upstream_data_nodes(data_node: Any) -> list[Any]:
    """Every data node that feeds, directly or not, the tasks writing ``data_node``."""
    reg = registry()
    seen: set[str] = set()
    found: list[Any] = []
    todo = [data_node]
    while todo:
        current = todo.pop()
        for parent_id in current.parent_ids:
            if not parent_id.startswith("TASK_"):
                continue
            task: Any = reg.cached(parent_id)
            if task is None or current.id not in task._output_ids:
                continue
            for dn_id in task._input_ids:
                if dn_id not in seen:
                    seen.add(dn_id)
                    upstream = reg.cached(dn_id)
                    if upstream is not None:
                        found.append(upstream)
                        todo.append(upstream)
    return found
