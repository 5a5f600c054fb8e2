"""The checks of ``[SCHEDULE.*]`` sections, run by ``Config.check()`` (see ``config.schedule``)."""

from __future__ import annotations

import datetime as dt

from scenaria.config.check_base import Report, register_check
from scenaria.config.issues import IssueCollector
from scenaria.config.layer import ConfigLayer
from scenaria.config.schedule import ACTIONS, CATCH_UP, ScheduleConfig
from scenaria.config.section import Section


def user_schedules(layer: ConfigLayer) -> list[ScheduleConfig]:
    """The schedules a layer declares (the ``default`` section is none)."""
    found = layer.sections.get(ScheduleConfig._KIND, {})
    return [s for key, s in found.items() if key != Section.DEFAULT_ID and isinstance(s, ScheduleConfig)]


@register_check
def check_schedules(layer: ConfigLayer, collector: IssueCollector) -> None:
    for schedule in user_schedules(layer):
        report = Report(collector, schedule, "schedule")
        _check_when(schedule, report)
        _check_what(schedule, layer, report)
        if schedule.catch_up not in CATCH_UP:
            report.error("catch_up", schedule.catch_up, f"catch_up is one of {', '.join(CATCH_UP)}.")


def _check_when(schedule: ScheduleConfig, report: Report) -> None:
    cron, interval = schedule.cron, schedule.interval
    if (cron is None) == (interval is None):
        report.error("cron", cron, 'Give a schedule either cron="m h dom mon dow" or interval=timedelta(...).')
    elif cron is not None:
        from croniter import croniter

        if not isinstance(cron, str) or not croniter.is_valid(cron):
            report.error("cron", cron, 'Not a cron expression croniter reads (e.g. "0 6 * * *": 06:00 every day).')
    elif not isinstance(interval, dt.timedelta) or interval <= dt.timedelta(0):
        report.error("interval", interval, 'interval is a positive timedelta (TOML: "1h0m0s:timedelta").')
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(schedule.timezone)
    except (ValueError, KeyError, TypeError, OSError):  # zoneinfo raises ZoneInfoNotFoundError (a KeyError)
        report.error("timezone", schedule.timezone, 'Not a time zone name (IANA, e.g. "UTC", "Europe/Paris").')


def _check_what(schedule: ScheduleConfig, layer: ConfigLayer, report: Report) -> None:
    action = schedule.action
    if action not in ACTIONS:
        report.error("action", action, f"action is one of {', '.join(ACTIONS)}.")
    elif action == "submit":
        if not schedule.entity_id:
            report.error("entity_id", None, 'action="submit" needs entity_id, the id of what to submit.')
    else:
        known = sorted(key for key in layer.sections.get("SCENARIO", {}) if key != Section.DEFAULT_ID)
        if schedule.scenario_config not in known:
            report.error(
                "scenario_config",
                schedule.scenario_config,
                f"action={action!r} needs scenario_config, the id of a scenario config: one of {', '.join(known)}.",
            )
