"""How a task's jobs run: its execution settings, read once from the task's properties.

A task config's free properties ``timeout`` (seconds a run may take), ``max_retries`` (runs tried
again after a failure), ``retry_delay`` (seconds before a run is tried again) and ``workers`` (the
Dask workers a run may go to, in dask mode) become one typed,
checked ``ExecutionSettings``, so a wrong value is an error naming the task, not a ``ValueError``
deep in the scheduler when a job starts. It lives in the config layer so that ``Config.check()``
reports the very errors that creating a scenario would raise (one parser for both).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from scenaria.exceptions import InvalidExecutionSetting

#: the properties read here, with the form each expects (for the error message)
KEYS: dict[str, str] = {
    "timeout": "a number of seconds above 0 (e.g. 30 or 2.5), or nothing for no limit",
    "max_retries": "a whole number of retries, 0 or more (e.g. 2), or nothing for none",
    "retry_delay": "a number of seconds, 0 or more (e.g. 1.5), or nothing for no delay",
    "workers": 'the name or address of a Dask worker, or a list of them (e.g. ["gpu-1", "gpu-2"]), or nothing',
}


@dataclasses.dataclass(frozen=True)
class ExecutionSettings:
    """What the scheduler needs to run a task's jobs."""

    timeout: float | None = None  # seconds; None: no limit
    max_retries: int = 0
    retry_delay: float = 0.0  # seconds
    workers: tuple[str, ...] = ()  # dask mode: the workers a run may go to; empty: any

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
        workers = _names(task_config_id, properties, "workers")
        return cls(timeout=timeout, max_retries=int(retries or 0), retry_delay=delay or 0.0, workers=workers)


def _names(task_config_id: str, properties: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """One non-empty string, or a list of them (a TOML file gives a list), as a tuple."""
    value = properties.get(key)
    if value is None:
        return ()
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, (list, tuple)) or not all(isinstance(name, str) and name.strip() for name in names):
        raise _invalid(task_config_id, key, value)
    return tuple(names)


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
