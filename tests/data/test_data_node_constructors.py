"""Data nodes built directly, as Taipy's own tests and code build them: outside a configuration,
with Taipy's constructor parameters, checked as the configuration checker checks a config."""

from __future__ import annotations

import datetime as dt
import inspect
import json
import sqlite3

import pandas as pd
import pytest

import scenaria as tp
from scenaria.config import Scope
from scenaria.data import (
    CSVDataNode,
    ExcelDataNode,
    GenericDataNode,
    InMemoryDataNode,
    JSONDataNode,
    MongoCollectionDataNode,
    ParquetDataNode,
    PickleDataNode,
    S3ObjectDataNode,
    SQLDataNode,
    SQLTableDataNode,
)
from scenaria.exceptions import InvalidDataNodeProperty, InvalidExposedType, MissingRequiredProperty

ALL = (
    PickleDataNode,
    CSVDataNode,
    ExcelDataNode,
    JSONDataNode,
    ParquetDataNode,
    SQLDataNode,
    SQLTableDataNode,
    MongoCollectionDataNode,
    S3ObjectDataNode,
    GenericDataNode,
    InMemoryDataNode,
)
TAIPY_PARAMETERS = [
    ("config_id", inspect.Parameter.empty),
    ("scope", inspect.Parameter.empty),
    ("id", None),
    ("owner_id", None),
    ("parent_ids", None),
    ("last_edit_date", None),
    ("edits", None),
    ("version", None),
    ("validity_period", None),
    ("edit_in_progress", False),
    ("editor_id", None),
    ("editor_expiration_date", None),
    ("properties", None),
]


@pytest.mark.parametrize("cls", ALL, ids=lambda cls: cls.__name__)
def test_every_storage_type_has_taipys_constructor(cls):
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    assert [(p.name, p.default) for p in parameters] == TAIPY_PARAMETERS


def test_a_csv_data_node_built_directly_reads_and_writes(tmp_path):
    path = tmp_path / "x.csv"
    dn = CSVDataNode("foo", Scope.SCENARIO, properties={"default_path": str(path)})
    assert dn.config_id == "foo" and dn.id.startswith("DATANODE_foo_") and dn.scope is Scope.SCENARIO
    assert dn.path == str(path) and not dn.is_generated
    assert dn.properties["encoding"] == "utf-8" and dn.properties["has_header"] is True  # the config's defaults
    assert dn.read() is None and tp.get(dn.id) is None  # nothing written, nothing saved
    dn.write(pd.DataFrame({"a": [1, 2]}))
    assert path.read_text().splitlines() == ["a", "1", "2"]
    assert dn.read()["a"].tolist() == [1, 2]
    assert tp.get(dn.id) is dn  # writing saves it, as in Taipy


def test_default_data_is_written_where_the_storage_is_empty(tmp_path):
    pickled = PickleDataNode("numbers", Scope.GLOBAL, properties={"default_data": [1, 2]})
    assert pickled.read() == [1, 2] and pickled.is_generated and pickled.path.endswith(".p")
    assert "default_data" not in pickled.properties
    # the default data's edit has Taipy 4.1.1's fields, in its order
    assert list(pickled.edits[0]) == ["timestamp", "editor", "comment"]
    assert pickled.edits[0]["editor"] == "TAIPY" and pickled.edits[0]["comment"] == "Default data written."
    in_memory = InMemoryDataNode("memo", Scope.SCENARIO, properties={"default_data": {"k": 1}})
    assert in_memory.read() == {"k": 1} and in_memory.last_edit_date is not None
    existing = tmp_path / "kept.json"
    existing.write_text("[3]")
    kept = JSONDataNode("j", Scope.SCENARIO, properties={"default_path": str(existing), "default_data": [9]})
    assert kept.read() == [3]  # an existing file is never overwritten


def test_the_given_fields_are_kept():
    date = dt.datetime(2024, 1, 2, 3, 4)
    edits = [{"timestamp": date, "job_id": "JOB_1"}]
    dn = PickleDataNode(
        "p",
        Scope.CYCLE,
        id="DATANODE_p_mine",
        owner_id="CYCLE_x",
        parent_ids={"TASK_t"},
        last_edit_date=date,
        edits=edits,
        version="1.0",
        validity_period=dt.timedelta(days=1),
        edit_in_progress=True,
        editor_id="alice",
        editor_expiration_date=date,
        properties={"name": "P"},
    )
    assert (dn.id, dn.owner_id, dn.parent_ids, dn.version) == ("DATANODE_p_mine", "CYCLE_x", {"TASK_t"}, "1.0")
    assert (dn.last_edit_date, dn.edits, dn.job_ids) == (date, edits, ["JOB_1"])
    assert dn.validity_period == dt.timedelta(days=1) and dn.edit_in_progress and dn.editor_id == "alice"
    assert dn.editor_expiration_date == date and dn.name == "P"


def test_sql_and_generic_data_nodes_built_directly_work(tmp_path):
    with sqlite3.connect(tmp_path / "shop.db") as connection:
        connection.execute("CREATE TABLE items (name TEXT, price REAL)")
    db = {"db_engine": "sqlite", "db_name": "shop", "sqlite_folder_path": str(tmp_path)}
    table = SQLTableDataNode("items", Scope.SCENARIO, properties={**db, "table_name": "items"})
    table.write(pd.DataFrame({"name": ["pen"], "price": [1.5]}))
    query = SQLDataNode(
        "cheap",
        Scope.SCENARIO,
        properties={**db, "read_query": "SELECT name FROM items WHERE price < 2", "write_query_builder": lambda d: []},
    )
    assert query.read()["name"].tolist() == ["pen"]
    generic = GenericDataNode("g", Scope.SCENARIO, properties={"read_fct": lambda: 42})
    assert generic.read() == 42


@pytest.mark.parametrize(
    ("cls", "properties", "error", "match"),
    [
        (GenericDataNode, {}, MissingRequiredProperty, "read_fct"),
        (SQLTableDataNode, {"db_engine": "sqlite"}, MissingRequiredProperty, "db_name, table_name"),
        (SQLDataNode, {"db_engine": "sqlite", "db_name": "x"}, MissingRequiredProperty, "read_query"),
        (MongoCollectionDataNode, {"db_name": "d"}, MissingRequiredProperty, "collection_name"),
        (S3ObjectDataNode, {"aws_access_key": "a"}, MissingRequiredProperty, "aws_s3_bucket_name"),
        (CSVDataNode, {"exposed_type": "modern"}, InvalidExposedType, "exposed_type.*'modern'"),
        (GenericDataNode, {"read_fct": print, "read_fct_args": "x"}, InvalidDataNodeProperty, "read_fct_args"),
        (PickleDataNode, {"_entity_owner": "x"}, InvalidDataNodeProperty, "reserved"),
        (ExcelDataNode, {}, None, None),
        (ParquetDataNode, {}, None, None),
    ],
)
def test_properties_are_checked_as_the_configuration_checker_checks_them(cls, properties, error, match):
    if error is None:
        assert cls("fine", Scope.SCENARIO, properties=properties).config_id == "fine"
        return
    with pytest.raises(error, match=match):
        cls("bad", Scope.SCENARIO, properties=properties)


def test_a_config_id_that_shadows_an_entity_attribute_is_refused():
    with pytest.raises(InvalidDataNodeProperty, match="attribute of a Task"):
        PickleDataNode("function", Scope.SCENARIO)


def test_the_documented_example_runs(capsys):
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "data-nodes.md").read_text()
    section = text.split("## Building a data node directly", 1)[1]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    exec(compile(code, "docs/data-nodes.md", "exec"), {})
    assert capsys.readouterr().out.split() == ["a", "0", "1"]
    assert Path("sales.csv").read_text().splitlines() == ["a", "1"]


def test_a_configured_data_nodes_default_data_edit_is_taipys_too():
    config = tp.Config.configure_data_node("seeded", default_data=3)
    dn = tp.create_global_data_node(tp.Config.configure_data_node("g", scope=Scope.GLOBAL, default_data=1))
    scenario = tp.create_scenario(tp.Config.configure_scenario("s", additional_data_node_configs=[config]))
    for node in (dn, scenario.seeded):
        (edit,) = node.edits
        assert list(edit) == ["timestamp", "editor", "comment"] and edit["editor"] == "TAIPY"


def test_a_copy_carries_the_edits_once_and_saves_the_same_record():
    """A copy (what a worker gets with each job) holds the edit history, not its saved JSON text
    as well; saved again, it writes the record the original would."""
    import pickle

    dn = tp.create_global_data_node(tp.Config.configure_data_node("counted", scope=Scope.GLOBAL, default_data=0))
    for value in range(1, 30):
        dn.write(value)
    stored = tp.get(dn.id)
    copy = pickle.loads(pickle.dumps(stored))
    assert copy.edits == stored.edits and copy.read() == 29
    assert len(pickle.dumps(stored)) < len(json.dumps(stored.edits, default=str)) * 1.5
    assert copy._encoded(copy._to_record()).body == stored._encoded(stored._to_record()).body
