"""Development mode: the engine's time per trivial job, and start-up plus one job in a new interpreter.

Registered into ``workloads.WORKLOADS`` (imported at the end of ``workloads``):
``python -m benchmarks --only dev_overhead import_and_run``.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
import time
from typing import Any

from benchmarks import tasks
from benchmarks import workloads as _workloads
from benchmarks.workloads import chain_config, row, workload


@workload
def dev_overhead(tp: Any, quick: bool) -> list[dict[str, Any]]:
    """Per trivial job, development mode: a 10-task chain of pickle data nodes, submitted again and again."""
    config = chain_config(tp, 10, tasks.increment)
    tp.Orchestrator().run()
    scenario = tp.create_scenario(config)
    scenario.submit()
    rounds = 20 if quick else 100
    start = time.perf_counter()
    for _ in range(rounds):
        scenario.submit()
    per_job = (time.perf_counter() - start) / (rounds * 10)
    floor = _pickle_roundtrip_floor(rounds * 10)
    return [
        row(
            "development mode: engine time per trivial job",
            per_job * 1e3,
            "ms",
            floor * 1e3,
            "call + pickle to a file and back",
            "<= 3x floor",
        )
    ]


def _pickle_roundtrip_floor(count: int) -> float:
    folder = tempfile.mkdtemp()
    source, target = os.path.join(folder, "in.p"), os.path.join(folder, "out.p")
    with open(source, "wb") as file:
        pickle.dump(0, file)
    start = time.perf_counter()
    for _ in range(count):
        with open(source, "rb") as file:
            value = tasks.increment(pickle.load(file))
        with open(target, "wb") as file:
            pickle.dump(value, file)
    return (time.perf_counter() - start) / count


@workload
def import_and_run(tp: Any, quick: bool) -> list[dict[str, Any]]:
    """``import scenaria`` plus ``Orchestrator().run()`` plus one development-mode job, in a new
    interpreter and a new folder each time, beside an empty interpreter."""
    module = "taipy" if _workloads._ENGINE == "taipy" else "scenaria"
    code = (
        f"import {module} as tp; from benchmarks.tasks import increment; C = tp.Config; "
        "a = C.configure_data_node('a', default_data=1); b = C.configure_data_node('b'); "
        "s = C.configure_scenario('s', task_configs=[C.configure_task('t', increment, a, b)]); "
        "tp.Orchestrator().run(); sc = tp.create_scenario(s); sc.submit(); assert sc.b.read() == 2"
    )

    # As an installed package runs: from its bytecode cache, which the first run writes when it
    # is missing or stale (an inherited PYTHONDONTWRITEBYTECODE would compile every module each run).
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}

    def best(arguments: list[str]) -> float:
        timings = []
        for _ in range(7):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, *arguments], check=True, capture_output=True, cwd=tempfile.mkdtemp(), env=env
            )
            timings.append(time.perf_counter() - start)
        return min(timings)

    empty = best(["-c", "pass"])
    total = best(["-c", code])
    return [
        row(
            f"import {module} + Orchestrator().run() + one development-mode job",
            total - empty,
            "s",
            None,
            f"(interpreter start-up {empty:.3f} s excluded)",
            "<= 0.1 s",
        )
    ]
