"""``ScenarioConfig``: the tasks and data nodes of a scenario, its cycle frequency, comparators and
sequences (``[SCENARIO.<id>]``)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scenaria.config.data_node import DataNodeConfig
from scenaria.config.enums import Frequency
from scenaria.config.section import Section
from scenaria.config.task import TaskConfig, as_list
from scenaria.config.values import enum_from_text

if TYPE_CHECKING:
    from scenaria.drawing import Graph


def _key(dn_config: Any) -> str:
    return dn_config.id if isinstance(dn_config, Section) else str(dn_config)


def _comparators(value: Any) -> dict[str, list[Callable[..., Any]]] | None:
    if value is None or not isinstance(value, dict):
        return value
    return {_key(k): as_list(v) or [] for k, v in value.items()}


def _sequences(value: Any) -> dict[str, list[TaskConfig]] | None:
    if value is None or not isinstance(value, dict):
        return value
    return {str(k): as_list(v) or [] for k, v in value.items()}


class ScenarioConfig(Section):
    """A scenario: its tasks, additional data nodes, frequency, comparators and sequences."""

    _KIND = "SCENARIO"
    _FIELDS = ("tasks", "additional_data_nodes", "frequency", "comparators", "sequences")
    _ALIASES = {"task_configs": "tasks", "additional_data_node_configs": "additional_data_nodes"}

    def __init__(
        self,
        id: str,
        tasks: list[TaskConfig] | None = None,
        additional_data_nodes: list[DataNodeConfig] | None = None,
        frequency: Frequency | None = None,
        comparators: dict[str, Callable[..., Any] | list[Callable[..., Any]]] | None = None,
        sequences: dict[str, list[TaskConfig]] | None = None,
        **properties: Any,
    ) -> None:
        super().__init__(id, **properties)
        self._values.update(
            tasks=as_list(tasks),
            additional_data_nodes=as_list(additional_data_nodes),
            frequency=frequency,
            comparators=_comparators(comparators),
            sequences=_sequences(sequences),
        )

    def _normalize(self, field: str, value: Any) -> Any:
        if field in ("tasks", "additional_data_nodes"):
            return as_list(value)
        if field == "comparators":
            return _comparators(value)
        if field == "sequences":
            return _sequences(value)
        return value

    # --- reading ---------------------------------------------------------------------------------
    @property
    def tasks(self) -> list[TaskConfig]:
        return list(self._values["tasks"] or [])

    @property
    def task_configs(self) -> list[TaskConfig]:
        return self.tasks

    @property
    def additional_data_nodes(self) -> list[DataNodeConfig]:
        return list(self._values["additional_data_nodes"] or [])

    @property
    def additional_data_node_configs(self) -> list[DataNodeConfig]:
        return self.additional_data_nodes

    @property
    def data_nodes(self) -> list[DataNodeConfig]:
        """Every data node of the scenario once: task inputs and outputs in task order, then the
        additional data nodes."""
        seen: dict[str, DataNodeConfig] = {}
        for task in self.tasks:
            if isinstance(task, TaskConfig):
                for dn in task.inputs + task.outputs:
                    seen.setdefault(dn.id, dn)
        for dn in self.additional_data_nodes:
            seen.setdefault(dn.id, dn)
        return list(seen.values())

    @property
    def data_node_configs(self) -> list[DataNodeConfig]:
        return self.data_nodes

    @property
    def frequency(self) -> Frequency | None:
        value = self._get("frequency")
        return enum_from_text(Frequency, value, self._where("frequency"), "FREQUENCY")

    @property
    def comparators(self) -> dict[str, list[Callable[..., Any]]]:
        return dict(self._get("comparators") or {})

    @property
    def sequences(self) -> dict[str, list[TaskConfig]]:
        return dict(self._values["sequences"] or {})

    # --- pictures --------------------------------------------------------------------------------
    def draw(self, file_path: str | os.PathLike[str] | None = None) -> None:
        """Draw the graph of data nodes and tasks to ``file_path`` (default ``<id>.png``): PNG
        (needs ``scenaria[draw]``), SVG when the name ends in ``.svg``, Mermaid text for ``.mmd``."""
        from scenaria.drawing import save

        save(self._graph(), f"{self.id}.png" if file_path is None else file_path)

    def to_mermaid(self) -> str:
        """The graph of data nodes and tasks as Mermaid flowchart text."""
        from scenaria.drawing import to_mermaid

        return to_mermaid(self._graph())

    def _graph(self) -> Graph:
        from scenaria.drawing import Graph

        graph = Graph(self.id)
        for task in self.tasks:
            task_key = f"task:{_key(task)}"
            inputs = [_key(dn) for dn in task.inputs] if isinstance(task, TaskConfig) else []
            outputs = [_key(dn) for dn in task.outputs] if isinstance(task, TaskConfig) else []
            for dn_id in inputs:
                graph.add_node(f"data:{dn_id}", dn_id, "data")
            graph.add_node(task_key, _key(task), "task")
            for dn_id in outputs:
                graph.add_node(f"data:{dn_id}", dn_id, "data")
            for dn_id in inputs:
                graph.add_edge(f"data:{dn_id}", task_key)
            for dn_id in outputs:
                graph.add_edge(task_key, f"data:{dn_id}")
        for dn in self.additional_data_nodes:
            graph.add_node(f"data:{_key(dn)}", _key(dn), "data")
        return graph

    # --- changing --------------------------------------------------------------------------------
    def add_comparator(self, dn_config_id: str, comparator: Callable[..., Any]) -> None:
        """Compare the data nodes of ``dn_config_id`` across scenarios with ``comparator`` too."""
        comparators = dict(self._values["comparators"] or {})
        comparators[_key(dn_config_id)] = [*comparators.get(_key(dn_config_id), []), comparator]
        self._assign("comparators", comparators)

    def delete_comparator(self, dn_config_id: str) -> None:
        comparators = dict(self._values["comparators"] or {})
        comparators.pop(_key(dn_config_id), None)
        self._assign("comparators", comparators)

    def add_sequences(self, sequences: dict[str, list[TaskConfig]]) -> None:
        """Add (or replace) sequences, each a name and the list of its task configs."""
        self._assign("sequences", {**(self._values["sequences"] or {}), **sequences})

    def remove_sequences(self, sequence_names: str | list[str]) -> None:
        names = [sequence_names] if isinstance(sequence_names, str) else list(sequence_names)
        self._assign("sequences", {k: v for k, v in (self._values["sequences"] or {}).items() if k not in names})

    def _fill_defaults(self) -> None:
        for key in ("tasks", "additional_data_nodes"):
            if self._values[key] is None:
                self._values[key] = []
        for key in ("comparators", "sequences"):
            if self._values[key] is None:
                self._values[key] = {}
