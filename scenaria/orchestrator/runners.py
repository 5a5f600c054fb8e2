"""The threads a live orchestrator runs beside its scheduler: the schedules and the retention.

``start(registry)`` when the orchestrator has started (its lease held, its jobs resumed),
``stop()`` before it stops. Either does nothing when the configuration asks for neither.
"""

from __future__ import annotations

import threading
from typing import Any

from scenaria.entities.registry import Registry

_running: list[Any] = []
_lock = threading.Lock()
#: the schedule runner's clock (None: the system's); tests put a fake one here
clock: Any = None


def start(registry: Registry) -> None:
    """Start the schedule runner (if schedules are configured) and the retention (if set)."""
    from scenaria.config import Config
    from scenaria.config.retention import retention

    runners: list[Any] = []  # each runner's module imported only when it runs: a start stays quick
    schedules = [s for key, s in Config.schedules.items() if key != "default"]
    if schedules:
        from scenaria.orchestrator.schedules import ScheduleRunner

        runners.append(ScheduleRunner(registry, schedules, clock))
    settings = retention(Config.core)
    if settings is not None:
        from scenaria.orchestrator.retention import RetentionRunner

        runners.append(RetentionRunner(registry, settings.older_than, settings.keep, settings.period.total_seconds()))
    with _lock:
        for runner in runners:
            runner.start()
            _running.append(runner)


def stop() -> None:
    """Stop them (each thread is told at once and joined)."""
    with _lock:
        while _running:
            _running.pop().stop()
