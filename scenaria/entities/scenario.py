"""A scenario: a graph of tasks and their data nodes, created from a scenario config."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable
from typing import Any, ClassVar

from scenaria.entities import codec, rules, submitting
from scenaria.entities.base import ANY, DATETIME, STRSET, Entity, field
from scenaria.entities.registry import registry
from scenaria.entities.sequence import Sequence
from scenaria.entities.submittable import Submittable
from scenaria.entities.subscribers import (
    Subscriber,
    decode_subscribers,
    load_subscribers,
    loaded_subscribers,
    store_subscribers,
)
from scenaria.exceptions import (
    AttributeKeyAlreadyExisted,
    NonExistingSequence,
    SequenceAlreadyExists,
    SequenceTaskDoesNotExistInScenario,
    UnauthorizedTagError,
)


def _store_sequences(sequences: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        name: {
            **codec.encode({k: v for k, v in data.items() if k != "subscribers"}),
            "subscribers": store_subscribers(data.get("subscribers", [])),
        }
        for name, data in sequences.items()
    }


def _load_sequences(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: {
            **codec.decode({k: v for k, v in data.items() if k != "subscribers"}),
            "subscribers": load_subscribers(data.get("subscribers", [])),
        }
        for name, data in raw.items()
    }


@dataclasses.dataclass(eq=False, repr=False)
class Scenario(Submittable, Entity):
    """An instance of a scenario config: its tasks, data nodes, sequences, tags and cycle.

    Tasks, data nodes and sequences read as attributes by config id or name:
    ``scenario.my_output.read()``.
    """

    _KIND: ClassVar[str] = "scenario"
    _ID_PREFIX: ClassVar[str] = "SCENARIO"
    _EVENT_TYPE: ClassVar[str] = "SCENARIO"

    id: str
    config_id: str
    _task_ids: list[str] = field(default_factory=list)
    _additional_data_node_ids: list[str] = field(default_factory=list)
    _properties: dict[str, Any] = field(default_factory=dict, codec=ANY)
    _creation_date: dt.datetime | None = field(None, codec=DATETIME)
    _primary_scenario: bool = False
    _subscribers: list[dict[str, Any]] = field(default_factory=list, codec=(store_subscribers, load_subscribers))
    _tags: set[str] = field(default_factory=set, codec=STRSET)
    version: str = ""
    _sequences: dict[str, dict[str, Any]] = field(default_factory=dict, codec=(_store_sequences, _load_sequences))
    _owner_id: str | None = None  # the cycle

    def _after_refresh(self) -> None:
        super()._after_refresh()
        self.__dict__["_sequence_objects"] = {}

    _FRESH_DERIVED: ClassVar[tuple[tuple[str, Callable[[], Any]], ...]] = (("_sequence_objects", dict),)

    def __repr__(self) -> str:
        from scenaria.entities.display import scenario_repr

        return scenario_repr(self)

    def _repr_html_(self) -> str:
        from scenaria.entities.display import scenario_html

        return scenario_html(self)

    def _task_id_list(self) -> list[str]:
        return self._task_ids

    # --- attributes ----------------------------------------------------------------------------
    @property
    def owner_id(self) -> str | None:
        return self._owner_id

    def duplicate(
        self,
        name: str | None = None,
        creation_date: dt.datetime | None = None,
        data_to_duplicate: bool | set[str] = True,
    ) -> Scenario:
        """A copy of this scenario, as if created at ``creation_date`` (now by default): new
        scenario-scoped data nodes (with a copy of their data: all with ``True``, those config ids
        for a set, none with ``False``) and tasks, the shared ones shared, the sequences, tags and
        properties copied, ``name`` as its name when given. See ``scenaria.entities.duplicate``."""
        from scenaria.entities.duplicate import duplicate_scenario

        return duplicate_scenario(registry(), self, creation_date, name, data_to_duplicate)

    def export(self, output_path: str | os.PathLike[str], override: bool = False, include_data: bool = False) -> None:
        """Write this scenario to a zip archive; see ``scenaria.export_scenario``."""
        submitting.export(self.id, output_path, override, include_data)

    @property
    def cycle(self) -> Any:
        return registry().cached(self._owner_id) if self._owner_id else None

    @property
    def is_primary(self) -> bool:
        return self._primary_scenario

    @property
    def tags(self) -> set[str]:
        return set(self._tags)

    @property
    def subscribers(self) -> list[Subscriber]:
        return decode_subscribers(self._subscribers)

    @property
    def tasks(self) -> dict[str, Any]:
        return {task.config_id: task for task in self._task_objects()}

    @property
    def additional_data_nodes(self) -> dict[str, Any]:
        return {dn.config_id: dn for dn in self._data_node_objects(self._additional_data_node_ids)}

    @property
    def data_nodes(self) -> dict[str, Any]:
        nodes = {dn.config_id: dn for dn in self._all_data_nodes()}
        nodes.update(self.additional_data_nodes)
        return nodes

    @property
    def sequences(self) -> dict[str, Any]:
        return {name: self._sequence(name) for name in self._sequences}

    def _sequence(self, name: str) -> Any:
        cache = self.__dict__["_sequence_objects"]
        if name not in cache:
            cache[name] = Sequence(self, name)
        return cache[name]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        found = self._child(name)
        if found is not None:
            return found
        raise AttributeError(
            f"Scenario {self.__dict__.get('id')!r} has no attribute, task, data node or sequence {name!r}"
        )

    def _child(self, name: str) -> Any:
        protected = name.replace(" ", "TPSPACE")
        if name in self.__dict__.get("_sequences", {}) or protected in self.__dict__.get("_sequences", {}):
            return self._sequence(name if name in self._sequences else protected)
        tasks = self.tasks
        if name in tasks:
            return tasks[name]
        data_nodes = self.data_nodes
        if name in data_nodes:
            return data_nodes[name]
        return self.__dict__.get("_properties", {}).get(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if (
            not name.startswith("_")
            and "_task_ids" in self.__dict__
            and name not in ("name", "version")
            and self._child(name) is not None
            and name not in self._properties
        ):
            raise AttributeKeyAlreadyExisted(
                f"{name!r} names a task, data node or sequence of scenario {self.id}; it cannot be set."
            )
        super().__setattr__(name, value)

    # --- tags and primary ----------------------------------------------------------------------
    def has_tag(self, tag: str) -> bool:
        return tag in self._tags

    def add_tag(self, tag: str) -> None:
        """Tag the scenario; the tag moves from the other scenarios of the same config and cycle."""
        rules.tag(registry(), self, tag)

    def remove_tag(self, tag: str) -> None:
        rules.untag(self, tag)

    def _add_tag(self, tag: str) -> None:
        authorized = self._properties.get("authorized_tags")
        if authorized and tag not in authorized:
            raise UnauthorizedTagError(
                f"Tag {tag!r} is not allowed on scenario {self.id}; its authorized_tags are {sorted(authorized)}."
            )
        self._tags.add(tag)
        self._changed("tags", set(self._tags))

    def _remove_tag(self, tag: str) -> None:
        self._tags.discard(tag)
        self._changed("tags", set(self._tags))

    def _set_primary(self, primary: bool) -> None:
        self._primary_scenario = primary
        self._changed("is_primary", primary)

    def set_primary(self) -> None:
        """Make it the primary scenario of its cycle (the previous one is demoted)."""
        rules.set_primary(registry(), self)

    def is_deletable(self) -> Any:
        return rules.is_deletable(registry(), self)

    # --- subscribers ---------------------------------------------------------------------------
    def subscribe(self, callback: Any, params: list[Any] | None = None) -> None:
        """Call ``callback(*params, scenario, job)`` on every status change of this scenario's jobs."""
        self._subscribers.append({"callback": callback, "params": list(params or [])})
        self._changed("subscribers")

    def unsubscribe(self, callback: Any, params: list[Any] | None = None) -> None:
        wanted = list(params or [])
        for index, item in enumerate(loaded_subscribers(self._subscribers)):
            if item["callback"] == callback and (params is None or item["params"] == wanted):
                del self._subscribers[index]
                self._changed("subscribers")
                return

    # --- sequences -----------------------------------------------------------------------------
    def add_sequence(
        self,
        name: str,
        tasks: list[Any],
        properties: dict[str, Any] | None = None,
        subscribers: list[Any] | None = None,
    ) -> None:
        """Add a sequence of some of this scenario's tasks."""
        if name in self._sequences:
            raise SequenceAlreadyExists(
                f"Scenario {self.id} already has a sequence {name!r}; use update_sequence to change it."
            )
        self._put_sequence(name, tasks, properties, subscribers)

    def update_sequence(
        self,
        name: str,
        tasks: list[Any],
        properties: dict[str, Any] | None = None,
        subscribers: list[Any] | None = None,
    ) -> None:
        if name not in self._sequences:
            raise NonExistingSequence(f"Scenario {self.id} has no sequence {name!r}.")
        self._put_sequence(name, tasks, properties, subscribers)

    def add_sequences(self, sequences: dict[str, list[Any]]) -> None:
        with self:
            for name, tasks in sequences.items():
                self._put_sequence(name, tasks, None, None)

    def _put_sequence(
        self, name: str, tasks: list[Any], properties: dict[str, Any] | None, subscribers: list[Any] | None
    ) -> None:
        task_ids = [getattr(task, "id", task) for task in tasks]
        unknown = [task_id for task_id in task_ids if task_id not in self._task_ids]
        if unknown:
            raise SequenceTaskDoesNotExistInScenario(
                f"Tasks {unknown} are not tasks of scenario {self.id}; a sequence can only hold the "
                "scenario's own tasks."
            )
        is_new = name not in self._sequences
        self._sequences[name] = {
            "tasks": task_ids,
            "properties": dict(properties or {}),
            "subscribers": [
                {"callback": getattr(s, "callback", s), "params": list(getattr(s, "params", []))}
                for s in subscribers or []
            ],
        }
        self.__dict__["_sequence_objects"].pop(name, None)
        self._changed("sequences")
        if is_new:
            self._sequence(name)._publish("CREATION")

    def remove_sequence(self, name: str) -> None:
        if name not in self._sequences:
            raise NonExistingSequence(f"Scenario {self.id} has no sequence {name!r}.")
        sequence = self._sequence(name)
        del self._sequences[name]
        self.__dict__["_sequence_objects"].pop(name, None)
        self._changed("sequences")
        sequence._publish("DELETION")

    def remove_sequences(self, names: list[str] | str) -> None:
        """Remove the sequences named (one name alone, as Taipy's documentation writes it, is one
        sequence, not a list of letters)."""
        for name in [names] if isinstance(names, str) else names:
            self.remove_sequence(name)

    def rename_sequence(self, old_name: str, new_name: str) -> None:
        if old_name not in self._sequences:
            raise NonExistingSequence(f"Scenario {self.id} has no sequence {old_name!r}.")
        if new_name in self._sequences:
            raise SequenceAlreadyExists(f"Scenario {self.id} already has a sequence {new_name!r}.")
        data = self._sequences.pop(old_name)
        data["properties"]["name"] = new_name
        self._sequences[new_name] = data
        self.__dict__["_sequence_objects"].pop(old_name, None)
        self._changed("sequences")

    # --- submission ----------------------------------------------------------------------------
    def get_parents(self) -> dict[str, set[Any]]:
        return rules.get_parents(registry(), self)
