"""Data nodes: reading, writing, edits, validity, edit locks, filtering; pickle, in_memory, generic."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import pytest

import scenaria as tp
from scenaria import Config, Scope
from scenaria.data.filter import JoinOperator, Operator
from scenaria.entities.registry import registry
from scenaria.exceptions import DataNodeIsBeingEdited, MissingReadFunction, MissingWriteFunction, NoData
from tests.core import core_funcs as funcs
from tests.support.core import chain_config


def test_read_write_and_the_edit_history(repository_type):
    scenario = tp.create_scenario(chain_config())
    middle = scenario.middle
    assert middle.read() is None
    with pytest.raises(NoData, match="never been written"):
        middle.read_or_raise()
    assert middle.last_edit_date is None and middle.edits == [] and not middle.is_valid
    with pytest.raises(NoData):
        _ = middle.expiration_date

    before = dt.datetime.now()
    middle.write({"a": 1}, comment="by hand", editor_id="alice")
    assert middle.read() == middle.read_or_raise() == {"a": 1}
    assert before <= middle.last_edit_date <= dt.datetime.now()
    edit = middle.get_last_edit()
    assert edit["comment"] == "by hand" and edit["editor_id"] == "alice"
    assert edit["timestamp"] == middle.last_edit_date
    assert middle.expiration_date == middle.last_edit_date  # no validity period: valid forever
    assert middle.is_valid

    registry().forget()
    again = tp.get(middle.id)
    assert again.read() == {"a": 1} and again.edits[-1]["comment"] == "by hand"


def test_edits_of_jobs_are_persisted_with_the_job_id(repository_type):
    scenario = tp.create_scenario(chain_config())
    submission = scenario.submit()
    job_t1 = next(job for job in submission.jobs if job.task.config_id == "t1")
    assert scenario.middle.job_ids == [job_t1.id]
    registry().forget()  # the edit is in the store, not only in this object
    stored = tp.get(scenario.middle.id)
    assert stored.edits[-1]["job_id"] == job_t1.id
    assert stored.job_ids == [job_t1.id]
    assert stored.read() == 6


def test_default_data_is_written_once_with_its_edit(repository_type):
    scenario = tp.create_scenario(chain_config())
    source = scenario.source
    assert source.read() == 3 and source.is_valid
    assert len(source.edits) == 1 and source.edits[0]["comment"] == "Default data written."
    source.write(5)
    shared = Config.configure_data_node("shared", scope=Scope.GLOBAL, default_data=[1])
    dn = tp.create_global_data_node(shared)
    dn.write([2])
    assert tp.create_global_data_node(shared) is dn
    other = tp.create_scenario(Config.configure_scenario("other", additional_data_node_configs=[shared]))
    assert other.shared is dn and dn.read() == [2] and len(dn.edits) == 2


def test_validity_period_expiration_and_is_valid(repository_type):
    # in memory: a pickle's file date would count as its last edit
    config = Config.configure_in_memory_data_node("dn", validity_period=dt.timedelta(hours=1))
    scenario = tp.create_scenario(Config.configure_scenario("sc", additional_data_node_configs=[config]))
    dn = scenario.dn
    assert dn.validity_period == dt.timedelta(hours=1)
    dn.write(1)
    assert dn.expiration_date == dn.last_edit_date + dt.timedelta(hours=1)
    assert dn.is_valid
    dn.track_edit(timestamp=dt.datetime.now() - dt.timedelta(hours=2))
    assert not dn.is_valid
    dn.validity_period = dt.timedelta(days=1)
    assert dn.is_valid
    registry().forget()
    assert tp.get(dn.id).validity_period == dt.timedelta(days=1)


def test_is_up_to_date_follows_the_upstream_data(repository_type):
    scenario = tp.create_scenario(chain_config())
    scenario.submit()
    assert scenario.result.is_up_to_date and scenario.middle.is_up_to_date
    scenario.source.write(4)
    assert not scenario.middle.is_up_to_date and not scenario.result.is_up_to_date
    assert scenario.source.is_up_to_date
    scenario.submit()
    assert scenario.result.is_up_to_date and scenario.result.read() == 16


def test_edit_locks_with_editors_and_expiry(repository_type):
    dn = tp.create_scenario(chain_config()).middle
    dn.lock_edit("alice")
    assert dn.edit_in_progress and dn.editor_id == "alice"
    assert dn.editor_expiration_date > dt.datetime.now() + dt.timedelta(minutes=29)
    with pytest.raises(DataNodeIsBeingEdited, match="alice"):
        dn.lock_edit("bob")
    with pytest.raises(DataNodeIsBeingEdited):
        dn.unlock_edit("bob")
    with pytest.raises(DataNodeIsBeingEdited):
        dn.write(1, editor_id="bob")
    assert dn.read() is None  # refused before anything was written
    dn.lock_edit("alice")  # the holder may take it again
    dn.write(7, editor_id="alice")
    assert not dn.edit_in_progress and dn.editor_id is None and dn.read() == 7

    dn.lock_edit("alice")
    dn._editor_expiration_date = dt.datetime.now() - dt.timedelta(seconds=1)  # an expired lock
    dn.lock_edit("bob")
    assert dn.editor_id == "bob"
    dn.unlock_edit("bob")
    assert not dn.edit_in_progress
    dn.lock_edit()
    assert dn.edit_in_progress and dn.editor_id is None and dn.editor_expiration_date is None
    dn.unlock_edit()
    assert not dn.edit_in_progress


@dataclass
class Row:
    name: str
    age: int


def test_filter_and_indexing_lists_and_dicts(repository_type):
    dn = tp.create_scenario(chain_config()).middle
    rows = [{"name": "a", "age": 1}, {"name": "b", "age": 5}, {"name": "c", "age": 9}]
    dn.write(rows)
    assert dn.filter(("age", 5, Operator.GREATER_OR_EQUAL)) == rows[1:]
    assert dn.filter([("age", 1, Operator.GREATER_THAN), ("age", 9, Operator.LESS_THAN)]) == [rows[1]]
    assert dn.filter([("name", "a", Operator.EQUAL), ("name", "c", Operator.EQUAL)], JoinOperator.OR) == [
        rows[0],
        rows[2],
    ]
    assert dn.filter(("name", "b", Operator.NOT_EQUAL)) == [rows[0], rows[2]]
    assert dn.filter(("age", 5, Operator.LESS_OR_EQUAL)) == rows[:2]
    assert dn[0] == rows[0] and dn[1:] == rows[1:]
    assert dn["name"] == ["a", "b", "c"]
    assert dn[["name"]] == [{"name": "a"}, {"name": "b"}, {"name": "c"}]
    assert dn[[True, False, True]] == [rows[0], rows[2]]

    objects = [Row("a", 1), Row("b", 5)]
    dn.write(objects)
    assert dn.filter(("age", 3, Operator.GREATER_THAN)) == [objects[1]]

    dn.write({"first": rows, "second": rows[:1]})  # dict of sheets: each filtered
    assert dn.filter(("age", 1, Operator.EQUAL)) == {"first": [rows[0]], "second": [rows[0]]}
    assert dn["second"] == rows[:1]


def test_pickle_files_live_under_the_storage_folder_and_go_with_the_data_node(repository_type):
    scenario = tp.create_scenario(chain_config())
    dn = scenario.middle
    assert dn.storage_type() == "pickle" and dn.is_generated
    assert dn.path == os.path.join("user_data", "pickles", f"{dn.id}.p")
    assert not os.path.exists(dn.path)
    dn.write([1, 2])
    assert os.path.isfile(dn.path)
    with pytest.raises(NotImplementedError, match="pickle"):
        dn.append([3])
    tp.delete(dn.id)
    assert not os.path.exists(dn.path) and tp.get(dn.id) is None


def test_pickle_with_a_given_path_is_kept_and_an_existing_file_counts_as_written(repository_type, tmp_path):
    import pickle

    path = tmp_path / "given.p"
    path.write_bytes(pickle.dumps("already there"))
    config = Config.configure_pickle_data_node("given", default_path=str(path), default_data="ignored")
    dn = tp.create_scenario(Config.configure_scenario("sc", additional_data_node_configs=[config])).given
    assert dn.path == str(path) and not dn.is_generated
    assert dn.read() == "already there" and dn.is_valid
    tp.delete(dn.id)
    assert path.exists()  # not generated by scenaria: never removed


def test_storage_folder_is_configurable(repository_type):
    Config.configure_core(storage_folder="elsewhere/")
    dn = tp.create_scenario(chain_config()).source
    assert dn.path == os.path.join("elsewhere/", "pickles", f"{dn.id}.p")
    assert os.path.isfile(dn.path)


def test_in_memory_data_nodes(repository_type):
    config = Config.configure_in_memory_data_node("mem", default_data={"x": 1})
    out = Config.configure_in_memory_data_node("mem_out")
    task = Config.configure_task("copy", funcs.identity, config, out)
    scenario = tp.create_scenario(Config.configure_scenario("sc", [task]))
    assert scenario.mem.storage_type() == "in_memory"
    assert scenario.mem.read() == {"x": 1} and len(scenario.mem.edits) == 1
    scenario.submit()
    assert scenario.mem_out.read() == {"x": 1}
    scenario.mem.write([1])
    assert scenario.mem.read() == [1]
    mem = scenario.mem
    tp.delete(mem.id)
    from scenaria.data.in_memory import in_memory_storage

    assert mem.id not in in_memory_storage


def test_generic_data_nodes_call_their_functions_with_args(repository_type):
    config = Config.configure_generic_data_node(
        "gen", read_fct=funcs.read_list, write_fct=funcs.write_list, read_fct_args=[1, 2], write_fct_args=["box"]
    )
    only_read = Config.configure_generic_data_node("only_read", read_fct=funcs.constant)
    only_write = Config.configure_generic_data_node("only_write", write_fct=funcs.write_list, write_fct_args=["box"])
    scenario = tp.create_scenario(
        Config.configure_scenario("sc", additional_data_node_configs=[config, only_read, only_write])
    )
    gen = scenario.gen
    assert gen.storage_type() == "generic" and gen.is_valid  # always written
    assert gen.read() == [1, 2]
    gen.write([3, 4])
    assert funcs.GENERIC_STORE.pop("box") == [3, 4] and len(gen.edits) == 1
    assert scenario.only_read.read() == 42
    with pytest.raises(MissingWriteFunction, match="write_fct"):
        scenario.only_read.write(1)
    with pytest.raises(MissingReadFunction, match="read_fct"):
        scenario.only_write.read()


def test_data_that_cannot_be_pickled_leaves_the_file_as_it_was(repository_type):
    import threading

    from scenaria.exceptions import DataNodeWritingError

    dn = tp.create_scenario(chain_config()).middle
    dn.write("previous")
    with pytest.raises(DataNodeWritingError, match="cannot pickle"):
        dn.write(threading.Lock())
    assert dn.read() == "previous" and len(dn.edits) == 1
    assert not [name for name in os.listdir(os.path.dirname(dn.path)) if name.startswith(".tmp")]
