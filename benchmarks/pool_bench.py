"""Throughput and latency of the standalone worker pool, next to a bare ProcessPoolExecutor.

    python benchmarks/pool_bench.py [--workers 2] [--jobs 5000] [--rounds 5]

Prints, for the same worker count in the same run:

- the floor: trivial calls through ``concurrent.futures.ProcessPoolExecutor`` (it queues ahead of
  its workers and runs no per-job bookkeeping, so it is an upper bound, not a target);
- the project's workload: 50 "scenarios" of 2 chained trivial jobs, the second submitted from the
  listener when the first finishes (the dispatch side of the issue's target: at least 1/3 of the floor);
- a bulk run of independent trivial jobs, by reference and by value (a lambda);
- on an idle pool: submit -> ``job_started`` and run end -> ``job_finished`` (target <= 5 ms).
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from scenaria.dispatch.base import Outcome
from scenaria.dispatch.standalone import StandaloneDispatcher


def trivial(n: int) -> int:
    return n + 1


@dataclass
class Trivial:
    """A runnable like the orchestrator's: small, its function sent by reference."""

    function: Any
    argument: int

    def run(self) -> Any:
        return self.function(self.argument)


class CountingListener:
    """Counts endings; on ``chain`` submits the second job of a scenario when its first ends."""

    def __init__(self) -> None:
        self.pool: StandaloneDispatcher | None = None
        self.expected = 0
        self.finished = 0
        self.failures: list[Outcome] = []
        self.chain = False
        self.all_done = threading.Event()
        self.started = threading.Event()
        self.done = threading.Event()
        self.finished_at = 0.0
        self.run_ended_at = 0.0
        self.started_seen = 0.0

    def job_started(self, job_id: str, at: float) -> None:
        self.started_seen = time.time()
        self.started.set()

    def job_output(self, job_id: str, stream: str, text: str) -> None:
        pass

    def job_finished(self, outcome: Outcome) -> None:
        self.finished_at = time.time()
        self.run_ended_at = outcome.finished_at or 0.0
        if outcome.ending.name != "COMPLETED":
            self.failures.append(outcome)
        if self.chain and outcome.job_id.endswith("/1"):
            assert self.pool is not None
            self.pool.submit(outcome.job_id[:-1] + "2", runnables.Trivial(runnables.trivial, 2))
        self.finished += 1
        if self.finished == self.expected:
            self.all_done.set()
        self.done.set()


def bench_executor(workers: int, jobs: int, rounds: int) -> float:
    """Best jobs/s of a bare ProcessPoolExecutor running ``trivial`` ``jobs`` times."""
    best = 0.0
    with ProcessPoolExecutor(workers) as executor:
        executor.submit(trivial, 0).result()
        for _ in range(rounds):
            began = time.perf_counter()
            wait([executor.submit(trivial, n) for n in range(jobs)])
            best = max(best, jobs / (time.perf_counter() - began))
    return best


def run_batch(pool: StandaloneDispatcher, listener: CountingListener, submit: Any, expected: int) -> float:
    listener.finished, listener.expected = 0, expected
    listener.all_done.clear()
    began = time.perf_counter()
    submit()
    if not listener.all_done.wait(120):
        raise RuntimeError(f"only {listener.finished} of {expected} jobs finished")
    if listener.failures:
        raise RuntimeError(f"jobs failed: {listener.failures[:3]}")
    return expected / (time.perf_counter() - began)


def bench_pool(workers: int, jobs: int, rounds: int) -> dict[str, float]:
    listener = CountingListener()
    pool = StandaloneDispatcher(workers)
    listener.pool = pool
    began = time.perf_counter()
    pool.start(listener)
    figures = {"start (s)": time.perf_counter() - began}
    try:
        counter = iter(range(10**9))

        def scenarios() -> None:
            for _ in range(50):
                pool.submit(f"s{next(counter)}/1", runnables.Trivial(runnables.trivial, 1))

        def bulk(by_value: bool) -> Any:
            def submit() -> None:
                for n in range(jobs):
                    function = (lambda x: x + 1) if by_value else runnables.trivial
                    pool.submit(f"b{next(counter)}", runnables.Trivial(function, n))

            return submit

        listener.chain = True
        run_batch(pool, listener, scenarios, 100)  # warm-up
        figures["50x2 chained (jobs/s)"] = max(run_batch(pool, listener, scenarios, 100) for _ in range(rounds))
        listener.chain = False
        figures["bulk by reference (jobs/s)"] = max(run_batch(pool, listener, bulk(False), jobs) for _ in range(rounds))
        figures["bulk by value (jobs/s)"] = max(run_batch(pool, listener, bulk(True), jobs) for _ in range(rounds))
        figures.update(bench_latency(pool, listener))
    finally:
        pool.stop()
    return figures


def bench_latency(pool: StandaloneDispatcher, listener: CountingListener, samples: int = 300) -> dict[str, float]:
    """Idle pool: submit -> job_started, and the run's end -> job_finished, in milliseconds."""
    to_start, to_finish = [], []
    listener.expected = -1
    for n in range(samples):
        listener.started.clear()
        listener.done.clear()
        submitted = time.time()
        pool.submit(f"latency-{n}", runnables.Trivial(runnables.trivial, n))
        listener.started.wait(10)
        listener.done.wait(10)
        to_start.append((listener.started_seen - submitted) * 1000)  # arrival at the listener
        to_finish.append((listener.finished_at - listener.run_ended_at) * 1000)
    return {
        "idle submit->job_started median (ms)": statistics.median(to_start),
        "idle submit->job_started p99 (ms)": _p99(to_start),
        "idle run end->job_finished median (ms)": statistics.median(to_finish),
        "idle run end->job_finished p99 (ms)": _p99(to_finish),
    }


def _p99(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.99) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    floor = bench_executor(options.workers, options.jobs, options.rounds)
    print(f"{options.workers} workers, {options.jobs} trivial jobs, best of {options.rounds} rounds")
    print(f"  ProcessPoolExecutor floor (jobs/s)            {floor:10,.0f}")
    for name, value in bench_pool(options.workers, options.jobs, options.rounds).items():
        print(f"  {name:46}{value:10,.{0 if value > 100 else 3}f}")


# Workers import the runnables by reference, as they would the orchestrator's: from this file
# under its importable name, not as `__main__` (which cloudpickle would send by value).
if __name__ == "__main__":
    runnables = importlib.import_module(__spec__.name if __spec__ else "pool_bench")
    main()
else:
    runnables = sys.modules[__name__]
