"""The dispatcher contract: how the orchestrator hands jobs to whatever runs them.

The orchestration loop is the same in every mode; a mode only picks a dispatcher:

- ``development``: runs each job in the caller's thread, one after another;
- ``standalone``: a pool of local worker processes;
- ``dask``: a Dask distributed cluster.

A dispatcher receives *runs*: picklable objects whose ``run()`` method does a job's work (read
the inputs, call the task's function, write the outputs) and returns a small picklable summary.
It reports what happens to each run through the ``DispatchListener`` it was started with:
``job_started`` when the run really begins, ``job_output`` for what the run prints (as it
prints it), ``job_log`` for the log records it emits where they are not the orchestrator's own,
``job_progress`` for its progress reports, and ``job_finished`` exactly once per run with its
``Outcome``. The orchestrator is
the only one to turn these reports into job states: dispatchers never touch the store.
"""

from __future__ import annotations

import abc
import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

#: why no orchestrator may start in this process, when none may: a worker process (standalone,
#: Dask) sets it, so that a module a job imports which runs its application at import time fails
#: that job saying how to fix it, instead of taking over the orchestrator's store (``Orchestrator.run``)
no_orchestrator_here: str | None = None


class Ending(enum.Enum):
    """How a run ended."""

    COMPLETED = "completed"  # run() returned; Outcome.result holds its value
    FAILED = "failed"  # run() raised; Outcome.error / traceback say what
    CANCELED = "canceled"  # cancel() stopped it (a running one had its process killed)
    TIMED_OUT = "timed_out"  # it ran longer than its timeout and was killed
    DIED = "died"  # the process running it died (exit, signal, out of memory)


@dataclass
class Outcome:
    """What became of one run."""

    job_id: str
    ending: Ending
    result: Any = None
    error: BaseException | None = None
    traceback: str = ""  # formatted traceback, or the reason (exit code, signal, timeout)
    stdout: str = ""
    stderr: str = ""  # includes logging records emitted by the run
    started_at: float | None = None  # time.time() when the run began, None if it never did
    finished_at: float | None = None
    details: dict[str, Any] = field(default_factory=dict)


class DispatchListener(Protocol):
    """Receives the reports of a dispatcher. Calls may come from any thread."""

    def job_started(self, job_id: str, at: float) -> None: ...

    def job_output(self, job_id: str, stream: str, text: str) -> None: ...

    def job_log(self, job_id: str, records: list[dict[str, Any]]) -> None:
        """Log records the job emitted in another process, as plain data (see ``jobside``)."""

    def job_progress(self, job_id: str, fraction: float, message: str | None) -> None:
        """The job's ``report_progress`` (rate limited)."""

    def job_finished(self, outcome: Outcome) -> None: ...


class Runnable(Protocol):
    """A job's work, as sent to a dispatcher. Must pickle (cloudpickle) and run anywhere."""

    def run(self) -> Any: ...


@dataclasses.dataclass(frozen=True)
class Placement:
    """Where and in what order a run may go, as its task and submission say.

    ``resources`` is what one run uses: the scheduler already keeps within the capacities, a
    dispatcher may place runs by it (Dask worker resources). ``workers`` names the cluster
    workers the run may go to (dask mode; the local modes have one place).
    """

    priority: int = 0
    resources: Mapping[str, float] = dataclasses.field(default_factory=dict)
    workers: tuple[str, ...] = ()


ANYWHERE = Placement()


class Dispatcher(abc.ABC):
    """Runs jobs and reports on them. One per orchestrator."""

    @abc.abstractmethod
    def start(self, listener: DispatchListener) -> None:
        """Get ready to run jobs (start workers, connect to a cluster). Returns when ready."""

    @abc.abstractmethod
    def submit(
        self,
        job_id: str,
        runnable: Runnable,
        timeout: float | None = None,
        placement: Placement = ANYWHERE,
    ) -> None:
        """Run ``runnable`` as job ``job_id``, at most ``timeout`` seconds once started.

        Asynchronous dispatchers queue it and return at once; queued jobs start higher
        ``placement.priority`` first, then in submission order, as workers allow. The development
        dispatcher runs it before returning. See ``Placement`` for the rest.
        """

    @abc.abstractmethod
    def cancel(self, job_id: str) -> bool:
        """Stop a queued or running job: ``job_finished`` then reports it CANCELED.

        Returns False when the job is unknown or already finished (nothing to stop). Must not
        wait for the listener: the orchestrator may call it while holding its own lock.
        """

    @property
    def runs_later(self) -> bool:
        """True while ``submit`` only queues a run, to start once the caller's report handling
        returns (the development dispatcher, reporting a run's end): the scheduler then launches
        the jobs that end released inside the store write of that end, and the start the
        dispatcher reports for the first of them (``job_started``, at once) joins that write."""
        return False

    def where(self, job_id: str) -> dict[str, Any]:
        """Where job ``job_id`` runs now (``host``, ``pid``), empty when that is not known here:
        asked before a cancel, so that the canceled run is recorded with its process."""
        return {}

    @abc.abstractmethod
    def stop(self, wait: bool = True) -> None:
        """Stop running jobs and release the workers. Queued jobs are dropped unreported.

        Running jobs are killed unreported too (they stay unfinished in the store). With
        ``wait``, reports made before the stop are all delivered before it returns, and none after.
        """

    @classmethod
    def configured(cls, max_workers: int, properties: Mapping[str, Any], preload: tuple[str, ...] = ()) -> Dispatcher:
        """The dispatcher that a job execution configuration describes: its ``max_nb_of_workers``,
        its mode's ``properties``, and the modules that every job needs (for workers to preload)."""
        return cls()

    @property
    @abc.abstractmethod
    def max_workers(self) -> int:
        """How many jobs may run at once."""
