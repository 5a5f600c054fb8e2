"""Reading entities: ``get``, ``exists``, ``set`` and the ``get_*`` lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from scenaria.entities import rules
from scenaria.entities.cycle import Cycle
from scenaria.entities.data_node import DataNode
from scenaria.entities.job import Job
from scenaria.entities.reasons import ReasonCollection
from scenaria.entities.registry import registry
from scenaria.entities.scenario import Scenario
from scenaria.entities.sequence import Sequence
from scenaria.entities.submission import Submission
from scenaria.entities.task import Task
from scenaria.exceptions import (
    ModelNotFound,
)


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


def _created(entity: Any) -> dt.datetime:
    return entity.creation_date or dt.datetime.min


def _resolve(entity: Any) -> Any:
    return get(entity) if isinstance(entity, str) else entity
