"""The dask dispatcher: jobs run on a Dask distributed cluster.

For when one machine is not enough: ``Config.configure_job_executions(mode="dask",
address="tcp://scheduler:8786")``, or no address for a ``LocalCluster`` of
``max_nb_of_workers`` single-threaded worker processes (started by ``dask_cluster``, so that
they never re-run the user's script). A job's run travels to a worker with
cloudpickle (Dask's own serialisation), reads and writes its data there — file data nodes must
then live on storage every worker reaches (a shared path or an fsspec URL) — and its outcome
comes back through its future, whose completion callback reports it.

What Dask cannot do: stop a task that already runs. ``cancel`` and a task's ``timeout`` drop
a queued job, and for a running one report it CANCELED (or timed out) at once and ignore its
result, but the worker finishes the call (its writes are staged and never committed).

A task that the cluster loses (its worker died and the scheduler gave up on it, or the
scheduler itself is gone) ends DIED, so that the job's ``max_retries`` apply and every run
counts as an attempt. Dask re-runs a task whose worker died ``allowed-failures`` times before
giving up; the local cluster sets that to 0 so that no run goes uncounted (set
``distributed.scheduler.allowed-failures: 0`` on a cluster of your own).
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from typing import Any

from scenaria.dispatch.base import Dispatcher, DispatchListener, Ending, Outcome, Runnable
from scenaria.dispatch.jobside import apply_levels, logger_levels
from scenaria.dispatch.pickling import RunnableNotPicklable, dumps_runnable
from scenaria.dispatch.run import Unpickled, execute, pack, unpack
from scenaria.exceptions import DependencyNotInstalled


def run_on_worker(
    payload: bytes, levels: dict[str, int]
) -> tuple[tuple[Any, ...], str, str, list[tuple[str, tuple[Any, ...]]], str, int]:
    """Run a job on a Dask worker; its packed end (see ``run.pack``), stdout, stderr, the log
    records and progress reports it sent (see ``jobside``), and the host and process that ran it.
    Never raises.

    The runnable comes pickled by ``pickling.dumps_runnable`` (not by Dask), so that functions
    sent by value keep their file and source lines for the worker's tracebacks.
    """
    apply_levels(levels)  # the orchestrator's, as it submitted the job
    stdout, stderr, records = io.StringIO(), io.StringIO(), io.StringIO()
    sent: list[tuple[str, tuple[Any, ...]]] = []
    ran = execute(
        Unpickled(payload), stdout, stderr, records=records, send=lambda kind, args: sent.append((kind, args))
    )
    packed = pack(ran)
    return (
        packed,
        stdout.getvalue(),
        stderr.getvalue(),
        [*sent, ("records", (records.getvalue(),))],
        socket.gethostname(),
        os.getpid(),
    )


class DaskDispatcher(Dispatcher):
    def __init__(self, address: str | None = None, max_workers: int = 1) -> None:
        self._address = address
        self._max_workers = max_workers
        self._listener: DispatchListener | None = None
        self._client: Any = None
        self._cluster: Any = None
        self._futures: dict[str, Any] = {}
        self._timers: dict[str, threading.Timer] = {}
        self._lock = threading.Lock()
        self._stopped = False
        self._declared: tuple[float, set[str]] = (-1e9, set())  # when, and the resources workers declare

    @classmethod
    def configured(
        cls, max_workers: int, properties: Mapping[str, Any], preload: tuple[str, ...] = ()
    ) -> DaskDispatcher:
        return cls(address=properties.get("address"), max_workers=max_workers)

    @property
    def max_workers(self) -> int:
        return self._max_workers

    def start(self, listener: DispatchListener) -> None:
        try:
            from distributed import Client
        except ImportError as exc:
            raise DependencyNotInstalled('The dask mode needs Dask distributed: pip install "scenaria[dask]"') from exc
        self._listener = listener
        address = self._address
        if not address:
            # The workers import what this process can: user modules reached through sys.path.
            environment = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
            self._cluster = subprocess.Popen(
                [sys.executable, "-m", "scenaria.dispatch.dask_cluster", str(self._max_workers)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=environment,
            )
            address = self._cluster.stdout.readline().strip()
            if not address:
                raise RuntimeError(
                    "The local Dask cluster did not start; run `python -m scenaria.dispatch.dask_cluster 1` to see why."
                )
        self._client = Client(address)

    def submit(
        self,
        job_id: str,
        runnable: Runnable,
        timeout: float | None = None,
        priority: int = 0,
        resources: Mapping[str, float] | None = None,
    ) -> None:
        assert self._listener is not None, "start() the dispatcher first"
        if self._stopped:
            raise RuntimeError("The dispatcher is stopped: it takes no more jobs.")
        try:
            payload = dumps_runnable(job_id, runnable)
        except RunnableNotPicklable as exc:
            self._listener.job_finished(Outcome(job_id, Ending.FAILED, error=exc, traceback=str(exc)))
            return
        # a key of its own per run: a retry must not get back the erred future of the run before
        key = f"scenaria-{job_id}-{uuid.uuid4().hex[:8]}"
        placement = self._placement(priority, resources)
        future = self._client.submit(run_on_worker, payload, logger_levels(), key=key, pure=False, **placement)
        with self._lock:
            self._futures[job_id] = future
            if timeout is not None:
                timer = threading.Timer(timeout, self._expire, (job_id, timeout))
                timer.daemon = True
                self._timers[job_id] = timer
                timer.start()
        # Dask does not tell the client when a task starts: the job counts as running once handed over.
        self._listener.job_started(job_id, time.time())
        future.add_done_callback(lambda done: self._finished(job_id, done))

    def _placement(self, priority: int, resources: Mapping[str, float] | None) -> dict[str, Any]:
        """``client.submit``'s ``priority``, and the task's ``resources`` that a worker of the cluster
        declares (``dask worker --resources "gpu=1"``): Dask runs the job on such a worker, within
        its amount. A resource no worker declares is left out: scenaria's own limit holds it
        (``orchestrator.capacity``), and Dask would otherwise keep the job waiting for ever."""
        placement: dict[str, Any] = {"priority": priority} if priority else {}
        if any(amount > 0 for amount in (resources or {}).values()):
            declared = self._declared_resources()
            on_workers = {name: amount for name, amount in (resources or {}).items() if amount > 0 and name in declared}
            if on_workers:
                placement["resources"] = on_workers
        return placement

    def _declared_resources(self) -> set[str]:
        """The resource names the cluster's workers declare, asked again after 5 s (workers come and go)."""
        at, names = self._declared
        if time.monotonic() - at > 5.0:
            workers = self._client.scheduler_info()["workers"].values()
            names = {name for worker in workers for name in (worker.get("resources") or {})}
            self._declared = (time.monotonic(), names)
        return names

    def _finished(self, job_id: str, future: Any) -> None:
        if not self._forget(job_id):
            return  # canceled or timed out: already reported
        if future.cancelled():  # not by cancel() (it forgets the job first): the cluster lost it
            reason = f"The Dask cluster lost job {job_id} (its scheduler is gone, or it was canceled outside scenaria)."
            outcome = Outcome(job_id, Ending.DIED, traceback=reason)
        elif future.exception() is not None:
            error = future.exception()
            text = f"{type(error).__name__}: {error}"
            if type(error).__name__ == "KilledWorker":
                reason = f"The Dask worker running job {job_id} died ({text})."
                outcome = Outcome(job_id, Ending.DIED, error=error, traceback=reason)
            else:
                outcome = Outcome(job_id, Ending.FAILED, error=error, traceback=text)
        else:
            message, out, err, sent, host, pid = future.result()
            *sent, (_, (records,)) = sent
            details = {"host": host, "pid": pid}
            outcome = Outcome(job_id, stdout=out, stderr=err + records, details=details, **unpack(job_id, message))
            self._replay(job_id, out, err, sent)
        assert self._listener is not None
        self._listener.job_finished(outcome)

    def _replay(self, job_id: str, out: str, err: str, sent: list[tuple[str, tuple[Any, ...]]]) -> None:
        """What the job printed, logged and reported, as it ended: Dask brings it back with the result."""
        listener = self._listener
        assert listener is not None
        for kind, args in sent:  # in the order the job sent them
            if kind == "log":
                listener.job_log(job_id, args[0])  # their text is kept in the job's stderr already
            else:
                listener.job_progress(job_id, *args)
        for stream, text in (("stdout", out), ("stderr", err)):
            if text:
                listener.job_output(job_id, stream, text)

    def _forget(self, job_id: str) -> Any:
        with self._lock:
            timer = self._timers.pop(job_id, None)
            if timer is not None:
                timer.cancel()
            return self._futures.pop(job_id, None)

    def _expire(self, job_id: str, timeout: float) -> None:
        future = self._forget(job_id)
        if future is not None:
            future.cancel()
            assert self._listener is not None
            self._listener.job_finished(
                Outcome(job_id, Ending.TIMED_OUT, traceback=f"Job {job_id} timed out after {timeout:g} s.")
            )

    def cancel(self, job_id: str) -> bool:
        future = self._forget(job_id)
        if future is None:
            return False
        future.cancel()
        assert self._listener is not None
        self._listener.job_finished(Outcome(job_id, Ending.CANCELED))
        return True

    def stop(self, wait: bool = True) -> None:
        with self._lock:
            self._stopped = True
            for timer in self._timers.values():
                timer.cancel()
            self._timers.clear()
            futures = list(self._futures.values())
            self._futures.clear()
        if self._client is not None:
            for future in futures:
                future.cancel()
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.stdin.close()
            self._cluster.wait(timeout=30 if wait else 5)
            self._cluster.stdout.close()
            self._cluster = None
