"""Workloads of what a job reports besides its result: progress and log records (issue 12 targets).

Registered into ``workloads.WORKLOADS`` (imported at the end of ``workloads``), so they run as any
workload: ``python -m benchmarks --only progress_cost log_records``.

Both interleave the figure and its floor (one of each per repeat, in the same process) and report
medians, so that a machine busy with something else in one repeat moves both alike. The progress
loop is timed in CPU time of the job's thread: what ``report_progress`` costs the job, without the
time other processes take from it.
"""

from __future__ import annotations

import logging
import statistics
import time
from typing import Any

from benchmarks.workloads import row, workload

CALLS = 100_000
RECORDS = 10_000


def progress_loop(reporting: bool) -> float:
    """A job's loop of ``CALLS`` small steps (about 1 s in all), reporting its progress at each step
    or not; returns the loop's own run time (CPU time of the job's thread), measured in the job."""
    import scenaria

    started = time.thread_time()
    for index in range(CALLS):
        sum(range(1500))  # a small step of real work (about 10 µs)
        if reporting:
            scenaria.report_progress(index / CALLS)
    return time.thread_time() - started


def emit_records(count: int) -> int:
    logger = logging.getLogger("bench.records")
    for index in range(count):
        logger.warning("record %d of %d", index, count)
    return count


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []
        self.done = time.perf_counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
        self.done = time.perf_counter()


@workload
def progress_cost(tp: Any, quick: bool) -> list[dict[str, Any]]:
    """report_progress at every step of a 100,000-step loop in a standalone job, beside the same loop silent."""
    Config = tp.Config
    Config.configure_job_executions(mode="standalone", max_nb_of_workers=1)
    flag = Config.configure_data_node("reporting", default_data=False)
    took = Config.configure_data_node("took")
    scenario_config = Config.configure_scenario("p", [Config.configure_task("loop", progress_loop, flag, took)])
    tp.Orchestrator().run()
    scenario = tp.create_scenario(scenario_config)
    times: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(4 if quick else 9):
        for reporting in (False, True):
            scenario.reporting.write(reporting)
            scenario.submit(wait=True, timeout=120)
            times[reporting].append(scenario.took.read())
    tp.Orchestrator().stop()
    # each repeat's pair ran back to back: the median of their ratios cancels a slower phase of the machine
    silent = statistics.median(times[False])
    ratios = [loud / quiet for quiet, loud in zip(times[False], times[True], strict=True)]
    reporting_time = silent * statistics.median(ratios)
    return [
        row("progress: 100,000 report_progress in a standalone job (loop CPU time, median of pairs)",
            reporting_time * 1e3, "ms", floor=silent * 1e3,
            floor_name="the same loop without report_progress, interleaved",
            target="<= 1.05x floor"),
    ]  # fmt: skip


@workload
def log_records(tp: Any, quick: bool) -> list[dict[str, Any]]:
    """10,000 records of one standalone job reaching a handler here, beside the same records emitted here."""
    collect = _Collect()
    logger = logging.getLogger("bench.records")
    logger.addHandler(collect)
    logger.propagate = False
    Config = tp.Config
    Config.configure_job_executions(mode="standalone", max_nb_of_workers=1)
    count = Config.configure_data_node("count", default_data=RECORDS)
    out = Config.configure_data_node("out")
    scenario_config = Config.configure_scenario("l", [Config.configure_task("emit", emit_records, count, out)])
    tp.Orchestrator().run()
    scenario = tp.create_scenario(scenario_config)
    remote, local = [], []
    for _ in range(5 if quick else 9):
        collect.messages.clear()
        started = time.perf_counter()
        submission = scenario.submit()
        submission.wait(120)
        while len(collect.messages) < RECORDS:
            time.sleep(0.001)
        remote.append(collect.done - started)
        assert collect.messages == [f"record {i} of {RECORDS}" for i in range(RECORDS)], "records out of order"
        collect.messages.clear()
        started = time.perf_counter()
        emit_records(RECORDS)
        local.append(time.perf_counter() - started)
    tp.Orchestrator().stop()
    return [
        row("logs: 10,000 records of a standalone job handled here, in order (submit -> last handled, median)",
            statistics.median(remote) * 1e3, "ms", floor=statistics.median(local) * 1e3,
            floor_name="the same 10,000 records emitted and handled in this process, interleaved",
            target="<= 2x floor"),
    ]  # fmt: skip
