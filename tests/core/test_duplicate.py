"""Scenario.duplicate and scenaria.duplicate_scenario (Taipy 4.2)."""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import pytest

import scenaria as tp
from scenaria import Config, Frequency, Scope
from scenaria.exceptions import EntityError, NonExistingScenario


def double(nb):
    return pd.DataFrame({"v": [nb * 2]})


def total(a, b):
    return a + b


def configure(tmp_path):
    shared = Config.configure_data_node("shared", scope=Scope.GLOBAL, default_data=100)
    per_cycle = Config.configure_data_node("per_cycle", scope=Scope.CYCLE, default_data=5)
    number = Config.configure_data_node("number", default_data=21)
    doubled = Config.configure_csv_data_node("doubled")
    result = Config.configure_data_node("result", storage_type="in_memory")
    note = Config.configure_data_node("note", storage_type="in_memory", default_data="n")
    t1 = Config.configure_task("double", double, number, doubled)
    t2 = Config.configure_task("total", lambda d, s: int(d["v"][0]) + s, [doubled, shared], result)
    t3 = Config.configure_task(
        "cyc", total, [per_cycle, shared], Config.configure_data_node("cyc_out", scope=Scope.CYCLE)
    )
    return Config.configure_scenario(
        "plan",
        [t1, t2, t3],
        additional_data_node_configs=[note],
        frequency=Frequency.MONTHLY,
        sequences={"first": [t1], "both": [t1, t2]},
    )


def created(tmp_path, when=dt.datetime(2024, 3, 10)):
    config = configure(tmp_path)
    scenario = tp.create_scenario(config, creation_date=when, name="original")
    scenario.number.write(7)
    scenario.doubled.write(pd.DataFrame({"v": [14]}))
    scenario.properties["owner"] = "ann"
    scenario.add_tag("draft")
    return scenario


def test_a_duplicate_has_its_own_scenario_data_and_shares_the_rest(tmp_path):
    original = created(tmp_path)
    copy = original.duplicate(name="copy", creation_date=dt.datetime(2024, 3, 20))
    assert copy.id != original.id and copy.config_id == "plan" and copy.name == "copy"
    assert copy.properties["owner"] == "ann" and copy.tags == {"draft"} and not copy.is_primary
    assert copy.cycle == original.cycle  # same month: same cycle
    for config_id in ("number", "doubled", "result", "note"):
        assert copy.data_nodes[config_id].id != original.data_nodes[config_id].id
        assert copy.data_nodes[config_id].owner_id == copy.id
    for config_id in ("shared", "per_cycle", "cyc_out"):
        assert copy.data_nodes[config_id] is original.data_nodes[config_id]
    assert copy.tasks["cyc"] is original.tasks["cyc"] and copy.id in original.tasks["cyc"].parent_ids
    assert copy.tasks["double"].id != original.tasks["double"].id
    assert copy.number.read() == 7 and copy.note.read() == "n"
    assert copy.doubled.read()["v"].tolist() == [14]
    assert copy.doubled.path != original.doubled.path and os.path.exists(copy.doubled.path)
    assert copy.doubled.last_edit_date == original.doubled.last_edit_date
    assert set(copy.sequences) == {"first", "both"}
    assert [t.id for t in copy.sequences["both"].tasks.values()] == [copy.tasks["double"].id, copy.tasks["total"].id]
    # the copy is independent
    copy.number.write(1)
    assert original.number.read() == 7
    submission = copy.submit()
    assert [job.stacktrace for job in submission.jobs if job.stacktrace] == []
    assert copy.result.read() == 102 and original.result.read() is None
    assert copy.doubled.read()["v"].tolist() == [2]
    assert original.doubled.read()["v"].tolist() == [14]
    # and it is stored
    tp.Orchestrator().stop()
    from scenaria.entities.registry import reset_registry

    reset_registry()
    again = tp.get(copy.id)
    assert again.name == "copy" and again.number.read() == 1 and set(again.sequences) == {"first", "both"}


def test_the_cycle_follows_the_creation_date(tmp_path):
    original = created(tmp_path)
    copy = tp.duplicate_scenario(original, creation_date=dt.datetime(2024, 5, 2))
    assert copy.cycle != original.cycle and copy.cycle.start_date == dt.datetime(2024, 5, 1)
    assert copy.is_primary  # first scenario of its cycle
    assert copy.name == "original" and copy.creation_date == dt.datetime(2024, 5, 2)
    assert copy.shared is original.shared  # global
    assert copy.per_cycle.id != original.per_cycle.id and copy.per_cycle.owner_id == copy.cycle.id
    assert copy.tasks["cyc"].id != original.tasks["cyc"].id and copy.tasks["cyc"].owner_id == copy.cycle.id
    third = original.duplicate(creation_date=dt.datetime(2024, 5, 9))
    assert third.per_cycle is copy.per_cycle and third.tasks["cyc"] is copy.tasks["cyc"]  # shared in May


def test_data_to_duplicate_chooses_what_data_is_copied(tmp_path):
    original = created(tmp_path)
    none = original.duplicate(data_to_duplicate=False)
    assert none.number.read() is None and not none.number.is_ready_for_reading
    assert none.doubled.read() is None and not os.path.exists(none.doubled.path)
    some = original.duplicate(data_to_duplicate={"doubled"})
    assert some.number.read() is None and some.doubled.read()["v"].tolist() == [14]
    with pytest.raises(EntityError, match="data_to_duplicate"):
        original.duplicate(data_to_duplicate="doubled")
    with pytest.raises(NonExistingScenario):
        tp.duplicate_scenario("SCENARIO_nope")


def test_deleting_a_duplicate_removes_only_its_own_files(tmp_path):
    original = created(tmp_path)
    copy = original.duplicate()
    path = copy.doubled.path
    tp.delete(copy.id)
    assert not os.path.exists(path) and os.path.exists(original.doubled.path)
    assert original.doubled.read()["v"].tolist() == [14] and original.shared.read() == 100
