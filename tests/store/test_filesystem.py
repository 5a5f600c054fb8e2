"""What only the filesystem store promises: Taipy's layout, atomic files, an order across processes."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest

from scenaria.store import filesystem
from scenaria.store.filesystem import FOLDERS, FilesystemRepository


@pytest.fixture
def repo(tmp_path):
    repository = FilesystemRepository(tmp_path / ".taipy")
    yield repository
    repository.close()


def test_files_are_where_taipy_puts_them(repo, tmp_path):
    root = tmp_path / ".taipy"
    for kind in FOLDERS:
        repo.save(kind, {"id": f"{kind.upper()}_1", "version": "v"})
    repo.set_meta("latest_version", "v")
    repo.set_meta("development_version", "v")
    expected = {
        "version/VERSION_1.json",
        "cycles/CYCLE_1.json",
        "scenarios/SCENARIO_1.json",
        "tasks/TASK_1.json",
        "data_nodes/DATA_NODE_1.json",
        "jobs/JOB_1.json",
        "submission/SUBMISSION_1.json",
    }
    files = {str(path.relative_to(root)) for path in root.rglob("*.json")}
    assert files == expected | {"version.json"}
    assert json.loads((root / "scenarios" / "SCENARIO_1.json").read_text()) == {"id": "SCENARIO_1", "version": "v"}
    assert json.loads((root / "version.json").read_text()) == {"latest_version": "v", "development_version": "v"}
    repo.delete("scenario", ["SCENARIO_1"])
    assert not (root / "scenarios" / "SCENARIO_1.json").exists()


def test_files_are_readable_utf8(repo, tmp_path):
    repo.save("scenario", {"id": "S1", "name": "été"})
    text = (tmp_path / ".taipy" / "scenarios" / "S1.json").read_text(encoding="utf-8")
    assert "été" in text and "\n" in text


def test_a_folder_written_by_taipy_is_read_oldest_first(tmp_path):
    folder = tmp_path / ".taipy" / "scenarios"
    folder.mkdir(parents=True)
    now = time.time()
    for age, name in ((3, "S_old"), (1, "S_new"), (2, "S_mid")):
        path = folder / f"{name}.json"
        path.write_text(json.dumps({"id": name, "config_id": "c", "owner_id": None}, indent=0))
        os.utime(path, (now - age, now - age))
    (tmp_path / ".taipy" / "version.json").write_text(json.dumps({"latest_version": "1.0"}))
    repo = FilesystemRepository(tmp_path / ".taipy")
    try:
        assert [r["id"] for r in repo.find("scenario", config_id="c")] == ["S_old", "S_mid", "S_new"]
        assert repo.get_meta("latest_version") == "1.0"
        repo.save("scenario", {"id": "S_mine"})
        repo.save("scenario", {"id": "S_old", "config_id": "changed"})  # keeps its place
        assert [r["id"] for r in repo.find("scenario")] == ["S_old", "S_mid", "S_new", "S_mine"]
    finally:
        repo.close()


def test_a_failed_write_leaves_the_old_file_and_no_temporary(repo, tmp_path, monkeypatch):
    repo.save("scenario", {"id": "S1", "n": 1})

    def crash(src, dst):
        raise OSError("disk gone")

    monkeypatch.setattr(filesystem, "replace_file", crash)
    with pytest.raises(OSError, match="disk gone"):
        repo.save("scenario", {"id": "S1", "n": 2})
    monkeypatch.undo()
    assert repo.load("scenario", "S1") == {"id": "S1", "n": 1}
    assert sorted(os.listdir(tmp_path / ".taipy" / "scenarios")) == [".order", "S1.json"]


def test_a_reader_never_sees_a_partial_file(repo, tmp_path):
    big = {"id": "S1", "payload": ["x" * 1000] * 100}  # written in several chunks
    repo.save("scenario", big)
    path = tmp_path / ".taipy" / "scenarios" / "S1.json"
    stop = threading.Event()
    problems = []

    def reader():
        while not stop.is_set():
            try:
                json.loads(path.read_text(encoding="utf-8"))  # the raw file, as another process reads it
                assert repo.load("scenario", "S1")["id"] == "S1"
            except Exception as exc:  # pragma: no cover - the failure being tested for
                problems.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        for i in range(100):
            repo.save("scenario", {**big, "n": i})
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert problems == []


def test_ids_that_cannot_be_file_names_are_refused(repo, tmp_path):
    for bad in ("../escape", "a/b", ".hidden", "line\nbreak"):
        with pytest.raises(ValueError, match="id"):
            repo.save("scenario", {"id": bad})
        assert repo.load("scenario", bad) is None
        repo.delete("scenario", [bad])
    assert not (tmp_path / "escape.json").exists()


def test_the_order_log_is_compacted_after_many_deletions(repo, tmp_path, monkeypatch):
    monkeypatch.setattr("scenaria.store.filesystem._COMPACT_AFTER", 50)
    log = tmp_path / ".taipy" / "jobs" / ".order"
    for round in range(4):
        repo.save_many("job", [{"id": f"J{round}_{i}"} for i in range(30)])
        repo.delete("job", [f"J{round}_{i}" for i in range(0, 30, 2)])
    expected = [f"J{round}_{i}" for round in range(4) for i in range(1, 30, 2)]
    assert [r["id"] for r in repo.find("job")] == expected
    assert len(log.read_text().splitlines()) < 120  # rewritten once 50 files were deleted
    other = FilesystemRepository(tmp_path / ".taipy")
    try:
        assert [r["id"] for r in other.find("job")] == expected
    finally:
        other.close()


def test_a_find_sees_files_changed_behind_its_back(repo, tmp_path):
    repo.save("job", {"id": "J1", "status": "PENDING"})
    assert repo.count("job", status="PENDING") == 1
    path = tmp_path / ".taipy" / "jobs" / "J1.json"
    path.write_text(json.dumps({"id": "J1", "status": "COMPLETED"}))
    assert repo.count("job", status="PENDING") == 0
    assert [r["id"] for r in repo.find("job", status="COMPLETED")] == ["J1"]
    path.unlink()
    assert repo.find("job") == []


def test_a_rewrite_with_the_same_inode_stamp_and_size_is_seen(repo, tmp_path):
    # As when the kernel reuses a freed inode for a record rewritten within one tick of its clock.
    repo.save("job", {"id": "J1", "status": "PENDING"})
    assert repo.count("job", status="PENDING") == 1
    path = tmp_path / ".taipy" / "jobs" / "J1.json"
    before = os.stat(path)
    with open(path, "r+", encoding="utf-8") as file:
        text = file.read().replace("PENDING", "RUNNING")
        file.seek(0)
        file.write(text)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_ino, after.st_mtime_ns, after.st_size) == (before.st_ino, before.st_mtime_ns, before.st_size)
    assert [r["id"] for r in repo.find("job", status="RUNNING")] == ["J1"]
    assert repo.count("job", status="PENDING") == 0


def test_clear_removes_files_but_not_the_root(repo, tmp_path):
    repo.save("scenario", {"id": "S1"})
    repo.set_meta("latest_version", "v")
    repo.clear()
    root = tmp_path / ".taipy"
    assert root.is_dir()
    assert not list(root.rglob("*.json"))
    assert not (root / "scenarios" / ".order").exists()


def test_durable_mode_writes_the_same_files(tmp_path):
    repo = FilesystemRepository(tmp_path / "d", durable=True)
    try:
        repo.save("scenario", {"id": "S1"})
        repo.set_meta("k", 1)
        assert repo.settings == {"type": "filesystem", "root": str(tmp_path / "d"), "durable": True}
        assert repo.load("scenario", "S1") == {"id": "S1"} and repo.get_meta("k") == 1
    finally:
        repo.close()
