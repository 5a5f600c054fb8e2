"""Scenario rules (primary, tags, subscriptions), the ``is_*`` checks, and deleting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scenaria.api.getting import _id, _resolve, exists, get, get_sequences
from scenaria.entities import rules, subscribers
from scenaria.entities.job import Job
from scenaria.entities.reasons import ReasonCollection
from scenaria.entities.registry import entity_class, registry
from scenaria.entities.scenario import Scenario
from scenaria.entities.sequence import Sequence
from scenaria.entities.task import Task


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
