"""A sequence: a named subset of a scenario's tasks, submitted on its own.

Sequences live inside their scenario's record; a ``Sequence`` object is a view on it, and every
change saves the scenario.
"""

from __future__ import annotations

from typing import Any

from scenaria.entities import rules
from scenaria.entities.base import Properties
from scenaria.entities.notify import publish
from scenaria.entities.registry import registry
from scenaria.entities.rules import sequence_id, split_sequence_id
from scenaria.entities.submittable import Submittable
from scenaria.entities.subscribers import Subscriber, decode_subscribers, loaded_subscribers


class Sequence(Submittable):
    """A sequence of a scenario."""

    _KIND = "sequence"
    _EVENT_TYPE = "SEQUENCE"

    def __init__(self, scenario: Any, name: str) -> None:
        """A view on the sequence ``name`` of ``scenario`` (a ``Scenario``: its module builds on this one)."""
        self._scenario = scenario
        self._name = name
        self.id = sequence_id(name, scenario.id)

    @property
    def _data(self) -> dict[str, Any]:
        return self._scenario._sequences[self._name]

    def _task_id_list(self) -> list[str]:
        return list(self._data["tasks"])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"Sequence({self.id!r})"

    @property
    def config_id(self) -> str:
        return self._name

    @property
    def version(self) -> str:
        return self._scenario.version

    @property
    def owner_id(self) -> str:
        return self._scenario.id

    @property
    def parent_ids(self) -> set[str]:
        return {self._scenario.id}

    @property
    def properties(self) -> dict[str, Any]:
        return _SequenceProperties(self, self._data.setdefault("properties", {}))

    @property
    def name(self) -> str:
        return self._data.get("properties", {}).get("name") or self._name

    @name.setter
    def name(self, value: str) -> None:
        """The sequence's display name (its ``name`` property, saved); its key in the scenario stays."""
        self.properties["name"] = value

    @property
    def tasks(self) -> dict[str, Any]:
        return {task.config_id: task for task in self._task_objects()}

    @property
    def data_nodes(self) -> dict[str, Any]:
        return {dn.config_id: dn for dn in self._all_data_nodes()}

    @property
    def subscribers(self) -> list[Subscriber]:
        return decode_subscribers(self._data.get("subscribers", []))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        tasks = self.tasks
        if name in tasks:
            return tasks[name]
        data_nodes = self.data_nodes
        if name in data_nodes:
            return data_nodes[name]
        raise AttributeError(f"Sequence {self.id!r} has no task or data node {name!r}")

    def subscribe(self, callback: Any, params: list[Any] | None = None) -> None:
        self._data.setdefault("subscribers", []).append({"callback": callback, "params": list(params or [])})
        self._scenario._changed("sequences")

    def unsubscribe(self, callback: Any, params: list[Any] | None = None) -> None:
        subscribers = self._data.get("subscribers", [])
        for index, item in enumerate(loaded_subscribers(subscribers)):
            if item["callback"] == callback and (params is None or item["params"] == list(params)):
                del subscribers[index]
                self._scenario._changed("sequences")
                return

    def get_parents(self) -> dict[str, set[Any]]:
        return rules.get_parents(registry(), self)

    def get_simple_label(self) -> str:
        return self._data.get("properties", {}).get("label") or self.name

    def get_label(self) -> str:
        return f"{self._scenario.get_label()} > {self.get_simple_label()}"

    def _publish(self, operation: str, attribute: str | None = None, value: Any = None) -> None:
        publish("SEQUENCE", operation, self.id, attribute, value)


class _SequenceProperties(Properties):
    """A sequence's properties: a change saves the owning scenario."""

    def __init__(self, sequence: Sequence, backing: dict[str, Any]) -> None:
        super().__init__(None, backing)
        self._sequence = sequence
        self._backing = backing

    def _notify(self) -> None:
        self._backing.clear()
        self._backing.update(self)
        self._sequence._scenario._changed("sequences")


__all__ = ["Sequence", "sequence_id", "split_sequence_id"]
