"""Creating entities from configs: scenarios with their tasks, data nodes and cycle.

Data nodes and tasks are shared according to their scope: a SCENARIO-scoped one belongs to the
new scenario, a CYCLE-scoped one to the scenario's cycle, a GLOBAL one to nobody; an existing
one with the same config and owner is reused. A task's scope is the narrowest of its data
nodes'. Creating a scenario costs the same with a hundred or a hundred thousand in the store:
only shared entities are looked up, by indexed fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from scenaria.config.enums import Scope
from scenaria.data import data_node_class
from scenaria.data.base import DataNode
from scenaria.data.file import FileDataNode
from scenaria.entities.base import new_id, now
from scenaria.entities.cycle import Cycle, default_name, period
from scenaria.entities.registry import Registry
from scenaria.entities.scenario import Scenario
from scenaria.entities.task import Task
from scenaria.exceptions import DataNodeConfigIsNotGlobal

# Config properties that describe how a data node is created, not what it holds.
_CREATION_ONLY = frozenset({"default_data", "storage_type", "scope", "validity_period"})


def create_scenario(registry: Registry, config: Any, creation_date: dt.datetime | None = None,
                    name: str | None = None) -> Scenario:
    created: list[Any] = []
    creation_date = creation_date or now()
    cycle = _cycle(registry, config.frequency, creation_date, created) if config.frequency else None
    scenario_id = new_id("SCENARIO", config.id)
    with registry.transaction():
        data_nodes: dict[str, DataNode] = {}
        for dn_config in config.data_node_configs:
            owner = _owner(dn_config.scope, scenario_id, cycle)
            data_nodes[dn_config.id] = _data_node(registry, dn_config, owner, created)
        tasks: dict[str, Task] = {}
        for task_config in config.task_configs:
            inputs = [data_nodes[c.id] for c in task_config.input_configs]
            outputs = [data_nodes[c.id] for c in task_config.output_configs]
            scope = min((dn.scope for dn in inputs + outputs), default=Scope.GLOBAL)
            task = _task(registry, task_config, _owner(scope, scenario_id, cycle), inputs, outputs, created)
            task._parent_ids.add(scenario_id)
            tasks[task_config.id] = task
        sequences = {}
        for seq_name, seq_tasks in (config.sequences or {}).items():
            sequences[seq_name] = {"tasks": [tasks[t.id].id for t in seq_tasks],
                                   "properties": {}, "subscribers": []}
            seq_id = f"SEQUENCE_{seq_name.replace(' ', 'TPSPACE')}_{scenario_id}"
            for t in seq_tasks:
                tasks[t.id]._parent_ids.add(seq_id)
        data_nodes_by_id = {dn.id: dn for dn in data_nodes.values()}
        for task in tasks.values():
            for dn_id in task._input_ids + task._output_ids:
                data_nodes_by_id[dn_id]._parent_ids.add(task.id)
        additional = [data_nodes[c.id] for c in config.additional_data_node_configs]
        for dn in additional:
            dn._parent_ids.add(scenario_id)
        properties = dict(config.properties or {})
        if name is not None:
            properties["name"] = name
        primary = cycle is not None and registry.repository.count("scenario", owner_id=cycle.id) == 0
        scenario = Scenario(
            id=scenario_id, config_id=config.id, _task_ids=[t.id for t in tasks.values()],
            _additional_data_node_ids=[dn.id for dn in additional], _properties=properties,
            _creation_date=creation_date, _primary_scenario=primary, version=registry.version,
            _sequences=sequences, _owner_id=cycle.id if cycle else None)
        for entity in [*data_nodes.values(), *tasks.values(), scenario]:
            registry.save(entity)  # each once, new or shared (its parents changed)
    created.append(scenario)
    for entity in created:
        entity._publish("CREATION")
    for seq in scenario.sequences.values():
        seq._publish("CREATION")
    return scenario


def create_global_data_node(registry: Registry, config: Any) -> DataNode:
    """The data node of a GLOBAL config, created when it does not exist yet."""
    if config.scope is not Scope.GLOBAL:
        raise DataNodeConfigIsNotGlobal(
            f"Data node config {config.id!r} has scope {config.scope.name}; only GLOBAL data nodes exist "
            "outside a scenario. Configure it with scope=Scope.GLOBAL.")
    created: list[Any] = []
    with registry.transaction():
        dn = _data_node(registry, config, None, created)
        registry.save(dn)
    for entity in created:
        entity._publish("CREATION")
    return dn


def _owner(scope: Scope, scenario_id: str, cycle: Cycle | None) -> str | None:
    if scope is Scope.SCENARIO:
        return scenario_id
    if scope is Scope.CYCLE:
        return cycle.id if cycle else None
    return None


def _shared(registry: Registry, cls: type, config_id: str, owner: str | None) -> Any:
    for entity in registry.find(cls, config_id=config_id):
        if entity.owner_id == owner:
            return entity
    return None


def _data_node(registry: Registry, config: Any, owner: str | None, created: list[Any]) -> DataNode:
    """The shared data node of that config and owner, or a new one (not saved yet)."""
    if config.scope is not Scope.SCENARIO:
        existing = _shared(registry, DataNode, config.id, owner)
        if existing is not None:
            return existing
    cls = data_node_class(config.storage_type)
    properties = {key: getattr(config, key) for key in config.properties if key not in _CREATION_ONLY}
    dn = cls(id=new_id("DATANODE", config.id), config_id=config.id, _scope=config.scope, _owner_id=owner,
             version=registry.version, _validity_period=config.validity_period, _properties=properties)
    if dn._ALWAYS_WRITTEN:
        dn._last_edit_date = now()
    if isinstance(dn, FileDataNode):
        from scenaria.config import Config

        dn._build_path(Config.core.storage_folder)
    default_data = config.properties.get("default_data")
    if default_data is not None or isinstance(dn, FileDataNode):
        dn._initial_write(getattr(config, "default_data", None))
    created.append(dn)
    return dn


def _task(registry: Registry, config: Any, owner: str | None, inputs: list[DataNode], outputs: list[DataNode],
          created: list[Any]) -> Task:
    if owner is None or not owner.startswith("SCENARIO_"):
        existing = _shared(registry, Task, config.id, owner)
        if existing is not None:
            return existing
    properties = {key: getattr(config, key) for key in config.properties
                  if key not in ("inputs", "outputs", "function", "skippable", "input_configs", "output_configs")}
    task = Task(id=new_id("TASK", config.id), config_id=config.id, _owner_id=owner,
                _input_ids=[dn.id for dn in inputs], _output_ids=[dn.id for dn in outputs],
                _function=config.function, version=registry.version, _skippable=bool(config.skippable),
                _properties=properties)
    created.append(task)
    return task


def _cycle(registry: Registry, frequency: Any, creation_date: dt.datetime, created: list[Any]) -> Cycle:
    start, end = period(frequency, creation_date)
    for cycle in registry.find(Cycle):
        if cycle.frequency is frequency and cycle.start_date == start:
            return cycle
    name = default_name(frequency, start)
    cycle = Cycle(id=Cycle.new_id(name), _frequency=frequency, _creation_date=creation_date,
                  _start_date=start, _end_date=end, _name=name)
    registry.add(cycle)
    created.append(cycle)
    return cycle
