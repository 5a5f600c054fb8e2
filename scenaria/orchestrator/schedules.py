"""The schedule runner: fires the configured schedules (``[SCHEDULE.*]``) while an orchestrator lives.

One thread sleeps on an Event until the next firing of any schedule (no polling); ``stop()``
sets the Event. Each firing happens exactly once across restarts and takeovers, in transactions
that each leave a record saying how far it went (``schedule_firings:ID``, the newest
``KEPT_FIRINGS``):

1. the claim: the runner reads the schedule's state (the meta value ``schedule:ID``), gives up
   if that due time was claimed already (by this runner before a restart, or by another
   orchestrator), else advances it and records the firing as ``claimed``;
2. the target: what the firing submits, with the scenario it creates for that, if any
   (``schedule_actions.target``), recorded in the transaction that creates it;
3. the submission, which carries the firing's key (``SCHEDULE_ID@DUE``) in its properties;
4. the firing recorded ``done``, with its submission's id (or the error).

A runner finds the firings left ``claimed`` (their process was killed between two steps) when it
starts, and finishes them: a submission with the firing's key is recorded, else the action is
done from the last step recorded (a scenario created is submitted, not created again).

Firings missed while no orchestrator lived (due before the runner started) follow the
schedule's ``catch_up``: ``once``, ``all`` or ``skip``. A schedule seen for the first time
starts counting from then: nothing before it is missed.

Times are kept in UTC (ISO strings); ``clock`` is injectable so tests drive time themselves.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import signal
import threading
from collections.abc import Iterator
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from scenaria.config.schedule import ScheduleConfig
from scenaria.entities.registry import Registry
from scenaria.orchestrator.periodic import Periodic

logger = logging.getLogger("scenaria")
UTC = dt.timezone.utc
KEPT_FIRINGS = 100
CLAIMED, DONE = "claimed", "done"  # a firing's state: claimed, then done once its action ended (or failed)
_EPOCH = dt.datetime(1970, 1, 1)


class Clock(Protocol):
    """What the runner needs of time: the current moment (aware) and a wait that ``stop`` ends."""

    def now(self) -> dt.datetime: ...

    def wait(self, event: threading.Event, seconds: float) -> bool: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(UTC)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        return event.wait(seconds)


# --- when ----------------------------------------------------------------------------------------------
def next_due(schedule: ScheduleConfig, after: dt.datetime) -> dt.datetime:
    """The first firing of ``schedule`` strictly after ``after`` (aware, in UTC)."""
    zone = ZoneInfo(schedule.timezone)
    if schedule.cron is not None:
        from croniter import croniter

        moment = croniter(schedule.cron, after.astimezone(zone)).get_next(dt.datetime)
        return moment.astimezone(UTC)  # type: ignore[no-any-return]
    interval = schedule.interval
    assert interval is not None  # Config.check: a cron or an interval
    anchor = _EPOCH.replace(tzinfo=zone).astimezone(UTC)
    steps = math.floor((after - anchor) / interval) + 1
    return anchor + steps * interval


def due_times(schedule: ScheduleConfig, after: dt.datetime, until: dt.datetime) -> Iterator[dt.datetime]:
    """The firings in ``(after, until]``, oldest first."""
    moment = next_due(schedule, after)
    while moment <= until:
        yield moment
        moment = next_due(schedule, moment)


# --- the state in the store ----------------------------------------------------------------------------
def state_key(schedule_id: str) -> str:
    return f"schedule:{schedule_id}"


def firings_key(schedule_id: str) -> str:
    return f"schedule_firings:{schedule_id}"


def firings(repository: Any, schedule_id: str) -> list[dict[str, Any]]:
    """The recorded firings of a schedule, oldest first (the newest ``KEPT_FIRINGS``)."""
    return list(repository.get_meta(firings_key(schedule_id)) or [])


def last_due(repository: Any, schedule_id: str) -> dt.datetime | None:
    """The latest due time claimed (or skipped) for the schedule; None before it was first seen."""
    state = repository.get_meta(state_key(schedule_id))
    return dt.datetime.fromisoformat(state["last_due"]) if state else None


class ScheduleRunner(Periodic):
    """Fires ``schedules`` over ``registry``'s store; ``start()`` a thread, or call ``tick()``."""

    name = "schedules"

    def __init__(self, registry: Registry, schedules: list[ScheduleConfig], clock: Clock | None = None) -> None:
        self._registry = registry
        self._schedules = list(schedules)
        self._clock = clock or SystemClock()
        self.started_at = self._clock.now()  # firings due before it were missed
        self._recovered = False
        super().__init__()

    def _round(self) -> None:
        self.tick()

    def _delay(self) -> float | None:
        now = self._clock.now()
        wake = min((next_due(s, now) for s in self._schedules), default=None)
        return None if wake is None else max(0.0, (wake - now).total_seconds())

    def _sleep(self, seconds: float) -> None:
        self._clock.wait(self._stopped, seconds)

    def tick(self) -> list[dict[str, Any]]:
        """Fire what is due now (the first time, finish what a killed runner left claimed); the
        firings made (their records)."""
        made = [] if self._recovered else self.recover()
        self._recovered = False
        now = self._clock.now()
        for schedule in self._schedules:
            for due in self._to_fire(schedule, now):
                record = self._claim(schedule, due, now)
                if record is not None:
                    made.append(self._act(schedule, record))
        return made

    def _to_fire(self, schedule: ScheduleConfig, now: dt.datetime) -> list[dt.datetime]:
        """The due times to fire, after the catch-up policy (a skipped one is marked as claimed)."""
        repository = self._registry.repository
        since = last_due(repository, schedule.id)
        if since is None:
            self._advance(schedule, now)  # first seen: counting starts now
            return []
        dues = list(due_times(schedule, since, now))
        missed = [due for due in dues if due < self.started_at]
        live = dues[len(missed) :]
        if missed and schedule.catch_up == "skip":
            self._advance(schedule, missed[-1])
            missed = []
        elif missed and schedule.catch_up == "once":
            missed = missed[-1:]
        return missed + live

    def _advance(self, schedule: ScheduleConfig, due: dt.datetime) -> None:
        repository = self._registry.repository
        with repository.transaction():
            since = last_due(repository, schedule.id)
            if since is None or since < due:
                repository.set_meta(state_key(schedule.id), {"last_due": due.isoformat()})

    def _claim(self, schedule: ScheduleConfig, due: dt.datetime, now: dt.datetime) -> dict[str, Any] | None:
        """Record the firing of ``due`` as claimed unless it was claimed already: one transaction."""
        repository = self._registry.repository
        with repository.transaction():
            state = repository.lock_meta(state_key(schedule.id))  # two claimers take turns, on every store
            if state and dt.datetime.fromisoformat(state["last_due"]) >= due:
                return None
            repository.set_meta(state_key(schedule.id), {"last_due": due.isoformat()})
            record = {
                "schedule_id": schedule.id,
                "due": due.isoformat(),
                "fired_at": now.isoformat(),
                "action": schedule.action,
                "state": CLAIMED,
                "created_id": None,
                "submitted_id": None,
                "submission_id": None,
                "error": None,
            }
            repository.set_meta(firings_key(schedule.id), [*firings(repository, schedule.id), record][-KEPT_FIRINGS:])
        _crash_point("after_claim")
        return record

    def _act(self, schedule: ScheduleConfig, record: dict[str, Any]) -> dict[str, Any]:
        """Do a claimed firing's action, each step recorded, then mark it done."""
        from scenaria.orchestrator import schedule_actions

        firing = f"{schedule.id}@{record['due']}"
        try:
            if record["submitted_id"] is None:
                with self._registry.transaction():  # a scenario created and recorded together, or neither
                    entity, created = schedule_actions.target(self._registry, schedule, self._clock.now())
                    record.update(created_id=None if created is None else created.id, submitted_id=entity.id)
                    self._save(schedule, record)
                _crash_point("after_target")
            submission = schedule_actions.submit(self._registry, record["submitted_id"], firing)
            _crash_point("after_submit")
            record["submission_id"] = None if submission is None else submission.id
        except Exception as exc:  # the firing happened and failed: recorded, logged, the runner goes on
            logger.exception("Schedule %s: its firing due %s failed", schedule.id, record["due"])
            record["error"] = f"{type(exc).__name__}: {exc}"
        record["state"] = DONE
        self._save(schedule, record)
        return record

    def _save(self, schedule: ScheduleConfig, record: dict[str, Any]) -> None:
        repository = self._registry.repository
        with repository.transaction():
            kept = firings(repository, schedule.id)
            for position, old in enumerate(kept):
                if old["due"] == record["due"]:
                    kept[position] = record
            repository.set_meta(firings_key(schedule.id), kept)

    def recover(self) -> list[dict[str, Any]]:
        """Finish the firings claimed and not done (their process was killed on the way): the
        submission made for one is recorded, the others are done now. The records finished."""
        from scenaria.orchestrator import schedule_actions

        finished = []
        for schedule in self._schedules:
            for record in firings(self._registry.repository, schedule.id):
                if record.get("state") != CLAIMED:
                    continue
                made = None
                if record["submitted_id"] is not None:
                    made = schedule_actions.submitted(
                        self._registry, record["submitted_id"], f"{schedule.id}@{record['due']}"
                    )
                logger.warning("Schedule %s: finishing its firing due %s, left claimed.", schedule.id, record["due"])
                if made is None:
                    finished.append(self._act(schedule, record))
                else:
                    record.update(submission_id=made.id, state=DONE)
                    self._save(schedule, record)
                    finished.append(record)
        return finished


def _crash_point(stage: str) -> None:
    """Where the tests of exactly-once firing kill this process (``SCENARIA_SCHEDULE_KILL=stage``):
    a real SIGKILL, between two of a firing's transactions."""
    if os.environ.get("SCENARIA_SCHEDULE_KILL") == stage:
        os.kill(os.getpid(), signal.SIGKILL)
