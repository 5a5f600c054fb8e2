"""The check of resources, run by ``Config.check()``: every resource a task uses has a capacity.

A task asking for a resource that ``[JOB]`` gives no capacity, or for more of it than the
capacity, could never start: its jobs would stay PENDING for ever. The check refuses such a
configuration up front, naming the task, the resource and both ways to fix it.
"""

from __future__ import annotations

from typing import Any

from scenaria.config.check_base import Report, register_check, user_sections
from scenaria.config.execution import amounts, capacities
from scenaria.config.issues import IssueCollector
from scenaria.config.job import JobConfig
from scenaria.config.layer import ConfigLayer
from scenaria.config.task import TaskConfig
from scenaria.exceptions import InvalidExecutionSetting


@register_check
def check_resources(layer: ConfigLayer, collector: IssueCollector) -> None:
    job = layer.unique.get("JOB")
    declared: Any = job.properties.get("resources") if isinstance(job, JobConfig) else None
    try:
        limits = capacities(declared)
    except InvalidExecutionSetting as exc:
        assert isinstance(job, JobConfig)
        Report(collector, job, "job").error("resources", declared, str(exc))
        return
    for task in user_sections(layer, TaskConfig._KIND):
        if isinstance(task, TaskConfig):
            _check_task(task, limits, Report(collector, task, "task"))


def _check_task(task: TaskConfig, limits: dict[str, float], report: Report) -> None:
    wanted = task.properties.get("resources")
    if wanted is None:
        return
    try:
        uses = amounts(wanted, lambda: InvalidExecutionSetting(""))
    except InvalidExecutionSetting:
        return  # the execution settings check reports it
    for name, amount in uses.items():
        if amount == 0:
            continue
        if name not in limits:
            report.error(
                "resources",
                wanted,
                f"Task config {task.id!r} uses the resource {name!r}, which [JOB] gives no capacity: its jobs "
                f"could never start. Declare it (Config.configure_job_executions(..., resources={{{name!r}: N}}), "
                f"TOML [JOB.resources]) or remove it from the task's resources.",
            )
        elif amount > limits[name]:
            report.error(
                "resources",
                wanted,
                f"Task config {task.id!r} asks for {amount:g} of the resource {name!r}, more than the "
                f"{limits[name]:g} that [JOB] lets run at once: its jobs could never start. Lower the "
                f"task's amount or raise the capacity in Config.configure_job_executions(..., resources=...).",
            )
