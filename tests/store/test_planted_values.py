"""No code runs from a record: a pickle planted in a store is never unpickled, and a module
named in a record is imported only when its value is used.

Each store (SQLite, filesystem, PostgreSQL) gets records written by scenaria, then changed
behind its back the way an attacker who can write the store (not the storage folder) would:
inline pickles whose unpickling would create a marker file.
"""

from __future__ import annotations

import base64
import dataclasses
import logging
import os
import pickle
import stat
import sys
import uuid

import pytest

import scenaria as tp
from scenaria.config import Config
from scenaria.entities.registry import registry, reset_registry
from scenaria.exceptions import UntrustedStoredValue
from tests.config import config_fixture_funcs as funcs


@dataclasses.dataclass
class Point:
    x: int
    y: int


def on_status(*args):
    pass


class Planted:
    """Unpickling it creates the marker file (what a real attack would do with os.system)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def use_store(kind, tmp_path, request):
    if kind == "postgresql":
        server = request.getfixturevalue("postgres_server")
        schema = server.fresh_schema()

        def drop():
            tp.Orchestrator().stop()
            reset_registry()
            server.drop_schema(schema)

        request.addfinalizer(drop)
        properties = {"url": server.url, "schema": schema}
    elif kind == "sqlite":
        properties = {"db_location": str(tmp_path / "store" / "app.db")}
    else:
        properties = {"root": str(tmp_path / "store")}
    Config.configure_core(repository_type=kind, repository_properties=properties)


def plant(record: dict, marker) -> dict:
    inline = {"__type__": "pickle", "__value__": base64.b64encode(pickle.dumps(Planted(str(marker)))).decode()}
    record["properties"]["planted"] = inline
    if "function" in record:
        record["function"] = inline
    if "subscribers" in record:
        record["subscribers"] = [{"callback": inline, "params": []}]
    return record


@pytest.mark.parametrize("kind", ["sqlite", "filesystem", "postgresql"])
def test_a_pickle_planted_in_a_record_is_never_unpickled(kind, tmp_path, request, caplog):
    use_store(kind, tmp_path, request)
    a = Config.configure_data_node("a", default_data=2)
    b = Config.configure_data_node("b")
    scenario = tp.create_scenario(Config.configure_scenario("s", [Config.configure_task("t", funcs.double, a, b)]))
    ids = {"scenario": scenario.id, "task": scenario.t.id, "data_node": scenario.a.id}
    repository = registry().repository
    marker = tmp_path / "pwned"
    for kind_name, id in ids.items():
        repository.save(kind_name, plant(repository.load(kind_name, id), marker))
    reset_registry()  # another process, or a restart: everything is read from the store again

    scenarios = tp.get_scenarios()
    assert [s.id for s in scenarios] == [ids["scenario"]]
    read = tp.get(ids["scenario"])
    assert {t.id for t in tp.get_tasks()} == {ids["task"]} and len(tp.get_data_nodes()) == 2
    assert read.get_label() and read.a.read() == 2 and read.properties.get("name") is None
    assert not marker.exists()
    # using a planted value is a clear error, never its code
    for entity in (read, read.t, read.a):
        with pytest.raises(UntrustedStoredValue, match=r"inline pickle.*docs/store\.md"):
            entity.properties["planted"]
    with pytest.raises(UntrustedStoredValue, match="inline pickle"):
        _ = read.t.function
    with caplog.at_level(logging.WARNING, logger="scenaria"):
        assert read.subscribers == []
    assert "cannot be loaded" in caplog.text
    # saving the entity again keeps the record as it was, without running it
    read.properties["other"] = 1
    reset_registry()
    assert tp.get(ids["scenario"]).properties["other"] == 1
    assert not marker.exists()


@pytest.mark.parametrize("kind", ["sqlite", "filesystem"])
def test_a_planted_value_file_name_cannot_leave_the_values_folder(kind, tmp_path, request):
    use_store(kind, tmp_path, request)
    scenario = tp.create_scenario(Config.configure_scenario("s", []))
    outside = tmp_path / "evil.pickle"
    outside.write_bytes(pickle.dumps(Planted(str(tmp_path / "pwned"))))
    record = registry().repository.load("scenario", scenario.id)
    record["properties"]["planted"] = {"__type__": "file", "__value__": "../../evil"}
    registry().repository.save("scenario", record)
    reset_registry()
    with pytest.raises(UntrustedStoredValue, match="not a SHA-256 name"):
        tp.get(scenario.id).properties["planted"]
    assert not (tmp_path / "pwned").exists()


def test_a_module_named_in_a_record_is_imported_only_when_used(tmp_path, monkeypatch, repository_type):
    module = f"planted_{uuid.uuid4().hex}"  # a module no other test imported
    (tmp_path / f"{module}.py").write_text("open('imported', 'w').close()\ndef f():\n    return 7\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    scenario = tp.create_scenario(Config.configure_scenario("s", []))
    record = registry().repository.load("scenario", scenario.id)
    record["properties"]["fn"] = {"__type__": "ref", "__value__": f"{module}:f"}
    registry().repository.save("scenario", record)
    reset_registry()
    read = tp.get(scenario.id)
    assert [s.id for s in tp.get_scenarios()] == [scenario.id]
    assert not (tmp_path / "imported").exists()
    assert read.properties["fn"]() == 7 and (tmp_path / "imported").exists()


@pytest.mark.parametrize("kind", ["sqlite", "filesystem", "postgresql"])
def test_values_without_json_form_live_in_private_files_and_survive_a_restart(kind, tmp_path, request):
    use_store(kind, tmp_path, request)
    previous = os.umask(0o022)
    try:
        node = Config.configure_data_node("n", default_data=1, thing=Point(1, 2), double=lambda x: 2 * x)
        generic = Config.configure_generic_data_node("g", read_fct=lambda p: p.y, read_fct_args=[Point(5, 6)])
        task = Config.configure_task("t", lambda n: n + 1, node, Config.configure_data_node("out"))
        scenario_config = Config.configure_scenario("s", [task], additional_data_node_configs=[generic])
        scenario = tp.create_scenario(scenario_config, name="x")
        scenario.subscribe(on_status)
    finally:
        os.umask(previous)
    folder = tmp_path / "user_data" / "values"
    files = list(folder.iterdir())
    assert len(files) == 5  # two points and three lambdas (the callback has an import path)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    records = [registry().repository.find(k) for k in ("scenario", "task", "data_node")]
    assert "'__type__': 'pickle'" not in repr(records) and "'__type__': 'file'" in repr(records)
    reset_registry()
    read = tp.get(scenario.id)
    assert read.n.properties["thing"] == Point(1, 2) and read.n.double(4) == 8
    assert read.t.function(1) == 2 and read.subscribers[0].callback is on_status
    assert read.g.read() == 6


def test_a_csv_data_node_of_a_class_exposed_type_imports_it_only_when_read(tmp_path, monkeypatch, repository_type):
    module = f"rows_{uuid.uuid4().hex}"
    (tmp_path / f"{module}.py").write_text(
        "open('imported', 'w').close()\nclass Row:\n    def __init__(self, v):\n        self.v = v\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    row = __import__(module).Row
    (tmp_path / "imported").unlink()
    (tmp_path / "rows.csv").write_text("v\n1\n2\n")
    node = Config.configure_csv_data_node("rows", default_path=str(tmp_path / "rows.csv"), exposed_type=row)
    scenario = tp.create_scenario(Config.configure_scenario("s", [], additional_data_node_configs=[node]))
    del sys.modules[module]  # another process: the module is not imported there yet
    reset_registry()
    read = tp.get(scenario.id)
    assert len(tp.get_data_nodes()) == 1 and not (tmp_path / "imported").exists()
    assert [int(r.v) for r in read.rows.read()] == [1, 2] and (tmp_path / "imported").exists()
