"""Creating entities: scenarios with their tasks, data nodes and cycle, from configs; submissions
with their jobs, when a scenario, sequence or task is submitted.

Data nodes and tasks are shared according to their scope: a SCENARIO-scoped one belongs to the
new scenario, a CYCLE-scoped one to the scenario's cycle, a GLOBAL one to nobody; an existing
one with the same config and owner is reused. A task's scope is the narrowest of its data
nodes'. Creating a scenario costs the same with a hundred or a hundred thousand in the store:
only shared entities are looked up, by indexed fields, and each entity is saved once.

What a scenario config asks for is read from the configuration once (a ``_Plan``), and again
only when the configuration changes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
import weakref
from collections.abc import Callable
from typing import Any

from scenaria.config import Config
from scenaria.config.enums import Frequency, Scope
from scenaria.config.templates import is_template, resolved_keeping_template
from scenaria.entities.base import Entity, id_prefix, new_id, now, ordered_uuid, own_properties
from scenaria.entities.cycle import Cycle, cycle_and_primary
from scenaria.entities.data_node import DataNode
from scenaria.entities.execution import ExecutionSettings
from scenaria.entities.job import Job
from scenaria.entities.registry import Registry
from scenaria.entities.scenario import Scenario
from scenaria.entities.shapes import Slot
from scenaria.entities.sharing import find_shared, lock_shared, shared_key, unowned_keys
from scenaria.entities.status import Status
from scenaria.entities.storage_types import data_node_class
from scenaria.entities.submission import Submission
from scenaria.entities.task import Task
from scenaria.events.notifier import Notifier
from scenaria.exceptions import DataNodeConfigIsNotGlobal

_id_of = operator.attrgetter("id")
# Config properties that describe how a data node is created, not what it holds.
_CREATION_ONLY = frozenset({"default_data", "storage_type", "scope", "validity_period"})
_TASK_FIELDS = frozenset({"inputs", "outputs", "function", "skippable", "input_configs", "output_configs"})
# the fields the creating code gives each new entity (``_Fresh``), beside those of its plan
_DATA_NODE_GIVEN = frozenset({"id", "_owner_id", "version", "_properties"})
_TASK_GIVEN = frozenset({"id", "_owner_id", "_input_ids", "_output_ids", "version", "_properties"})
_SCENARIO_GIVEN = frozenset(
    {
        "id",
        "_task_ids",
        "_additional_data_node_ids",
        "_properties",
        "_creation_date",
        "_primary_scenario",
        "version",
        "_sequences",
        "_owner_id",
    }
)


class _Fresh:
    """How the new entities of one entry of a plan are built, as ``Entity._build`` builds any:
    the class's field defaults merged once with the values the plan gives each of them
    (``constant``), then a fresh container for each field a factory makes that the creating
    code does not give (``given``), then the values of the entity."""

    __slots__ = ("_cls", "_derived", "_factories", "_fields", "_plain")

    def __init__(self, cls: type[Entity], constant: dict[str, Any], given: frozenset[str]) -> None:
        defaults, factories = cls._defaults()
        self._cls = cls
        self._fields = {**defaults, **constant}
        self._factories = tuple(
            (attr, factory) for attr, factory in factories if attr not in given and attr not in constant
        )
        # an entity of a class that says what its ``_after_refresh`` derives (``_FRESH_DERIVED``) gets
        # it here, with its properties, as ``__post_init__`` would give them (two calls fewer each)
        refreshing = next(klass for klass in cls.__mro__ if "_after_refresh" in klass.__dict__)
        self._plain = cls.__post_init__ is Entity.__post_init__ and "_FRESH_DERIVED" in refreshing.__dict__
        self._derived = refreshing.__dict__.get("_FRESH_DERIVED", ())

    def build(self, values: dict[str, Any]) -> Any:
        entity = self._cls.__new__(self._cls)  # (no __init__: the plan's values were checked)
        own = entity.__dict__
        own.update(self._fields)
        for attr, factory in self._factories:
            own[attr] = factory()
        own.update(values)
        if self._plain:
            own["_properties"] = own_properties(entity, own["_properties"])
            for attr, factory in self._derived:
                own[attr] = factory()
        else:
            entity.__post_init__()
        return entity


@dataclasses.dataclass(frozen=True)
class _DataNodePlan:
    config_id: str
    cls: type[DataNode]
    scope: Scope
    validity_period: dt.timedelta | None
    properties: dict[str, Any]
    default_data: Any
    storage_folder: str
    id_prefix: str
    fresh: _Fresh = dataclasses.field(compare=False)
    # what ``DataNode._prepare_new`` does to a new one (``DataNode._fresh_preparer``)
    prepare: Callable[[DataNode], None] = dataclasses.field(compare=False)
    slot: Slot = dataclasses.field(default_factory=Slot, compare=False)  # the shape of its records


@dataclasses.dataclass(frozen=True)
class _TaskPlan:
    config_id: str
    input_ids: tuple[str, ...]
    output_ids: tuple[str, ...]
    function: Any
    skippable: bool
    properties: dict[str, Any]
    scope: Scope  # the narrowest of its data nodes' (GLOBAL when it has none)
    id_prefix: str
    fresh: _Fresh = dataclasses.field(compare=False)
    slot: Slot = dataclasses.field(default_factory=Slot, compare=False)


@dataclasses.dataclass(frozen=True)
class _Plan:
    config_id: str
    frequency: Frequency | None
    properties: dict[str, Any]
    data_nodes: tuple[_DataNodePlan, ...]
    tasks: tuple[_TaskPlan, ...]
    sequences: dict[str, tuple[str, ...]]
    additional: tuple[str, ...]
    # the shared entities that no cycle owns (GLOBAL ones; CYCLE ones without a frequency), as
    # the lock keys (``sharing.unowned_keys``) their find-or-create is done under, sorted so that two
    # creations take them in the same order
    shared_keys: tuple[str, ...]
    id_prefix: str
    fresh: _Fresh = dataclasses.field(compare=False)
    slot: Slot = dataclasses.field(default_factory=Slot, compare=False)  # the scenario's


# scenario config -> (the applied configuration it was read from, its plan)
_plans: weakref.WeakKeyDictionary[Any, tuple[Any, _Plan]] = weakref.WeakKeyDictionary()


def _plan(config: Any) -> _Plan:
    applied = Config._applied_layer()  # a new object whenever the configuration changes
    cached = _plans.get(config)
    if cached is not None and cached[0] is applied:
        return cached[1]
    storage_folder = Config.core.storage_folder
    data_nodes = tuple(_data_node_plan(dn, storage_folder) for dn in config.data_node_configs)
    tasks = tuple(_task_plan(task) for task in config.task_configs)
    plan = _Plan(
        config_id=config.id,
        frequency=config.frequency,
        properties=dict(config.properties or {}),
        data_nodes=data_nodes,
        tasks=tasks,
        sequences={name: tuple(t.id for t in tasks) for name, tasks in (config.sequences or {}).items()},
        additional=tuple(c.id for c in config.additional_data_node_configs),
        shared_keys=unowned_keys(data_nodes, ((task.config_id, task.scope) for task in tasks), bool(config.frequency)),
        id_prefix=id_prefix("SCENARIO", config.id),
        fresh=_Fresh(Scenario, {"config_id": config.id}, _SCENARIO_GIVEN),
    )
    _plans[config] = (applied, plan)
    return plan


def _task_plan(config: Any) -> _TaskPlan:
    properties = {key: getattr(config, key) for key in config.properties if key not in _TASK_FIELDS}
    ExecutionSettings.from_properties(config.id, properties)  # a bad timeout fails here, not when a job starts
    nodes = [*config.input_configs, *config.output_configs]
    return _TaskPlan(
        config.id,
        tuple(c.id for c in config.input_configs),
        tuple(c.id for c in config.output_configs),
        config.function,
        bool(config.skippable),
        properties,
        min((c.scope for c in nodes), default=Scope.GLOBAL),
        id_prefix("TASK", config.id),
        _Fresh(
            Task,
            {"config_id": config.id, "_function": config.function, "_skippable": bool(config.skippable)},
            _TASK_GIVEN,
        ),
    )


def _data_node_plan(config: Any, storage_folder: str) -> _DataNodePlan:
    cls = data_node_class(config.storage_type)
    constant = {"config_id": config.id, "_scope": config.scope, "_validity_period": config.validity_period}
    properties = {
        key: resolved_keeping_template(config._raw(key)) if is_template(config._raw(key)) else getattr(config, key)
        for key in config.properties
        if key not in _CREATION_ONLY
    }
    default_data = getattr(config, "default_data", None) if "default_data" in config.properties else None
    return _DataNodePlan(
        config_id=config.id,
        cls=cls,
        scope=config.scope,
        validity_period=config.validity_period,
        properties=properties,
        default_data=default_data,
        storage_folder=storage_folder,
        id_prefix=id_prefix("DATANODE", config.id),
        fresh=_Fresh(cls, constant, _DATA_NODE_GIVEN),
        prepare=cls._fresh_preparer(properties, storage_folder, default_data),
    )


def create_scenario(
    registry: Registry, config: Any, creation_date: dt.datetime | None = None, name: str | None = None
) -> Scenario:
    plan = _plan(config)
    created: list[Any] = []
    creation_date = creation_date or dt.datetime.now()  # (``now``, without its call)
    scenario_id = plan.id_prefix + ordered_uuid()
    with registry.transaction():
        cycle, primary = (
            cycle_and_primary(registry, plan.frequency, creation_date, created) if plan.frequency else (None, False)
        )
        lock_shared(registry, plan.shared_keys)
        fresh: list[tuple[Any, Slot]] = []  # the new entities, with where their records' shape is learnt
        data_nodes, tasks = _graph(registry, plan, scenario_id, cycle, created, fresh)
        sequences = {}
        for seq_name, task_config_ids in plan.sequences.items():
            sequences[seq_name] = {"tasks": [tasks[i].id for i in task_config_ids], "properties": {}, "subscribers": []}
            seq_id = f"SEQUENCE_{seq_name.replace(' ', 'TPSPACE')}_{scenario_id}"
            for i in task_config_ids:
                tasks[i]._parent_ids.add(seq_id)
        additional = list(map(data_nodes.__getitem__, plan.additional))  # (map: no comprehension's frame)
        for dn in additional:
            dn._parent_ids.add(scenario_id)
        properties = dict(plan.properties)
        if name is not None:
            properties["name"] = name
        scenario: Scenario = plan.fresh.build(
            {
                "id": scenario_id,
                "_task_ids": list(map(_id_of, tasks.values())),
                "_additional_data_node_ids": list(map(_id_of, additional)),
                "_properties": properties,
                "_creation_date": creation_date,
                "_primary_scenario": primary,
                "version": registry.version,
                "_sequences": sequences,
                "_owner_id": cycle.id if cycle else None,
            }
        )
        fresh.append((scenario, plan.slot))
        if len(fresh) <= len(data_nodes) + len(tasks):  # some are shared: their parents changed
            new = {id(entity) for entity, _ in fresh}
            shared: tuple[Any, ...] = (*data_nodes.values(), *tasks.values())
            for entity in shared:
                if id(entity) not in new:
                    registry.save(entity)
        registry.save_new(Slot.records(fresh))  # each once
    created.append(scenario)
    if Notifier.has_listeners():  # (what each entity's _publish asks first)
        for entity in created:
            entity._publish("CREATION")
    if plan.sequences and Notifier.listens_to("SEQUENCE"):  # no Sequence objects built for nobody
        for seq in scenario.sequences.values():
            seq._publish("CREATION")
    return scenario


def _graph(
    registry: Registry,
    plan: _Plan,
    scenario_id: str,
    cycle: Cycle | None,
    created: list[Any],
    fresh: list[tuple[Any, Slot]],
) -> tuple[dict[str, DataNode], dict[str, Task]]:
    """The data nodes and tasks of a new scenario, by config id, each new one (added to ``created``
    and, with its slot, to ``fresh``) or shared, with the parents they get from it."""
    data_nodes: dict[str, DataNode] = {}
    version = registry.version
    owner: str | None
    for dn_plan in plan.data_nodes:
        if dn_plan.scope is Scope.SCENARIO:  # (the usual case: its own, nothing to look for)
            owner, dn = scenario_id, None
        else:
            owner = _owner(dn_plan.scope, scenario_id, cycle)
            dn = find_shared(registry, DataNode, dn_plan.config_id, owner)
        if dn is None:
            dn = _new_data_node(dn_plan, owner, version)
            created.append(dn)
            fresh.append((dn, dn_plan.slot))
        data_nodes[dn_plan.config_id] = dn
    tasks: dict[str, Task] = {}
    for task_plan in plan.tasks:
        if task_plan.scope is Scope.SCENARIO:
            owner, task = scenario_id, None
        else:
            owner = _owner(task_plan.scope, scenario_id, cycle)
            task = find_shared(registry, Task, task_plan.config_id, owner)
        if task is None:
            task = task_plan.fresh.build(
                {
                    "id": task_plan.id_prefix + ordered_uuid(),
                    "_owner_id": owner,
                    "_input_ids": list(map(_id_of, map(data_nodes.__getitem__, task_plan.input_ids))),
                    "_output_ids": list(map(_id_of, map(data_nodes.__getitem__, task_plan.output_ids))),
                    "version": version,
                    "_properties": dict(task_plan.properties),
                }
            )
            created.append(task)
            fresh.append((task, task_plan.slot))
        task._parent_ids.add(scenario_id)
        for i in task_plan.input_ids + task_plan.output_ids:
            data_nodes[i]._parent_ids.add(task.id)
        tasks[task_plan.config_id] = task
    return data_nodes, tasks


def create_global_data_node(registry: Registry, config: Any) -> DataNode:
    """The data node of a GLOBAL config, created when it does not exist yet."""
    if config.scope is not Scope.GLOBAL:
        raise DataNodeConfigIsNotGlobal(
            f"Data node config {config.id!r} has scope {config.scope.name}; only GLOBAL data nodes exist "
            "outside a scenario. Configure it with scope=Scope.GLOBAL."
        )
    created: list[Any] = []
    with registry.transaction():
        lock_shared(registry, (shared_key("data_node", config.id),))
        dn = _data_node(registry, _data_node_plan(config, Config.core.storage_folder), None, created)
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


def _data_node(registry: Registry, plan: _DataNodePlan, owner: str | None, created: list[Any]) -> DataNode:
    """The shared data node of that config and owner, or a new one (not saved yet)."""
    if plan.scope is not Scope.SCENARIO:
        existing = find_shared(registry, DataNode, plan.config_id, owner)
        if existing is not None:
            return existing
    dn = _new_data_node(plan, owner, registry.version)
    created.append(dn)
    return dn


def _new_data_node(plan: _DataNodePlan, owner: str | None, version: str) -> DataNode:
    dn: DataNode = plan.fresh.build(
        {
            "id": plan.id_prefix + ordered_uuid(),
            "_owner_id": owner,
            "version": version,
            "_properties": dict(plan.properties),
        }
    )
    plan.prepare(dn)
    return dn


def create_submission(
    registry: Registry, entity: Any, tasks: list[Task], force: bool, properties: dict[str, Any]
) -> tuple[Submission, list[Job]]:
    """The submission of ``entity`` and one SUBMITTED job per task (in the order given), saved,
    with each task's outputs locked for its job.

    Call it inside a registry transaction: the scheduler gives the jobs their first state in
    the same commit. The events are Taipy's, in its order: the submission's CREATION, then for
    each job its outputs' lock and its CREATION, then the submission's ``jobs``.
    """
    submission_id = new_id("SUBMISSION")
    submitted = now()
    jobs = []
    for task in tasks:
        created = now()
        jobs.append(
            Job(
                id=new_id("JOB", task.config_id),
                _task_id=task.id,
                _submit_id=submission_id,
                _submit_entity_id=entity.id,
                _force=force,
                _creation_date=created,
                version=registry.version,
                _task_config_id=task.config_id,
                _status_change_records={Status.SUBMITTED.name: created},
            )
        )
    submission = Submission(
        id=submission_id,
        _entity_id=entity.id,
        _entity_type=entity.id.split("_", 1)[0],
        _entity_config_id=None if entity.id.startswith("SEQUENCE_") else entity.config_id,
        _job_ids=[job.id for job in jobs],
        _properties=dict(properties),
        _creation_date=submitted,
        version=registry.version,
    )
    for job in jobs:
        registry.add(job)
    registry.add(submission)
    submission._publish("CREATION")
    for task, job in zip(tasks, jobs, strict=True):
        for dn in task.output.values():
            dn.lock_edit()
        job._publish("CREATION")
    submission._publish("UPDATE", "jobs", list(jobs))  # the Job objects, as Taipy publishes them
    return submission, jobs
