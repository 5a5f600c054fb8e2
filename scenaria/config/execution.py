"""How a task's jobs run: its execution settings, read once from the task's properties.

A task config's free properties ``timeout`` (seconds a run may take), ``max_retries`` (runs tried
again after a failure), ``retry_delay`` (seconds before a run is tried again), ``priority`` (higher
first among ready jobs), ``resources`` (what one run uses of the capacities that the ``[JOB]``
section's ``resources`` declare), ``workers`` (the Dask workers a run may go to, in dask mode),
``code_version`` (pins the version of the task's code, for skipping) and ``reuse`` (copy another
scenario's outputs of the same computation) become one typed, checked ``ExecutionSettings``, so a
wrong value is an error naming the task, not a ``ValueError`` deep in the scheduler when a job
starts. It lives in the config layer so that ``Config.check()`` reports the very errors that
creating a scenario would raise (one parser for both).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from typing import Any

from scenaria.exceptions import InvalidExecutionSetting

#: the properties read here, with the form each expects (for the error message)
KEYS: dict[str, str] = {
    "timeout": "a number of seconds above 0 (e.g. 30 or 2.5), or nothing for no limit",
    "max_retries": "a whole number of retries, 0 or more (e.g. 2), or nothing for none",
    "retry_delay": "a number of seconds, 0 or more (e.g. 1.5), or nothing for no delay",
    "priority": "a whole number, higher first among ready jobs (e.g. 5 or -1), or nothing for 0",
    "resources": 'a table of resource names to amounts, each 0 or more (e.g. {"gpu": 1, "db": 1}), or nothing',
    "workers": 'the name or address of a Dask worker, or a list of them (e.g. ["gpu-1", "gpu-2"]), or nothing',
    "code_version": 'a non-empty str (e.g. "2") naming the version of the task\'s code, or nothing',
    "reuse": 'True or False (in TOML: "True:bool")',
}


@dataclasses.dataclass(frozen=True)
class ExecutionSettings:
    """What the scheduler needs to run a task's jobs."""

    timeout: float | None = None  # seconds; None: no limit
    max_retries: int = 0
    retry_delay: float = 0.0  # seconds
    priority: int = 0
    resources: Mapping[str, float] = dataclasses.field(default_factory=dict)  # name -> amount one run uses
    workers: tuple[str, ...] = ()  # dask mode: the workers a run may go to; empty: any
    code_version: str | None = None  # pinned code version; None: derived from the function's code
    reuse: bool = False  # copy the outputs of another scenario's job with the same fingerprint (docs/execution.md)

    @classmethod
    def from_properties(cls, task_config_id: str, properties: Mapping[str, Any]) -> ExecutionSettings:
        """The settings of the task ``task_config_id``; ``InvalidExecutionSetting`` for a bad value."""
        timeout = _number(task_config_id, properties, "timeout")
        if timeout is not None and timeout <= 0:
            raise _invalid(task_config_id, "timeout", properties["timeout"])
        retries = _number(task_config_id, properties, "max_retries")
        if retries is not None and (retries != int(retries) or retries < 0):
            raise _invalid(task_config_id, "max_retries", properties["max_retries"])
        delay = _number(task_config_id, properties, "retry_delay")
        if delay is not None and delay < 0:
            raise _invalid(task_config_id, "retry_delay", properties["retry_delay"])
        return cls(
            timeout=timeout,
            max_retries=int(retries or 0),
            retry_delay=delay or 0.0,
            workers=_names(task_config_id, properties, "workers"),
            **_scheduling(task_config_id, properties),
            **_skip_settings(task_config_id, properties),
        )


def _names(task_config_id: str, properties: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """One non-empty string, or a list of them (a TOML file gives a list), as a tuple."""
    value = properties.get(key)
    if value is None:
        return ()
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, (list, tuple)) or not all(isinstance(name, str) and name.strip() for name in names):
        raise _invalid(task_config_id, key, value)
    return tuple(names)


def _scheduling(task_config_id: str, properties: Mapping[str, Any]) -> dict[str, Any]:
    """``priority`` and ``resources``: which ready job goes first, and what a run holds while it runs."""
    settings: dict[str, Any] = {}
    priority = properties.get("priority")
    if priority is not None:
        settings["priority"] = whole_priority(priority, lambda: _invalid(task_config_id, "priority", priority))
    resources = properties.get("resources")
    if resources is not None:
        settings["resources"] = amounts(resources, lambda: _invalid(task_config_id, "resources", resources))
    return settings


def whole_priority(value: Any, invalid: Callable[[], Exception]) -> int:
    """A priority as an int (``"3"`` and ``3.0`` are 3); ``invalid()`` is raised for anything else."""
    if isinstance(value, bool):
        raise invalid()
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise invalid() from None
    if not math.isfinite(number) or number != int(number):
        raise invalid()
    return int(number)


def amounts(value: Any, invalid: Callable[[], Exception]) -> dict[str, float]:
    """Resource names to amounts (0 or more): a task's use or the job configuration's capacities.

    ``invalid()`` is raised for anything but a table of non-empty names to finite numbers.
    """
    if not isinstance(value, Mapping):
        raise invalid()
    read: dict[str, float] = {}
    for name, amount in value.items():
        if not isinstance(name, str) or not name.strip() or isinstance(amount, bool):
            raise invalid()
        try:
            number = float(amount)
        except (TypeError, ValueError):
            raise invalid() from None
        if not math.isfinite(number) or number < 0:
            raise invalid()
        read[name] = number
    return read


#: what the ``[JOB]`` section's ``resources`` expects
CAPACITIES = 'a table of resource names to how much of each may be in use at once (e.g. {"gpu": 1, "db": 4})'


def capacities(value: Any) -> dict[str, float]:
    """The job configuration's ``resources``: how much of each resource the running jobs may use at once."""
    if value is None:
        return {}

    def invalid() -> InvalidExecutionSetting:
        return InvalidExecutionSetting(
            f"[JOB] has resources={value!r}, which is not {CAPACITIES}, each 0 or more; set it with "
            "Config.configure_job_executions(..., resources={...}) or in the TOML file's [JOB.resources].",
            "resources",
            value,
        )

    return amounts(value, invalid)


def _skip_settings(task_config_id: str, properties: Mapping[str, Any]) -> dict[str, Any]:
    pinned = properties.get("code_version")
    if pinned is not None and (isinstance(pinned, bool) or not isinstance(pinned, (str, int)) or str(pinned) == ""):
        raise _invalid(task_config_id, "code_version", pinned)
    reuse = properties.get("reuse", False)
    if reuse is None:
        reuse = False
    if not isinstance(reuse, bool):
        raise _invalid(task_config_id, "reuse", reuse)
    return {"code_version": None if pinned is None else str(pinned), "reuse": reuse}


def _number(task_config_id: str, properties: Mapping[str, Any], key: str) -> float | None:
    value = properties.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):  # True is no number of seconds
        raise _invalid(task_config_id, key, value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _invalid(task_config_id, key, value) from None
    if not math.isfinite(number):
        raise _invalid(task_config_id, key, value)
    return number


def _invalid(task_config_id: str, key: str, value: Any) -> InvalidExecutionSetting:
    return InvalidExecutionSetting(
        f"Task config {task_config_id!r} has {key}={value!r}, which is not {KEYS[key]}; "
        f"set it with Config.configure_task(..., {key}=...) or in the TOML file's [TASK.{task_config_id}].",
        key,
        value,
    )
