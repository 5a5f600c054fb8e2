"""A local Dask cluster in its own process: ``python -m scenaria.dispatch.dask_cluster N``.

Dask starts local worker processes with multiprocessing's spawn, which re-runs the main
module of the process that asks: a user script without an ``if __name__ == "__main__":``
guard would start over in each worker. So the dask dispatcher starts the cluster from this
module instead, reads the scheduler's address on its standard output, and ends it by closing
its standard input (which it also does by dying: the cluster never outlives the orchestrator).
"""

from __future__ import annotations

import sys


def main() -> None:
    import dask
    from distributed import LocalCluster

    dask.config.set({"distributed.scheduler.allowed-failures": 0})  # a lost run is reported, not re-run
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        print(cluster.scheduler_address, flush=True)
        sys.stdin.read()  # returns at EOF: the orchestrator stopped or died


if __name__ == "__main__":
    main()
