"""sql_table and sql data nodes on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from scenaria import Config
from scenaria.config import Scope
from scenaria.data.filter import JoinOperator, Operator
from scenaria.data.sql import SQLDataNode
from scenaria.data.sql_base import engine_url, get_engine
from scenaria.data.sql_table import SQLTableDataNode
from scenaria.exceptions import (
    ConfigCheckError,
    DataNodeReadingError,
    DataNodeWritingError,
    InvalidExposedType,
    MissingAppendQueryBuilder,
    MissingRequiredProperty,
    SQLQueryCannotBeExecuted,
    UnknownDatabaseEngine,
)
from tests.support.data_nodes import NeedsThree, Person, make_node

FRAME = pd.DataFrame({"name": ["ann", "bob", "cid"], "age": [31, 42, 53]})


def run(db: dict, *statements: str) -> None:
    with get_engine(engine_url(db), "test").begin() as connection:
        for statement in statements:
            connection.execute(sa.text(statement))


def people_table(db: dict) -> None:
    run(db, "CREATE TABLE people (name VARCHAR(20) PRIMARY KEY, age INTEGER NOT NULL)")


def test_engine_urls_are_built_as_the_reference_builds_them():
    assert engine_url({"db_engine": "sqlite", "db_name": "x", "sqlite_folder_path": "/data"}) == "sqlite:////data/x.db"
    assert (
        engine_url({"db_engine": "sqlite", "db_name": "x", "sqlite_file_extension": ".sqlite3"})
        == "sqlite:///x.sqlite3"
    )
    common = {"db_name": "sales", "db_username": "me", "db_password": "p@ss word", "db_host": "h", "db_port": 5}
    assert engine_url({"db_engine": "postgresql", **common}) == "postgresql+psycopg2://me:p%40ss+word@h:5/sales?"
    assert engine_url({"db_engine": "mysql", **common}) == "mysql+pymysql://me:p%40ss+word@h:5/sales?"
    assert (
        engine_url(
            {
                "db_engine": "mssql",
                **common,
                "db_driver": "ODBC Driver 18",
                "db_extra_args": {"TrustServerCertificate": "yes"},
            }
        )
        == "mssql+pyodbc://me:p%40ss+word@h:5/sales?TrustServerCertificate=yes&driver=ODBC+Driver+18"
    )
    assert (
        engine_url({"db_engine": "postgresql", "db_name": "d", "db_username": "u", "db_password": "p"})
        == "postgresql+psycopg2://u:p@localhost:1433/d?"
    )
    with pytest.raises(UnknownDatabaseEngine, match="'oracle'"):
        engine_url({"db_engine": "oracle", "db_name": "x"})


def test_sql_table_round_trip_for_each_exposed_type(db):
    people_table(db)
    dn = make_node("sql_table", table_name="people", **db)
    assert dn.is_ready_for_reading and dn.read().empty  # a table always exists: never "unwritten"
    dn.write(FRAME)
    pd.testing.assert_frame_equal(dn.read().sort_values("name", ignore_index=True), FRAME)
    dn.append(pd.DataFrame({"name": ["dan"], "age": [64]}))
    assert sorted(dn.read()["name"]) == ["ann", "bob", "cid", "dan"]
    dn.write([{"name": "eve", "age": 1}])  # replaces every row
    assert dn.read().to_dict("records") == [{"name": "eve", "age": 1}]

    numbers = make_node("sql_table", table_name="people", exposed_type="numpy", **db)
    assert numbers.read().tolist() == [["eve", 1]]
    numbers.write(np.array([["fay", 2]], dtype=object))
    assert numbers.read().tolist() == [["fay", 2]]

    objects = make_node("sql_table", table_name="people", exposed_type=Person, **db)
    objects.write([Person("gus", 3), Person("hal", 4)])
    assert sorted(objects.read(), key=lambda p: p.name) == [Person("gus", 3), Person("hal", 4)]


def test_sql_table_creates_a_missing_table_from_the_first_write(db):
    dn = make_node("sql_table", table_name="fresh", **db)
    dn.write(FRAME)
    dn.append(FRAME)
    assert len(dn.read()) == 6


def test_sql_table_filters_run_in_the_database_with_bound_values(db):
    people_table(db)
    dn = make_node("sql_table", table_name="people", **db)
    dn.write(FRAME)
    assert dn.filter(("age", 40, Operator.GREATER_THAN))["name"].tolist() == ["bob", "cid"]
    assert dn.filter([("age", 31, Operator.GREATER_OR_EQUAL), ("age", 42, Operator.LESS_OR_EQUAL)])[
        "name"
    ].tolist() == ["ann", "bob"]
    either = dn.filter([("name", "ann", Operator.EQUAL), ("age", 53, Operator.EQUAL)], JoinOperator.OR)
    assert sorted(either["name"]) == ["ann", "cid"]
    assert dn.filter(("name", "bob", Operator.NOT_EQUAL))["name"].tolist() == ["ann", "cid"]
    assert dn.filter(("age", 42, Operator.LESS_THAN))["name"].tolist() == ["ann"]
    # a value is a bound parameter, never SQL: this matches nothing and drops nothing
    assert dn.filter(("name", "x' OR '1'='1", Operator.EQUAL)).empty
    assert len(dn.read()) == 3
    assert dn["name"].tolist() == ["ann", "bob", "cid"]

    objects = make_node("sql_table", table_name="people", exposed_type=Person, **db)
    assert objects.filter(("age", 53, Operator.EQUAL)) == [Person("cid", 53)]

    with pytest.raises(SQLQueryCannotBeExecuted, match=rf"{dn.id}.*read query failed"):
        dn.filter(("no_such_column", 1, Operator.EQUAL))


def test_sql_table_write_is_all_or_nothing(db):
    people_table(db)
    dn = make_node("sql_table", table_name="people", **db)
    dn.write(FRAME)
    duplicate = pd.DataFrame({"name": ["zed", "zed"], "age": [1, 2]})  # the second row breaks the primary key
    with pytest.raises(SQLQueryCannotBeExecuted, match=rf"{dn.id}.*rolled back, nothing was written"):
        dn.write(duplicate)
    pd.testing.assert_frame_equal(dn.read().sort_values("name", ignore_index=True), FRAME)
    with pytest.raises(SQLQueryCannotBeExecuted):
        dn.append(pd.DataFrame({"name": ["new", "ann"], "age": [1, 2]}))
    assert len(dn.read()) == 3
    with pytest.raises(DataNodeWritingError, match=dn.id):
        dn.write(object())

    wrong = make_node("sql_table", table_name="people", exposed_type=NeedsThree, **db)
    with pytest.raises(InvalidExposedType, match=rf"{wrong.id}.*NeedsThree"):
        wrong.read()


@pytest.mark.postgresql
def test_sql_table_in_another_schema(postgres_db):
    run(postgres_db, "CREATE SCHEMA sales", "CREATE TABLE sales.orders (id INTEGER, amount REAL)")
    dn = make_node("sql_table", table_name="sales.orders", **postgres_db)
    dn.write(pd.DataFrame({"id": [1, 2], "amount": [2.5, 3.5]}))
    assert dn.filter(("amount", 3, Operator.GREATER_THAN))["id"].tolist() == [2]


def insert_people(data: pd.DataFrame) -> list:
    return ["DELETE FROM people", ("INSERT INTO people (name, age) VALUES (:name, :age)", data.to_dict("records"))]


def append_people(data: pd.DataFrame) -> list:
    return [("INSERT INTO people (name, age) VALUES (:name, :age)", row) for row in data.to_dict("records")]


def test_sql_node_reads_its_query_and_writes_through_builders(db):
    people_table(db)
    dn = make_node(
        "sql",
        read_query="SELECT name, age FROM people ORDER BY age",
        write_query_builder=insert_people,
        append_query_builder=append_people,
        **db,
    )
    dn.write(FRAME)
    pd.testing.assert_frame_equal(dn.read(), FRAME)
    dn.append(pd.DataFrame({"name": ["dan"], "age": [64]}))
    assert dn.read()["name"].tolist() == ["ann", "bob", "cid", "dan"]
    assert dn.filter(("age", 50, Operator.GREATER_THAN))["name"].tolist() == ["cid", "dan"]
    assert dn.filter([("name", "ann", Operator.EQUAL), ("name", "dan", Operator.EQUAL)], JoinOperator.OR)[
        "age"
    ].tolist() == [31, 64]

    with pytest.raises(SQLQueryCannotBeExecuted, match=r"rolled back"):
        dn.append(pd.DataFrame({"name": ["eve", "ann"], "age": [1, 2]}))  # "ann" exists: all rolled back
    assert len(dn.read()) == 4
    with pytest.raises(SQLQueryCannotBeExecuted, match=r"rolled back"):
        dn.write(pd.DataFrame({"name": ["x", "x"], "age": [1, 2]}))  # the DELETE is rolled back too
    assert len(dn.read()) == 4

    no_append = make_node("sql", read_query="SELECT * FROM people", write_query_builder=insert_people, **db)
    with pytest.raises(MissingAppendQueryBuilder, match=no_append.id):
        no_append.append(FRAME)
    broken = make_node("sql", read_query="SELECT * FROM nowhere", write_query_builder=insert_people, **db)
    with pytest.raises(SQLQueryCannotBeExecuted, match=rf"{broken.id}.*read query failed"):
        broken.read()


def failing_builder(data):
    raise KeyError("no such column")


def test_sql_node_builder_errors_and_plain_strings(db):
    people_table(db)
    dn = make_node("sql", read_query="SELECT * FROM people;", write_query_builder=failing_builder, **db)
    with pytest.raises(DataNodeWritingError, match=rf"{dn.id}.*write_query_builder raised KeyError"):
        dn.write(FRAME)
    single = make_node(
        "sql",
        read_query="SELECT * FROM people",
        **db,
        write_query_builder=lambda data: f"INSERT INTO people VALUES ('{data}', 1)",
    )
    single.write("solo")
    assert single.read()["name"].tolist() == ["solo"]


def test_read_only_and_write_only_sql_nodes(db):
    """Taipy 4.2: only read_query (read-only) or only write_query_builder (write-only)."""
    people_table(db)
    writer = make_node("sql", write_query_builder=insert_people, **db)
    writer.write(FRAME)
    with pytest.raises(DataNodeReadingError, match=rf"{writer.id}.*write-only.*read_query"):
        writer.read()
    with pytest.raises(DataNodeReadingError, match="write-only"):
        writer.filter(("age", 40, Operator.GREATER_THAN))
    reader = make_node("sql", read_query="SELECT name, age FROM people ORDER BY age", **db)
    pd.testing.assert_frame_equal(reader.read(), FRAME)
    with pytest.raises(DataNodeWritingError, match=rf"{reader.id}.*read-only.*write_query_builder"):
        reader.write(FRAME)
    assert len(reader.read()) == 3 and len(reader.edits) == 0  # nothing written, no edit recorded


def test_config_check_accepts_one_query_and_refuses_neither(tmp_path):
    sqlite = {"db_engine": "sqlite", "db_name": "x", "sqlite_folder_path": str(tmp_path)}
    Config.configure_sql_data_node("reads", read_query="SELECT 1", **sqlite)
    Config.configure_sql_data_node("writes", write_query_builder=insert_people, **sqlite)
    assert not Config.check().errors
    Config.configure_sql_data_node("neither", **sqlite)
    with pytest.raises(ConfigCheckError, match=r"DATA_NODE\.neither.*read_query.*write_query_builder"):
        Config.check()
    with pytest.raises(MissingRequiredProperty, match=r"read_query.*write_query_builder"):
        SQLDataNode("x", Scope.SCENARIO, properties=sqlite)


def test_sql_properties_are_checked_when_the_data_node_is_built():
    with pytest.raises(UnknownDatabaseEngine, match="'oracle'"):
        SQLTableDataNode(
            "x",
            Scope.SCENARIO,
            properties={
                "db_engine": "oracle",
                "db_name": "x",
                "table_name": "t",
                "db_username": "u",
                "db_password": "p",
            },
        )
    with pytest.raises(MissingRequiredProperty, match="db_username, db_password"):
        SQLTableDataNode("x", Scope.SCENARIO, properties={"db_engine": "postgresql", "db_name": "x", "table_name": "t"})


def test_a_sql_data_node_pickles_without_a_connection(db):
    people_table(db)
    dn = make_node("sql_table", table_name="people", **db)
    dn.write(FRAME)
    copy = pickle.loads(pickle.dumps(dn))
    assert len(copy.read()) == 3
