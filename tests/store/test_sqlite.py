"""What only the SQLite store promises: its file, its pragmas, its indexes, its connections."""

from __future__ import annotations

import os
import sqlite3
import threading

import pytest

from scenaria.exceptions import StoreDamaged, StoreError, StoreSchemaTooNew
from scenaria.store import _config_ids
from scenaria.store._sql import where_clause
from scenaria.store.base import KINDS
from scenaria.store.sqlite import _INDEXES, SCHEMA_VERSION, SQLiteRepository, _union, _write_new_store


@pytest.fixture
def repo(tmp_path):
    repository = SQLiteRepository(tmp_path / "deep" / "folder" / "scenaria.db")
    yield repository
    repository.close()


def test_one_file_in_wal_mode_with_a_busy_timeout(repo, tmp_path):
    assert (tmp_path / "deep" / "folder" / "scenaria.db").is_file()
    conn = repo._conn()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_new_store_is_written_whole_in_wal_mode_before_it_is_linked_into_place(repo, tmp_path):
    written = tmp_path / "written.db"
    _write_new_store(str(written))  # what ``_create_file`` links into place, before any connection of the store
    header = written.read_bytes()[:100]
    assert header[18:20] == b"\x02\x02"  # WAL, in the file's header
    assert int.from_bytes(header[60:64], "big") == SCHEMA_VERSION  # user_version
    with sqlite3.connect(written) as conn:
        assert set(KINDS) | {"meta"} <= {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert not [name for name in os.listdir(tmp_path / "deep" / "folder") if name.startswith(".tmp-")]


def test_a_table_per_kind_with_indexed_columns(repo):
    conn = repo._conn()
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert set(KINDS) | {"meta"} <= tables
    indexes = {
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'"
        )
    }
    assert indexes == {f"{kind}_{field}" for kind, fields in _INDEXES.items() for field in fields} | {
        name for kind in KINDS for name in _config_ids.index_names(kind)
    }


@pytest.mark.parametrize(
    ("kind", "where"),
    [
        ("scenario", {"config_id": "c"}),
        ("scenario", {"config_id": "c", "version": "v"}),
        ("scenario", {"owner_id": None, "config_id": "c"}),
        ("scenario", {"config_id": ["c", "d"], "version": "v"}),
        ("task", {"config_id": "c"}),
        ("data_node", {"owner_id": "o", "config_id": "c", "version": "v"}),
        ("job", {"version": "v", "task_id": ["a", "b"]}),
        ("job", {"submit_id": "s", "status": ["A", "B"], "version": "v"}),
        ("job", {"status": ["A", None], "task_id": "t"}),
        ("submission", {"entity_id": "e", "version": "v"}),
    ],
)
def test_queries_use_an_index(repo, kind, where):
    sql, params = _union(kind, "seq, body", _config_ids.split(kind, where, _INDEXES.get(kind, ())))
    plan = " ".join(row[3] for row in repo._conn().execute(f"EXPLAIN QUERY PLAN {sql} ORDER BY seq", params))
    assert "USING INDEX" in plan and f"SCAN {kind}" not in plan, plan


def _wal_frames(repo, write):
    conn = repo._conn()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = os.path.getsize(repo.path + "-wal")
    with repo.transaction():
        write()
    return (os.path.getsize(repo.path + "-wal") - before) // (conn.execute("PRAGMA page_size").fetchone()[0] + 24)


def test_a_save_that_keeps_its_indexed_values_writes_no_index_page(repo):
    """A job saved again (its task and submission unchanged) writes its row's page, not its indexes'."""
    jobs = [
        {"id": f"j{i}", "task_id": f"t{i}", "submit_id": f"s{i}", "status": "A", "text": "x" * 600} for i in range(400)
    ]
    repo.save_many("job", jobs)
    assert _wal_frames(repo, lambda: repo.save("job", {**jobs[200], "status": "B"})) == 1
    assert _wal_frames(repo, lambda: repo.save("job", {**jobs[300], "task_id": "moved"})) > 1


@pytest.mark.parametrize("inside", [True, False])
def test_a_save_that_changes_an_indexed_value_is_found_by_it(repo, inside):
    """Rows whose indexed values change, beside rows whose values stay, in one save_many or alone."""
    repo.save_many("job", [{"id": f"j{i}", "task_id": "t", "submit_id": "s", "n": 0} for i in range(3)])
    changed = [
        {"id": "j0", "task_id": "t", "submit_id": "s", "n": 1},
        {"id": "j1", "task_id": "u", "submit_id": "s", "n": 1},
    ]
    if inside:
        with repo.transaction():
            repo.save_many("job", changed)
            repo.save("job", {"id": "j2", "task_id": "t", "submit_id": None, "n": 1})
    else:
        repo.save_many("job", changed)
        repo.save("job", {"id": "j2", "task_id": "t", "submit_id": None, "n": 1})
    assert [r["id"] for r in repo.find("job", task_id="t")] == ["j0", "j2"]
    assert [r["id"] for r in repo.find("job", task_id="u")] == ["j1"]
    assert [r["id"] for r in repo.find("job", submit_id=None)] == ["j2"]
    assert [r["n"] for r in repo.find("job")] == [1, 1, 1]  # each kept its place
    assert repo.load("job", "j1") == changed[1]


def test_a_filter_on_none_alone_reads_the_table(repo):
    """The documented price of partial indexes."""
    sql, params = where_clause({"owner_id": None})
    plan = " ".join(row[3] for row in repo._conn().execute(f'EXPLAIN QUERY PLAN SELECT body FROM "job"{sql}', params))
    assert "SCAN job" in plan


def test_the_most_selective_filter_drives_the_query(repo):
    sql, _ = where_clause({"version": "v", "config_id": "c", "owner_id": None})
    assert '+"version" = ?' in sql and '"config_id" = ?' in sql and '+"config_id"' not in sql
    assert '+"owner_id" IS NULL' in sql


def test_each_thread_has_its_own_connection_and_close_closes_all(tmp_path):
    repo = SQLiteRepository(tmp_path / "s.db")
    connections = [repo._conn()]

    def work():
        repo.save("job", {"id": threading.current_thread().name})
        connections.append(repo._conn())

    threads = [threading.Thread(target=work, name=f"J{i}") for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(conn) for conn in connections}) == 5
    assert repo.count("job") == 4
    repo.close()
    for conn in connections:
        with pytest.raises(sqlite3.ProgrammingError):
            conn.execute("SELECT 1")


def test_connections_of_finished_threads_are_closed_when_another_connects(tmp_path):
    repo = SQLiteRepository(tmp_path / "s.db")
    try:
        for _ in range(20):
            thread = threading.Thread(target=repo.count, args=("job",))
            thread.start()
            thread.join()
        assert repo._threads.count() <= 2
    finally:
        repo.close()


def test_a_writer_waits_for_another_connections_transaction(tmp_path):
    repo = SQLiteRepository(tmp_path / "s.db", timeout=10)
    other = SQLiteRepository(tmp_path / "s.db", timeout=10)
    started, done = threading.Event(), threading.Event()

    def later_writer():
        started.wait(5)
        other.save("job", {"id": "J2"})  # blocks until the transaction below commits
        done.set()

    thread = threading.Thread(target=later_writer)
    thread.start()
    try:
        with repo.transaction():
            repo.save("job", {"id": "J1"})
            started.set()
            assert not done.wait(0.3)
        thread.join(10)
        assert done.is_set()
        assert [r["id"] for r in repo.find("job")] == ["J1", "J2"]
    finally:
        thread.join()
        repo.close()
        other.close()


def test_in_memory_databases_are_refused(tmp_path):
    with pytest.raises(ValueError, match="MemoryRepository"):
        SQLiteRepository(":memory:")


def test_a_file_from_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "s.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreSchemaTooNew, match="newer scenaria"):
        SQLiteRepository(path)


def test_settings_hold_an_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    repo = SQLiteRepository(".taipy/scenaria.db", timeout=5)
    try:
        assert repo.settings == {"type": "sqlite", "path": str(tmp_path / ".taipy" / "scenaria.db"), "timeout": 5.0}
    finally:
        repo.close()


def test_a_commit_failure_leaves_no_transaction_open(repo, monkeypatch):
    with pytest.raises(ZeroDivisionError), repo.transaction():
        repo.save("job", {"id": "J1"})
        1 / 0  # noqa: B018
    assert not repo._conn().in_transaction
    assert repo._threads.depth == 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")
def test_a_forked_child_opens_its_own_connection(repo):
    repo.save("job", {"id": "J_parent"})
    parent_conn = repo._conn()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: must not use the parent's connection
        ok = 0
        try:
            child_conn = repo._conn()
            repo.save("job", {"id": "J_child"})
            ok = int(child_conn is not parent_conn and repo.count("job") == 2)
        finally:
            os.write(write, bytes([ok]))
            os._exit(0)
    os.close(write)
    assert os.read(read, 1) == b"\x01"
    os.close(read)
    os.waitpid(pid, 0)
    assert repo._conn() is parent_conn
    assert [r["id"] for r in repo.find("job")] == ["J_parent", "J_child"]


@pytest.mark.parametrize("damage", ["garbage", "truncated header"])
def test_a_damaged_file_is_a_store_error_naming_it(tmp_path, damage):
    path = tmp_path / "scenaria.db"
    SQLiteRepository(path).close()
    if damage == "garbage":
        path.write_bytes(b"this is no database at all" * 100)
    else:
        path.write_bytes(path.read_bytes()[:50])
    with pytest.raises(StoreDamaged, match=f"{path}.*restore it from a backup"):
        SQLiteRepository(path)


def test_a_folder_instead_of_the_file_is_a_store_error(tmp_path):
    with pytest.raises(StoreError, match="is a folder"):
        SQLiteRepository(tmp_path)


def _schema_1_store(path) -> None:
    """A store as scenaria wrote it with schema 1 (its statements, as they were), with records."""
    columns = '"version", "config_id", "owner_id", "creation_date", "task_id", "submit_id", "status", "entity_id"'
    indexes = {"scenario": ("config_id", "owner_id"), "task": ("config_id",), "data_node": ("config_id",),
               "job": ("task_id", "submit_id"), "submission": ("entity_id",)}  # fmt: skip
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    for kind in KINDS:
        conn.execute(
            f'CREATE TABLE "{kind}" (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, {columns}, body TEXT NOT NULL)'
        )
        for field in indexes.get(kind, ()):
            conn.execute(f'CREATE INDEX "{kind}_{field}" ON "{kind}" ("{field}") WHERE "{field}" IS NOT NULL')
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
    for id in ("DATANODE_sales_1", "mine", "DATANODE_costs_1"):
        config_id = "costs" if "costs" in id else "sales"
        body = f'{{"id": "{id}", "config_id": "{config_id}"}}'
        conn.execute('INSERT INTO "data_node" (id, config_id, body) VALUES (?, ?, ?)', (id, config_id, body))
    conn.execute("PRAGMA user_version=1")
    conn.close()


def test_a_store_of_schema_1_is_brought_to_the_current_schema(tmp_path):
    """Schema 2 finds scenarios, tasks and data nodes by config id through their id index: the
    config id indexes of schema 1 are dropped, and the records are found as before."""
    path = tmp_path / "old.db"
    _schema_1_store(path)
    repo = SQLiteRepository(path)
    try:
        conn = repo._conn()
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert not {"scenario_config_id", "task_config_id", "data_node_config_id"} & names
        assert {"data_node_config_id_other", "scenario_owner_id", "job_task_id"} <= names
        assert ids(repo.find("data_node", config_id="sales")) == ["DATANODE_sales_1", "mine"]
        repo.save("data_node", {"id": "DATANODE_sales_2", "config_id": "sales"})
        assert repo.count("data_node", config_id="sales") == 3
        sql, params = _union("data_node", "seq", _config_ids.split("data_node", {"config_id": "sales"}, ()))
        plan = " ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))
        assert "SCAN" not in plan, plan
    finally:
        repo.close()
    again = SQLiteRepository(path)  # opened again: nothing left to do
    try:
        assert ids(again.find("data_node", config_id="costs")) == ["DATANODE_costs_1"]
    finally:
        again.close()


def ids(records) -> list[str]:
    return [record["id"] for record in records]
