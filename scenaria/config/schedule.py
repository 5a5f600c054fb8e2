"""``ScheduleConfig``: when a live orchestrator submits work by itself (``[SCHEDULE.id]``).

A schedule fires on a cron expression (``cron="0 6 * * *"``, read by croniter in ``timezone``)
or every ``interval`` (a timedelta, counted from 1970-01-01 00:00 in ``timezone``, so its
firings fall at the same moments whichever process computes them). Each firing does its
``action``:

- ``"create_and_submit"``: create a scenario of ``scenario_config`` and submit it;
- ``"submit_primary"``: submit the primary scenario of ``scenario_config``'s current cycle
  (created, as its cycle's first, when there is none yet);
- ``"submit"``: submit the scenario, sequence or task whose id is ``entity_id``.

``catch_up`` says what happens to firings missed while no orchestrator lived: ``"once"`` (the
default: one firing for all of them), ``"all"`` (one per missed firing) or ``"skip"`` (none).
``Config.check()`` refuses a bad cron expression, time zone, interval, action or catch-up
policy, and a scenario config id the configuration does not have (``config.schedule_check``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from scenaria.config.section import Section

ACTIONS = ("create_and_submit", "submit_primary", "submit")
CATCH_UP = ("once", "all", "skip")


class ScheduleConfig(Section):
    """A cron expression or an interval, what to do at each firing, a time zone, a catch-up policy."""

    _KIND = "SCHEDULE"
    _FIELDS = ("cron", "interval", "action", "scenario_config", "entity_id", "timezone", "catch_up")

    DEFAULT_ACTION: ClassVar[str] = "create_and_submit"
    DEFAULT_TIMEZONE: ClassVar[str] = "UTC"
    DEFAULT_CATCH_UP: ClassVar[str] = "once"

    def __init__(
        self,
        id: str,
        cron: str | None = None,
        interval: dt.timedelta | None = None,
        action: str | None = None,
        scenario_config: Section | str | None = None,
        entity_id: str | None = None,
        timezone: str | None = None,
        catch_up: str | None = None,
        **properties: Any,
    ) -> None:
        super().__init__(id, **properties)
        self._values.update(
            cron=cron,
            interval=interval,
            action=action,
            scenario_config=self._normalize("scenario_config", scenario_config),
            entity_id=entity_id,
            timezone=timezone,
            catch_up=catch_up,
        )

    def _normalize(self, field: str, value: Any) -> Any:
        if field == "scenario_config" and isinstance(value, Section):
            return value.id  # a ScenarioConfig given as itself is kept as its id (TOML writes ids)
        return value

    @property
    def cron(self) -> str | None:
        return self._get("cron")  # type: ignore[no-any-return]

    @property
    def interval(self) -> dt.timedelta | None:
        return self._get("interval")  # type: ignore[no-any-return]

    @property
    def action(self) -> str:
        return self._get("action") or self.DEFAULT_ACTION

    @property
    def scenario_config(self) -> str | None:
        return self._get("scenario_config")  # type: ignore[no-any-return]

    @property
    def entity_id(self) -> str | None:
        return self._get("entity_id")  # type: ignore[no-any-return]

    @property
    def timezone(self) -> str:
        return self._get("timezone") or self.DEFAULT_TIMEZONE

    @property
    def catch_up(self) -> str:
        return self._get("catch_up") or self.DEFAULT_CATCH_UP
