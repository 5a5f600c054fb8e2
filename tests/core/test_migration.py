"""Config.add_migration_function: entities of an older production version migrated when a newer
production version starts (two real production versions, in one store)."""

from __future__ import annotations

import pytest

import scenaria as tp
from scenaria import Config
from scenaria.entities.registry import registry, reset_registry
from scenaria.exceptions import ConfigError, MigrationFunctionFailed
from scenaria.versioning.manager import list_versions


def add(nb):
    return nb + 1


def configure(version, unit=None):
    tp.Orchestrator().stop()
    reset_registry()
    Config._reset()
    Config.configure_core(mode="production", version_number=version)
    properties = {"unit": unit} if unit else {}
    number = Config.configure_data_node("number", default_data=1, **properties)
    result = Config.configure_data_node("result")
    task = Config.configure_task("add", add, number, result)
    return Config.configure_scenario("calc", [task]), number, task


def start_version_1():
    scenario_cfg, _, _ = configure("1.0")
    tp.Orchestrator().run()
    scenario = tp.create_scenario(scenario_cfg, name="first")
    scenario.number.write(41)
    scenario.submit()
    assert scenario.result.read() == 42
    return scenario.id


def test_a_newer_production_version_migrates_the_older_ones_entities():
    scenario_id = start_version_1()
    seen = []

    def to_euros(dn):
        seen.append((dn.config_id, dn.version))
        dn.properties["unit"] = "EUR"
        dn.write(dn.read() * 10)
        return dn

    def rename(scenario):
        scenario.properties["name"] = "first (v2)"

    _, number_cfg, _ = configure("2.0", unit="EUR")
    registered = Config.add_migration_function("2.0", number_cfg, to_euros, owner="finance")
    assert registered.migration_fcts == {"2.0": {"number": to_euros}} and registered.owner == "finance"
    Config.add_migration_function("2.0", "calc", rename)
    assert Config.migration_functions.migration_fcts == {"2.0": {"number": to_euros, "calc": rename}}
    assert Config.migration_functions.name == "VERSION_MIGRATION" and Config.migration_functions.absent is None
    tp.Orchestrator().run()
    assert [v["mode"] for v in list_versions(registry()) if v["id"] in ("1.0", "2.0")] == ["production"] * 2
    scenario = tp.get(scenario_id)
    assert scenario.version == "2.0" and scenario.name == "first (v2)"
    assert [s.id for s in tp.get_scenarios()] == [scenario_id]  # the current version reads it as its own
    assert scenario.number.properties["unit"] == "EUR" and scenario.number.read() == 410
    assert scenario.result.read() == 42 and scenario.result.version == "2.0"  # migrated without a function
    assert seen == [("number", "1.0")]
    assert {job.version for job in tp.get_jobs()} == {"2.0"}
    scenario.submit()
    assert scenario.result.read() == 411
    # stored: a fresh start of 2.0 migrates nothing more
    configure("2.0", unit="EUR")
    Config.add_migration_function("2.0", "number", to_euros)
    tp.Orchestrator().run()
    assert tp.get(scenario_id).number.read() == 410 and len(seen) == 1


def test_functions_of_versions_past_the_entities_do_not_run():
    scenario_id = start_version_1()
    configure("1.5")
    tp.Orchestrator().run()  # 1.5 takes 1.0's entities (no function)
    calls = []
    configure("2.0")
    Config.add_migration_function("2.0", "number", lambda dn: calls.append("2.0"))
    Config.add_migration_function("1.5", "number", lambda dn: calls.append("1.5"))
    tp.Orchestrator().run()
    # the entities belong to 1.5 now: 1.5's function is past them, 2.0's runs (once per data node)
    assert calls == ["2.0"] and tp.get(scenario_id).version == "2.0"


def test_a_failing_migration_changes_nothing():
    scenario_id = start_version_1()

    def broken(dn):
        dn.properties["unit"] = "half done"
        raise ValueError("no rate")

    configure("2.0")
    Config.add_migration_function("2.0", "number", broken)
    with pytest.raises(MigrationFunctionFailed, match=r"broken.*no rate"):
        tp.Orchestrator().run()
    assert "unit" not in registry().get(tp.get(scenario_id).number.id).properties  # not even in memory
    configure("1.0")
    tp.Orchestrator().run()
    scenario = tp.get(scenario_id)
    assert scenario.version == "1.0" and scenario.number.read() == 41


def test_bad_arguments_are_refused():
    with pytest.raises(ConfigError, match="add_migration_function"):
        Config.add_migration_function("2.0", 42, print)
    with pytest.raises(ConfigError, match="add_migration_function"):
        Config.add_migration_function("2.0", "number", "not a function")
