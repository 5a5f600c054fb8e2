"""The dask dispatcher: jobs run on a Dask distributed cluster.

For when one machine is not enough: ``Config.configure_job_executions(mode="dask",
address="tcp://scheduler:8786")``, or no address for a ``LocalCluster`` of
``max_nb_of_workers`` single-threaded worker processes (started by ``dask_cluster``, so that
they never re-run the user's script). A job's run travels to a worker with
cloudpickle, reads and writes its data there — file data nodes must then live on storage every
worker reaches (a shared path or an fsspec URL) — and its end comes back through its future,
whose completion callback reports it.

On the worker, the job runs in a child process of the Dask worker (``dask_worker``), which the
task watches: so ``cancel``, a ``stop`` and the orchestrator's death (its client is gone, the
scheduler lets go of its tasks) kill the job's process for real, and a task's ``timeout`` counts
from when the job really starts there, never while it waits in the cluster's queue. What the
job prints, logs and reports comes back while it runs, as Dask events on a topic of this
dispatcher; the job counts as started when its "started" event arrives.

A task that the cluster loses (its worker died and the scheduler gave up on it, or the
scheduler itself is gone) ends DIED, so that the job's ``max_retries`` apply and every run
counts as an attempt. Dask re-runs a task whose worker died ``allowed-failures`` times before
giving up; the local cluster sets that to 0 so that no run goes uncounted (set
``distributed.scheduler.allowed-failures: 0`` on a cluster of your own). Jobs that wait while
no worker is connected fail after ``no_worker_timeout`` seconds, saying so.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scenaria.dispatch.base import ANYWHERE, Dispatcher, DispatchListener, Ending, Outcome, Placement, Runnable
from scenaria.dispatch.capture import DEFAULT_MAX_OUTPUT, Capped
from scenaria.dispatch.dask_worker import CHILD_DIED, KILLED_CANCELED, KILLED_TIMED_OUT, prepare_children, run_on_worker
from scenaria.dispatch.jobside import logger_levels
from scenaria.dispatch.pickling import RunnableNotPicklable, dumps_runnable
from scenaria.dispatch.reporter import Reporter
from scenaria.dispatch.run import unpack
from scenaria.exceptions import DependencyNotInstalled, JobTimeout, NoDaskWorker, WorkerDied

_logger = logging.getLogger("scenaria")
NO_WORKER_TIMEOUT = 60.0  # seconds a job may wait while no Dask worker is connected
SEND_INTERVAL = 0.0005  # seconds between two batches of the client's messages to the scheduler (see ``quicken``)


def quicken(client: Any) -> None:
    """Let the client's messages to the scheduler leave within ``SEND_INTERVAL`` of each other.

    A Dask client sends at most one batch of messages every 10 ms. A job whose upstream job just
    ended is submitted a millisecond or two after the previous submit left, so in a chain every
    job waited out the rest of those 10 ms: that, not the cluster, was the engine's pace. Set
    again at each submit, since a client that reconnects makes a new stream with Dask's interval.
    """
    stream = getattr(client, "scheduler_comm", None)
    if stream is not None and getattr(stream, "interval", 0) > SEND_INTERVAL:
        stream.interval = SEND_INTERVAL


@dataclass
class _Job:
    """A job handed to the cluster: its future, and what its live reports said so far."""

    future: Any
    submitted: float  # time.monotonic()
    timeout: float | None
    out: Capped
    err: Capped
    started: bool = False
    host: str | None = None
    pid: int | None = None


class DaskDispatcher(Dispatcher):
    def __init__(
        self,
        address: str | None = None,
        max_workers: int = 1,
        no_worker_timeout: float = NO_WORKER_TIMEOUT,
        max_output: int = DEFAULT_MAX_OUTPUT,
    ) -> None:
        self._address = address
        self._max_output = max_output
        self._max_workers = max_workers
        self._no_worker_timeout = no_worker_timeout
        self._reporter: Reporter | None = None
        self._client: Any = None
        self._cluster: Any = None
        self._jobs: dict[str, _Job] = {}
        # Futures of ended jobs, let go of together once a second (by the watchdog): each release is
        # a message to the scheduler, and the client's stream holds a message sent within 10 ms of
        # another one back, so releasing each at its job's end would delay the next job's submit.
        self._spent: list[Any] = []
        self._lock = threading.Lock()
        self._stopped = False
        self._topic = f"scenaria-{uuid.uuid4().hex}"
        self._watchdog: threading.Thread | None = None
        self._declared: tuple[float, set[str]] = (-1e9, set())  # when, and the resources workers declare

    @classmethod
    def configured(
        cls, max_workers: int, properties: Mapping[str, Any], preload: tuple[str, ...] = ()
    ) -> DaskDispatcher:
        wait = properties.get("no_worker_timeout")
        return cls(address=properties.get("address"), max_workers=max_workers,
                   no_worker_timeout=NO_WORKER_TIMEOUT if wait is None else float(wait),
                   max_output=int(properties.get("max_output_size", DEFAULT_MAX_OUTPUT)))  # fmt: skip

    @property
    def max_workers(self) -> int:
        return self._max_workers

    def start(self, listener: DispatchListener) -> None:
        try:
            from distributed import Client
        except ImportError as exc:
            raise DependencyNotInstalled('The dask mode needs Dask distributed: pip install "scenaria[dask]"') from exc
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
            self._address = address
        self._reporter = Reporter(listener, "scenaria-dask-reporter")
        self._client = Client(address)
        self._client.run(prepare_children, wait=False, on_error="ignore")  # a worker that cannot starts them later
        self._client.subscribe_topic(self._topic, self._on_event)
        self._watchdog = threading.Thread(target=self._watch_workers, name="scenaria-dask-watchdog", daemon=True)
        self._watchdog.start()

    def submit(
        self,
        job_id: str,
        runnable: Runnable,
        timeout: float | None = None,
        placement: Placement = ANYWHERE,
    ) -> None:
        reporter = self._reporter
        assert reporter is not None, "start() the dispatcher first"
        if self._stopped:
            raise RuntimeError("The dispatcher is stopped: it takes no more jobs.")
        try:
            payload = dumps_runnable(job_id, runnable)
        except RunnableNotPicklable as exc:
            reporter.finished(Outcome(job_id, Ending.FAILED, error=exc, traceback=str(exc)))
            return
        # a key of its own per run: a retry must not get back the erred future of the run before
        key = f"scenaria-{job_id}-{uuid.uuid4().hex[:8]}"
        arguments = (payload, logger_levels(), job_id, self._topic, timeout, self._max_output)
        keywords = self._placement(placement)
        with self._lock:
            quicken(self._client)
            future = self._client.submit(run_on_worker, *arguments, key=key, pure=False, **keywords)
            limit = self._max_output
            self._jobs[job_id] = _Job(future, time.monotonic(), timeout, Capped(limit), Capped(limit))
        future.add_done_callback(lambda done: self._finished(job_id, done))

    def _placement(self, placement: Placement) -> dict[str, Any]:
        """The task's ``Client.submit`` keywords: where and how the cluster may run it.

        ``priority``; the task's ``resources`` that a worker of the cluster declares (``dask
        worker --resources "gpu=1"``): Dask runs the job on such a worker, within its amount. A
        resource no worker declares is left out: scenaria's own limit holds it
        (``orchestrator.capacity``), and Dask would otherwise keep the job waiting for ever.
        ``workers``: only on those (names or addresses), never elsewhere, so a restriction the
        user set is kept even when those workers are busy or gone (the job then waits).
        """
        keywords: dict[str, Any] = {"priority": placement.priority} if placement.priority else {}
        if placement.workers:
            keywords.update(workers=list(placement.workers), allow_other_workers=False)
        resources = placement.resources
        if any(amount > 0 for amount in resources.values()):
            declared = self._declared_resources()
            on_workers = {name: amount for name, amount in resources.items() if amount > 0 and name in declared}
            if on_workers:
                keywords["resources"] = on_workers
        return keywords

    def _declared_resources(self) -> set[str]:
        """The resource names the cluster's workers declare, asked again after 5 s (workers come and go)."""
        at, names = self._declared
        if time.monotonic() - at > 5.0:
            workers = self._client.scheduler_info()["workers"].values()
            names = {name for worker in workers for name in (worker.get("resources") or {})}
            self._declared = (time.monotonic(), names)
        return names

    def _on_event(self, event: tuple[float, list[Any]]) -> None:
        """A report of a running job (on the client's event loop), in the order the worker sent them."""
        job_id, kind, *args = event[1]
        reporter = self._reporter
        assert reporter is not None
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                return  # ended (canceled) meanwhile: nothing more is reported
            if kind == "started":
                job.started, job.host, job.pid = True, args[1], args[2]
                reporter.started(job_id, args[0])
            elif kind == "output":
                (job.out if args[0] == "stdout" else job.err).append(args[1])
                reporter.output(job_id, args[0], args[1])
            elif kind == "log":
                job.err.append(args[1])
                reporter.log(job_id, args[0])
            elif kind == "progress":
                reporter.progress(job_id, args[0], args[1])
            elif kind == "ended":
                del self._jobs[job_id]
                self._spent.append(job.future)
                end = args[0]
                if not end.get("announced", True):  # it ended before its start was published
                    job.started, job.host, job.pid = True, end["host"], end["pid"]
                    reporter.started(job_id, end["started_at"])
                try:
                    outcome = self._ended(job_id, job, end, str(job.out), str(job.err))
                except Exception as exc:  # a bug here must end the job, not leave it running for ever
                    _logger.exception("The end of job %s could not be read.", job_id)
                    outcome = Outcome(job_id, Ending.FAILED, error=exc, traceback=f"{type(exc).__name__}: {exc}")
                reporter.finished(outcome)

    def _finished(self, job_id: str, future: Any) -> None:
        """The task's future is done: its end came as an event already, unless the cluster lost it."""
        ran_at: float | None = None  # when the run started, if its start was not reported yet
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.future is not future:
                return  # ended, canceled or failed meanwhile: already reported
        if future.cancelled():  # not by cancel() (it forgets the job first): the cluster lost it
            reason = f"The Dask cluster lost job {job_id} (its scheduler is gone, or it was canceled outside scenaria)."
            outcome = Outcome(job_id, Ending.DIED, error=WorkerDied(reason), traceback=reason)
        elif future.exception() is not None:
            error = future.exception()
            text = f"{type(error).__name__}: {error}"
            if type(error).__name__ == "KilledWorker":
                reason = f"The Dask worker running job {job_id} died ({text})."
                outcome = Outcome(job_id, Ending.DIED, error=WorkerDied(reason), traceback=reason)
            else:
                outcome = Outcome(job_id, Ending.FAILED, error=error, traceback=text)
        else:  # its "ended" event went missing: the result says the same
            end = future.result()
            outcome = self._ended(job_id, job, end, end["stdout"], end["stderr"])
            ran_at = end["started_at"]
        with self._lock:
            if self._jobs.get(job_id) is not job:
                return
            del self._jobs[job_id]
            if ran_at is None and outcome.ending is Ending.DIED:  # it may have run: the attempt counts
                ran_at = time.time()
            if not job.started and ran_at is not None:
                assert self._reporter is not None
                self._reporter.started(job_id, ran_at)
            if "pid" not in outcome.details and job.pid is not None:
                outcome.details.update(host=job.host, pid=job.pid)
        assert self._reporter is not None
        self._reporter.finished(outcome)

    @staticmethod
    def _ended(job_id: str, job: _Job, end: dict[str, Any], stdout: str, stderr: str) -> Outcome:
        """The outcome of a run that the worker saw to its end."""
        ending = end["ending"]
        details = {"host": end["host"], "pid": end["pid"]}
        common: dict[str, Any] = {"stdout": stdout, "stderr": stderr, "details": details}
        if not isinstance(ending, str):
            return Outcome(job_id, **common, **unpack(job_id, tuple(ending)))
        common.update(started_at=end["started_at"], finished_at=end["finished_at"])
        if ending == KILLED_TIMED_OUT:
            reason = f"Job {job_id} timed out after {job.timeout:g} s; its process was killed."
            return Outcome(job_id, Ending.TIMED_OUT, error=JobTimeout(reason), traceback=reason, **common)
        if ending == CHILD_DIED:
            reason = f"The process running job {job_id} died: {end['reason']}."
        else:
            assert ending == KILLED_CANCELED
            reason = f"The Dask cluster let go of job {job_id} while it ran ({end['reason']})."
        return Outcome(job_id, Ending.DIED, error=WorkerDied(reason), traceback=reason, **common)

    def _forget(self, job_id: str) -> _Job | None:
        with self._lock:
            return self._jobs.pop(job_id, None)

    def cancel(self, job_id: str) -> bool:
        job = self._forget(job_id)
        if job is None:
            return False
        job.future.cancel()  # the worker sees the task let go of, and kills the job's process
        assert self._reporter is not None
        self._reporter.finished(Outcome(job_id, Ending.CANCELED, details=self._where(job)))
        return True

    @staticmethod
    def _where(job: _Job) -> dict[str, Any]:
        return {} if job.pid is None else {"host": job.host, "pid": job.pid}

    def where(self, job_id: str) -> dict[str, Any]:
        with self._lock:
            job = self._jobs.get(job_id)
            return {} if job is None else self._where(job)

    def _watch_workers(self) -> None:
        """Fail the jobs that waited ``no_worker_timeout`` s while no worker was connected."""
        interval = min(1.0, max(self._no_worker_timeout / 4, 0.05))
        alone_since: float | None = None
        while not self._stopped:
            time.sleep(interval)
            with self._lock:
                waiting = [(job_id, job) for job_id, job in self._jobs.items() if not job.started]
                self._spent.clear()
            if not waiting:
                alone_since = None
                continue
            try:
                workers = len(self._client.nthreads())
            except Exception:  # the scheduler is gone: the futures say so
                continue
            if workers:
                alone_since = None
                continue
            now = time.monotonic()
            if alone_since is None:
                alone_since = now
                _logger.warning("No Dask worker is connected to %s: %d job(s) wait.", self._address, len(waiting))
            for job_id, job in waiting:
                if now - max(alone_since, job.submitted) >= self._no_worker_timeout:
                    self._fail_unplaced(job_id)

    def _fail_unplaced(self, job_id: str) -> None:
        job = self._forget(job_id)
        if job is None:
            return
        job.future.cancel()
        reason = (
            f"Job {job_id} waited {self._no_worker_timeout:g} s while no Dask worker was connected to the "
            f"scheduler at {self._address}. Start workers (`dask worker {self._address}`), or give the "
            "job execution config a longer no_worker_timeout."
        )
        assert self._reporter is not None
        self._reporter.finished(Outcome(job_id, Ending.FAILED, error=NoDaskWorker(reason), traceback=reason))

    def stop(self, wait: bool = True) -> None:
        with self._lock:
            self._stopped = True
            jobs = list(self._jobs.values())
            self._jobs.clear()
        if self._client is not None:
            for job in jobs:
                job.future.cancel()  # their workers kill the jobs' processes
            self._client.close()
            self._client = None
        if self._reporter is not None:
            self._reporter.close()
            self._reporter.join(30 if wait else 5)
        if self._cluster is not None:
            self._cluster.stdin.close()
            self._cluster.wait(timeout=30 if wait else 5)
            self._cluster.stdout.close()
            self._cluster = None
