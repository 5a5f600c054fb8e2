"""mongo_collection data nodes: connection strings here; reads and writes on a real server when
``SCENARIA_TEST_MONGO_URL`` names one (no MongoDB package on these machines: skipped otherwise)."""

from __future__ import annotations

import urllib.parse
import uuid

import pytest

from scenaria import Config
from scenaria.config import Scope
from scenaria.data.filter import JoinOperator, Operator
from scenaria.data.mongo import MongoCollectionDataNode, MongoDefaultDocument, connection_string
from scenaria.exceptions import InvalidCustomDocument, MissingRequiredProperty
from tests.support.data_nodes import make_node


def test_connection_strings():
    assert connection_string({}) == "mongodb://localhost:27017"
    assert (
        connection_string({"db_username": "me", "db_password": "p@ss", "db_host": "h", "db_port": 1})
        == "mongodb://me:p%40ss@h:1"
    )
    assert (
        connection_string({"db_driver": "srv", "db_host": "cluster.example", "db_extra_args": {"w": "majority"}})
        == "mongodb+srv://cluster.example/?w=majority"
    )


def test_properties_are_checked_when_the_data_node_is_built():
    with pytest.raises(MissingRequiredProperty, match="collection_name"):
        MongoCollectionDataNode("x", Scope.SCENARIO, properties={"db_name": "d"})
    with pytest.raises(InvalidCustomDocument, match="not a class"):
        MongoCollectionDataNode(
            "x", Scope.SCENARIO, properties={"db_name": "d", "collection_name": "c", "custom_document": "Row"}
        )
    assert (
        MongoDefaultDocument(a=1) == MongoDefaultDocument(a=1)
        and repr(MongoDefaultDocument(a=1)) == "MongoDefaultDocument(a=1)"
    )


def test_the_default_custom_document_is_mongo_default_document_in_the_config_too(tmp_path):
    """As in Taipy, the configuration fills in the class (not None), and a TOML backup names it."""
    cfg = Config.configure_mongo_collection_data_node("readings", db_name="d", collection_name="c")
    assert cfg.custom_document is MongoDefaultDocument
    assert cfg.properties["custom_document"] is MongoDefaultDocument
    assert make_node("mongo_collection", db_name="d", collection_name="c").custom_document is MongoDefaultDocument
    Config.backup(str(tmp_path / "app.toml"))
    assert "MongoDefaultDocument:class" in (tmp_path / "app.toml").read_text()
    Config.restore(str(tmp_path / "app.toml"))
    assert Config.data_nodes["readings"].custom_document is MongoDefaultDocument


class Reading:
    def __init__(self, station: str, value: float, _id=None) -> None:
        self.station, self.value = station, value

    def encode(self) -> dict:
        return {"station": self.station, "value": self.value}

    @classmethod
    def decode(cls, document: dict) -> Reading:
        return cls(document["station"], document["value"])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Reading) and (self.station, self.value) == (other.station, other.value)

    def __hash__(self) -> int:
        return hash((self.station, self.value))


def mongo_node(url: str, **extra):
    parts = urllib.parse.urlsplit(url)
    credentials = {
        "db_username": urllib.parse.unquote(parts.username or ""),
        "db_password": urllib.parse.unquote(parts.password or ""),
    }
    return make_node(
        "mongo_collection",
        db_name=f"scenaria_test_{uuid.uuid4().hex[:8]}",
        collection_name="c",
        db_host=parts.hostname,
        db_port=parts.port or 27017,
        **credentials,
        **extra,
    )


def test_round_trip_append_and_filter_on_a_server(mongo_url):
    dn = mongo_node(mongo_url, custom_document=Reading)
    plain = mongo_node(mongo_url)
    try:
        dn.write([Reading("a", 1.0), Reading("b", 2.0)])
        assert dn.read() == [Reading("a", 1.0), Reading("b", 2.0)]
        dn.append([Reading("c", 3.0)])
        dn.append({"station": "d", "value": 4.0})
        assert len(dn.read()) == 4
        assert dn.filter(("value", 2.0, Operator.GREATER_THAN)) == [Reading("c", 3.0), Reading("d", 4.0)]
        assert dn.filter([("station", "a", Operator.EQUAL), ("station", "d", Operator.EQUAL)], JoinOperator.OR) == [
            Reading("a", 1.0),
            Reading("d", 4.0),
        ]
        dn.write([])
        assert dn.read() == []

        plain.write([{"x": 1}])
        assert plain.read()[0].x == 1
    finally:
        for node in (dn, plain):
            node._collection().database.client.drop_database(node.properties["db_name"])
