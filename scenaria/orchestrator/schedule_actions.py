"""What a schedule's firing does: create and submit, submit the current cycle's primary, submit an entity."""

from __future__ import annotations

import datetime as dt
from typing import Any

from scenaria.config.schedule import ScheduleConfig
from scenaria.entities import Scenario
from scenaria.entities.registry import Registry
from scenaria.exceptions import NonExistingScenarioConfig, NotFoundError


def perform(registry: Registry, schedule: ScheduleConfig, now: dt.datetime) -> dict[str, Any]:
    """Do the schedule's action; what it created (``created_id``), submitted and the submission.

    ``registry`` has its version chosen (``service.prepare``), as a started orchestrator's has.
    """
    created = None
    if schedule.action == "submit":
        entity = registry.get(schedule.entity_id or "")
        if entity is None:
            raise NotFoundError(f"schedule {schedule.id}: no entity {schedule.entity_id!r} to submit")
    elif schedule.action == "submit_primary":
        entity = _current_primary(registry, schedule, now)
        if entity is None:
            entity = created = _create(registry, schedule, now)
    else:
        entity = created = _create(registry, schedule, now)
    submission = entity.submit()  # type: ignore[attr-defined]
    return {
        "created_id": None if created is None else created.id,
        "submitted_id": entity.id,
        "submission_id": None if submission is None else submission.id,
    }


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
