"""Entities: ids, attribute access, sequences, properties, labels, tags, primary scenarios,
scopes and cycles."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

import scenaria as tp
from scenaria import Config, Frequency, Scope
from scenaria.exceptions import (
    AttributeKeyAlreadyExisted,
    NonExistingSequence,
    SequenceAlreadyExists,
    SequenceTaskDoesNotExistInScenario,
    UnauthorizedTagError,
)
from tests.core import core_funcs as funcs
from tests.support.core import chain_config

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def test_ids_follow_the_reference_formats(repository_type):
    scenario = tp.create_scenario(chain_config(Frequency.MONTHLY), creation_date=dt.datetime(2026, 11, 3))
    submission = scenario.submit()

    assert re.fullmatch(f"SCENARIO_chain_{UUID}", scenario.id)
    assert re.fullmatch(f"TASK_t1_{UUID}", scenario.t1.id)
    assert re.fullmatch(f"DATANODE_source_{UUID}", scenario.source.id)
    assert scenario.first.id == f"SEQUENCE_first_{scenario.id}"
    assert re.fullmatch(f"SUBMISSION_{UUID}", submission.id)
    assert {re.sub(UUID, "U", job.id) for job in submission.jobs} == {"JOB_t1_U", "JOB_t2_U"}
    assert re.fullmatch(f"CYCLE_November_2026_{UUID}", scenario.cycle.id)
    for entity in (scenario, scenario.t1, scenario.source, submission, *submission.jobs, scenario.cycle):
        assert tp.get(entity.id) is entity
        made = uuid.UUID(entity.id[-36:])  # ordered (version 7): made one after another, they sort so
        assert (made.version, made.variant, str(made)) == (7, uuid.RFC_4122, entity.id[-36:])


def test_scenario_gives_its_tasks_data_nodes_and_sequences_as_attributes(repository_type):
    extra = Config.configure_data_node("extra", default_data="x")
    config = chain_config()
    config.additional_data_node_configs = [extra]  # additional data nodes are part of data_nodes
    scenario = tp.create_scenario(config)

    assert set(scenario.tasks) == {"t1", "t2"}
    assert set(scenario.data_nodes) == {"source", "middle", "result", "extra"}
    assert set(scenario.additional_data_nodes) == {"extra"}
    assert scenario.t1 is scenario.tasks["t1"]
    assert scenario.source is scenario.data_nodes["source"]
    assert scenario.extra.read() == "x"
    assert scenario.first is scenario.sequences["first"]
    assert scenario.t1.source is scenario.source and scenario.t1.middle is scenario.middle
    assert scenario.t1.input == {"source": scenario.source}
    assert scenario.t1.output == {"middle": scenario.middle}
    assert scenario.get_inputs() == {scenario.source}
    assert scenario.get_outputs() == {scenario.result}
    assert scenario.get_intermediate() == {scenario.middle}
    assert scenario.source.parent_ids == {scenario.t1.id}
    assert scenario.extra.parent_ids == {scenario.id}
    assert scenario.t1.parent_ids == {scenario.id, scenario.first.id}
    with pytest.raises(AttributeError, match="nothing_here"):
        _ = scenario.nothing_here
    with pytest.raises(AttributeKeyAlreadyExisted):
        scenario.source = 1


def test_sequences_from_the_config_and_added_at_run_time(repository_type):
    scenario = tp.create_scenario(chain_config())
    first = scenario.first
    assert first.tasks == {"t1": scenario.t1}
    assert first.owner_id == scenario.id and first.parent_ids == {scenario.id}
    assert set(first.data_nodes) == {"source", "middle"}

    scenario.add_sequence("both ways", [scenario.t1, scenario.t2], properties={"owner": "me"})
    both = scenario.sequences["both ways"]
    assert both.id == f"SEQUENCE_bothTPSPACEways_{scenario.id}"
    assert tp.get(both.id) == both
    assert both.properties["owner"] == "me"
    assert [task.config_id for task in both._get_sorted_tasks()] == ["t1", "t2"]
    with pytest.raises(SequenceAlreadyExists):
        scenario.add_sequence("both ways", [scenario.t1])
    other = tp.create_scenario(chain_config())
    with pytest.raises(SequenceTaskDoesNotExistInScenario):
        scenario.add_sequence("foreign", [other.t1])

    scenario.update_sequence("both ways", [scenario.t2])
    assert scenario.sequences["both ways"].tasks == {"t2": scenario.t2}
    scenario.rename_sequence("both ways", "second")
    assert set(scenario.sequences) == {"first", "second"}
    scenario.remove_sequence("second")
    assert set(scenario.sequences) == {"first"}
    with pytest.raises(NonExistingSequence):
        scenario.remove_sequence("second")
    scenario.add_sequences({"a": [scenario.t1], "b": [scenario.t2]})
    scenario.remove_sequences(["a", "b"])
    assert set(scenario.sequences) == {"first"}
    scenario.add_sequence("ab", [scenario.t1])
    scenario.remove_sequences("ab")  # one name, as Taipy's documentation writes it
    assert set(scenario.sequences) == {"first"}
    scenario.first.name = "The first step"  # a display name: the key stays
    assert scenario.first.properties == {"name": "The first step"}

    from scenaria.entities.registry import registry

    registry().forget()  # read again from the store
    again = tp.get(scenario.id)
    assert again is not scenario and set(again.sequences) == {"first"}
    assert again.first.name == "The first step" and tp.get(again.first.id).name == "The first step"


def test_properties_and_name_are_saved(repository_type):
    config = chain_config(owner="team")
    scenario = tp.create_scenario(config, name="Budget")
    assert scenario.name == "Budget" and scenario.properties["owner"] == "team"
    scenario.properties["status"] = "draft"
    scenario.name = "Budget 2"
    scenario.source.properties["note"] = "n"
    from scenaria.entities.registry import registry

    registry().forget()
    again = tp.get(scenario.id)
    assert again.name == "Budget 2" and again.properties["status"] == "draft"
    assert again.source.properties["note"] == "n"
    assert again.status == "draft"  # properties read as attributes too


def test_labels_name_the_owners_first(repository_type):
    config = chain_config(Frequency.MONTHLY)
    scenario = tp.create_scenario(config, name="hello", creation_date=dt.datetime(2024, 5, 17))
    unnamed = tp.create_scenario(config, creation_date=dt.datetime(2024, 5, 18))

    assert scenario.cycle.get_simple_label() == "May 2024" == scenario.cycle.get_label()
    assert scenario.get_simple_label() == "hello"
    assert scenario.get_label() == "May 2024 > hello"
    assert scenario.source.get_label() == "May 2024 > hello > source"
    assert scenario.t1.get_label() == "May 2024 > hello > t1"
    assert scenario.first.get_label() == "May 2024 > hello > first"
    assert unnamed.get_label() == "May 2024 > chain"
    assert unnamed.source.get_simple_label() == "source"
    scenario.source.properties["label"] = "Input"
    assert scenario.source.get_simple_label() == "Input"


def test_tags_and_authorized_tags(repository_type):
    config = chain_config(authorized_tags=["best", "worst"])
    first, second = tp.create_scenario(config), tp.create_scenario(config)
    tp.tag(first, "best")
    assert first.has_tag("best") and first.tags == {"best"}
    second.add_tag("best")  # a tag is held by one scenario of a config and cycle
    assert second.tags == {"best"} and first.tags == set()
    assert tp.get_scenarios(tag="best") == [second]
    tp.untag(second, "best")
    assert second.tags == set()
    with pytest.raises(UnauthorizedTagError, match="authorized_tags"):
        tp.tag(first, "other")
    second.add_tag("worst")
    second.remove_tag("worst")
    assert not second.has_tag("worst")


def test_scope_sharing_across_scenarios(repository_type):
    shared = Config.configure_data_node("shared", scope=Scope.GLOBAL, default_data=1)
    shared_out = Config.configure_data_node("shared_out", scope=Scope.GLOBAL)
    monthly = Config.configure_data_node("monthly", scope=Scope.CYCLE, default_data=2)
    own = Config.configure_data_node("own")
    t_global = Config.configure_task("t_global", funcs.double, shared, shared_out)
    t_mixed = Config.configure_task("t_mixed", funcs.add, [monthly, shared], own)
    config = Config.configure_scenario("sc", [t_global, t_mixed], frequency=Frequency.MONTHLY)

    may_1 = tp.create_scenario(config, creation_date=dt.datetime(2024, 5, 1))
    may_2 = tp.create_scenario(config, creation_date=dt.datetime(2024, 5, 20))
    june = tp.create_scenario(config, creation_date=dt.datetime(2024, 6, 2))

    assert may_1.shared is may_2.shared is june.shared
    assert may_1.shared.owner_id is None and may_1.shared.scope is Scope.GLOBAL
    assert may_1.t_global is may_2.t_global is june.t_global
    assert may_1.t_global.parent_ids == {may_1.id, may_2.id, june.id}
    assert may_1.t_global.scope is Scope.GLOBAL
    assert may_1.monthly is may_2.monthly and may_1.monthly is not june.monthly
    assert may_1.monthly.owner_id == may_1.cycle.id
    assert may_1.t_mixed is not may_2.t_mixed and may_1.t_mixed.owner_id == may_1.id
    assert may_1.t_mixed.scope is Scope.SCENARIO
    assert may_1.own is not may_2.own and may_1.own.owner_id == may_1.id
    assert may_1.shared.parent_ids == {may_1.t_global.id, may_1.t_mixed.id, may_2.t_mixed.id, june.t_mixed.id}
    assert may_1.shared.read() == 1  # default data written once, not by every scenario
    assert len(may_1.shared.edits) == 1
    assert len(tp.get_data_nodes()) == 1 + 1 + 2 + 3


@pytest.mark.parametrize(
    ("frequency", "when", "start", "end", "name"),
    [
        (
            Frequency.DAILY,
            dt.datetime(2024, 5, 17, 15),
            dt.datetime(2024, 5, 17),
            dt.datetime(2024, 5, 18),
            "Friday, 17. May 2024",
        ),
        (
            Frequency.WEEKLY,
            dt.datetime(2024, 5, 17, 15),
            dt.datetime(2024, 5, 13),
            dt.datetime(2024, 5, 20),
            "Week 20 2024, from 13. May",
        ),
        (
            Frequency.MONTHLY,
            dt.datetime(2024, 12, 31, 23),
            dt.datetime(2024, 12, 1),
            dt.datetime(2025, 1, 1),
            "December 2024",
        ),
        (Frequency.QUARTERLY, dt.datetime(2024, 5, 17), dt.datetime(2024, 4, 1), dt.datetime(2024, 7, 1), "2024 Q2"),
        (Frequency.QUARTERLY, dt.datetime(2024, 12, 31), dt.datetime(2024, 10, 1), dt.datetime(2025, 1, 1), "2024 Q4"),
        (Frequency.QUARTERLY, dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 1), dt.datetime(2024, 4, 1), "2024 Q1"),
        (Frequency.YEARLY, dt.datetime(2024, 2, 29), dt.datetime(2024, 1, 1), dt.datetime(2025, 1, 1), "2024"),
    ],
)
def test_cycles_start_and_end_on_period_boundaries(frequency, when, start, end, name):
    config = Config.configure_scenario("sc", [], frequency=frequency)
    scenario = tp.create_scenario(config, creation_date=when)
    cycle = scenario.cycle
    assert cycle.frequency is frequency
    assert cycle.start_date == start
    assert cycle.end_date == end - dt.timedelta(microseconds=1)
    assert cycle.name == name
    assert cycle.creation_date == when
    same = tp.create_scenario(config, creation_date=end - dt.timedelta(seconds=1))
    assert same.cycle is cycle
    following = tp.create_scenario(config, creation_date=end)
    assert following.cycle is not cycle and following.cycle.start_date == end
    assert following.is_primary


def test_primary_scenarios_per_cycle(repository_type):
    config = chain_config(Frequency.MONTHLY)
    first = tp.create_scenario(config, creation_date=dt.datetime(2024, 5, 1))
    second = tp.create_scenario(config, creation_date=dt.datetime(2024, 5, 2))
    june = tp.create_scenario(config, creation_date=dt.datetime(2024, 6, 2))
    no_cycle = tp.create_scenario(chain_config())

    assert first.is_primary and not second.is_primary and june.is_primary
    assert not no_cycle.is_primary and no_cycle.cycle is None and no_cycle.owner_id is None
    assert tp.get_primary(first.cycle) is first
    assert set(tp.get_primary_scenarios()) == {first, june}
    assert tp.is_promotable(second) and not tp.is_promotable(first) and not tp.is_promotable(no_cycle)
    second.set_primary()
    assert second.is_primary and not first.is_primary
    assert tp.get_primary(first.cycle) is second
    assert tp.get_cycles_scenarios() == {first.cycle: [first, second], june.cycle: [june], None: [no_cycle]}


def test_comparators_and_compare_scenarios(repository_type):
    def difference(*values):
        return values[1] - values[0]

    config = chain_config(comparators={"source": [difference, funcs.add]})
    first, second = tp.create_scenario(config), tp.create_scenario(config)
    second.source.write(10)
    assert tp.compare_scenarios(first, second) == {"source": {"difference": 7, "add": 13}}
    assert tp.compare_scenarios(first, second, data_node_config_id="source")["source"]["add"] == 13


def test_getting_an_entity_from_another_thread_never_undoes_newer_changes(repository_type):
    import threading

    from scenaria.entities.registry import registry

    dn = tp.create_scenario(chain_config()).middle
    dn.lock_edit()
    with registry().transaction():  # not committed yet: another thread reads the older record
        dn.write(5)
        reader = threading.Thread(target=tp.get, args=(dn.id,))
        reader.start()
        reader.join()
        assert len(dn.edits) == 1 and not dn.edit_in_progress
    assert tp.get(dn.id) is dn and dn.read() == 5 and len(dn.edits) == 1 and not dn.edit_in_progress
