"""The cost of resource limits: standalone throughput with the scheduler's gate beside the same run without.

Registered into ``workloads.WORKLOADS`` (imported at the end of ``workloads``):
``python -m benchmarks --only limits``. With capacities declared the scheduler hands a job to
the workers only when a worker and the resources it uses are free (``orchestrator/capacity.py``),
so each job waits for one trip through the scheduler (the next job is handed over when a run's
end is reported, before it is recorded) that an ungated job, already in the workers' queue, does
not: that trip is what this measures, on the ``throughput`` workload.
"""

from __future__ import annotations

import time
from typing import Any

from benchmarks import tasks
from benchmarks.workloads import row, wait_all, workload


def _rate(tp: Any, resources: dict[str, float] | None) -> float:
    """Jobs per second, best of 3, of 50 scenarios of 2 chained trivial tasks on 2 workers."""
    Config = tp.Config
    prefix = "gated" if resources else "free"
    nodes = [Config.configure_data_node(f"{prefix}0", default_data=0)]
    nodes += [Config.configure_data_node(f"{prefix}{i}") for i in (1, 2)]
    uses = {"resources": {"db": 1}} if resources else {}
    steps = [Config.configure_task(f"{prefix}_t{i}", tasks.increment, nodes[i], nodes[i + 1], **uses) for i in (0, 1)]
    config = Config.configure_scenario(f"{prefix}_scenario", task_configs=steps)
    Config.configure_job_executions(mode="standalone", max_nb_of_workers=2, resources=resources)
    tp.Orchestrator().run()
    best = float("inf")
    for _ in range(3):
        scenarios = [tp.create_scenario(config) for _ in range(50)]
        start = time.perf_counter()
        wait_all([scenario.submit() for scenario in scenarios])
        best = min(best, time.perf_counter() - start)
    tp.Orchestrator().stop()
    return 100 / best


@workload
def limits(tp: Any, quick: bool) -> list[dict[str, Any]]:
    free = _rate(tp, None)
    gated = _rate(tp, {"db": 2})  # as many as workers: the limit itself holds nothing back
    return [
        row(
            "throughput with resource limits (db: 2, every task uses 1), 2 workers",
            gated,
            "jobs/s",
            free,
            "the same jobs without limits, same run",
            "",
            better="higher",
        )
    ]
