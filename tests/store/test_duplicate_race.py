"""Duplicates made at once by several processes each update the entities they share (a GLOBAL
task, a GLOBAL data node, a CYCLE-scoped one): none of those updates is lost, whatever the store.
Counted in the store afterwards."""

from __future__ import annotations

import textwrap

from scenaria.store import open_repository
from tests.store.test_primary_race import PROCESSES, _core, run_together

PER_PROCESS = 8

DUPLICATOR = textwrap.dedent(
    """
    import datetime as dt, json, os, sys, time
    import scenaria as tp
    from scenaria import Config, Frequency, Scope

    core, go, count = json.loads(sys.argv[1])
    Config.configure_core(mode="experiment", version_number="dup", **core)
    everyone = Config.configure_data_node("everyone", scope=Scope.GLOBAL)
    per_day = Config.configure_data_node("per_day", scope=Scope.CYCLE)
    own = Config.configure_data_node("own")
    shared = Config.configure_task("shared_step", print, everyone)
    daily = Config.configure_task("daily_step", print, per_day, own)
    config = Config.configure_scenario("daily", [shared, daily], frequency=Frequency.DAILY)
    base = tp.create_scenario(config, creation_date=dt.datetime(2026, 1, 5, 9))
    while not os.path.exists(go):
        time.sleep(0.001)
    for i in range(count):  # into the base's cycle, or the next day's
        tp.duplicate_scenario(base, creation_date=dt.datetime(2026, 1, 5 + i % 2, 10))
    """
)


def test_no_update_of_a_shared_entity_is_lost_when_processes_duplicate_at_once(persistent_settings, tmp_path):
    go = str(tmp_path / "go")
    run_together(DUPLICATOR, go, [_core(persistent_settings), go, PER_PROCESS])

    repository = open_repository(persistent_settings)
    try:
        scenarios = repository.find("scenario")
        assert len(scenarios) == PROCESSES * (1 + PER_PROCESS)
        (shared_task,) = repository.find("task", config_id="shared_step")
        assert set(shared_task["parent_ids"]) == {s["id"] for s in scenarios}
        (everyone,) = repository.find("data_node", config_id="everyone")
        assert set(everyone["parent_ids"]) == {shared_task["id"]}
        for cycle in repository.find("cycle"):
            (per_day,) = repository.find("data_node", config_id="per_day", owner_id=cycle["id"])
            tasks = {t["id"] for t in repository.find("task", config_id="daily_step")}
            in_cycle = {s["id"] for s in scenarios if s["owner_id"] == cycle["id"]}
            readers = {
                t["id"] for t in repository.find("task", config_id="daily_step") if set(t["parent_ids"]) & in_cycle
            }
            assert set(per_day["parent_ids"]) == readers and readers <= tasks
    finally:
        repository.close()
