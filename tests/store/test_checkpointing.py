"""The SQLite store copies its write-ahead log back into the database file on a thread of its own."""

from __future__ import annotations

import os
import threading
import time

from scenaria.store._checkpoint import EVERY
from scenaria.store.sqlite import SQLiteRepository


def _checkpoint_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "scenaria-sqlite-checkpoint"]


def test_commits_reach_the_database_file_without_a_commit_checkpointing(tmp_path):
    path = tmp_path / "scenaria.db"
    repo = SQLiteRepository(path)
    try:
        before = os.path.getsize(path)
        for i in range(2 * EVERY):  # far below the writers' own checkpoint size
            with repo.transaction():
                repo.save("scenario", {"id": f"S_{i}", "config_id": "c", "body": "x" * 2000})
        deadline = time.monotonic() + 30
        while os.path.getsize(path) == before and time.monotonic() < deadline:
            time.sleep(0.01)
        assert os.path.getsize(path) > before  # the pages were copied into the file, by the thread
        assert len(_checkpoint_threads()) >= 1
        assert repo.count("scenario") == 2 * EVERY
    finally:
        repo.close()
    thread = repo._checkpointer._thread
    assert thread is not None and not thread.is_alive()  # closing the store ended it


def test_a_store_with_few_commits_starts_no_thread(tmp_path):
    started = set(_checkpoint_threads())
    repo = SQLiteRepository(tmp_path / "scenaria.db")
    try:
        for i in range(EVERY - 1):
            with repo.transaction():
                repo.save("scenario", {"id": f"S_{i}"})
        assert set(_checkpoint_threads()) == started
    finally:
        repo.close()
