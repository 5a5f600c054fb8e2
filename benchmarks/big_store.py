"""``submit`` and ``get_latest_job`` on a store of 1,000,000 jobs, beside the same on an empty store.

Registered into ``workloads.WORKLOADS`` (imported at the end of ``workloads``):
``python -m benchmarks --only big_store``. Two SQLite stores run in this process one after the
other: an empty one, and one that first gets a million job records of other tasks (10,000 tasks,
100 jobs each), bulk-inserted with SQL for speed: real job records (copied from one the engine
stored, with their own ids), so that every query the engine makes reads them as its own. Each
figure is the median of samples taken interleaved between the two stores, so that the load of
the machine weighs on both alike; the floor of each row is the same figure on the empty store.
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import time
from typing import Any

from benchmarks import tasks
from benchmarks.workloads import chain_config, row, workload

_TASKS = 10_000


def _fill(path: str, template: dict[str, Any], jobs: int) -> None:
    """Insert ``jobs`` job records like ``template`` (of other tasks, submissions) into the store at ``path``."""
    from scenaria.store.base import INDEXED_FIELDS, encode_record, indexed_values

    columns = ", ".join(f'"{field}"' for field in INDEXED_FIELDS)
    marks = ", ".join("?" for _ in range(len(INDEXED_FIELDS) + 2))
    sql = f'INSERT INTO "job" (id, {columns}, body) VALUES ({marks})'
    per_task = max(1, jobs // _TASKS)

    def records() -> Any:
        for i in range(jobs):
            task = i // per_task
            record = {
                **template,
                "id": f"JOB_bulk_{i:012d}",
                "task_id": f"TASK_bulk_{task:08d}",
                "submit_id": f"SUBMISSION_bulk_{i:012d}",
                "submit_entity_id": f"SCENARIO_bulk_{task:08d}",
                "task_config_id": "bulk",
            }
            yield (record["id"], *indexed_values(record), encode_record(record))

    connection = sqlite3.connect(path)
    with connection:
        connection.executemany(sql, records())
    connection.close()


def _sample(tp: Any, scenario: Any) -> tuple[float, float]:
    """One submit of a 1-task scenario, then one get_latest_job of its task (seconds each)."""
    start = time.perf_counter()
    scenario.submit()
    submitted = time.perf_counter() - start
    task = scenario.tasks[next(iter(scenario.tasks))]
    start = time.perf_counter()
    latest = tp.get_latest_job(task)
    got = time.perf_counter() - start
    assert latest is not None
    return submitted, got


def _open(tp: Any, folder: str) -> Any:
    """Point the engine at the store in ``folder`` (a fresh process state for it) and give its scenario."""
    from scenaria.entities.registry import reset_registry

    tp.Orchestrator().stop()
    reset_registry()
    # experiment mode: development mode would delete the previous run's jobs at each start
    tp.Config.configure_core(taipy_storage_folder=folder, mode="experiment", version_number="bench")
    tp.Orchestrator().run()
    scenarios = tp.get_scenarios()
    return scenarios[0] if scenarios else tp.create_scenario(_CONFIG[0])


_CONFIG: list[Any] = []


@workload
def big_store(tp: Any, quick: bool) -> list[dict[str, Any]]:
    jobs = 100_000 if quick else 1_000_000
    _CONFIG.append(chain_config(tp, 1, tasks.increment, prefix="big"))
    empty, big = os.path.abspath("empty/"), os.path.abspath("big/")
    scenario = _open(tp, big)
    scenario.submit()
    job = tp.get_latest_job(scenario.tasks[next(iter(scenario.tasks))])
    template = json.loads(json.dumps(job._to_record(), default=str))
    tp.Orchestrator().stop()
    _fill(os.path.join(big, "scenaria.db"), template, jobs)
    samples: dict[str, list[tuple[float, float]]] = {empty: [], big: []}
    for folder in (empty, big):
        _sample(tp, _open(tp, folder))  # warm: the first of each store reads its pages
    for _ in range(5 if quick else 15):
        for folder in (empty, big):
            scenario = _open(tp, folder)
            samples[folder].extend(_sample(tp, scenario) for _ in range(5))
    tp.Orchestrator().stop()

    def median(folder: str, which: int) -> float:
        return statistics.median(each[which] for each in samples[folder]) * 1e3

    label = f"{jobs:,} jobs"
    return [
        row(f"submit, store of {label} (median)", median(big, 0), "ms", median(empty, 0), "the same on an empty store",
            "<= 1.2x floor"),
        row(f"get_latest_job, store of {label} (median)", median(big, 1), "ms", median(empty, 1),
            "the same on an empty store", "<= 1.2x floor"),
    ]  # fmt: skip
