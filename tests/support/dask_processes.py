"""A multi-process Dask cluster for tests: a ``dask scheduler`` and ``dask worker --nthreads 1`` processes.

Not a ``LocalCluster``: each part is its own process, as on several hosts, so that a test can
SIGKILL a worker or the scheduler. The scheduler runs with ``allowed-failures`` 0 (as
docs/distributed.md asks), so Dask reports a lost task instead of re-running it unseen.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.support.network import free_port
from tests.support.scripts import child_env

DASK = str(Path(sys.executable).with_name("dask"))


class DaskProcesses:
    def __init__(self, workers: int, cwd: Path, nthreads: int = 1) -> None:
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.cwd = cwd
        self.nthreads = nthreads
        self.env = {**child_env(), "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"}
        self.scheduler = self._start([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(self.port),
                                      "--no-dashboard"])  # fmt: skip
        self.workers: list[subprocess.Popen] = []
        try:
            self.workers.extend(self.start_worker() for _ in range(workers))
            self.wait_for_workers(workers)
        except BaseException:  # no process left behind by a cluster that did not start
            self.stop()
            raise

    def _start(self, command: list[str]) -> subprocess.Popen:
        return subprocess.Popen(command, cwd=self.cwd, env=self.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)  # fmt: skip

    def start_worker(self, *options: str) -> subprocess.Popen:
        """One more worker; ``options`` such as ``"--resources", "gpu=1"`` or ``"--name", "pinned"`` go
        to ``dask worker``."""
        return self._start([DASK, "worker", self.address, "--nthreads", str(self.nthreads), "--no-dashboard",
                            "--no-nanny", *options])  # fmt: skip

    def wait_for_workers(self, count: int, timeout: float = 60) -> None:
        from distributed import Client

        deadline = time.monotonic() + timeout
        while True:
            try:
                with Client(self.address, timeout=5) as client:
                    if count:  # with none, a connection says that the scheduler is up
                        client.wait_for_workers(count, timeout=max(1, deadline - time.monotonic()))
                    return
            except OSError:
                assert time.monotonic() < deadline, "the Dask cluster never started"
                time.sleep(0.2)

    def stop(self) -> None:
        for process in [*self.workers, self.scheduler]:
            if process.poll() is None:
                process.kill()
        for process in [*self.workers, self.scheduler]:
            process.wait(10)
