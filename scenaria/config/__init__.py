"""Configuration: data nodes, tasks, scenarios, job execution and storage settings.

Set it in Python (``Config.configure_*``) or in TOML files in Taipy's format
(``Config.load``/``override``/``export``/``backup``/``restore``), check it with ``Config.check()``.
See docs/configuration.md.
"""

from __future__ import annotations

import typing as _typing

from scenaria.config import resource_check as _resource_check  # noqa: F401 (registers the resources check)
from scenaria.config import retention as _retention  # noqa: F401 (registers the retention check)
from scenaria.config import schedule_check as _schedule_check  # noqa: F401 (registers the schedule check)
from scenaria.config.checks import register_check
from scenaria.config.compare import ConfigComparison, compare
from scenaria.config.config import Config
from scenaria.config.core import CoreSection
from scenaria.config.data_node import DataNodeConfig
from scenaria.config.enums import Frequency, Scope
from scenaria.config.global_app import GlobalAppConfig
from scenaria.config.issues import Issue, IssueCollector
from scenaria.config.job import JobConfig
from scenaria.config.scenario import ScenarioConfig
from scenaria.config.schedule import ScheduleConfig
from scenaria.config.section import Section, UniqueSection
from scenaria.config.task import TaskConfig

if _typing.TYPE_CHECKING:
    from scenaria.config.migration import MigrationConfig
else:

    def __getattr__(name: str) -> object:
        """``MigrationConfig``, loaded on first use: most programs register no migration."""
        if name != "MigrationConfig":
            raise AttributeError(f"module 'scenaria.config' has no attribute {name!r}")
        from scenaria.config.migration import MigrationConfig

        return MigrationConfig


__all__ = [
    "Config",
    "ConfigComparison",
    "CoreSection",
    "DataNodeConfig",
    "Frequency",
    "GlobalAppConfig",
    "Issue",
    "IssueCollector",
    "JobConfig",
    "MigrationConfig",
    "ScenarioConfig",
    "ScheduleConfig",
    "Scope",
    "Section",
    "TaskConfig",
    "UniqueSection",
    "compare",
    "register_check",
]
