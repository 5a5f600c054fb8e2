"""Creating entities and running them: ``create_scenario``, ``submit``, ``cancel_job``, ..."""

from __future__ import annotations

import builtins
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from scenaria.api.getting import _resolve, get
from scenaria.config import ScenarioConfig, Scope
from scenaria.entities import subscribers
from scenaria.entities.data_node import DataNode
from scenaria.entities.job import Job
from scenaria.entities.reasons import ReasonCollection
from scenaria.entities.registry import registry
from scenaria.entities.scenario import Scenario
from scenaria.entities.sequence import Sequence
from scenaria.entities.submission import Submission, wait_timeout
from scenaria.entities.task import Task
from scenaria.exceptions import (
    NonExistingScenario,
    NonExistingScenarioConfig,
    NonExistingSequence,
    NonExistingTask,
    OrchestratorNotRunning,
    OrchestratorServiceIsAlreadyRunning,
)
from scenaria.orchestrator import control, lease
from scenaria.orchestrator.capacity import SUBMIT_PRIORITY, submit_priority
from scenaria.orchestrator.scheduler import current as current_scheduler

_NOT_FOUND = {"SCENARIO": NonExistingScenario, "SEQUENCE": NonExistingSequence, "TASK": NonExistingTask}


# --- creating and submitting ---------------------------------------------------------------------------
def create_scenario(config: Any, creation_date: dt.datetime | None = None, name: str | None = None) -> Scenario:
    """A new scenario of ``config`` (a ScenarioConfig), with its tasks and data nodes."""
    from scenaria.entities.create import create_scenario as create
    from scenaria.orchestrator.service import prepare

    reg = registry()
    prepare(reg)
    if not isinstance(config, ScenarioConfig):
        raise NonExistingScenarioConfig(
            f"{config!r} is not a scenario config; create scenarios from "
            "Config.configure_scenario(...) or Config.scenarios[id]."
        )
    scenario = create(reg, config, creation_date, name)
    everyone = subscribers.global_subscribers(reg)
    if everyone:
        for callback, params in everyone:
            scenario._subscribers.append({"callback": callback, "params": params})
        scenario._save()
    return scenario


def duplicate_scenario(
    scenario: Scenario | str,
    creation_date: dt.datetime | None = None,
    name: str | None = None,
    data_to_duplicate: bool | builtins.set[str] = True,
) -> Scenario:
    """A copy of ``scenario`` (an entity or its id): see ``Scenario.duplicate``."""
    from scenaria.orchestrator.service import prepare

    found = _resolve(scenario)
    if not isinstance(found, Scenario):
        raise NonExistingScenario(f"{scenario!r} is not a scenario; give a scenario or its id.")
    prepare(registry())
    return found.duplicate(name=name, creation_date=creation_date, data_to_duplicate=data_to_duplicate)


def create_global_data_node(config: Any) -> DataNode:
    from scenaria.entities.create import create_global_data_node as create
    from scenaria.orchestrator.service import prepare

    reg = registry()
    prepare(reg)
    return create(reg, config)


def can_create(config: Any = None) -> ReasonCollection:
    reasons = ReasonCollection()
    if (
        config is not None
        and not isinstance(config, ScenarioConfig)
        and getattr(config, "scope", None) is not Scope.GLOBAL
    ):
        reasons.add(
            getattr(config, "id", str(config)),
            "Only scenario configs and GLOBAL data node configs can be created directly.",
        )
    return reasons


def submit(
    entity: Any,
    force: bool = False,
    wait: bool = False,
    timeout: float | None = None,
    callbacks: list[Callable[..., Any]] | None = None,
    **properties: Any,
) -> Submission | None:
    """Run a scenario's, sequence's or task's tasks as jobs; the Submission that tracks them.

    ``priority=N`` (a whole number, kept as a submission property) puts its jobs ahead of ready
    jobs of lower priority, in place of their tasks' own ``priority``. In development mode the
    jobs have run when it returns. Otherwise it returns once they are
    queued; with ``wait=True`` it returns when they are all finished, or after ``timeout``
    seconds with the jobs still going (then ``submission.is_finished()`` is False).
    """
    from scenaria.orchestrator.service import prepare, running_scheduler

    if not isinstance(entity, (Scenario, Sequence, Task)):
        if isinstance(entity, str):  # None, as Taipy returns; said, as the CLI takes ids
            logging.getLogger("scenaria").warning(
                "submit() takes a scenario, sequence or task, not an id: nothing was submitted for %r; "
                "use submit(get(%r)).",
                entity,
                entity,
            )
        return None
    kind = entity.id.split("_", 1)[0]
    found = get(entity.id) is not None if isinstance(entity, Sequence) else registry().refresh(entity)
    if not found:
        raise _NOT_FOUND[kind](f"{kind.title()} {entity.id} does not exist (was it deleted?); it cannot be submitted.")
    submit_priority(properties.get(SUBMIT_PRIORITY))  # refused here, wherever the jobs run
    if wait:  # before anything is submitted (Taipy ignores the timeout without wait)
        wait_timeout(timeout, "submit(..., wait=True, timeout=...)")
    prepare(registry())
    remote = None if current_scheduler() is not None else control.client(registry())
    if remote is not None:  # another process orchestrates this version: it runs the jobs
        if callbacks:  # an orchestrator runs, in another process: not "not running"
            raise OrchestratorServiceIsAlreadyRunning(
                f"{lease.describe(remote.record).capitalize()} orchestrates this version and runs its jobs, so "
                "submit(callbacks=...) cannot run the callbacks there. Submit without callbacks and follow the "
                "submission's events instead (scenaria.Notifier.register, or submit(wait=True) then read the "
                "submission), or stop that orchestrator to run the jobs and callbacks in this process."
            )
        remote_submission = remote.submit(entity.id, force, properties)  # its events arrive here
        if wait:
            remote_submission.wait(timeout)
        return remote_submission
    tasks = [entity] if isinstance(entity, Task) else entity._get_sorted_tasks()
    scheduler = running_scheduler()
    submission = scheduler.submit(entity, tasks, callbacks, force, properties)
    if wait:
        submission.wait(timeout)
    entity._publish("SUBMISSION")  # once submit() is done with, waiting included (as Taipy does)
    return submission


def cancel_job(job: Job | str) -> None:
    """Cancel a job that has not finished; a running job's process is killed."""
    job = get(job) if isinstance(job, str) else job
    scheduler = current_scheduler()
    if job is None:
        return
    if scheduler is not None:
        scheduler.cancel(job)
        return
    remote = control.client(registry(), job.version)
    if remote is not None:
        remote.request("cancel", job_id=job.id)
    elif not job.is_finished():
        raise OrchestratorNotRunning(
            f"No orchestrator runs version {job.version!r}, so job {job.id} cannot be canceled now: start one "
            "(scenaria serve, or Orchestrator().run()); it then runs the job unless canceled."
        )
