"""A damaged store is one scenaria error per kind of damage, naming the file (and the record) and
the fix; a store found damaged refuses writes. Every damage here is done to real files."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from scenaria.exceptions import StoreDamaged, StoreRecordDamaged, StoreWritesRefused
from scenaria.store import FilesystemRepository, SQLiteRepository


def scenario(id: str) -> dict:
    return {"id": id, "config_id": "s", "version": "1", "properties": {"name": id}}


# --- filesystem ----------------------------------------------------------------------------------
FS_DAMAGE = {
    "not JSON": b'{"id": "S_2", "config_id": ',
    "empty": b"",
    "not UTF-8": b'{"id": "S_2", "name": "\xff\xfe"}',
    "a JSON list": b"[1, 2]",
}


@pytest.mark.parametrize("damage", list(FS_DAMAGE))
def test_a_corrupt_filesystem_record_names_its_file_and_id_and_stops_writes(tmp_path, damage):
    repo = FilesystemRepository(tmp_path / "taipy")
    repo.save_many("scenario", [scenario("S_1"), scenario("S_2"), scenario("S_3")])
    file = tmp_path / "taipy" / "scenarios" / "S_2.json"
    file.write_bytes(FS_DAMAGE[damage])
    again = FilesystemRepository(tmp_path / "taipy")  # another process: no cached index values
    for read in (lambda: again.find("scenario"), lambda: again.load("scenario", "S_2")):
        with pytest.raises(StoreRecordDamaged, match=rf"{file}.*'S_2'.*restore it from a backup.*scenaria doctor"):
            read()
    assert again.load("scenario", "S_1")["id"] == "S_1"  # the other records still read
    with pytest.raises(StoreWritesRefused, match=rf"refused.*{file}"):
        again.save("scenario", scenario("S_4"))
    assert not (tmp_path / "taipy" / "scenarios" / "S_4.json").exists()
    os.remove(file)  # what `scenaria doctor --repair` does (it moves it aside)
    again.save("scenario", scenario("S_4"))
    assert [r["id"] for r in again.find("scenario")] == ["S_1", "S_3", "S_4"]


def test_a_corrupt_meta_file_names_it(tmp_path):
    repo = FilesystemRepository(tmp_path / "taipy")
    repo.set_meta("latest_version", "1")
    (tmp_path / "taipy" / "version.json").write_text("{oops")
    with pytest.raises(StoreRecordDamaged, match=r"version\.json.*meta values"):
        FilesystemRepository(tmp_path / "taipy").get_meta("latest_version")


# --- SQLite --------------------------------------------------------------------------------------
def test_an_empty_sqlite_file_is_refused_not_opened_as_an_empty_store(tmp_path):
    path = tmp_path / "scenaria.db"
    path.write_bytes(b"")  # a store truncated by a full disk, or a failed copy
    with pytest.raises(StoreDamaged, match=f"{path} is an empty file.*restore it from a backup"):
        SQLiteRepository(path)
    assert path.stat().st_size == 0  # nothing was written into it
    fresh = tmp_path / "new" / "scenaria.db"
    SQLiteRepository(fresh).close()  # a file it creates itself is a new store, of course
    assert fresh.stat().st_size > 0


def test_many_processes_creating_one_store_at_once_never_find_it_empty(tmp_path):
    path = tmp_path / "scenaria.db"
    code = "import sys; from scenaria.store import SQLiteRepository; SQLiteRepository(sys.argv[1]).close()"
    processes = [subprocess.Popen([sys.executable, "-c", code, str(path)], stderr=subprocess.PIPE) for _ in range(6)]
    errors = [p.communicate(timeout=120)[1].decode() for p in processes]
    assert [p.returncode for p in processes] == [0] * 6, errors


def damaged_sqlite(tmp_path):
    """A store whose table pages (not its header and schema) are overwritten with garbage."""
    path = tmp_path / "scenaria.db"
    repo = SQLiteRepository(path)
    repo.save_many("scenario", [{**scenario(f"S_{i}"), "pad": "x" * 500} for i in range(200)])
    repo.close()  # checkpoints the WAL into the file
    with open(path, "r+b") as file:
        size = file.seek(0, os.SEEK_END)
        file.seek(3 * 4096)
        file.write(os.urandom(size - 3 * 4096))
    return path


def test_a_damaged_sqlite_page_is_store_damaged_naming_the_file_and_stops_writes(tmp_path):
    path = damaged_sqlite(tmp_path)
    repo = SQLiteRepository(path)
    with pytest.raises(StoreDamaged, match=rf"{path} is not a readable SQLite store.*backup.*scenaria doctor"):
        repo.find("scenario")
    with pytest.raises(StoreWritesRefused, match=r"refused.*found damaged"):
        repo.save("job", {"id": "J_1", "status": "PENDING"})
    with pytest.raises(StoreWritesRefused), repo.transaction():
        pass
    repo.close()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_sql_record_changed_into_garbage_names_the_store_and_table(kind, tmp_path, request):
    import sqlite3

    from scenaria.store import open_repository

    settings = request.getfixturevalue("postgres_settings") if kind == "postgresql" else None
    repo = open_repository(settings or {"type": "sqlite", "path": str(tmp_path / "scenaria.db")})
    repo.save_many("scenario", [scenario("S_1"), scenario("S_2")])
    garbage = "UPDATE {table} SET body = '{{not json' WHERE id = 'S_2'"
    if kind == "sqlite":
        with sqlite3.connect(tmp_path / "scenaria.db") as other:  # by hand, or by another program
            other.execute(garbage.format(table="scenario"))
        where = str(tmp_path / "scenaria.db")
    else:
        with repo.transaction():
            repo._execute(garbage.format(table=repo._table("scenario")))
        where = f"the PostgreSQL schema '{settings['schema']}'"
    for read in (lambda: repo.find("scenario"), lambda: repo.load("scenario", "S_2")):
        with pytest.raises(StoreRecordDamaged, match=rf"{re.escape(where)}.*'scenario' is not JSON.*scenaria doctor"):
            read()
    with pytest.raises(StoreWritesRefused):
        repo.save("scenario", scenario("S_3"))
    repo.close()
