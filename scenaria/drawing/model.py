"""The neutral graph model: nodes (data nodes and tasks), edges, and job states.

A node's ``key`` is unique in its graph (configs and entities use their kind and id); its
``label`` is what the picture shows. ``state`` is the name of the task's latest job status
(``"COMPLETED"``, ``"FAILED"``...) or None when the picture is of a configuration or the task
never ran.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

TASK: Literal["task"] = "task"
DATA: Literal["data"] = "data"

#: job status name -> (fill, stroke) of a task in that state; also what the legend shows
STATE_COLOURS: dict[str, tuple[str, str]] = {
    "COMPLETED": ("#c8e6c9", "#2e7d32"),
    "SKIPPED": ("#dcedc8", "#689f38"),
    "RUNNING": ("#bbdefb", "#1565c0"),
    "PENDING": ("#e0e0e0", "#616161"),
    "SUBMITTED": ("#e0e0e0", "#616161"),
    "BLOCKED": ("#ffe0b2", "#ef6c00"),
    "FAILED": ("#ffcdd2", "#c62828"),
    "CANCELED": ("#d7ccc8", "#5d4037"),
    "ABANDONED": ("#d7ccc8", "#3e2723"),
}
#: a task with no job (in a picture that shows job states), and a task in a config picture
NOT_RUN = "NOT RUN"
TASK_COLOURS = ("#fff8e1", "#8d6e63")
DATA_COLOURS = ("#e3f2fd", "#1e88e5")
NOT_RUN_COLOURS = ("#ffffff", "#9e9e9e")


@dataclasses.dataclass(frozen=True)
class Node:
    key: str
    label: str
    kind: Literal["task", "data"]
    state: str | None = None


@dataclasses.dataclass
class Graph:
    """Nodes in the order given (edges refer to their keys), and whether job states are shown."""

    title: str
    nodes: list[Node] = dataclasses.field(default_factory=list)
    edges: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    with_states: bool = False

    def add_node(self, key: str, label: str, kind: Literal["task", "data"], state: str | None = None) -> None:
        """Add a node once (a data node shared by several tasks is added by each)."""
        if all(node.key != key for node in self.nodes):
            self.nodes.append(Node(key, label, kind, state))

    def add_edge(self, source: str, target: str) -> None:
        if (source, target) not in self.edges:
            self.edges.append((source, target))

    def colours(self, node: Node) -> tuple[str, str]:
        """(fill, stroke) of a node."""
        if node.kind == DATA:
            return DATA_COLOURS
        if not self.with_states:
            return TASK_COLOURS
        return STATE_COLOURS.get(node.state or "", NOT_RUN_COLOURS)

    def legend(self) -> list[tuple[str, tuple[str, str]]]:
        """The task states present, in the order of `STATE_COLOURS`, as (name, colours)."""
        if not self.with_states:
            return []
        present = {node.state for node in self.nodes if node.kind == TASK}
        items = [(name, colours) for name, colours in STATE_COLOURS.items() if name in present]
        if present - set(STATE_COLOURS):
            items.append((NOT_RUN, NOT_RUN_COLOURS))
        return items
