"""Deleting entities, with the cascades users expect.

- A cycle takes its scenarios with it.
- A scenario takes what it owns: its tasks and data nodes of SCENARIO scope, their jobs, and the
  submissions of the scenario, its sequences and its tasks. Shared (cycle or global) tasks and
  data nodes stay, no longer listing it as a parent. A primary scenario cannot go while other
  scenarios share its cycle; the last one takes the cycle.
- A task takes its jobs and submissions; a submission its jobs; a data node its generated file.
- A job must be finished, unless forced.

Jobs still running or waiting are canceled first (a running one has its process killed), so a
deletion never leaves the orchestrator holding jobs of entities that no longer exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scenaria.entities import ports
from scenaria.entities.cycle import Cycle
from scenaria.entities.data_node import DataNode
from scenaria.entities.job import Job
from scenaria.entities.registry import Registry
from scenaria.entities.scenario import Scenario
from scenaria.entities.submission import Submission
from scenaria.entities.task import Task
from scenaria.exceptions import DeletingPrimaryScenario, JobNotDeletedException


def delete_entity(registry: Registry, entity: Any) -> None:
    """Delete ``entity`` and what it owns."""
    doomed: dict[str, Any] = {}
    if isinstance(entity, Cycle):
        for scenario in registry.find(Scenario, all_versions=True, owner_id=entity.id):
            _collect_scenario(registry, scenario, doomed, keep_cycle=True)
        doomed[entity.id] = entity
    elif isinstance(entity, Scenario):
        _check_primary(registry, entity)
        _collect_scenario(registry, entity, doomed, keep_cycle=False)
    elif isinstance(entity, Task):
        _collect_task_runs(registry, entity, doomed)
        doomed[entity.id] = entity
    elif isinstance(entity, Submission):
        _collect_submission(registry, entity, doomed)
    elif isinstance(entity, Job):
        doomed[entity.id] = entity
    else:
        doomed[entity.id] = entity
    _delete(registry, doomed.values())


def delete_job(registry: Registry, job: Job, force: bool = False) -> None:
    if not force and not job.is_finished():
        raise JobNotDeletedException(
            f"Job {job.id} is {job.status.name} and cannot be deleted until it is "
            "finished; cancel it first or delete it with force=True."
        )
    _delete(registry, [job])


def _check_primary(registry: Registry, scenario: Scenario) -> None:
    if scenario.is_primary and scenario.owner_id:
        siblings = registry.repository.count("scenario", owner_id=scenario.owner_id)
        if siblings > 1:
            raise DeletingPrimaryScenario(
                f"Scenario {scenario.id} is the primary scenario of cycle {scenario.owner_id}, which has "
                f"{siblings - 1} other scenario(s): make one of them primary (scenaria.set_primary) first."
            )


def _collect_scenario(registry: Registry, scenario: Scenario, doomed: dict[str, Any], keep_cycle: bool) -> None:
    doomed[scenario.id] = scenario
    entity_ids = [scenario.id, *(seq.id for seq in scenario.sequences.values())]
    for task in registry.get_many(Task, scenario._task_ids):
        if task.owner_id == scenario.id:
            _collect_task_runs(registry, task, doomed)
            doomed[task.id] = task
        else:
            entity_ids.append(task.id)
            task._parent_ids.discard(scenario.id)
            for seq in scenario.sequences.values():
                task._parent_ids.discard(seq.id)
            task._save()
    dn_ids = list(scenario._additional_data_node_ids)
    for task in registry.get_many(Task, scenario._task_ids):
        dn_ids += task._input_ids + task._output_ids
    for dn in registry.get_many(DataNode, dict.fromkeys(dn_ids)):
        if dn.owner_id == scenario.id:
            doomed[dn.id] = dn
        else:
            dn._parent_ids.discard(scenario.id)
            dn._parent_ids.difference_update(doomed)
            dn._save()
    for submission in registry.find(Submission, all_versions=True, entity_id=entity_ids):
        _collect_submission(registry, submission, doomed)
    if not keep_cycle and scenario.is_primary and scenario.owner_id:
        cycle = registry.cached(scenario.owner_id)
        if cycle is not None:
            doomed[cycle.id] = cycle


def _collect_task_runs(registry: Registry, task: Task, doomed: dict[str, Any]) -> None:
    for job in registry.find(Job, all_versions=True, task_id=task.id):
        doomed[job.id] = job
    for submission in registry.find(Submission, all_versions=True, entity_id=task.id):
        _collect_submission(registry, submission, doomed)


def _collect_submission(registry: Registry, submission: Submission, doomed: dict[str, Any]) -> None:
    doomed[submission.id] = submission
    for job in registry.get_many(Job, submission._job_ids):
        doomed[job.id] = job


def _delete(registry: Registry, entities: Iterable[Any]) -> None:
    entities = list(entities)
    _cancel_unfinished(entities)
    with registry.transaction():
        registry.delete(entities)
    for entity in entities:
        if isinstance(entity, DataNode):
            entity._delete_generated()
        entity._publish("DELETION")


def _cancel_unfinished(entities: list[Any]) -> None:
    for entity in entities:
        if isinstance(entity, Job) and not entity.is_finished():
            ports.cancel(entity, "the deletion of its entities")


def delete_version_entities(registry: Registry, version_id: str) -> int:
    """Delete every entity of one version (jobs, submissions, scenarios, tasks, data nodes)."""
    data_nodes = registry.find(DataNode, version=version_id)
    for dn in data_nodes:
        dn._delete_generated()
    repo = registry.repository
    count = 0
    with repo.transaction():
        for kind in ("job", "submission", "scenario", "task", "data_node"):
            count += repo.count(kind, version=version_id)
            repo.delete_where(kind, version=version_id)
    registry.forget(version_id)  # other versions' live objects (a running scheduler's) stay
    return count
