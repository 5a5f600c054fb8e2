"""A peer for the ``throughput`` workload: the same chained trivial tasks on Dask's LocalCluster.

Not a floor (Dask's scheduler does bookkeeping of its own, but records nothing durable and writes
no output to a file): the engine the issue compares against, run in the same process after the
engine's figure, on the same machine, so that the two figures share the run's noise.
"""

from __future__ import annotations

import logging
import time

from benchmarks import tasks


def local_cluster_rate(scenarios: int = 50, rounds: int = 3) -> float:
    """Best jobs/s over ``rounds`` of ``scenarios`` chains of 2 trivial futures submitted at once, on a
    ``LocalCluster`` of 2 single-thread worker processes (one warm-up round first, as the engine's
    workers are warm when its rounds run)."""
    from distributed import Client, LocalCluster, wait

    logging.getLogger("distributed").setLevel(logging.ERROR)
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):

        def one_round() -> float:
            start = time.perf_counter()
            seconds = [client.submit(tasks.increment, 0, pure=False) for _ in range(scenarios)]
            wait([client.submit(tasks.increment, first, pure=False) for first in seconds])
            return time.perf_counter() - start

        one_round()
        best = min(one_round() for _ in range(rounds))
    return 2 * scenarios / best
