"""Figures of the store back ends: saves per second, load by id, find over many records.

    python benchmarks/store_bench.py [--records 100000] [--types sqlite,filesystem,memory]

Prints one line per figure. The workload looks like scenaria's: a scenario of three tasks is
seven records (a scenario, three tasks, three data nodes) saved in one transaction; job states
are saved one commit each.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import tempfile
import time
import uuid

from scenaria.store import open_repository


def scenario_records(i: int) -> list[tuple[str, dict]]:
    sid = f"SCENARIO_cfg_{uuid.uuid4()}"
    records = [
        (
            "scenario",
            {
                "id": sid,
                "config_id": "cfg",
                "version": "dev",
                "creation_date": f"2026-01-01T00:00:{i % 60:02d}.{i:06d}",
                "tasks": [],
                "additional_data_nodes": [],
                "properties": {"name": f"scenario {i}"},
                "primary_scenario": False,
                "subscribers": [],
                "tags": [],
                "sequences": {},
                "cycle": None,
                "owner_id": None,
            },
        )
    ]
    for t in range(3):
        tid = f"TASK_t{t}_{uuid.uuid4()}"
        records[0][1]["tasks"].append(tid)
        dn = f"DATANODE_d{t}_{uuid.uuid4()}"
        records.append(
            (
                "task",
                {
                    "id": tid,
                    "config_id": f"t{t}",
                    "owner_id": sid,
                    "version": "dev",
                    "input_ids": [],
                    "output_ids": [dn],
                    "function": "m.f",
                    "skippable": False,
                    "properties": {},
                },
            )
        )
        records.append(
            (
                "data_node",
                {
                    "id": dn,
                    "config_id": f"d{t}",
                    "owner_id": sid,
                    "version": "dev",
                    "scope": "SCENARIO",
                    "storage_type": "pickle",
                    "edits": [],
                    "last_edit_date": None,
                    "properties": {"path": f"/data/{dn}.p"},
                },
            )
        )
    return records


def bench(settings: dict, records: int) -> None:
    name = settings["type"]
    repo = open_repository(settings)
    try:
        # 1,000 scenarios of 3 tasks, one transaction each (7 saves)
        batches = [scenario_records(i) for i in range(1000)]
        started = time.perf_counter()
        for batch in batches:
            with repo.transaction():
                for kind, record in batch:
                    repo.save(kind, record)
        elapsed = time.perf_counter() - started
        print(
            f"{name:10} 1,000 scenarios (7 saves, one transaction each): {elapsed:.3f} s "
            f"({elapsed / 7000 * 1e6:.1f} us/save)"
        )

        # many saves in one transaction
        extra = [scenario_records(i)[0][1] for i in range(1000, 1000 + records)]
        started = time.perf_counter()
        with repo.transaction():
            for record in extra:
                repo.save("scenario", record)
        elapsed = time.perf_counter() - started
        print(
            f"{name:10} {records:,} saves in one transaction: {records / elapsed:,.0f} saves/s "
            f"({elapsed / records * 1e6:.1f} us/save)"
        )

        # job states: one commit each
        started = time.perf_counter()
        n = 2000
        for i in range(n):
            repo.save("job", {"id": f"JOB_{i % 200}", "task_id": "T", "status": "RUNNING", "version": "dev"})
        elapsed = time.perf_counter() - started
        print(f"{name:10} job state saves, one commit each: {elapsed / n * 1e6:.1f} us/save")

        # load by id
        ids = [record["id"] for record in extra[:: max(1, len(extra) // 5000)]]
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            for id in ids:
                repo.load("scenario", id)
            timings.append((time.perf_counter() - started) / len(ids))
        print(f"{name:10} load by id among {repo.count('scenario'):,}: {min(timings) * 1e6:.1f} us")

        # find with a selective filter, and over everything
        started = time.perf_counter()
        for _ in range(100):
            repo.find("task", owner_id=batches[500][0][1]["id"])
        print(f"{name:10} find(task, owner_id=...) -> 3: {(time.perf_counter() - started) * 10:.2f} ms")
        timings = []
        for _ in range(3):
            gc.collect()
            started = time.perf_counter()
            found = len(repo.find("scenario"))  # the result is dropped before the next find
            timings.append(time.perf_counter() - started)
        print(f"{name:10} find(scenario) -> {found:,}: {statistics.median(timings):.3f} s")
        started = time.perf_counter()
        count = repo.count("scenario", config_id="cfg", version="dev")
        print(
            f"{name:10} count(scenario, config_id, version) -> {count:,}: "
            f"{(time.perf_counter() - started) * 1e3:.1f} ms"
        )
    finally:
        repo.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--types", default="sqlite,memory,filesystem")
    parser.add_argument("--postgresql-url", default=os.environ.get("SCENARIA_BENCH_POSTGRESQL_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for name in args.types.split(","):
            if name == "sqlite":
                settings = {"type": "sqlite", "path": os.path.join(folder, "bench.db")}
            elif name == "filesystem":
                settings = {"type": "filesystem", "root": os.path.join(folder, "fs")}
            elif name == "postgresql":
                if not args.postgresql_url:
                    print("postgresql: skipped (give --postgresql-url)")
                    continue
                settings = {"type": "postgresql", "url": args.postgresql_url}
            else:
                settings = {"type": name}
            records = args.records if name != "filesystem" else min(args.records, 10_000)
            bench(settings, records)
            if name == "postgresql":
                with open_repository(settings) as repo:
                    repo.clear()


if __name__ == "__main__":
    main()
