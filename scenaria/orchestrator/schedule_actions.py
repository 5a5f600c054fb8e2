"""What a schedule's firing does: create and submit, submit the current cycle's primary, submit an entity.

In two steps, so that a runner that finds a firing claimed but not done (its process was killed)
can finish it without doing anything twice: ``target`` (which may create a scenario: the runner
records it in the same transaction), then ``submit``, whose submission carries the firing's key,
so that ``submitted`` finds it again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from scenaria.config.schedule import ScheduleConfig
from scenaria.entities import Scenario, Submission
from scenaria.entities.registry import Registry
from scenaria.exceptions import NonExistingScenarioConfig, NotFoundError

#: the submission property naming the firing that made it (``SCHEDULE_ID@DUE``)
FIRING = "schedule_firing"


def target(registry: Registry, schedule: ScheduleConfig, now: dt.datetime) -> tuple[Any, Scenario | None]:
    """What the firing submits, and the scenario it created for that (None if it created none).

    ``registry`` has its version chosen (``service.prepare``), as a started orchestrator's has.
    """
    if schedule.action == "submit":
        entity = registry.get(schedule.entity_id or "")
        if entity is None:
            raise NotFoundError(f"schedule {schedule.id}: no entity {schedule.entity_id!r} to submit")
        return entity, None
    if schedule.action == "submit_primary":
        primary = _current_primary(registry, schedule, now)
        if primary is not None:
            return primary, None
    created = _create(registry, schedule, now)
    return created, created


def submit(registry: Registry, entity_id: str, firing: str) -> Any:
    """Submit the firing's target; the submission carries the firing's key (``FIRING``)."""
    entity = registry.get(entity_id)
    if entity is None:
        raise NotFoundError(f"{entity_id} was deleted before its schedule could submit it")
    return entity.submit(**{FIRING: firing})  # type: ignore[attr-defined]


def submitted(registry: Registry, entity_id: str, firing: str) -> Submission | None:
    """The submission of ``entity_id`` that the firing made, if it made one."""
    for submission in registry.find(Submission, entity_id=entity_id):
        if submission.properties.get(FIRING) == firing:
            return submission
    return None


def _config(schedule: ScheduleConfig) -> Any:
    from scenaria.config import Config

    config = Config.scenarios.get(schedule.scenario_config or "")
    if config is None:
        raise NonExistingScenarioConfig(f"schedule {schedule.id}: no scenario config {schedule.scenario_config!r}")
    return config


def _create(registry: Registry, schedule: ScheduleConfig, now: dt.datetime) -> Scenario:
    from scenaria.entities.create import create_scenario

    local = now.astimezone().replace(tzinfo=None)  # entities keep local, naive dates
    return create_scenario(registry, _config(schedule), local, None)


def _current_primary(registry: Registry, schedule: ScheduleConfig, now: dt.datetime) -> Scenario | None:
    local = now.astimezone().replace(tzinfo=None)
    for scenario in registry.find(Scenario, config_id=schedule.scenario_config):
        cycle = scenario.cycle
        if scenario.is_primary and cycle is not None and cycle.start_date <= local <= cycle.end_date:
            return scenario
    return None
