"""Entities as JSON-ready dicts, with taipy-rest's field names where it has them.

Only plain JSON values leave the app: anything else is turned into a string (`jsonable`), so no
pickle or Python object ever crosses HTTP.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from typing import Any

from scenaria.entities.base import Entity

__all__ = ["cycle", "data_node", "entity", "job", "jsonable", "scenario", "sequence", "submission", "task"]


def jsonable(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON: containers recursively, dates in ISO format, anything else as text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, Entity):  # e.g. the Job objects of a submission's `jobs` event
        return value.id
    if depth < 20 and isinstance(value, dict):
        return {str(key): jsonable(item, depth + 1) for key, item in value.items()}
    if depth < 20 and isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item, depth + 1) for item in value]
    if hasattr(value, "item") and callable(value.item):  # a numpy scalar
        try:
            return jsonable(value.item(), depth + 1)
        except (TypeError, ValueError):
            pass
    return str(value)


def _ids(entities: Any) -> list[str]:
    values = entities.values() if isinstance(entities, dict) else entities
    return sorted(item.id for item in values)


def cycle(item: Any) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "frequency": jsonable(item.frequency),
        "properties": jsonable(dict(item.properties)),
        "creation_date": jsonable(item.creation_date),
        "start_date": jsonable(item.start_date),
        "end_date": jsonable(item.end_date),
    }


def scenario(item: Any) -> dict[str, Any]:
    found_cycle = item.cycle
    return {
        "id": item.id,
        "config_id": item.config_id,
        "name": item.name,
        "tasks": _ids(item.tasks),
        "additional_data_nodes": _ids(item.additional_data_nodes),
        "data_nodes": _ids(item.data_nodes),
        "sequences": sorted(item.sequences),
        "creation_date": jsonable(item.creation_date),
        "cycle": found_cycle.id if found_cycle is not None else None,
        "primary_scenario": item.is_primary,
        "tags": sorted(item.tags),
        "properties": jsonable(dict(item.properties)),
        "version": item.version,
    }


def sequence(item: Any) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": getattr(item, "name", None),
        "owner_id": item.owner_id,
        "parent_ids": sorted(getattr(item, "parent_ids", []) or []),
        "tasks": _ids(item.tasks),
        "properties": jsonable(dict(item.properties)),
        "version": item.version,
    }


def task(item: Any) -> dict[str, Any]:
    function = item.function
    return {
        "id": item.id,
        "config_id": item.config_id,
        "owner_id": item.owner_id,
        "parent_ids": sorted(getattr(item, "parent_ids", []) or []),
        "input_ids": _ids(item.input),
        "output_ids": _ids(item.output),
        "function_name": getattr(function, "__name__", str(function)),
        "function_module": getattr(function, "__module__", None),
        "skippable": item.skippable,
        "version": item.version,
    }


def data_node(item: Any) -> dict[str, Any]:
    return {
        "id": item.id,
        "config_id": item.config_id,
        "name": item.name,
        "scope": jsonable(item.scope),
        "storage_type": item.storage_type(),
        "owner_id": item.owner_id,
        "parent_ids": sorted(getattr(item, "parent_ids", []) or []),
        "last_edit_date": jsonable(item.last_edit_date),
        "job_ids": list(item.job_ids),
        "validity_seconds": jsonable(item.validity_period),
        "edit_in_progress": item.edit_in_progress,
        "properties": jsonable(dict(item.properties)),
        "version": item.version,
    }


def job(item: Any) -> dict[str, Any]:
    return {
        "id": item.id,
        "task_id": item._task_id,
        "task_config_id": item._task_config_id,
        "submit_id": item.submit_id,
        "submit_entity_id": item.submit_entity_id,
        "status": item.status.name,
        "force": item.force,
        "creation_date": jsonable(item.creation_date),
        "submitted_at": jsonable(item.submitted_at),
        "run_at": jsonable(item.run_at),
        "finished_at": jsonable(item.finished_at),
        "execution_duration": item.execution_duration,
        "progress": jsonable(getattr(item, "progress", None)),
        "stacktrace": list(item.stacktrace),
        "version": item.version,
    }


def submission(item: Any) -> dict[str, Any]:
    return {
        "id": item.id,
        "entity_id": item.entity_id,
        "entity_type": item.entity_type,
        "entity_config_id": item.entity_config_id,
        "jobs": [found.id for found in item.jobs],
        "submission_status": item.submission_status.name,
        "creation_date": jsonable(item.creation_date),
        "submitted_at": jsonable(item.submitted_at),
        "finished_at": jsonable(item.finished_at),
        "properties": jsonable(dict(item.properties)),
        "version": item.version,
    }


_BY_TYPE = {
    "Cycle": cycle,
    "Scenario": scenario,
    "Sequence": sequence,
    "Task": task,
    "Job": job,
    "Submission": submission,
}


def entity(item: Any) -> dict[str, Any]:
    """Any entity as its dict (data nodes of every storage type included)."""
    for klass in type(item).__mro__:
        if klass.__name__ in _BY_TYPE:
            return _BY_TYPE[klass.__name__](item)
    return data_node(item)
