"""The functions of the public API (``scenaria.create_scenario``, ``scenaria.get``, ...).

Names and arguments are those of Taipy's scenario-management API, so code written for it runs
unchanged. Every entity returned is the live object of this process (see ``entities.registry``).
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Callable
from typing import Any

from scenaria.config import ScenarioConfig, Scope
from scenaria.entities import rules, subscribers
from scenaria.entities.compare import compare_scenarios
from scenaria.entities.cycle import Cycle
from scenaria.entities.data_node import DataNode
from scenaria.entities.job import Job
from scenaria.entities.reasons import ReasonCollection
from scenaria.entities.registry import entity_class, registry
from scenaria.entities.scenario import Scenario
from scenaria.entities.sequence import Sequence
from scenaria.entities.submission import Submission
from scenaria.entities.task import Task
from scenaria.exceptions import (
    ModelNotFound,
    NonExistingScenario,
    NonExistingScenarioConfig,
    NonExistingSequence,
    NonExistingTask,
    OrchestratorNotRunning,
)
from scenaria.orchestrator import control, lease
from scenaria.orchestrator.scheduler import current as current_scheduler

_NOT_FOUND = {"SCENARIO": NonExistingScenario, "SEQUENCE": NonExistingSequence, "TASK": NonExistingTask}


# --- getting -----------------------------------------------------------------------------------------
def get(entity_id: str) -> Any:
    """The entity with that id, or None. ``ModelNotFound`` for a string that is no entity id."""
    return rules.get(registry(), entity_id)


def exists(entity_id: str) -> ReasonCollection:
    """Truthy when an entity with that id exists."""
    reasons = ReasonCollection()
    if get(_id(entity_id)) is None:
        reasons.add(_id(entity_id), f"Entity {_id(entity_id)} does not exist.")
    return reasons


def _id(entity: Any) -> str:
    """The id of an entity or of an id; ``ModelNotFound`` for anything else (``exists(123)``)."""
    if isinstance(entity, str):
        return entity
    entity_id = getattr(entity, "id", None)
    if not isinstance(entity_id, str):
        raise ModelNotFound(f"{entity!r} is neither an entity nor an entity id (a str such as 'SCENARIO_...').")
    return entity_id


def set(entity: Any) -> None:
    """Save an entity (its changes are saved as they are made; this saves it whole)."""
    if isinstance(entity, Sequence):
        entity._scenario._save()
    else:
        registry().save(entity)


def get_scenarios(
    cycle: Cycle | None = None,
    tag: str | None = None,
    is_sorted: bool = False,
    descending: bool = False,
    created_start_time: dt.datetime | None = None,
    created_end_time: dt.datetime | None = None,
    sort_key: str = "name",
) -> list[Scenario]:
    """Scenarios of the current version, optionally of one cycle, with a tag, created in a window."""
    where: dict[str, Any] = {"owner_id": cycle.id} if cycle is not None else {}
    scenarios = registry().find(Scenario, **where)
    return _select(scenarios, tag, is_sorted, descending, created_start_time, created_end_time, sort_key)


def _select(
    scenarios: list[Scenario],
    tag: str | None,
    is_sorted: bool,
    descending: bool,
    start: dt.datetime | None,
    end: dt.datetime | None,
    sort_key: str,
) -> list[Scenario]:
    if tag is not None:
        scenarios = [s for s in scenarios if tag in s._tags]
    if start is not None:
        scenarios = [s for s in scenarios if s.creation_date and s.creation_date >= start]
    if end is not None:
        scenarios = [s for s in scenarios if s.creation_date and s.creation_date < end]
    if is_sorted or descending:
        scenarios = sorted(scenarios, key=_sort_key(sort_key), reverse=descending)
    return scenarios


def _sort_key(sort_key: str) -> Callable[[Scenario], Any]:
    if sort_key == "id":
        return lambda s: s.id
    if sort_key == "config_id":
        return lambda s: (s.config_id, s.id)
    if sort_key == "creation_date":
        return lambda s: (s.creation_date or dt.datetime.min, s.id)
    if sort_key == "tags":
        return lambda s: (sorted(s._tags), s.id)
    return lambda s: (s.name or "", s.id)


def get_primary(cycle: Cycle) -> Scenario | None:
    return next((s for s in registry().find(Scenario, owner_id=cycle.id) if s.is_primary), None)


def get_primary_scenarios(
    is_sorted: bool = False,
    descending: bool = False,
    created_start_time: dt.datetime | None = None,
    created_end_time: dt.datetime | None = None,
    sort_key: str = "name",
) -> list[Scenario]:
    scenarios = [s for s in registry().find(Scenario) if s.is_primary]
    return _select(scenarios, None, is_sorted, descending, created_start_time, created_end_time, sort_key)


def get_tasks() -> list[Task]:
    return registry().find(Task)


def get_data_nodes() -> list[DataNode]:
    return registry().find(DataNode)


def get_sequences() -> list[Sequence]:
    return [seq for scenario in registry().find(Scenario) for seq in scenario.sequences.values()]


def get_jobs() -> list[Job]:
    return registry().find(Job)


def get_submissions() -> list[Submission]:
    return registry().find(Submission)


def get_cycles() -> list[Cycle]:
    return registry().find(Cycle)


def get_cycles_scenarios() -> dict[Cycle | None, list[Scenario]]:
    grouped: dict[Cycle | None, list[Scenario]] = {}
    for scenario in registry().find(Scenario):
        grouped.setdefault(scenario.cycle, []).append(scenario)
    return grouped


def get_latest_job(task: Task) -> Job | None:
    return max(registry().find(Job, task_id=_id(task)), default=None, key=_created)


def get_latest_submission(entity: Any) -> Submission | None:
    found = registry().find(Submission, entity_id=_id(entity))
    return max(found, default=None, key=_created)


def get_entities_by_config_id(config_id: str) -> list[Any]:
    """The scenarios, else the tasks, else the data nodes made from that config."""
    for cls in (Scenario, Task, DataNode):
        found = registry().find(cls, config_id=config_id)
        if found:
            return found
    return []


def get_parents(entity: Any) -> dict[str, Any]:
    """The scenarios, sequences and tasks an entity belongs to, directly or not."""
    return rules.get_parents(registry(), entity)


# --- creating and submitting ---------------------------------------------------------------------------
def create_scenario(config: Any, creation_date: dt.datetime | None = None, name: str | None = None) -> Scenario:
    """A new scenario of ``config`` (a ScenarioConfig), with its tasks and data nodes."""
    from scenaria.entities.create import create_scenario as create
    from scenaria.orchestrator.service import prepare

    reg = registry()
    prepare(reg)
    if not isinstance(config, ScenarioConfig):
        raise NonExistingScenarioConfig(
            f"{config!r} is not a scenario config; create scenarios from "
            "Config.configure_scenario(...) or Config.scenarios[id]."
        )
    scenario = create(reg, config, creation_date, name)
    for callback, params in subscribers.global_subscribers(registry()):
        scenario._subscribers.append({"callback": callback, "params": params})
    if subscribers.global_subscribers(registry()):
        scenario._save()
    return scenario


def duplicate_scenario(
    scenario: Scenario | str,
    creation_date: dt.datetime | None = None,
    name: str | None = None,
    data_to_duplicate: bool | builtins.set[str] = True,
) -> Scenario:
    """A copy of ``scenario`` (an entity or its id): see ``Scenario.duplicate``."""
    from scenaria.orchestrator.service import prepare

    found = _resolve(scenario)
    if not isinstance(found, Scenario):
        raise NonExistingScenario(f"{scenario!r} is not a scenario; give a scenario or its id.")
    prepare(registry())
    return found.duplicate(name=name, creation_date=creation_date, data_to_duplicate=data_to_duplicate)


def create_global_data_node(config: Any) -> DataNode:
    from scenaria.entities.create import create_global_data_node as create
    from scenaria.orchestrator.service import prepare

    reg = registry()
    prepare(reg)
    return create(reg, config)


def can_create(config: Any = None) -> ReasonCollection:
    reasons = ReasonCollection()
    if (
        config is not None
        and not isinstance(config, ScenarioConfig)
        and getattr(config, "scope", None) is not Scope.GLOBAL
    ):
        reasons.add(
            getattr(config, "id", str(config)),
            "Only scenario configs and GLOBAL data node configs can be created directly.",
        )
    return reasons


def submit(
    entity: Any,
    force: bool = False,
    wait: bool = False,
    timeout: float | None = None,
    callbacks: list[Callable[..., Any]] | None = None,
    **properties: Any,
) -> Submission | None:
    """Run a scenario's, sequence's or task's tasks as jobs; the Submission that tracks them.

    In development mode the jobs have run when it returns. Otherwise it returns once they are
    queued; with ``wait=True`` it returns when they are all finished, or after ``timeout``
    seconds with the jobs still going (then ``submission.is_finished()`` is False).
    """
    from scenaria.orchestrator.service import prepare, running_scheduler

    if not isinstance(entity, (Scenario, Sequence, Task)):
        return None
    kind = entity.id.split("_", 1)[0]
    if get(entity.id) is None:
        raise _NOT_FOUND[kind](f"{kind.title()} {entity.id} does not exist (was it deleted?); it cannot be submitted.")
    prepare(registry())
    remote = None if current_scheduler() is not None else control.client(registry())
    if remote is not None:  # another process orchestrates this version: it runs the jobs
        if callbacks:
            raise OrchestratorNotRunning(
                f"{lease.describe(remote.record).capitalize()} runs the jobs of this version: callbacks cannot "
                "run there; follow the submission's events instead (scenaria.Notifier.register)."
            )
        remote_submission = remote.submit(entity.id, force, properties)  # its events arrive here
        if wait:
            remote_submission.wait(timeout)
        return remote_submission
    tasks = [entity] if isinstance(entity, Task) else entity._get_sorted_tasks()
    scheduler = running_scheduler()
    submission = scheduler.submit(entity, tasks, callbacks, force, properties)
    entity._publish("SUBMISSION")
    if wait:
        submission.wait(timeout)
    return submission


def cancel_job(job: Job | str) -> None:
    """Cancel a job that has not finished; a running job's process is killed."""
    job = get(job) if isinstance(job, str) else job
    scheduler = current_scheduler()
    if job is None:
        return
    if scheduler is not None:
        scheduler.cancel(job)
        return
    remote = control.client(registry(), job.version)
    if remote is not None:
        remote.request("cancel", job_id=job.id)
    elif not job.is_finished():
        raise OrchestratorNotRunning(
            f"No orchestrator runs version {job.version!r}, so job {job.id} cannot be canceled now: start one "
            "(scenaria serve, or Orchestrator().run()); it then runs the job unless canceled."
        )


# --- scenarios -------------------------------------------------------------------------------------------
def is_promotable(scenario: Scenario | str) -> ReasonCollection:
    found: Scenario = _resolve(scenario)
    reasons = ReasonCollection()
    if found.owner_id is None:
        reasons.add(found.id, f"Scenario {found.id} does not belong to a cycle.")
    elif found.is_primary:
        reasons.add(found.id, f"Scenario {found.id} is already the primary scenario.")
    return reasons


def set_primary(scenario: Scenario) -> None:
    """Make ``scenario`` the primary scenario of its cycle (the previous one is demoted)."""
    rules.set_primary(registry(), scenario)


def tag(scenario: Scenario, tag: str) -> None:
    """Tag a scenario; the tag moves from the other scenarios of the same config and cycle."""
    rules.tag(registry(), scenario, tag)


def untag(scenario: Scenario, tag: str) -> None:
    rules.untag(scenario, tag)


def subscribe_scenario(
    callback: Callable[..., Any], params: list[Any] | None = None, scenario: Scenario | None = None
) -> None:
    """Call ``callback(*params, scenario, job)`` on each job status change of a scenario.

    Without a scenario: of every scenario, those that exist and those created later.
    """
    if scenario is not None:
        scenario.subscribe(callback, params)
        return
    subscribers.set_global_subscribers(
        registry(), [*subscribers.global_subscribers(registry()), (callback, list(params or []))]
    )
    for each in registry().find(Scenario):
        each.subscribe(callback, params)


def unsubscribe_scenario(
    callback: Callable[..., Any], params: list[Any] | None = None, scenario: Scenario | None = None
) -> None:
    if scenario is not None:
        scenario.unsubscribe(callback, params)
        return
    wanted = list(params or [])
    subscribers.set_global_subscribers(
        registry(),
        [
            (c, p)
            for c, p in subscribers.global_subscribers(registry())
            if not (c == callback and (params is None or p == wanted))
        ],
    )
    for each in registry().find(Scenario):
        each.unsubscribe(callback, params)


def subscribe_sequence(
    callback: Callable[..., Any], params: list[Any] | None = None, sequence: Sequence | None = None
) -> None:
    for each in [sequence] if sequence is not None else get_sequences():
        each.subscribe(callback, params)


def unsubscribe_sequence(
    callback: Callable[..., Any], params: list[Any] | None = None, sequence: Sequence | None = None
) -> None:
    for each in [sequence] if sequence is not None else get_sequences():
        each.unsubscribe(callback, params)


# --- checks ----------------------------------------------------------------------------------------------
def is_submittable(entity: Any) -> ReasonCollection:
    entity = get(entity) if isinstance(entity, str) else entity
    if isinstance(entity, (Scenario, Sequence)):
        return entity.is_ready_to_run()
    reasons = ReasonCollection()
    if isinstance(entity, Task):
        for dn in entity.input.values():
            if dn.edit_in_progress or not dn._is_written():
                reasons.add(dn.id, f"Input {dn.id} is being edited or was never written.")
        return reasons
    return reasons.add(_id(entity), f"{_id(entity)} is not a scenario, sequence or task.")


def is_deletable(entity: Any) -> ReasonCollection:
    return rules.is_deletable(registry(), entity)


def is_editable(entity: Any) -> ReasonCollection:
    return exists(entity)


def is_readable(entity: Any) -> ReasonCollection:
    return exists(entity)


# --- deleting ----------------------------------------------------------------------------------------
def delete(entity_id: str) -> None:
    """Delete an entity and what it owns (see ``entities.cleanup``)."""
    from scenaria.entities.cleanup import delete_entity

    entity = get(entity_id)
    if entity is None:
        entity_class(entity_id)  # an id of no known kind raises ModelNotFound
        return
    if isinstance(entity, Sequence):
        entity._scenario.remove_sequence(entity._name)
        return
    delete_entity(registry(), entity)


def delete_job(job: Job, force: bool | None = False) -> None:
    from scenaria.entities.cleanup import delete_job as remove

    remove(registry(), job, bool(force))


def delete_jobs() -> None:
    from scenaria.entities.cleanup import delete_job as remove

    for job in registry().find(Job, all_versions=True):
        remove(registry(), job, force=True)


def clean_all_entities(version_number: str) -> bool:
    """Delete every entity of a version, and the version; False when there is no such version."""
    from scenaria.exceptions import NonExistingVersion
    from scenaria.versioning.manager import delete_version

    try:
        delete_version(registry(), version_number)
    except NonExistingVersion:
        return False
    return True


def _created(entity: Any) -> dt.datetime:
    return entity.creation_date or dt.datetime.min


def _resolve(entity: Any) -> Any:
    return get(entity) if isinstance(entity, str) else entity


__all__ = [
    "can_create",
    "cancel_job",
    "clean_all_entities",
    "compare_scenarios",
    "create_global_data_node",
    "create_scenario",
    "delete",
    "delete_job",
    "delete_jobs",
    "duplicate_scenario",
    "exists",
    "get",
    "get_cycles",
    "get_cycles_scenarios",
    "get_data_nodes",
    "get_entities_by_config_id",
    "get_jobs",
    "get_latest_job",
    "get_latest_submission",
    "get_parents",
    "get_primary",
    "get_primary_scenarios",
    "get_scenarios",
    "get_sequences",
    "get_submissions",
    "get_tasks",
    "is_deletable",
    "is_editable",
    "is_promotable",
    "is_readable",
    "is_submittable",
    "set",
    "set_primary",
    "submit",
    "subscribe_scenario",
    "subscribe_sequence",
    "tag",
    "unsubscribe_scenario",
    "unsubscribe_sequence",
    "untag",
]
