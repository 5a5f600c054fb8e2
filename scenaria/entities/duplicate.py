"""Duplicating a scenario (``Scenario.duplicate``, ``scenaria.duplicate_scenario``), as Taipy 4.2.

The copy is a new scenario of the same config, as if created at ``creation_date``:
- its SCENARIO-scoped data nodes and tasks are new entities; a data node's data is copied
  when ``data_to_duplicate`` asks for it (``True``: all; a set: those config ids; ``False``: none);
- CYCLE-scoped ones are shared when the copy falls in the same cycle, else taken from (or created
  in) the copy's cycle, as creating a scenario there would;
- GLOBAL ones are shared;
- sequences, tags, properties and subscribers are copied (``name`` replaces the name).

A duplicated file data node always gets its own generated file (a copy of the original's, or
none): two scenarios never write one file. Data kept outside scenaria (sql, mongo, s3, generic)
is not copied: the copy reads and writes the same table, collection, object or functions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from scenaria.config.enums import Scope
from scenaria.entities.base import Entity, new_id, now
from scenaria.entities.cycle import Cycle, cycle_and_primary
from scenaria.entities.data_node import DataNode
from scenaria.entities.registry import Registry
from scenaria.entities.sharing import find_shared, lock_shared, unowned_keys
from scenaria.entities.task import Task
from scenaria.exceptions import EntityError


def duplicate_scenario(
    registry: Registry,
    scenario: Any,
    creation_date: dt.datetime | None = None,
    name: str | None = None,
    data_to_duplicate: bool | set[str] | frozenset[str] | list[str] = True,
) -> Any:
    """The copy of ``scenario`` (a Scenario: its class builds the copy, so that this module,
    which ``Scenario.duplicate`` imports, does not import the scenario module back)."""
    from scenaria.config import Config

    if not isinstance(data_to_duplicate, (bool, set, frozenset, list, tuple)):
        raise EntityError(
            f"data_to_duplicate={data_to_duplicate!r}: give True (copy all data), False (none) "
            "or a set of data node config ids."
        )
    creation_date = creation_date or now()
    created: list[Any] = []
    old_cycle: Cycle | None = scenario.cycle
    copier = _Copier(registry, new_id("SCENARIO", scenario.config_id), None, data_to_duplicate, created)
    copier.storage_folder = Config.core.storage_folder
    with registry.transaction():
        cycle, primary = (
            cycle_and_primary(registry, old_cycle.frequency, creation_date, created) if old_cycle else (None, False)
        )
        copier.cycle = cycle
        scopes = [(task.config_id, _narrowest(task)) for task in scenario.tasks.values()]
        lock_shared(registry, unowned_keys(scenario.data_nodes.values(), scopes, old_cycle is not None))
        tasks = {task.id: copier.task(task) for task in scenario.tasks.values()}
        additional = [copier.data_node(dn) for dn in scenario.additional_data_nodes.values()]
        for dn in additional:
            dn._parent_ids.add(copier.scenario_id)
        sequences = {}
        for seq_name, data in scenario._sequences.items():
            task_ids = [tasks[i].id for i in data.get("tasks", [])]
            sequences[seq_name] = {**data, "tasks": task_ids, "properties": dict(data.get("properties") or {})}
            seq_id = f"SEQUENCE_{seq_name.replace(' ', 'TPSPACE')}_{copier.scenario_id}"
            for task_id in data.get("tasks", []):
                tasks[task_id]._parent_ids.add(seq_id)
        properties = dict(scenario.properties)
        if name is not None:
            properties["name"] = name
        new = type(scenario)(
            id=copier.scenario_id,
            config_id=scenario.config_id,
            _task_ids=[task.id for task in tasks.values()],
            _additional_data_node_ids=[dn.id for dn in additional],
            _properties=properties,
            _creation_date=creation_date,
            _primary_scenario=primary,
            _subscribers=[dict(s) for s in scenario._subscribers],
            _tags=set(scenario._tags),
            version=registry.version or scenario.version,
            _sequences=sequences,
            _owner_id=cycle.id if cycle else None,
        )
        entities: list[Entity] = [*copier.touched.values(), new]
        for entity in entities:
            registry.save(entity)
    created.append(new)
    for entity in created:
        entity._publish("CREATION")
    for seq in new.sequences.values():
        seq._publish("CREATION")
    return new


class _Copier:
    """Maps the original's tasks and data nodes to the copy's (new, or shared ones)."""

    def __init__(
        self, registry: Registry, scenario_id: str, cycle: Cycle | None, data: Any, created: list[Any]
    ) -> None:
        self.registry = registry
        self.scenario_id = scenario_id
        self.cycle = cycle
        self.data = data
        self.created = created
        self.storage_folder = ""
        self.touched: dict[str, Entity] = {}  # id -> entity to save (new, or shared with new parents)
        self.mapped: dict[str, Any] = {}  # original id -> the copy's entity

    def _owner(self, scope: Scope) -> str | None:
        if scope is Scope.SCENARIO:
            return self.scenario_id
        if scope is Scope.CYCLE:
            return self.cycle.id if self.cycle else None
        return None

    def data_node(self, dn: DataNode) -> DataNode:
        if dn.id in self.mapped:
            return self.mapped[dn.id]  # type: ignore[no-any-return]
        owner = self._owner(dn.scope)
        found = None  # a SCENARIO-scoped one is new: its owner is
        if dn.scope is not Scope.SCENARIO:  # as stored now, under the lock (``sharing``)
            found = find_shared(self.registry, DataNode, dn.config_id, owner)
        if found is None:
            found = self._copy_data_node(dn, owner)
        self.mapped[dn.id] = found
        self.touched[found.id] = found
        return found

    def _copy_data_node(self, dn: DataNode, owner: str | None) -> DataNode:
        copy_data = self.data is True or (not isinstance(self.data, bool) and dn.config_id in self.data)
        new = type(dn)._build(
            id=new_id("DATANODE", dn.config_id),
            config_id=dn.config_id,
            _scope=dn.scope,
            _owner_id=owner,
            version=self.registry.version or dn.version,
            _validity_period=dn.validity_period,
            _properties=dict(dn.properties),
        )
        new._duplicate_from(dn, self.storage_folder, copy_data)
        self.created.append(new)
        return new

    def task(self, task: Task) -> Task:
        inputs = [self.data_node(dn) for dn in task.input.values()]
        outputs = [self.data_node(dn) for dn in task.output.values()]
        owner = self._owner(_narrowest(task))  # (the copies keep their scopes)
        new: Task | None = None
        if owner is None or not owner.startswith("SCENARIO_"):
            new = find_shared(self.registry, Task, task.config_id, owner)
        if new is None:
            new = Task(
                id=new_id("TASK", task.config_id),
                config_id=task.config_id,
                _owner_id=owner,
                _input_ids=[dn.id for dn in inputs],
                _output_ids=[dn.id for dn in outputs],
                _function=task._function,
                version=self.registry.version or task.version,
                _skippable=task._skippable,
                _properties=dict(task.properties),
            )
            self.created.append(new)
        new._parent_ids.add(self.scenario_id)
        for dn in inputs + outputs:
            dn._parent_ids.add(new.id)
        self.touched[new.id] = new
        self.mapped[task.id] = new
        return new


def _narrowest(task: Task) -> Scope:
    """The scope of a task: the narrowest of its data nodes' (GLOBAL when it has none)."""
    return min((dn.scope for dn in (*task.input.values(), *task.output.values())), default=Scope.GLOBAL)
