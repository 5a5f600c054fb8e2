"""The scheduler: turns submissions into jobs, jobs into runs, and run reports into job states.

It is the only writer of job states. It is the same in every mode; the mode only chooses the
dispatcher that runs the jobs (and whether callbacks run inline or on their own thread).

How a job moves (see ``entities.status.TRANSITIONS``):

- At submit, every output of every job is locked, then each job, in graph order, is BLOCKED
  while one of its inputs is locked (a job upstream will write it, or an editor holds it), or
  PENDING and handed to the dispatcher. A job whose input was never written and that no job
  or editor is about to write FAILS at once, saying so: it would otherwise wait forever.
- Jobs that write the same data node (two submissions of one scenario at once) write it in
  the order they were created: a later writer is BLOCKED until the earlier ones end, and the
  node stays locked until its last writer ends, so that its readers see the last write only.
- Nothing is rescanned: each blocked job waits on a set of data nodes, and unlocking a data
  node (a job's end, an editor's ``unlock_edit``) releases exactly the jobs waiting on it.
- A PENDING job is SKIPPED when its task is skippable and its outputs were computed from the
  same code, configuration and inputs (``skipping.decide``, which also says why in
  ``job.run_reason``, and may reuse another scenario's outputs), else it goes to the dispatcher
  once the resources its task uses are free, higher priority first (``capacity``), becomes
  RUNNING when the dispatcher really starts it, then COMPLETED or FAILED (after its retries), or
  CANCELED. The jobs of the same submission downstream of a failed or canceled job
  are ABANDONED.
- A run's writes are staged where it runs (``TaskRun``) and committed here, all together, when
  its COMPLETED report is accepted while the job holds its outputs' locks (``outputs.commit``);
  a report that comes too late, or never (stopped or killed orchestrator), changes no output.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from typing import Any

from scenaria.dispatch.base import Dispatcher, Ending, Outcome, Placement
from scenaria.entities import ports
from scenaria.entities.base import now
from scenaria.entities.create import create_submission
from scenaria.entities.job import Job
from scenaria.entities.registry import Registry
from scenaria.entities.status import FINISHED, Status
from scenaria.entities.storage_types import Staged
from scenaria.entities.submission import Submission, derive_status
from scenaria.exceptions import DataNodeIsBeingEdited
from scenaria.orchestrator import outputs, skipping
from scenaria.orchestrator.callbacks import CallbackRunner
from scenaria.orchestrator.capacity import Gate, job_priority, submit_priority
from scenaria.orchestrator.console import JobConsole
from scenaria.orchestrator.moves import Moves
from scenaria.orchestrator.outcomes import HOST, describe, downstream, last_line, log_failure, log_retry, ran_on
from scenaria.orchestrator.reports import Reports
from scenaria.orchestrator.task_run import CopyRun, TaskRun
from scenaria.orchestrator.waits import Waits

logger = logging.getLogger("scenaria")


class Scheduler:
    """Jobs of one orchestrator, from creation to their end."""

    def __init__(
        self,
        registry: Registry,
        dispatcher: Dispatcher,
        inline_callbacks: bool,
        capacities: Mapping[str, float] | None = None,
        slots: int | None = None,
    ) -> None:
        self._registry = registry
        self._dispatcher = dispatcher
        self._callbacks = CallbackRunner(inline=inline_callbacks)
        self._inline = inline_callbacks
        self._lock = threading.RLock()
        self._active: dict[str, Job] = {}  # unfinished jobs
        self._waits = Waits()  # blocked jobs and the data nodes they wait for
        self._gate = Gate(capacities or {}, slots)  # ready jobs held for resources or workers, and what runs hold
        self._runnables: dict[str, CopyRun] = {}  # what runs instead of a held job's task (reuse)
        self._job_callbacks: dict[str, list[Callable[..., Any]]] = {}
        self._counts: dict[str, collections.Counter[Status]] = {}  # submission id -> status counts
        self._submissions: dict[str, Submission] = {}  # unfinished submissions
        self._canceled: dict[str, tuple[Job, str]] = {}  # canceled here, the dispatcher's report due
        self._moves = Moves(registry)  # accepted runs whose commit is renames only
        self._console = JobConsole()
        self._ready: list[Job] | None = None  # jobs to launch when the current routing ends
        self._timers: set[threading.Timer] = set()  # retries waiting for their delay
        self._stopped = False
        self._reports = Reports(self, inline=inline_callbacks)
        dispatcher.start(self._reports)

    # --- submitting ------------------------------------------------------------------------------
    def submit(
        self,
        entity: Any,
        tasks: list[Any],
        callbacks: Iterable[Callable[..., Any]] | None,
        force: bool,
        properties: dict[str, Any],
    ) -> Submission:
        """Create the submission and the jobs of ``tasks`` (in graph order) and start what can start."""
        reg = self._registry
        subscribers = [partial(sub.callback, *sub.params, entity) for sub in getattr(entity, "subscribers", [])]
        job_callbacks = subscribers + list(callbacks or [])
        submit_priority(properties.get("priority"))  # a bad one is refused before anything is locked
        # the submission, its jobs and their first states: one commit
        with self._lock, self._routing() as ready, reg.transaction():
            outputs = [dn for task in tasks for dn in task.output.values()]
            for dn in outputs:  # an editor's lock refuses the submission before any output is locked
                dn._check_editor(None)
            submission, jobs = create_submission(reg, entity, tasks, force, properties)  # locks the outputs
            self._track(submission, jobs)
            for job in jobs:
                self._job_callbacks[job.id] = job_callbacks
            for job in jobs:  # each job's first state is published before the submission's it causes
                if not job.is_finished():  # abandoned by an upstream job that could not run
                    self._route(job, ready)
            # still SUBMITTED only when no job was routed (all abandoned); a finished one is settled
            if not submission.is_finished() and self._refresh_submission(submission):
                told = submission.submission_status  # after its jobs' first states, once stored
                reg.after_commit(partial(submission._publish, "UPDATE", "submission_status", told))
        return submission

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Make the submits inside the block one: one lock, one commit, their jobs launched after
        it (for a control session whose client's submits queued up: per submit, the commit and
        the lease check cost more than the rest)."""
        with self._lock, self._routing(), self._registry.transaction():
            yield

    @contextlib.contextmanager
    def _routing(self) -> Iterator[list[Job]]:
        """Collect the jobs made ready inside the block (also by data nodes released meanwhile),
        and launch them once it ends, after the states are committed."""
        if self._ready is not None:  # nested: the outermost block launches
            yield self._ready
            return
        ready: list[Job] = []
        self._ready = ready
        try:
            yield ready
        finally:
            self._ready = None
        self._launch(ready)

    def _track(self, submission: Submission, jobs: list[Job]) -> None:
        self._submissions[submission.id] = submission
        submission._await_jobs()  # re-armed when a stopped orchestrator resumes it
        self._counts[submission.id] = collections.Counter(job.status for job in jobs)
        for job in jobs:
            if not job.is_finished():
                self._active[job.id] = job
                self._waits.add_writer(job.id, job.task._output_ids, self._creation_order)

    def _route(self, job: Job, ready: list[Job]) -> None:
        """Block a new (or resumed) job on its locked inputs, fail it on missing ones, or make it
        PENDING and add it to ``ready`` (to launch once the states are committed)."""
        task = job.task
        locked = self._waits.writers_ahead(job.id, task._output_ids)
        missing = []
        for dn in task.input.values():
            if dn.edit_in_progress:
                locked.add(dn.id)
            elif not dn._is_written():
                missing.append(dn)
        if missing:
            names = ", ".join(f"{dn.config_id!r} ({dn.id})" for dn in missing)
            self._fail(
                job,
                f"Job {job.id} cannot run: input {names} of task {task.config_id!r} has never "
                "been written and no job is about to write it. Write it first "
                "(data_node.write(...)) or submit the task that produces it.",
            )
            return
        if locked:
            self._waits.block(job.id, locked)
            if job.status is not Status.BLOCKED:
                self._set_status(job, Status.BLOCKED)
        else:
            if job.status is not Status.PENDING:
                self._set_status(job, Status.PENDING)
            ready.append(job)

    def _launch(self, jobs: list[Job]) -> None:
        """Skip PENDING jobs, or dispatch them as the resources they use allow, higher priority
        first (outside any store transaction: in development mode the dispatcher runs the job
        before returning). Jobs held for resources stay PENDING until a run gives them back."""
        ready = []
        for job in jobs:
            if job.id not in self._active or job.status is not Status.PENDING:
                continue  # canceled or abandoned meanwhile (e.g. by a callback)
            task = job.task
            decision = skipping.decide(job, task, self._registry)
            job._set_run_reason(decision.reason, decision.fingerprint)
            if not decision.run:
                self._unlock_outputs(job)  # free before anyone sees the job (or submission) finished
                self._set_status(job, Status.SKIPPED)
                continue
            if decision.runnable is not None:  # reuse: a copy of another scenario's outputs runs instead
                self._runnables[job.id] = decision.runnable
            uses = self._gate.uses(task.execution.resources)
            ready.append((job, self._priority(job), self._creation_order(job.id), uses))
        for job in self._gate.admit(ready):
            runnable = self._runnables.pop(job.id, None)
            if job.id not in self._active or job.status is not Status.PENDING:
                self._gate.release(job.id)  # ended meanwhile (a callback of a job launched just before)
                continue
            task = job.task
            settings = task.execution
            run = runnable or TaskRun(
                job.id, task.config_id, task.function, list(task.input.values()), list(task.output.values())
            )
            placement = Placement(self._priority(job), settings.resources, settings.workers)
            self._dispatcher.submit(job.id, run, timeout=settings.timeout, placement=placement)

    def _priority(self, job: Job) -> int:
        submission = self._submissions.get(job.submit_id)
        return job_priority(job.task.execution.priority, submission.properties if submission is not None else {})

    def data_node_released(self, dn_id: str) -> None:
        """A data node was unlocked: start the jobs that waited only for it."""
        with self._lock, self._routing() as ready, self._registry.transaction():
            for job_id in sorted(self._waits.release(dn_id), key=self._creation_order):
                job = self._active.get(job_id)  # None: ended meanwhile (abandoned by a job routed before)
                if job is not None:
                    self._route(job, ready)

    def _creation_order(self, job_id: str) -> Any:
        job = self._active.get(job_id)
        return job.creation_date if job is not None else now()

    # --- reports from the dispatcher (through ``Reports``) -------------------------------------
    def _started(self, job_id: str) -> None:
        with self._lock:
            job = self._active.get(job_id)
            if job is not None and job.status is Status.PENDING:
                self._set_status(job, Status.RUNNING)  # counts an attempt
                if self._dispatcher.runs_later:  # its function runs once the commit under way returns
                    self._moves.started(job_id)

    def _progress(self, report: tuple[str, float, str | None]) -> None:
        job_id, fraction, message = report
        with self._lock:
            job = self._active.get(job_id)
            if job is None or job.status is not Status.RUNNING:
                return  # ended meanwhile: its last value was stored before its end
            job._set_progress(fraction, message)
            self._registry.save(job)
        job._publish("UPDATE", "progress", fraction)

    def _output(self, job_id: str, stream: str, text: str) -> None:
        """Show what a job prints, line by line, prefixed with its task."""
        job = self._active.get(job_id)
        self._console.write(job_id, job._task_config_id if job is not None else job_id, stream, text)

    def _finished(self, outcome: Outcome) -> None:
        with self._lock, self._ending():
            if self._gate.release(outcome.job_id):  # a held job takes the freed worker at once, before
                self._launch([])  # this end is recorded: the worker waits for no store write
            job = self._active.get(outcome.job_id)
            if job is None or job.is_finished():
                self._moves.take(outcome.job_id)
                outputs.discard(self._registry.cached(outcome.job_id), outcome)  # canceled meanwhile: never committed
                self._late_report(outcome)  # only its output is kept
                return
            _, requested = self._canceled.pop(job.id, (None, ""))
            self._console.flush(job.id, job._task_config_id)
            job._add_output(outcome.stdout, outcome.stderr)
            if job.status is Status.RUNNING:  # a run that started: note where it ran
                job._add_run(*ran_on(outcome), outcome.ending.name)
            if outcome.ending is Ending.COMPLETED:
                self._complete(job, outputs.staged(outcome))
            elif outcome.ending is Ending.CANCELED:
                self._cancel_unlocked(job, requested or outcome.traceback.strip() or "canceled by its dispatcher")
            else:
                self._run_failed(job, outcome)

    @contextlib.contextmanager
    def _ending(self) -> Iterator[None]:
        """Around a run's end: the jobs it makes ready are launched after its store write, or,
        when the dispatcher only queues them (``runs_later``), inside it, so that the start it
        reports for the next job is stored in the same commit (one write per job, not two)."""
        if self._dispatcher.runs_later:
            with self._registry.transaction(), self._routing():
                yield
        else:
            with self._routing():
                yield

    def _intend(self, outcomes: list[Outcome]) -> None:
        """Before the runs about to be accepted are committed (``Moves.intend``)."""
        with self._lock:
            accepted = [(self._active.get(outcome.job_id), outcome) for outcome in outcomes]
            self._moves.intend(
                [(job, outcome) for job, outcome in accepted if job is not None and not job.is_finished()]
            )

    def _complete(self, job: Job, writes: list[Staged], resumed: bool = False) -> None:
        nodes = list(job.task.output.values())
        renames = self._moves.take(job.id)
        if renames is None:  # its writes go first, its end after them
            recorded = (job._commit_intent or {}).get("inodes")
            failure = outputs.commit(job, nodes, writes, resumed, recorded) if writes else None
            if job._commit_intent is not None:
                job._set_commit_intent(None)  # saved with the job's end
            if failure is not None:
                self._fail(job, failure)
                return
        versions = {each.data_node_id: each.version for each in writes}
        key = job._fingerprint.get("key")
        with self._registry.transaction():
            if renames is not None:  # its end first, with the intent; the renames once it is stored
                self._moves.record(job, nodes, writes, renames)
            for dn in nodes:
                keep = self._waits.drop_writer(job.id, dn.id)
                version = versions.get(dn.id)
                dn._written_by_job(job.id, keep, version, key, tell=self._registry.after_commit)
            self._set_status(job, Status.COMPLETED)
            for dn in nodes:
                self.data_node_released(dn.id)
        if key and job.task.execution.reuse:  # other scenarios' jobs of this computation may copy these outputs
            self._registry.repository.set_meta(skipping.reuse_key(job._task_config_id, key), job.id)

    def _run_failed(self, job: Job, outcome: Outcome) -> None:
        settings = job.task.execution
        retries = settings.max_retries
        reason = describe(job, outcome)
        if job.status is Status.RUNNING:  # a killed run may have left staged writes
            outputs.sweep(job)
        if job.status is Status.RUNNING and job.attempts <= retries:  # a run that never started is not retried
            job._add_trace(reason)
            log_retry(job, outcome.ending, retries)
            self._set_status(job, Status.PENDING)
            self._later(settings.retry_delay, self._retry, job.id)
        else:
            self._fail(job, reason)

    def _retry(self, job_id: str) -> None:
        self._timers.difference_update([t for t in self._timers if not t.is_alive()])
        if self._stopped:
            return  # the job stays PENDING in the store: the next run starts it
        with self._lock, self._routing() as ready:
            ready.extend(job for job in [self._active.get(job_id)] if job is not None)

    def _later(self, delay: float, function: Callable[..., Any], *args: Any) -> None:
        if delay <= 0:
            function(*args)
        elif self._inline:  # development mode: the caller asked to wait here, once the failure is stored
            self._registry.after_commit(partial(_waited, delay, function, *args))  # (no write held meanwhile)
        else:
            timer = threading.Timer(delay, function, args)
            timer.daemon = True
            self._timers.add(timer)
            timer.start()

    def _fail(self, job: Job, reason: str) -> None:
        job._add_trace(reason)
        job._set_reason(last_line(reason))
        log_failure(job, reason)
        self._end_unsuccessfully(job, Status.FAILED)

    # --- cancel ----------------------------------------------------------------------------------
    def cancel(self, job: Job, by: str = "cancel_job()") -> None:
        """Cancel a job that has not finished (a running one has its process killed); ``by`` says
        who asked. What it printed up to its kill is reported later, and kept (``_late_report``)."""
        with self._lock:
            if job.id not in self._active or job.is_finished():
                if job.is_completed() or job.is_skipped():
                    logger.info("Job %s is already %s; it cannot be canceled.", job.id, job.status.name)
                return
            dispatched = job.status in (Status.PENDING, Status.RUNNING) and not self._gate.holds(job.id)
        where: dict[str, Any] = {}
        if dispatched:
            self._canceled[job.id] = (job, f"canceled by {by}")
            where = self._dispatcher.where(job.id)
            self._dispatcher.cancel(job.id)
        with self._lock:
            if job.id in self._active and not job.is_finished():
                if job.status is Status.RUNNING and where:  # the run it stops counts, with its process
                    job._add_run(where.get("host") or HOST, where.get("pid"), Ending.CANCELED.name)
                self._cancel_unlocked(job, f"canceled by {by}")

    def _cancel_unlocked(self, job: Job, reason: str) -> None:
        job._set_reason(reason)
        self._end_unsuccessfully(job, Status.CANCELED)

    def _late_report(self, outcome: Outcome) -> None:
        """The dispatcher's report of a job canceled here: keep what it printed up to its kill."""
        job, _ = self._canceled.pop(outcome.job_id, (None, ""))
        if job is not None and outcome.ending is Ending.CANCELED and (outcome.stdout or outcome.stderr):
            job._keep_output_of_kill(outcome.stdout, outcome.stderr)
            self._registry.save(job)

    def _end_unsuccessfully(self, job: Job, status: Status) -> None:
        """End ``job`` FAILED or CANCELED, and abandon the jobs of its submission that need its outputs.

        Every output concerned is unlocked before any of these final states is set: whoever is
        woken by the job's (or the submission's) end, ``submit(wait=True)`` say, finds the data
        nodes free. The downstream jobs stop waiting first, so the unlocks cannot start them.
        """
        abandoned = self._downstream(job)
        for each in (job, *abandoned):
            self._waits.forget(each.id)
        for other in abandoned:
            if other.status is Status.PENDING:  # its CANCELED report waits for our lock: then it is ignored
                self._dispatcher.cancel(other.id)
        for each in (job, *abandoned):
            self._unlock_outputs(each)
        if job.status is Status.RUNNING:  # a killed run (or a failed commit) may have left staged writes:
            self._registry.after_commit(partial(outputs.sweep, job))  # kept until its end is stored
        self._set_status(job, status)
        for other in abandoned:
            other._set_reason(f"abandoned: {job.id}, whose outputs it needs, ended {status.name}")
            self._set_status(other, Status.ABANDONED)

    def _downstream(self, job: Job) -> list[Job]:
        submission = self._submissions.get(job.submit_id)
        return [] if submission is None else downstream(job, submission.jobs, self._active)

    def _unlock_outputs(self, job: Job) -> None:
        for dn in job.task.output.values():
            if self._waits.drop_writer(job.id, dn.id):  # still locked for the next writer, who may go on now
                self.data_node_released(dn.id)
            elif dn.edit_in_progress:
                with contextlib.suppress(DataNodeIsBeingEdited):  # an editor took the lock over since:
                    dn.unlock_edit()  # it is the editor's to release

    # --- states ----------------------------------------------------------------------------------
    def _set_status(self, job: Job, status: Status) -> None:
        old = job._set_status(status)
        finished = status in FINISHED
        if finished:
            self._active.pop(job.id, None)
            self._gate.forget(job.id)
            self._runnables.pop(job.id, None)
        submission = self._submissions.get(job.submit_id)
        callbacks = self._job_callbacks.get(job.id, ())
        if finished:
            self._job_callbacks.pop(job.id, None)
        registry = self._registry
        # callbacks get the job as it is now, not as it will be: later on their thread, or (inline)
        # after the commit of an enclosing write, which may change the job again before it ends
        view = job if self._inline and not registry.in_transaction() else job._snapshot() if callbacks else job
        with registry.transaction():
            registry.save(job)
            changed = submission is not None and self._count(submission, old, status)
            told = submission.submission_status if changed and submission is not None else None
            # told once stored (whoever hears of it finds it in the store), in the order of the changes
            registry.after_commit(partial(self._callbacks.tell, job, status, submission, told, callbacks, view))

    def _count(self, submission: Submission, old: Status, new: Status) -> bool:
        counts = self._counts[submission.id]
        counts[old] -= 1
        counts[new] += 1
        return self._refresh_submission(submission)

    def _refresh_submission(self, submission: Submission) -> bool:
        status = derive_status(self._counts[submission.id], len(submission._job_ids))
        if not submission._set_status(status, tell=self._registry.after_commit):
            return False
        self._registry.save(submission)
        if submission.is_finished():
            self._submissions.pop(submission.id, None)
            self._counts.pop(submission.id, None)
        return True

    def stop(self, wait: bool = True) -> None:
        """Stop dispatching; unfinished jobs stay as they are in the store, to resume at the next run."""
        self._stopped = True
        for timer in list(self._timers):
            timer.cancel()
        self._dispatcher.stop(wait)
        self._reports.stop(wait)
        self._callbacks.stop(None if wait else 0)
        for submission in list(self._submissions.values()):
            submission._release_waiters()  # wait() returns False, the jobs being unfinished


def _waited(delay: float, function: Callable[..., Any], *args: Any) -> None:
    threading.Event().wait(delay)
    function(*args)


# --- the running scheduler -----------------------------------------------------------------------
_current: Scheduler | None = None


def current() -> Scheduler | None:
    return _current


def set_current(scheduler: Scheduler | None) -> None:
    """Make ``scheduler`` the running one, and the entities' way to it (``entities.ports``)."""
    global _current
    _current = scheduler
    ports.install(scheduler)
