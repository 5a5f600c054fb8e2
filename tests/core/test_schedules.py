"""Schedules: fired by a live orchestrator, catch-up policies, no double firing across a restart,
TOML both ways, bad declarations refused. Time is a fake clock the tests move."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

import scenaria as tp
from scenaria.config import Config, Frequency, ScheduleConfig
from scenaria.entities.registry import registry
from scenaria.exceptions import ConfigCheckError
from scenaria.orchestrator import runners
from scenaria.orchestrator.schedules import ScheduleRunner, firings, last_due, next_due
from scenaria.orchestrator.service import prepare

UTC = dt.timezone.utc
T0 = dt.datetime(2030, 1, 1, tzinfo=UTC)


def double(x: int) -> int:
    return 2 * x


class FakeClock:
    """Time that moves only when the test says: ``wait`` jumps to its wake-up time if it is not
    beyond ``limit``, else blocks until the limit moves or the runner is stopped."""

    def __init__(self, start: dt.datetime) -> None:
        self.moment = self.limit = start
        self._changed = threading.Condition()

    def now(self) -> dt.datetime:
        return self.moment

    def set(self, moment: dt.datetime) -> None:
        with self._changed:
            self.moment = self.limit = moment
            self._changed.notify_all()

    def allow(self, limit: dt.datetime) -> None:
        with self._changed:
            self.limit = limit
            self._changed.notify_all()

    def wait(self, event: threading.Event, seconds: float) -> bool:
        target = self.moment + dt.timedelta(seconds=seconds)
        with self._changed:
            while target > self.limit and not event.is_set():
                self._changed.wait(0.05)  # the test's clock: the stop event cannot notify it
            if not event.is_set():
                self.moment = target
        return event.is_set()


def scenario_config(frequency: Frequency | None = None):
    """The scenario config ``s``, with the version chosen (as a started orchestrator has it)."""
    number = Config.configure_pickle_data_node("number", default_data=1)
    out = Config.configure_pickle_data_node("out")
    config = Config.configure_scenario("s", [Config.configure_task("t", double, number, out)], frequency=frequency)
    prepare(registry())
    return config


def hourly(catch_up: str = "once", **values) -> ScheduleConfig:
    """A schedule outside the configuration (so an orchestrator started by submit has none)."""
    return ScheduleConfig("hourly", interval=dt.timedelta(hours=1), scenario_config="s", catch_up=catch_up, **values)


def at(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def test_a_live_orchestrator_fires_its_schedules(monkeypatch: pytest.MonkeyPatch) -> None:
    scenario_config()
    Config.configure_schedule("hourly", interval=dt.timedelta(hours=1), scenario_config="s")
    clock = FakeClock(at(0.5))
    monkeypatch.setattr(runners, "clock", clock)
    tp.Orchestrator().run()
    clock.allow(at(3.2))
    deadline = time.monotonic() + 20
    while len(firings(registry().repository, "hourly")) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    tp.Orchestrator().stop()
    made = firings(registry().repository, "hourly")
    assert [record["due"] for record in made] == [at(h).isoformat() for h in (1, 2, 3)]
    assert len(tp.get_scenarios()) == 3
    for record in made:
        assert record["error"] is None and record["created_id"] == record["submitted_id"]
        assert tp.get(record["submission_id"]).submission_status.name == "COMPLETED"
    assert next_due(Config.schedules["hourly"], at(3.2)) == at(4)


def _seen_at(schedule: ScheduleConfig, hours: float) -> None:
    """A previous orchestrator's runner, alive at ``hours`` (it saw the schedule then)."""
    ScheduleRunner(registry(), [schedule], FakeClock(at(hours))).tick()


@pytest.mark.parametrize(("policy", "fired"), [("all", [1, 2, 3, 4, 5]), ("once", [5]), ("skip", [])])
def test_catch_up_policies(policy: str, fired: list[int]) -> None:
    scenario_config()
    schedule = hourly(policy)
    _seen_at(schedule, 0.5)
    clock = FakeClock(at(5.5))  # no orchestrator from 0.5 to 5.5: 1:00 ... 5:00 were missed
    runner = ScheduleRunner(registry(), [schedule], clock)
    made = runner.tick()
    assert [record["due"] for record in made] == [at(h).isoformat() for h in fired]
    assert len(tp.get_submissions()) == len(fired)
    assert last_due(registry().repository, "hourly") == at(5)
    clock.set(at(6))  # the next firing is on time, whatever the policy
    assert [record["due"] for record in runner.tick()] == [at(6).isoformat()]


def test_no_double_firing_across_a_restart() -> None:
    scenario_config()
    schedule = hourly()
    first_clock = FakeClock(at(0.5))
    first = ScheduleRunner(registry(), [schedule], first_clock)
    assert first.tick() == []  # first seen
    first_clock.set(at(1))
    assert len(first.tick()) == 1
    # restarted (or taken over) just after: the new runner finds 1:00 claimed
    second_clock = FakeClock(at(1.01))
    second = ScheduleRunner(registry(), [schedule], second_clock)
    assert second.tick() == []
    first_clock.set(at(2))
    second_clock.set(at(2))
    assert len(second.tick()) + len(first.tick()) == 1
    assert [record["due"] for record in firings(registry().repository, "hourly")] == [
        at(1).isoformat(),
        at(2).isoformat(),
    ]
    assert len(tp.get_submissions()) == 2


def test_submit_primary_submits_the_current_cycles_scenario() -> None:
    scenario_config(Frequency.DAILY)
    schedule = hourly(action="submit_primary")
    clock = FakeClock(at(0.5))
    runner = ScheduleRunner(registry(), [schedule], clock)
    runner.tick()
    made = []
    for hour in (1, 2):
        clock.set(at(hour))
        made += runner.tick()
    assert made[0]["created_id"] is not None and made[1]["created_id"] is None
    assert made[0]["submitted_id"] == made[1]["submitted_id"]
    assert len(tp.get_scenarios()) == 1 and len(tp.get_submissions()) == 2


def test_submit_an_entity_and_a_failed_firing_is_recorded() -> None:
    scenario = tp.create_scenario(scenario_config())
    clock = FakeClock(at(0.5))
    good = ScheduleConfig("good", interval=dt.timedelta(hours=1), action="submit", entity_id=scenario.id)
    gone = ScheduleConfig("gone", interval=dt.timedelta(hours=1), action="submit", entity_id="SCENARIO_gone")
    runner = ScheduleRunner(registry(), [good, gone], clock)
    runner.tick()
    clock.set(at(1))
    by_id = {record["schedule_id"]: record for record in runner.tick()}
    assert by_id["good"]["submitted_id"] == scenario.id and by_id["good"]["error"] is None
    assert by_id["gone"]["submission_id"] is None and "SCENARIO_gone" in by_id["gone"]["error"]


def test_cron_in_a_time_zone() -> None:
    schedule = ScheduleConfig("six", cron="0 6 * * *", scenario_config="s", timezone="Europe/Paris")
    assert next_due(schedule, T0) == dt.datetime(2030, 1, 1, 5, tzinfo=UTC)  # 06:00 in Paris, winter
    summer = dt.datetime(2030, 7, 1, tzinfo=UTC)
    assert next_due(schedule, summer) == dt.datetime(2030, 7, 1, 4, tzinfo=UTC)


def test_toml_both_ways(tmp_path) -> None:
    scenario_config()
    Config.configure_schedule("six", cron="0 6 * * *", scenario_config="s", timezone="Europe/Paris", catch_up="all")
    Config.configure_schedule("often", interval=dt.timedelta(minutes=90), action="submit_primary", scenario_config="s")
    Config.backup(tmp_path / "app.toml")
    text = (tmp_path / "app.toml").read_text()
    assert "[SCHEDULE.six]" in text and 'cron = "0 6 * * *"' in text
    assert "[SCHEDULE.default]" not in text  # a file Taipy reads too: no empty section of a kind it lacks
    Config._reset()
    Config.load(tmp_path / "app.toml")
    six, often = Config.schedules["six"], Config.schedules["often"]
    assert (six.cron, six.timezone, six.catch_up, six.action) == (
        "0 6 * * *",
        "Europe/Paris",
        "all",
        "create_and_submit",
    )
    assert (often.interval, often.action, often.scenario_config) == (dt.timedelta(minutes=90), "submit_primary", "s")
    assert Config.check().errors == []


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"cron": "61 * * * *"}, "cron", "cron expression"),
        ({"cron": "0 6 * * *", "interval": dt.timedelta(hours=1)}, "cron", "either"),
        ({}, "cron", "either"),
        ({"interval": dt.timedelta(0)}, "interval", "positive"),
        ({"cron": "0 6 * * *", "timezone": "Mars/Olympus"}, "timezone", "time zone"),
        ({"cron": "0 6 * * *", "scenario_config": "nope"}, "scenario_config", "one of s"),
        ({"cron": "0 6 * * *", "catch_up": "twice"}, "catch_up", "once, all, skip"),
        ({"cron": "0 6 * * *", "action": "dance"}, "action", "create_and_submit"),
        ({"cron": "0 6 * * *", "action": "submit"}, "entity_id", "entity_id"),
    ],
)
def test_bad_schedules_are_refused_by_the_check(values: dict, field: str, words: str) -> None:
    scenario_config()
    Config.configure_schedule("bad", **{"scenario_config": "s", **values})
    with pytest.raises(ConfigCheckError) as raised:
        Config.check()
    message = str(raised.value)
    assert "[SCHEDULE.bad]" in message and field in message and words in message
