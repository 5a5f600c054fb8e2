"""The benchmark workloads, each beside its floor measured in the same run.

    python -m benchmarks.workloads NAME [--engine scenaria|taipy] [--quick]

runs one workload in the current directory and prints its figures as one JSON line. The
runner (``python -m benchmarks``) calls it in a fresh directory and process per workload, so no
workload sees another's store or configuration. With ``--engine taipy`` the same code runs on
Taipy 4.1.1 (``import taipy as tp``), for figures side by side.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import importlib
import json
import os
import pickle
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

from benchmarks import dask_peer, tasks
from benchmarks.service_workloads import SERVICE_WORKLOADS

WORKLOADS: dict[str, Callable[..., list[dict[str, Any]]]] = {}


def workload(function: Callable[..., list[dict[str, Any]]]) -> Callable[..., list[dict[str, Any]]]:
    WORKLOADS[function.__name__] = function
    return function


def row(
    name: str,
    value: float,
    unit: str,
    floor: float | None = None,
    floor_name: str = "",
    target: str = "",
    better: str = "lower",
) -> dict[str, Any]:
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "floor": floor,
        "floor_name": floor_name,
        "target": target,
        "better": better,
    }


def wait_all(submissions: list[Any], timeout: float = 600) -> None:
    """Wait for submissions: on their event when the engine has one, else by polling."""
    deadline = time.monotonic() + timeout
    for submission in submissions:
        if hasattr(submission, "wait"):
            submission.wait(max(0.0, deadline - time.monotonic()))
        else:  # the reference engine has no wait on a submission
            while not submission.is_finished() and time.monotonic() < deadline:
                time.sleep(0.005)


def chain_config(tp: Any, length: int, function: Callable[..., Any], first: Any = 0, prefix: str = "c") -> Any:
    Config = tp.Config
    nodes = [Config.configure_data_node(f"{prefix}0", default_data=first)]
    nodes += [Config.configure_data_node(f"{prefix}{i}") for i in range(1, length + 1)]
    steps = [Config.configure_task(f"{prefix}_t{i}", function, nodes[i], nodes[i + 1]) for i in range(length)]
    return Config.configure_scenario(f"{prefix}_scenario", task_configs=steps)


@workload
def create_scenarios(tp: Any, quick: bool) -> list[dict[str, Any]]:
    """Creating 1,000 scenarios of 3 chained tasks (4 data nodes, no default data)."""
    config = _three_task_config(tp)
    tp.Orchestrator().run()
    tp.create_scenario(config)
    count = 1000
    start = time.perf_counter()
    for _ in range(count):
        tp.create_scenario(config)
    elapsed = time.perf_counter() - start
    return [
        row(
            "create 1,000 scenarios of 3 tasks",
            elapsed,
            "s",
            _sqlite_floor(count, 8),
            "bare SQLite: 8 JSON rows per scenario, a transaction each",
            "<= 0.25 s",
        )
    ]


def _three_task_config(tp: Any) -> Any:
    Config = tp.Config
    a, b, c, d = (Config.configure_data_node(name) for name in "abcd")
    steps = [Config.configure_task(f"t{i}", tasks.identity, x, y) for i, (x, y) in enumerate([(a, b), (b, c), (c, d)])]
    return Config.configure_scenario("three", task_configs=steps)


def _sqlite_floor(scenarios: int, rows: int) -> float:
    path = os.path.join(tempfile.mkdtemp(), "floor.db")
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("CREATE TABLE t (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, body TEXT)")
    body = json.dumps({"config_id": "x", "properties": {}, "parent_ids": ["SCENARIO_x_" + "0" * 36]})
    start = time.perf_counter()
    for i in range(scenarios):
        connection.execute("BEGIN")
        for j in range(rows):
            connection.execute("INSERT INTO t (id, body) VALUES (?, ?)", (f"{i}-{j}", body))
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - start
    connection.close()
    return elapsed


# The cost of one creation at each end of ``scaling``: the median of the mean costs of windows of
# ``_WINDOW`` creations. A window holds several of the store's periodic costs (a checkpoint every
# 32 commits), so a mean per window counts them; the median of the windows drops the one another
# process of the machine slowed down. The same at both ends: five windows from the 100th creation
# (the first ones warm the caches and start the checkpointing thread) and the last five.
_WINDOW, _WINDOWS = 200, 5


def _ends(costs: list[float]) -> tuple[float, float]:
    def median_window(start: int) -> float:
        windows = [costs[at : at + _WINDOW] for at in range(start, start + _WINDOW * _WINDOWS, _WINDOW)]
        return statistics.median(statistics.mean(window) for window in windows)

    return median_window(100), median_window(len(costs) - _WINDOW * _WINDOWS)


@workload
def scaling(tp: Any, quick: bool) -> list[dict[str, Any]]:
    """The cost of creating a scenario as the store grows, then reading them all back in a new process."""
    count = 10_000 if quick else 100_000
    tp.Config.configure_core(mode="experiment", version_number="bench")
    config = _three_task_config(tp)
    tp.Orchestrator().run()
    times, cpu = [], []
    for _ in range(count):
        start, start_cpu = time.perf_counter(), time.thread_time()
        tp.create_scenario(config)
        times.append(time.perf_counter() - start)
        cpu.append(time.thread_time() - start_cpu)
    early, late = _ends(times)
    early_cpu, late_cpu = _ends(cpu)
    tp.Orchestrator().stop()
    reader = subprocess.run(
        [sys.executable, "-m", "benchmarks.workloads", "read_back", "--engine", _ENGINE],
        capture_output=True,
        text=True,
        check=True,
    )
    windows = f"median of {_WINDOWS} windows of {_WINDOW}"
    rows = [
        row(f"create the 100th scenario ({windows} from #100)", early * 1e3, "ms"),
        row(
            f"create the {count:,}th scenario ({windows}, the last)",
            late * 1e3,
            "ms",
            early * 1e3,
            "the 100th",
            "<= 1.2x the 100th",
        ),
        row(
            f"create the {count:,}th scenario, CPU of the creating thread",
            late_cpu * 1e3,
            "ms",
            early_cpu * 1e3,
            "the 100th, the same",
            "<= 1.2x the 100th",
        ),
    ]
    return rows + json.loads(reader.stdout.strip().splitlines()[-1])


@workload
def read_back(tp: Any, quick: bool) -> list[dict[str, Any]]:
    """Run by ``scaling`` in a second process: list every scenario, then get them by id."""
    tp.Config.configure_core(mode="experiment", version_number="bench")
    _three_task_config(tp)
    floor_all = _sqlite_read_floor() if _ENGINE == "scenaria" else None  # first: cold, as ours
    start = time.perf_counter()
    scenarios = tp.get_scenarios()
    cold = time.perf_counter() - start
    ids = [s.id for s in scenarios[:10_000]]
    start = time.perf_counter()
    for entity_id in ids:
        tp.get(entity_id)
    per_get = (time.perf_counter() - start) / len(ids)
    floor_one = _sqlite_get_floor(ids) if _ENGINE == "scenaria" else None
    return [
        row(
            f"tp.get_scenarios() over {len(scenarios):,} scenarios, new process",
            cold,
            "s",
            floor_all,
            "bare SQLite: select every scenario row and json.loads it",
            "<= 2 s",
        ),
        row(
            "tp.get(id)",
            per_get * 1e3,
            "ms",
            floor_one and floor_one * 1e3,
            "bare SQLite: select one row by id and json.loads it",
            "< 0.1 ms",
        ),
    ]


def _sqlite_read_floor() -> float:
    connection = sqlite3.connect(os.path.join(".taipy", "scenaria.db"))
    start = time.perf_counter()
    rows = [json.loads(body) for (body,) in connection.execute('SELECT body FROM "scenario" ORDER BY seq')]
    elapsed = time.perf_counter() - start
    connection.close()
    assert rows
    return elapsed


def _sqlite_get_floor(ids: list[str]) -> float:
    connection = sqlite3.connect(os.path.join(".taipy", "scenaria.db"))
    start = time.perf_counter()
    for entity_id in ids:
        (body,) = connection.execute('SELECT body FROM "scenario" WHERE id = ?', (entity_id,)).fetchone()
        json.loads(body)
    elapsed = (time.perf_counter() - start) / len(ids)
    connection.close()
    return elapsed


# --- standalone mode -----------------------------------------------------------------------------------
def _standalone(tp: Any, workers: int = 2) -> None:
    tp.Config.configure_job_executions(mode="standalone", max_nb_of_workers=workers)


@workload
def throughput(tp: Any, quick: bool) -> list[dict[str, Any]]:
    """50 scenarios of 2 chained trivial tasks, submitted at once, on 2 workers."""
    _standalone(tp)
    config = chain_config(tp, 2, tasks.increment)
    tp.Orchestrator().run()
    best = float("inf")
    for _ in range(3):
        scenarios = [tp.create_scenario(config) for _ in range(50)]
        start = time.perf_counter()
        submissions = [scenario.submit() for scenario in scenarios]
        wait_all(submissions)
        best = min(best, time.perf_counter() - start)
    tp.Orchestrator().stop()
    with cf.ProcessPoolExecutor(2) as pool:
        list(pool.map(tasks.increment, range(100)))
        floor = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            cf.wait([pool.submit(tasks.increment, i) for i in range(100)])
            floor = min(floor, time.perf_counter() - start)
    peer = dask_peer.local_cluster_rate() if _ENGINE == "scenaria" else None
    rows = [
        row(
            "throughput: 50 scenarios x 2 chained trivial jobs, 2 workers",
            100 / best,
            "jobs/s",
            100 / floor,
            "bare ProcessPoolExecutor, 100 trivial calls",
            ">= 0.33x floor",
            better="higher",
        )
    ]
    if peer is not None:  # the reference engine's run has a peer of its own: this one
        rows.append(
            row(
                "throughput: the same, beside Dask LocalCluster (peer, not a floor)",
                100 / best,
                "jobs/s",
                peer,
                "Dask LocalCluster, 2 single-thread worker processes, the same 50 x 2 chained futures",
                ">= 3x peer",
                better="higher",
            )
        )
    return rows


@workload
def cpu_parallel(tp: Any, quick: bool) -> list[dict[str, Any]]:
    """Four independent 0.5 s CPU-bound jobs on 2 workers."""
    _standalone(tp)
    Config = tp.Config
    steps = []
    for i in range(4):
        seconds = Config.configure_data_node(f"seconds{i}", default_data=0.5)
        count = Config.configure_data_node(f"count{i}")
        steps.append(Config.configure_task(f"burn{i}", tasks.burn, seconds, count))
    config = Config.configure_scenario("cpu", task_configs=steps)
    tp.Orchestrator().run()
    scenario = tp.create_scenario(config)
    start = time.perf_counter()
    wait_all([scenario.submit()])
    elapsed = time.perf_counter() - start
    tp.Orchestrator().stop()
    with cf.ProcessPoolExecutor(2) as pool:
        list(pool.map(tasks.identity, range(2)))
        start = time.perf_counter()
        list(pool.map(tasks.burn, [0.5] * 4))
        floor = time.perf_counter() - start
    return [
        row("four 0.5 s CPU-bound jobs on 2 workers", elapsed, "s", floor, "bare ProcessPoolExecutor", "<= 1.05x floor")
    ]


@workload
def big_value(tp: Any, quick: bool) -> list[dict[str, Any]]:
    """A 200 MB value through a chain of 2 tasks and pickle data nodes, on 2 workers."""
    megabytes = 50 if quick else 200
    _standalone(tp)
    Config = tp.Config
    size = Config.configure_data_node("size", default_data=megabytes)
    blob = Config.configure_data_node("blob")
    length = Config.configure_data_node("length")
    make = Config.configure_task("make", tasks.make_big, size, blob)
    measure = Config.configure_task("measure", tasks.size_of, blob, length)
    config = Config.configure_scenario("big", task_configs=[make, measure])
    tp.Orchestrator().run()
    scenario = tp.create_scenario(config)
    start = time.perf_counter()
    wait_all([scenario.submit()])
    elapsed = time.perf_counter() - start
    tp.Orchestrator().stop()
    folder = tempfile.mkdtemp()
    with cf.ProcessPoolExecutor(2) as pool:
        list(pool.map(tasks.identity, range(2)))
        start = time.perf_counter()
        pool.submit(_floor_make, megabytes, os.path.join(folder, "blob.p")).result()
        pool.submit(_floor_measure, os.path.join(folder, "blob.p"), os.path.join(folder, "length.p")).result()
        floor = time.perf_counter() - start
    return [
        row(
            f"a {megabytes} MB value through 2 chained tasks, pickle data nodes",
            elapsed,
            "s",
            floor,
            "bare pool writing and reading the same pickle files",
            "<= 1.15x floor",
        )
    ]


def _floor_make(megabytes: int, path: str) -> None:
    with open(path, "wb") as file:
        pickle.dump(tasks.make_big(megabytes), file, protocol=pickle.HIGHEST_PROTOCOL)


def _floor_measure(source: str, target: str) -> None:
    with open(source, "rb") as file:
        value = tasks.size_of(pickle.load(file))
    with open(target, "wb") as file:
        pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)


@workload
def latency(tp: Any, quick: bool) -> list[dict[str, Any]]:
    """On an idle pool: submit to the function running, and the function's end to ``wait`` returning.

    Floor, in the same run and interleaved with the engine's samples: a bare process pool whose
    function writes its value to a pickle file (a temporary file renamed in place, as the engine's
    commit does) and returns it; medians of each.
    """
    _standalone(tp)
    Config = tp.Config
    seed = Config.configure_data_node("seed", default_data=0)
    stamp = Config.configure_data_node("stamp")
    config = Config.configure_scenario(
        "latency", task_configs=[Config.configure_task("stamp_t", tasks.stamped, seed, stamp)]
    )
    tp.Orchestrator().run()
    scenario = tp.create_scenario(config)
    wait_all([scenario.submit()])
    to_start, to_return, floor_start, floor_return = [], [], [], []
    target = os.path.abspath("floor-stamp.p")
    with cf.ProcessPoolExecutor(1) as pool:
        pool.submit(tasks.write_stamp, target).result()
        for _ in range(20 if quick else 60):
            time.sleep(0.05)  # let the pool go idle
            submitted = time.time()
            submission = scenario.submit()
            wait_all([submission])
            returned = time.time()
            ran = scenario.stamp.read()
            to_start.append(ran - submitted)
            to_return.append(returned - ran)
            time.sleep(0.05)
            submitted = time.time()
            ran = pool.submit(tasks.write_stamp, target).result()
            floor_return.append(time.time() - ran)
            floor_start.append(ran - submitted)
    tp.Orchestrator().stop()
    floor_name = "bare process pool, its function writing the value to a pickle file (medians, interleaved)"
    return [
        row("idle pool: submit -> function running (median)", statistics.median(to_start) * 1e3, "ms",
            statistics.median(floor_start) * 1e3, floor_name, target="<= 5 ms"),
        row("idle pool: function end -> wait returns (median)", statistics.median(to_return) * 1e3, "ms",
            statistics.median(floor_return) * 1e3, floor_name, target="<= 5 ms"),
    ]  # fmt: skip


# --- dask mode ---------------------------------------------------------------------------------------
@workload
def dask_chain(tp: Any, quick: bool) -> list[dict[str, Any]]:
    """200 trivial chained jobs on a local Dask cluster of 3 single-thread workers, PostgreSQL store;
    floor: the same chain as plain ``client.submit`` futures on the same cluster, in the same run."""
    from distributed import Client

    from scenaria.dispatch.dask import quicken
    from tests.support.postgres import PostgresServer

    length = 50 if quick else 200
    server = PostgresServer()
    server.start()
    cluster = subprocess.Popen(
        [sys.executable, "-m", "scenaria.dispatch.dask_cluster", "3"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        address = cluster.stdout.readline().strip()  # type: ignore[union-attr]
        tp.Config.configure_core(repository_type="postgresql", repository_properties={"url": server.url},
                                 storage_folder=os.path.abspath("user_data"))  # fmt: skip
        tp.Config.configure_job_executions(mode="dask", address=address, max_nb_of_workers=3)
        config = chain_config(tp, length, tasks.increment)
        tp.Orchestrator().run()
        best = float("inf")
        for _ in range(2):
            scenario = tp.create_scenario(config)
            start = time.perf_counter()
            wait_all([scenario.submit()])
            best = min(best, time.perf_counter() - start)
        tp.Orchestrator().stop()
        with Client(address) as client:
            floor = float("inf")
            for _ in range(2):
                start = time.perf_counter()
                future = client.submit(tasks.increment, 0, pure=False)
                for _ in range(length - 1):
                    future = client.submit(tasks.increment, future, pure=False)
                future.result()
                floor = min(floor, time.perf_counter() - start)
            # What the engine cannot go under while it decides each job's successor itself: one
            # client round trip (submit, then wait for the end) per job, with the client's stream
            # as quick as the engine makes it and the futures kept (a release is a message too).
            quicken(client)
            kept = []
            start = time.perf_counter()
            for number in range(length):
                kept.append(client.submit(tasks.increment, number, pure=False))
                kept[-1].result()
            round_trips = time.perf_counter() - start
    finally:
        cluster.stdin.close()  # type: ignore[union-attr]
        cluster.wait(30)
        server.stop()
    return [
        row(
            f"dask: {length} chained trivial jobs, 3 single-thread workers, PostgreSQL store",
            best,
            "s",
            floor,
            "the same chain as plain client.submit futures",
            "<= 1.5x floor",
        ),
        row(
            f"dask: the same {length} jobs, engine time against one plain client round trip per job",
            best,
            "s",
            round_trips,
            "sequential client.submit(...).result() calls, client sending at once",
            "context (no target)",
        ),
    ]


WORKLOADS.update(SERVICE_WORKLOADS)

_ENGINE = "scenaria"


def main() -> None:
    global _ENGINE
    # As ``python -m``, this module is ``__main__``: the workloads of other modules register in
    # the importable ``benchmarks.workloads``.
    workloads = importlib.import_module("benchmarks.workloads").WORKLOADS
    parser = argparse.ArgumentParser()
    parser.add_argument("name", choices=sorted(workloads))
    parser.add_argument("--engine", choices=("scenaria", "taipy"), default="scenaria")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    _ENGINE = args.engine
    sys.argv = sys.argv[:1]  # the engine parses the command line for its own flags
    tp = importlib.import_module(args.engine)
    rows = workloads[args.name](tp, args.quick)
    with open("result.json", "w") as file:
        json.dump(rows, file)
    print(json.dumps(rows))
    os._exit(0)  # do not wait for the engine's threads and workers to wind down


from benchmarks import big_store, development, limits, observe  # noqa: E402, F401 - register their workloads

if __name__ == "__main__":
    main()
