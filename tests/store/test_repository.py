"""The shared suite: every back end must pass every test here (``repo`` is parametrized)."""

from __future__ import annotations

import pickle
import threading
import time

import pytest

from scenaria.store import INDEXED_FIELDS, KINDS, Repository, open_repository


def scenario(id: str, **fields) -> dict:
    return {"id": id, "version": "v1", "properties": {"name": id}, **fields}


def ids(records) -> list[str]:
    return [record["id"] for record in records]


# --- save and load -------------------------------------------------------------------------------
def test_save_then_load_gives_an_equal_record(repo: Repository):
    record = {
        "id": "SCENARIO_a",
        "config_id": "cfg",
        "tasks": ["TASK_1", "TASK_2"],
        "properties": {"name": "été ☀", "n": 3, "x": 1.5, "flag": True, "none": None, "nested": {"a": [1, {}]}},
    }
    repo.save("scenario", record)
    assert repo.load("scenario", "SCENARIO_a") == record
    assert repo.exists("scenario", "SCENARIO_a")


def test_a_missing_record_is_none(repo):
    assert repo.load("scenario", "nope") is None
    assert not repo.exists("scenario", "nope")
    assert repo.find("scenario") == []
    assert repo.count("scenario") == 0


def test_revision_is_read_without_the_record(repo):
    assert repo.revision("scenario", "nope") is None
    repo.save("scenario", scenario("S1"))
    assert repo.revision("scenario", "S1") == 0  # a record saved without one
    repo.save("scenario", scenario("S1", revision=7))
    assert repo.revision("scenario", "S1") == 7


def test_records_are_copies_both_ways(repo):
    record = scenario("S1", tags=["a"])
    repo.save("scenario", record)
    record["tags"].append("changed after save")
    loaded = repo.load("scenario", "S1")
    assert loaded["tags"] == ["a"]
    loaded["tags"].append("changed after load")
    assert repo.load("scenario", "S1")["tags"] == ["a"]
    assert repo.find("scenario")[0]["tags"] == ["a"]


def test_records_are_json(repo):
    repo.save("scenario", {"id": "S1", "pair": (1, 2)})
    assert repo.load("scenario", "S1")["pair"] == [1, 2]
    with pytest.raises(TypeError):
        repo.save("scenario", {"id": "S2", "bad": object()})
    assert repo.load("scenario", "S2") is None


def test_kinds_are_separate(repo):
    for kind in KINDS:
        repo.save(kind, {"id": "same_id", "kind": kind})
    for kind in KINDS:
        assert repo.load(kind, "same_id") == {"id": "same_id", "kind": kind}
        assert repo.count(kind) == 1
    repo.delete("task", ["same_id"])
    assert repo.load("task", "same_id") is None
    assert repo.load("job", "same_id") is not None


def test_an_upsert_replaces_and_keeps_its_place(repo):
    for name in ("S1", "S2", "S3"):
        repo.save("scenario", scenario(name, config_id="a"))
    repo.save("scenario", scenario("S1", config_id="b", extra=1))
    assert ids(repo.find("scenario")) == ["S1", "S2", "S3"]
    assert repo.load("scenario", "S1") == scenario("S1", config_id="b", extra=1)
    assert ids(repo.find("scenario", config_id="a")) == ["S2", "S3"]
    assert ids(repo.find("scenario", config_id="b")) == ["S1"]
    assert repo.count("scenario") == 3


def test_a_record_deleted_and_saved_again_goes_last(repo):
    for name in ("S1", "S2", "S3"):
        repo.save("scenario", scenario(name))
    repo.delete("scenario", ["S1"])
    repo.save("scenario", scenario("S1"))
    assert ids(repo.find("scenario")) == ["S2", "S3", "S1"]


def test_insertion_order_is_kept_over_many_records(repo):
    names = [f"S{i:04d}" for i in range(300)][::-1]  # not the sorted order
    repo.save_many("scenario", [scenario(name, config_id=f"c{i % 3}") for i, name in enumerate(names)])
    assert ids(repo.find("scenario")) == names
    assert ids(repo.find("scenario", config_id="c1")) == names[1::3]


def test_one_batch_of_records_with_different_indexed_fields_keeps_their_order_and_values(repo):
    # records of one kind that have different indexed fields (an owner or none), saved at once,
    # then saved again with an indexed value moved: SQLite writes them in runs, one per set of fields
    batch = [
        {"id": f"T{i}", "config_id": "t", "version": "1", **({"owner_id": f"S{i}"} if i % 3 else {})} for i in range(7)
    ]
    repo.save_many("task", batch)
    assert ids(repo.find("task")) == [f"T{i}" for i in range(7)]
    assert ids(repo.find("task", config_id="t", owner_id=None)) == ["T0", "T3", "T6"]
    assert repo.load("task", "T4") == batch[4]
    moved = [{**batch[0], "owner_id": "S9"}, {**batch[1], "owner_id": None}, {"id": "T7", "config_id": "t"}]
    repo.save_many("task", moved)
    assert ids(repo.find("task")) == [f"T{i}" for i in range(8)]
    assert ids(repo.find("task", config_id="t", owner_id=None)) == ["T1", "T3", "T6", "T7"]
    assert ids(repo.find("task", owner_id="S9")) == ["T0"]
    assert repo.load("task", "T1") == moved[1]


def test_load_many_keeps_the_order_asked_and_skips_missing(repo):
    for name in ("S1", "S2", "S3"):
        repo.save("scenario", scenario(name))
    assert ids(repo.load_many("scenario", ["S3", "nope", "S1"])) == ["S3", "S1"]
    assert repo.load_many("scenario", []) == []


def test_bad_input_is_refused_clearly(repo):
    with pytest.raises(ValueError, match="unknown record kind"):
        repo.save("scenarios", {"id": "x"})
    with pytest.raises(ValueError, match="unknown record kind"):
        repo.find("nope")
    with pytest.raises(ValueError, match="'id'"):
        repo.save("scenario", {"name": "no id"})
    with pytest.raises(ValueError, match="non-empty string"):
        repo.save("scenario", {"id": 3})
    with pytest.raises(TypeError, match="config_id"):
        repo.save("scenario", {"id": "x", "config_id": ["not", "a", "scalar"]})
    with pytest.raises(ValueError, match="indexed fields"):
        repo.find("scenario", name="x")
    with pytest.raises(TypeError, match="string"):
        repo.delete("scenario", "S1")
    with pytest.raises(TypeError):
        repo.set_meta(3, "x")
    assert repo.count("scenario") == 0


# --- find and count ------------------------------------------------------------------------------
@pytest.fixture
def jobs(repo):
    rows = [
        {"id": "J1", "task_id": "T1", "status": "COMPLETED", "submit_id": "SUB1", "version": "v1"},
        {"id": "J2", "task_id": "T2", "status": "FAILED", "submit_id": "SUB1", "version": "v1"},
        {"id": "J3", "task_id": "T1", "status": "PENDING", "submit_id": "SUB2", "version": "v2"},
        {"id": "J4", "task_id": "T3", "status": "COMPLETED", "submit_id": "SUB2", "version": "v1"},
        {"id": "J5", "task_id": "T1", "status": None, "version": "v1"},
    ]
    for row in rows:
        repo.save("job", row)
    return repo


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ({}, ["J1", "J2", "J3", "J4", "J5"]),
        ({"task_id": "T1"}, ["J1", "J3", "J5"]),
        ({"task_id": "T1", "version": "v1"}, ["J1", "J5"]),
        ({"task_id": "T1", "status": "PENDING", "version": "v2"}, ["J3"]),
        ({"status": ["COMPLETED", "FAILED"]}, ["J1", "J2", "J4"]),
        ({"status": ("COMPLETED",)}, ["J1", "J4"]),
        ({"status": {"PENDING", "FAILED"}, "submit_id": "SUB2"}, ["J3"]),
        ({"status": []}, []),
        ({"task_id": "T1", "status": []}, []),
        ({"status": None}, ["J5"]),
        ({"submit_id": None}, ["J5"]),  # missing counts as None
        ({"submit_id": None, "task_id": "T1"}, ["J5"]),
        ({"status": ["FAILED", None]}, ["J2", "J5"]),
        ({"status": [None]}, ["J5"]),
        ({"owner_id": None}, ["J1", "J2", "J3", "J4", "J5"]),
        ({"task_id": "T9"}, []),
        ({"task_id": ["T9", "T3"], "version": ["v1", "v2"]}, ["J4"]),
    ],
)
def test_find_filters_on_indexed_fields(jobs, where, expected):
    assert ids(jobs.find("job", **where)) == expected
    assert jobs.count("job", **where) == len(expected)


@pytest.mark.parametrize(
    ("where", "offset", "limit", "expected"),
    [
        ({}, 0, 2, ["J1", "J2"]),
        ({}, 2, 2, ["J3", "J4"]),
        ({}, 4, 2, ["J5"]),
        ({}, 5, 2, []),
        ({}, 3, None, ["J4", "J5"]),
        ({}, 0, 0, []),
        ({"task_id": "T1"}, 1, 1, ["J3"]),
        ({"status": ["COMPLETED", "FAILED"], "version": "v1"}, 1, 5, ["J2", "J4"]),
        ({"status": []}, 0, 5, []),
    ],
)
def test_find_pages_in_insertion_order(jobs, where, offset, limit, expected):
    assert ids(jobs.find("job", offset=offset, limit=limit, **where)) == expected


def test_a_page_follows_a_replaced_record_in_its_place(jobs):
    jobs.save("job", {"id": "J2", "task_id": "T2", "status": "COMPLETED", "version": "v1"})
    jobs.delete("job", ["J1"])
    jobs.save("job", {"id": "J1", "task_id": "T1", "version": "v1"})
    assert ids(jobs.find("job", offset=0, limit=2)) == ["J2", "J3"]
    assert ids(jobs.find("job", offset=3, limit=2)) == ["J5", "J1"]


@pytest.mark.parametrize(("bounds", "named"), [({"limit": -1}, "limit"), ({"offset": -3}, "offset"),
                                              ({"limit": 2.5}, "limit"), ({"offset": "1"}, "offset"),
                                              ({"limit": True}, "limit")])  # fmt: skip
def test_bad_page_bounds_are_refused_clearly(jobs, bounds, named):
    with pytest.raises(ValueError, match=f"{named} is a whole number"):
        jobs.find("job", **bounds)


def test_a_long_list_filter_works(jobs):
    many = [f"T{i}" for i in range(5000)]
    assert ids(jobs.find("job", task_id=many)) == ["J1", "J2", "J3", "J4", "J5"]
    assert jobs.count("job", task_id=many) == 5


def test_every_indexed_field_can_be_filtered(repo):
    for i, field in enumerate(INDEXED_FIELDS):
        repo.save("data_node", {"id": f"D{i}", field: f"value-{field}"})
    for i, field in enumerate(INDEXED_FIELDS):
        assert ids(repo.find("data_node", **{field: f"value-{field}"})) == [f"D{i}"]


@pytest.fixture
def nodes(repo):
    """Data nodes of configs ``a`` and ``a_b`` (the ids of one start as those of the other), in
    turns, and two whose ids do not carry their config id."""
    for i in range(3):
        repo.save("data_node", {"id": f"DATANODE_a_{9 - i}", "config_id": "a", "version": "v1"})
        repo.save("data_node", {"id": f"DATANODE_a_b_{i}", "config_id": "a_b", "version": "v1"})
    repo.save("data_node", {"id": "own-id", "config_id": "a", "version": "v2"})
    repo.save("data_node", {"id": "DATANODE_a_b_9", "config_id": "a", "version": "v1"})  # looks like an a_b
    return repo


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ({"config_id": "a"}, ["DATANODE_a_9", "DATANODE_a_8", "DATANODE_a_7", "own-id", "DATANODE_a_b_9"]),
        ({"config_id": "a", "version": "v1"}, ["DATANODE_a_9", "DATANODE_a_8", "DATANODE_a_7", "DATANODE_a_b_9"]),
        ({"config_id": "a_b"}, ["DATANODE_a_b_0", "DATANODE_a_b_1", "DATANODE_a_b_2"]),
        ({"config_id": ["a_b", "none"], "version": "v1"}, ["DATANODE_a_b_0", "DATANODE_a_b_1", "DATANODE_a_b_2"]),
        ({"config_id": "DATANODE"}, []),
        ({"config_id": ["a", "a_b"], "version": "v2"}, ["own-id"]),
        ({"config_id": ["a", None]}, ["DATANODE_a_9", "DATANODE_a_8", "DATANODE_a_7", "own-id", "DATANODE_a_b_9"]),
    ],
)
def test_find_by_config_id_whatever_the_ids(nodes, where, expected):
    """Scenarios, tasks and data nodes are found by config id whether their ids carry it or not
    (SQLite goes by the id index: ``store/_config_ids.py``), in insertion order."""
    assert ids(nodes.find("data_node", **where)) == expected
    assert nodes.count("data_node", **where) == len(expected)
    assert ids(nodes.find("data_node", offset=1, limit=3, **where)) == expected[1:4]


def test_delete_where_by_config_id(nodes):
    nodes.delete_where("data_node", config_id="a")
    assert ids(nodes.find("data_node")) == ["DATANODE_a_b_0", "DATANODE_a_b_1", "DATANODE_a_b_2"]


# --- delete ----------------------------------------------------------------------------------------
def test_delete_ignores_missing_ids(jobs):
    jobs.delete("job", ["J2", "nope", "J4"])
    jobs.delete("job", [])
    jobs.delete("job", iter(["J9"]))
    assert ids(jobs.find("job")) == ["J1", "J3", "J5"]


def test_delete_where(jobs):
    jobs.delete_where("job", status=["COMPLETED", None])
    assert ids(jobs.find("job")) == ["J2", "J3"]
    jobs.delete_where("job", status=[])
    assert jobs.count("job") == 2
    jobs.delete_where("job")
    assert jobs.find("job") == []


def test_clear_removes_records_and_meta(jobs):
    jobs.set_meta("latest_version", "v1")
    jobs.save("scenario", scenario("S1"))
    jobs.clear()
    assert all(jobs.count(kind) == 0 for kind in KINDS)
    assert jobs.get_meta("latest_version") is None
    jobs.save("job", {"id": "J9"})
    assert ids(jobs.find("job")) == ["J9"]


# --- meta ------------------------------------------------------------------------------------------
def test_meta_values(repo):
    assert repo.get_meta("latest_version") is None
    repo.set_meta("latest_version", "v1")
    repo.set_meta("production_versions", ["v0", "v1"])
    repo.set_meta("info", {"n": 1, "nested": {"ok": True}})
    assert repo.get_meta("latest_version") == "v1"
    assert repo.get_meta("production_versions") == ["v0", "v1"]
    assert repo.get_meta("info") == {"n": 1, "nested": {"ok": True}}
    repo.set_meta("latest_version", "v2")
    assert repo.get_meta("latest_version") == "v2"
    repo.set_meta("latest_version", None)
    assert repo.get_meta("latest_version") is None
    assert repo.get_meta("info") == {"n": 1, "nested": {"ok": True}}


# --- transactions ------------------------------------------------------------------------------------
def test_a_transaction_commits_together(repo):
    with repo.transaction():
        repo.save("scenario", scenario("S1"))
        repo.save("task", {"id": "T1", "owner_id": "S1"})
        repo.set_meta("latest_version", "v1")
        assert repo.load("scenario", "S1") is not None  # a transaction sees its own writes
    assert repo.load("scenario", "S1") is not None
    assert repo.load("task", "T1") is not None
    assert repo.get_meta("latest_version") == "v1"


def test_a_transaction_that_raises_writes_nothing(repo):
    repo.save("scenario", scenario("S0", config_id="a"))
    repo.set_meta("latest_version", "v0")
    with pytest.raises(RuntimeError, match="boom"), repo.transaction():
        repo.save("scenario", scenario("S1"))
        repo.save("scenario", scenario("S0", config_id="changed"))
        repo.delete("task", ["T1"])
        repo.set_meta("latest_version", "v1")
        repo.clear()
        repo.save("job", {"id": "J1"})
        raise RuntimeError("boom")
    assert ids(repo.find("scenario")) == ["S0"]
    assert repo.load("scenario", "S0")["config_id"] == "a"
    assert repo.load("job", "J1") is None
    assert repo.get_meta("latest_version") == "v0"
    # and the repository is usable afterwards, in and out of transactions
    with repo.transaction():
        repo.save("scenario", scenario("S2"))
    assert ids(repo.find("scenario")) == ["S0", "S2"]


def test_transactions_nest_and_an_inner_failure_undoes_only_itself(repo):
    with repo.transaction():
        repo.save("scenario", scenario("S1"))
        with repo.transaction():
            repo.save("scenario", scenario("S2"))
        with pytest.raises(KeyError), repo.transaction():
            repo.save("scenario", scenario("S3"))
            repo.delete("scenario", ["S1"])
            repo.set_meta("k", "inner")
            raise KeyError("inner")
        assert ids(repo.find("scenario")) == ["S1", "S2"]
        assert repo.get_meta("k") is None
        with repo.transaction(), repo.transaction():
            repo.save("scenario", scenario("S4"))
    assert ids(repo.find("scenario")) == ["S1", "S2", "S4"]


def test_an_outer_failure_undoes_committed_inner_blocks(repo):
    with pytest.raises(ValueError), repo.transaction():
        with repo.transaction():
            repo.save("scenario", scenario("S1"))
        raise ValueError
    assert repo.find("scenario") == []


def test_reads_inside_a_transaction_see_its_writes_in_order(repo):
    for name in ("S1", "S2", "S3"):
        repo.save("scenario", scenario(name, config_id="a"))
    with repo.transaction():
        repo.save("scenario", scenario("S4", config_id="a"))
        repo.save("scenario", scenario("S2", config_id="b"))  # replaced: keeps its place
        repo.delete("scenario", ["S1"])
        repo.save("scenario", scenario("S5", config_id="b"))
        repo.delete("scenario", ["S3"])
        repo.save("scenario", scenario("S3", config_id="b"))  # deleted and saved again: last
        assert ids(repo.find("scenario")) == ["S2", "S4", "S5", "S3"]
        assert ids(repo.find("scenario", config_id="b")) == ["S2", "S5", "S3"]
        assert ids(repo.find("scenario", config_id="a")) == ["S4"]
        assert repo.count("scenario", config_id="b") == 3
        assert repo.load("scenario", "S1") is None
        assert ids(repo.load_many("scenario", ["S3", "S1", "S2"])) == ["S3", "S2"]
        assert repo.exists("scenario", "S5")
        repo.delete_where("scenario", config_id="a")
        assert ids(repo.find("scenario")) == ["S2", "S5", "S3"]
    assert ids(repo.find("scenario")) == ["S2", "S5", "S3"]
    assert ids(repo.find("scenario", config_id="b")) == ["S2", "S5", "S3"]


def test_clear_inside_a_transaction(repo):
    repo.save("scenario", scenario("S1"))
    repo.set_meta("k", 1)
    with repo.transaction():
        repo.clear()
        assert repo.find("scenario") == [] and repo.get_meta("k") is None
        repo.save("scenario", scenario("S2"))
        assert ids(repo.find("scenario")) == ["S2"]
    assert ids(repo.find("scenario")) == ["S2"]
    assert repo.get_meta("k") is None


def test_other_threads_see_a_transaction_only_once_committed(repo):
    inside, checked = threading.Event(), threading.Event()
    seen = {}

    def reader():
        inside.wait(5)
        seen["during"] = repo.load("scenario", "S1"), repo.count("scenario")
        checked.set()

    thread = threading.Thread(target=reader)
    thread.start()
    with repo.transaction():
        repo.save("scenario", scenario("S1"))
        inside.set()
        assert checked.wait(5)
    thread.join()
    assert seen["during"] == (None, 0)
    assert repo.load("scenario", "S1") is not None


def test_a_transaction_is_not_slow(kind, repo):
    """A sanity bound, far above the real figures (see benchmarks/store_bench.py): a save in a
    transaction costs tens of microseconds, not milliseconds (files cost a file creation each)."""
    n = 2_000 if kind == "filesystem" else 10_000
    started = time.perf_counter()
    with repo.transaction():
        for i in range(n):
            repo.save("job", {"id": f"JOB_{i}", "task_id": f"T{i % 10}", "status": "PENDING", "version": "v"})
    assert time.perf_counter() - started < 5
    assert repo.count("job", task_id="T3") == n // 10


# --- threads ---------------------------------------------------------------------------------------
def test_several_threads_write_at_once(repo):
    errors = []

    def writer(n: int) -> None:
        try:
            for i in range(50):
                if i % 2:
                    with repo.transaction():
                        repo.save("job", {"id": f"J{n}_{i}", "task_id": f"T{n}", "status": "PENDING"})
                        repo.save("job", {"id": f"J{n}_{i}", "task_id": f"T{n}", "status": "RUNNING"})
                else:
                    repo.save("job", {"id": f"J{n}_{i}", "task_id": f"T{n}", "status": "RUNNING"})
                repo.find("job", task_id=f"T{n}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert repo.count("job") == 400
    assert repo.count("job", status="RUNNING") == 400
    for n in range(8):
        assert ids(repo.find("job", task_id=f"T{n}")) == [f"J{n}_{i}" for i in range(50)]


# --- lifetime ----------------------------------------------------------------------------------------
def test_settings_reopen_the_same_store(kind, repo):
    repo.save("scenario", scenario("S1"))
    repo.set_meta("latest_version", "v1")
    assert open_repository(repo.settings).settings == repo.settings
    again = open_repository(dict(repo.settings))
    try:
        if kind == "memory":  # a memory store lives in its object only
            assert again.find("scenario") == []
        else:
            assert ids(again.find("scenario")) == ["S1"]
            assert again.get_meta("latest_version") == "v1"
            again.save("scenario", scenario("S2"))
            assert ids(repo.find("scenario")) == ["S1", "S2"]
    finally:
        again.close()


def test_a_repository_pickles_as_its_settings(kind, repo):
    if kind == "memory":
        with pytest.raises(TypeError, match="process"):
            pickle.dumps(repo)
        return
    repo.save("scenario", scenario("S1"))
    copy = pickle.loads(pickle.dumps(repo))
    try:
        assert type(copy) is type(repo) and copy is not repo
        assert copy.settings == repo.settings
        assert ids(copy.find("scenario")) == ["S1"]
    finally:
        copy.close()


def test_a_closed_repository_refuses_work(settings):
    with open_repository(settings) as repository:
        repository.save("scenario", scenario("S1"))
    with pytest.raises(ValueError, match="closed"):
        repository.save("scenario", scenario("S2"))
    with pytest.raises(ValueError, match="closed"):
        repository.find("scenario")
    repository.close()  # closing twice is harmless


def test_indexed_values_keep_their_json_type(repo):
    repo.save("job", {"id": "J_str", "status": "1"})
    repo.save("job", {"id": "J_int", "status": 1})
    assert ids(repo.find("job", status="1")) == ["J_str"]
    assert ids(repo.find("job", status=1)) == ["J_int"]
    assert ids(repo.find("job", status=["1", 2])) == ["J_str"]
