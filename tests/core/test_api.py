"""The tp.* functions not covered elsewhere, and bad input: each a specific exception that says
what to do."""

from __future__ import annotations

import datetime as dt

import pytest

import scenaria as tp
from scenaria import Config, Frequency, Scope
from scenaria.entities.registry import registry
from scenaria.exceptions import (
    ConfigCheckError,
    DataNodeConfigIsNotGlobal,
    DifferentScenarioConfigs,
    DoesNotBelongToACycle,
    InsufficientScenarioToCompare,
    InvalidExecutionSetting,
    ModelNotFound,
    NonExistingComparator,
    NonExistingScenario,
    NonExistingScenarioConfig,
    NonExistingSequence,
    NonExistingTask,
)
from tests.core import core_funcs as funcs
from tests.support.core import chain_config


def test_get_and_exists(repository_type):
    scenario = tp.create_scenario(chain_config())
    for entity in (scenario, scenario.t1, scenario.source, scenario.first):
        assert tp.exists(entity.id) and tp.get(entity.id) == entity
    assert tp.exists(scenario)
    missing = tp.exists("SCENARIO_nothing")
    assert not missing and "SCENARIO_nothing" in missing.reasons
    assert tp.get("SCENARIO_nothing") is None and tp.get("TASK_x") is None
    assert tp.get(f"SEQUENCE_nope_{scenario.id}") is None
    for bad in ("foo", "scenario_lowercase", ""):
        with pytest.raises(ModelNotFound, match="SCENARIO"):
            tp.get(bad)
        with pytest.raises(ModelNotFound):
            tp.exists(bad)
    with pytest.raises(ModelNotFound):
        tp.delete("foo")


def test_listing_entities(repository_type):
    config = chain_config(Frequency.MONTHLY)
    first = tp.create_scenario(config, creation_date=dt.datetime(2024, 1, 5))
    second = tp.create_scenario(config, creation_date=dt.datetime(2024, 2, 5))
    assert len(tp.get_tasks()) == 4 and len(tp.get_data_nodes()) == 6
    assert set(tp.get_cycles()) == {first.cycle, second.cycle}
    assert set(tp.get_sequences()) == {first.first, second.first}
    assert set(tp.get_entities_by_config_id("chain")) == {first, second}
    assert set(tp.get_entities_by_config_id("t2")) == {first.t2, second.t2}
    assert set(tp.get_entities_by_config_id("middle")) == {first.middle, second.middle}
    assert tp.get_entities_by_config_id("unknown") == []
    assert tp.get_submissions() == [] and tp.get_jobs() == []
    submission = first.submit()
    assert tp.get_submissions() == [submission] and set(tp.get_jobs()) == set(submission.jobs)


def test_get_scenarios_by_cycle_tag_window_and_sorted(repository_type):
    config = chain_config(Frequency.MONTHLY)
    b = tp.create_scenario(config, creation_date=dt.datetime(2024, 1, 10), name="b")
    a = tp.create_scenario(config, creation_date=dt.datetime(2024, 1, 20), name="a")
    c = tp.create_scenario(config, creation_date=dt.datetime(2024, 2, 1), name="c")
    tp.tag(c, "x")
    assert tp.get_scenarios(cycle=b.cycle) == [b, a]
    assert tp.get_scenarios(tag="x") == [c]
    assert tp.get_scenarios(is_sorted=True) == [a, b, c]
    assert tp.get_scenarios(is_sorted=True, descending=True) == [c, b, a]
    assert tp.get_scenarios(is_sorted=True, sort_key="creation_date") == [b, a, c]
    assert tp.get_scenarios(is_sorted=True, sort_key="id") == sorted([a, b, c], key=lambda s: s.id)
    assert tp.get_scenarios(is_sorted=True, sort_key="tags")[-1] == c
    assert tp.get_scenarios(created_start_time=dt.datetime(2024, 1, 20)) == [a, c]  # start included
    assert tp.get_scenarios(created_end_time=dt.datetime(2024, 1, 20)) == [b]  # end excluded
    assert tp.get_primary_scenarios(is_sorted=True, descending=True) == [c, b]
    assert tp.get_primary_scenarios(created_start_time=dt.datetime(2024, 2, 1)) == [c]


def test_get_parents(repository_type):
    scenario = tp.create_scenario(chain_config())
    parents = tp.get_parents(scenario.source)
    assert parents == {"task": {scenario.t1}, "sequence": {scenario.first}, "scenario": {scenario}}
    assert tp.get_parents(scenario.t2.id) == {"scenario": {scenario}}
    assert scenario.t1.get_parents() == {"scenario": {scenario}, "sequence": {scenario.first}}
    assert scenario.result.get_parents()["task"] == {scenario.t2}
    assert tp.get_parents(scenario) == {}


def test_checks_and_set(repository_type):
    scenario = tp.create_scenario(chain_config())
    for check in (tp.is_editable, tp.is_readable):
        assert check(scenario) and check(scenario.source.id)
        assert not check("SCENARIO_missing")
    assert tp.is_submittable(scenario) and tp.is_submittable(scenario.t1.id) and tp.is_submittable(scenario.first)
    assert not tp.is_submittable(scenario.t2)  # its input was never written
    scenario.source.lock_edit("alice")
    reasons = tp.is_submittable(scenario)
    assert not reasons and scenario.source.id in reasons.reasons
    assert scenario.data_nodes_being_edited() == {scenario.source}
    assert not tp.is_submittable(scenario.source)
    scenario.source.unlock_edit("alice")

    assert tp.can_create() and tp.can_create(Config.scenarios["chain"])
    assert not tp.can_create(Config.data_nodes["source"])
    assert tp.can_create(Config.configure_data_node("g", scope=Scope.GLOBAL))
    with pytest.raises(NonExistingScenarioConfig, match="configure_scenario"):
        tp.create_scenario(Config.data_nodes["source"])

    dict.__setitem__(scenario._properties, "direct", 1)  # changed without saving...
    tp.set(scenario)  # ...then saved whole
    tp.set(scenario.first)
    registry().forget()
    assert tp.get(scenario.id).properties["direct"] == 1


def test_global_data_nodes(repository_type):
    config = Config.configure_data_node("g", scope=Scope.GLOBAL, default_data=5)
    dn = tp.create_global_data_node(config)
    assert dn.owner_id is None and dn.read() == 5 and tp.create_global_data_node(config) is dn
    with pytest.raises(DataNodeConfigIsNotGlobal, match=r"scope=Scope\.GLOBAL"):
        tp.create_global_data_node(Config.configure_data_node("s", scope=Scope.CYCLE))


def test_comparing_needs_two_scenarios_of_one_config_with_comparators(repository_type):
    with_comparator = chain_config(comparators={"result": funcs.add})
    first, second = tp.create_scenario(with_comparator), tp.create_scenario(with_comparator)
    with pytest.raises(InsufficientScenarioToCompare):
        tp.compare_scenarios(first)
    with pytest.raises(NonExistingComparator, match="middle"):
        tp.compare_scenarios(first, second, data_node_config_id="middle")
    plain = tp.create_scenario(Config.configure_scenario("plain", []))
    with pytest.raises(DifferentScenarioConfigs):
        tp.compare_scenarios(first, plain)
    with pytest.raises(NonExistingComparator, match="add_comparator"):
        tp.compare_scenarios(plain, tp.create_scenario(Config.scenarios["plain"]))


def test_set_primary_needs_a_cycle(repository_type):
    scenario = tp.create_scenario(chain_config())
    with pytest.raises(DoesNotBelongToACycle, match="frequency"):
        tp.set_primary(scenario)


def test_submitting_deleted_entities(repository_type):
    scenario = tp.create_scenario(chain_config())
    sequence, task = scenario.first, scenario.t1
    tp.delete(scenario.id)
    with pytest.raises(NonExistingScenario, match="deleted"):
        scenario.submit()
    with pytest.raises(NonExistingSequence):
        sequence.submit()
    with pytest.raises(NonExistingTask, match="deleted"):
        tp.submit(task)


def test_submitting_an_id_submits_nothing_as_taipy_does_and_says_so(repository_type, caplog):
    scenario = tp.create_scenario(chain_config())
    assert tp.submit(scenario.id) is None
    assert f"use submit(get('{scenario.id}'))" in caplog.text
    assert tp.get_submissions() == []


@pytest.mark.parametrize("timeout", ["5", -1, True, float("nan"), [5]])
def test_a_bad_wait_timeout_is_refused_before_anything_is_submitted(repository_type, timeout):
    scenario = tp.create_scenario(chain_config())
    with pytest.raises(InvalidExecutionSetting, match=r"submit\(\.\.\., wait=True, timeout=\.\.\.\): timeout="):
        scenario.submit(wait=True, timeout=timeout)
    assert tp.get_submissions() == [] and tp.get_jobs() == []
    submission = scenario.submit(wait=True, timeout=5)  # a number (int or float) is fine
    assert submission.is_completed
    with pytest.raises(InvalidExecutionSetting, match=r"Submission.wait\(timeout=\.\.\.\)"):
        submission.wait(timeout)
    assert submission.wait(0) and submission.wait(None)


def test_submit_takes_what_another_process_saved_since(repository_type):
    """submit() reads only the stored revision of the caller's own scenario, and the whole record
    when another process saved a newer one (here: its record rewritten with the next revision)."""
    scenario = tp.create_scenario(chain_config())
    assert scenario.submit(wait=True).is_completed  # the store holds this object's own revision
    repository = registry().repository
    record = repository.load("scenario", scenario.id)
    record["properties"]["owner"] = "the other process"
    record["revision"] = record.get("revision", 0) + 1
    repository.save("scenario", record)
    assert "owner" not in scenario.properties
    assert scenario.submit(wait=True).is_completed
    assert scenario.properties["owner"] == "the other process"


def test_a_cyclic_graph_is_a_config_error_naming_the_cycle(repository_type):
    a, b = Config.configure_data_node("a", default_data=1), Config.configure_data_node("b")
    forth = Config.configure_task("forth", funcs.double, a, b)
    back = Config.configure_task("back", funcs.double, b, a)
    config = Config.configure_scenario("loop", [forth, back])
    with pytest.raises(ConfigCheckError) as raised:
        Config.check()
    assert "forth" in str(raised.value) and "back" in str(raised.value) and "cycle" in str(raised.value)
    with pytest.raises(ConfigCheckError, match="cycle"):
        tp.create_scenario(config)
    assert tp.get_scenarios() == []


def test_a_function_that_cannot_be_stored_is_refused_naming_the_task(repository_type):
    import threading

    from scenaria.exceptions import EntityError

    lock = threading.Lock()

    def holds_a_lock(value):
        with lock:
            return value

    source = Config.configure_data_node("source", default_data=1)
    task = Config.configure_task("work", holds_a_lock, source, Config.configure_data_node("out"))
    with pytest.raises(EntityError, match=r"(?s)'work'.*holds_a_lock.*_thread\.lock.*importable"):
        tp.create_scenario(Config.configure_scenario("sc", [task]))
    assert tp.get_scenarios() == [] and tp.get_tasks() == []
