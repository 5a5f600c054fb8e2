"""The state behind ``Config``: its layers, their merge, files in and out, checks, blocking.

Four layers are merged, later ones winning: the built-in defaults, the ``configure_*`` calls (or
``Config.load``), the file given to ``Config.override``, and the file named by the environment
variable ``SCENARIA_CONFIG_PATH`` (or ``TAIPY_CONFIG_PATH``). The merge is redone after every
change. Sections returned by ``Config`` stay the same objects across merges.

``Config`` (in :mod:`scenaria.config.config`) adds the ``configure_*`` calls on top of this class.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scenaria.config import toml_io
from scenaria.config.checks import run_checks
from scenaria.config.core import CoreSection
from scenaria.config.data_node import DataNodeConfig
from scenaria.config.global_app import GlobalAppConfig
from scenaria.config.issues import Issue, IssueCollector
from scenaria.config.job import JobConfig
from scenaria.config.layer import ConfigLayer, compile_layers, default_layer
from scenaria.config.scenario import ScenarioConfig
from scenaria.config.schedule import ScheduleConfig
from scenaria.config.section import Section, UniqueSection, copy_value
from scenaria.config.task import TaskConfig
from scenaria.exceptions import ConfigCheckError, ConfigurationUpdateBlocked

if TYPE_CHECKING:
    from collections.abc import Callable

    from scenaria.config.migration import MigrationConfig

logger = logging.getLogger("scenaria")

CONFIG_PATH_VARIABLES = ("SCENARIA_CONFIG_PATH", "TAIPY_CONFIG_PATH")
BLOCKED_MESSAGE = (
    "The configuration cannot change while the orchestrator runs: stop it first with "
    "Orchestrator().stop(), then change the configuration and run the orchestrator again."
)


class _ConfigMeta(type):
    """Class-level read accessors, so that ``Config.data_nodes`` works without an instance."""

    @property
    def data_nodes(cls) -> dict[str, DataNodeConfig]:
        return dict(cls._applied_layer().sections["DATA_NODE"])  # type: ignore[attr-defined]

    @property
    def tasks(cls) -> dict[str, TaskConfig]:
        return dict(cls._applied_layer().sections["TASK"])  # type: ignore[attr-defined]

    @property
    def scenarios(cls) -> dict[str, ScenarioConfig]:
        return dict(cls._applied_layer().sections["SCENARIO"])  # type: ignore[attr-defined]

    @property
    def schedules(cls) -> dict[str, ScheduleConfig]:
        return dict(cls._applied_layer().sections["SCHEDULE"])  # type: ignore[attr-defined]

    @property
    def sections(cls) -> dict[str, dict[str, Section]]:
        return {k: dict(v) for k, v in cls._applied_layer().sections.items()}  # type: ignore[attr-defined]

    @property
    def unique_sections(cls) -> dict[str, UniqueSection]:
        return dict(cls._applied_layer().unique)  # type: ignore[attr-defined]

    @property
    def global_config(cls) -> GlobalAppConfig:
        return cls._applied_layer().unique["TAIPY"]  # type: ignore[attr-defined,no-any-return]

    @property
    def job_config(cls) -> JobConfig:
        return cls._applied_layer().unique["JOB"]  # type: ignore[attr-defined,no-any-return]

    @property
    def core(cls) -> CoreSection:
        return cls._applied_layer().unique["CORE"]  # type: ignore[attr-defined,no-any-return]

    @property
    def migration_functions(cls) -> MigrationConfig:
        from scenaria.config import migration  # here: most programs register no migration

        return migration.view(cls._migrations, cls._migration_properties)  # type: ignore[attr-defined]


class ConfigState(metaclass=_ConfigMeta):
    """The layers of the process-wide configuration and what reads, merges, writes and checks them."""

    _lock = threading.RLock()
    _default: ConfigLayer = default_layer()
    _python: ConfigLayer = ConfigLayer()
    _file: ConfigLayer = ConfigLayer()
    _applied: ConfigLayer = ConfigLayer()
    _compiled = False
    _blocked = False
    # the applied layer last checked and the issues already logged about it: an explicit
    # Config.check() followed by the one of Orchestrator().run() logs each issue once
    _logged_for: ConfigLayer | None = None
    _logged: set[str] = set()
    # target version -> config id -> migration functions, in the order they were added
    _migrations: dict[str, dict[str, list[Any]]] = {}
    _migration_properties: dict[str, Any] = {}  # the **properties of add_migration_function

    # --- state -----------------------------------------------------------------------------------
    @classmethod
    def _reset(cls) -> None:
        """Forget every configuration change and unblock: a fresh configuration (for tests)."""
        with cls._lock:
            cls._default = default_layer()
            cls._python = ConfigLayer()
            cls._file = ConfigLayer()
            cls._applied = ConfigLayer()
            cls._compiled = False
            cls._blocked = False
            cls._logged_for, cls._logged = None, set()
            cls._migrations = {}
            cls._migration_properties = {}

    @classmethod
    def block_update(cls) -> None:
        """Refuse configuration changes (done while the orchestrator runs)."""
        cls._blocked = True

    @classmethod
    def unblock_update(cls) -> None:
        cls._blocked = False

    @classmethod
    def is_blocked(cls) -> bool:
        return cls._blocked

    @classmethod
    def _check_not_blocked(cls) -> None:
        if cls._blocked:
            raise ConfigurationUpdateBlocked(BLOCKED_MESSAGE)

    # --- compiling -------------------------------------------------------------------------------
    @classmethod
    def _applied_layer(cls) -> ConfigLayer:
        if not cls._compiled:
            cls._compile()
        return cls._applied

    @classmethod
    def _env_file_layer(cls) -> ConfigLayer:
        for variable in CONFIG_PATH_VARIABLES:
            path = os.environ.get(variable)
            if path:
                layer = toml_io.read_file(path)
                toml_io.check_references(layer, path, [cls._default, cls._python, cls._file])
                return layer
        return ConfigLayer()

    @classmethod
    def _compile(cls) -> None:
        with cls._lock:
            merged = compile_layers([cls._default, cls._python, cls._file, cls._env_file_layer()])
            stable = ConfigLayer()
            for section in merged:
                existing = cls._applied.get(section._KIND, section.id)
                if existing is not None and type(existing) is type(section):
                    existing.__dict__.clear()
                    existing.__dict__.update(section.__dict__)
                    section = existing
                object.__setattr__(section, "_hook", cls._on_section_change)
                stable.add(section)
            for section in stable:
                section._repoint(stable.find)
            cls._applied = stable
            cls._compiled = True

    @classmethod
    def _on_section_change(cls, section: Section, key: str | None) -> None:
        """Record a change made on an applied section in the Python layer, then recompile."""
        if key is None:
            cls._check_not_blocked()
            return
        with cls._lock:
            target = cls._python.get(section._KIND, section.id)
            if target is None:
                target = cls._python.add(_blank(section))
            if key == "properties":
                object.__setattr__(target, "_properties", copy_value(section._properties))
            elif key.startswith("-"):
                target._properties.pop(key[1:], None)
            else:
                target._set_raw(key, copy_value(section._raw(key)))
            # The override file would hide the change: change it there too (in memory, not on disk).
            overridden = cls._file.get(section._KIND, section.id)
            if overridden is not None and key != "properties":
                name = key.lstrip("-")
                if overridden._raw(name) is not None:
                    overridden._set_raw(name, None if key.startswith("-") else copy_value(section._raw(name)))
            cls._compile()

    @classmethod
    def _add(cls, section: Section) -> Any:
        with cls._lock:
            cls._check_not_blocked()
            cls._python.add(section)
            cls._compile()
            return cls._applied.get(section._KIND, section.id)

    # --- files -----------------------------------------------------------------------------------
    @classmethod
    def load(cls, filename: str | Path) -> None:
        """Replace the Python configuration by the TOML file ``filename``."""
        cls._check_not_blocked()
        logger.info("Loading configuration from %s", filename)
        layer = toml_io.read_file(filename)
        toml_io.check_references(layer, str(filename), [cls._default], _text(filename))
        with cls._lock:
            cls._python = layer
            cls._compile()

    @classmethod
    def override(cls, filename: str | Path) -> None:
        """Let the TOML file ``filename`` override the Python configuration."""
        cls._check_not_blocked()
        logger.info("Overriding the configuration with %s", filename)
        layer = toml_io.read_file(filename)
        toml_io.check_references(layer, str(filename), [cls._default, cls._python], _text(filename))
        with cls._lock:
            cls._file = layer
            cls._compile()

    @classmethod
    def restore(cls, filename: str | Path) -> None:
        """Make the configuration the one saved by ``backup`` in ``filename``."""
        cls._check_not_blocked()
        layer = toml_io.read_file(filename)
        toml_io.check_references(layer, str(filename), [cls._default], _text(filename))
        with cls._lock:
            cls._python = layer
            cls._file = ConfigLayer()
            cls._compile()

    @classmethod
    def export(cls, filename: str | Path) -> None:
        """Write the Python configuration (only what was set explicitly) as TOML."""
        toml_io.write_file(cls._python, filename)

    @classmethod
    def backup(cls, filename: str | Path) -> None:
        """Write the applied configuration, defaults included, as TOML."""
        toml_io.write_file(cls._applied_layer(), filename)

    @classmethod
    def _serialize_applied(cls) -> str:
        """The applied configuration as TOML text (stable; values without a TOML form are described)."""
        return toml_io.dumps(cls._applied_layer(), strict=False)

    # --- checking --------------------------------------------------------------------------------
    @classmethod
    def check(cls) -> IssueCollector:
        """Check the applied configuration; log every issue (once per configuration); raise
        ``ConfigCheckError`` on errors."""
        layer = cls._applied_layer()
        collector = run_checks(layer)
        if cls._logged_for is not layer:  # the configuration changed since: its issues are news
            cls._logged_for, cls._logged = layer, set()
        for log, issues in ((logger.warning, collector.warnings), (logger.info, collector.infos)):
            cls._log_once(log, issues)
        cls._log_once(logger.error, collector.errors)
        if collector.errors:
            lines = "\n".join(
                f"  - [{i.section}] {i.field}: {i.message} (value: {i.value!r})" for i in collector.errors
            )
            count = len(collector.errors)
            raise ConfigCheckError(f"The configuration has {count} error{'s' * (count > 1)}:\n{lines}", collector)
        return collector

    @classmethod
    def _log_once(cls, log: Callable[[str], None], issues: list[Issue]) -> None:
        for issue in issues:
            text = str(issue)
            if text not in cls._logged:
                cls._logged.add(text)
                log(text)

    @classmethod
    def _merge_unique(cls, section: UniqueSection) -> Any:
        """A unique section's calls add up: later calls change only what they set."""
        with cls._lock:
            cls._check_not_blocked()
            current = cls._python.get(section._KIND, section.id)
            if current is not None:
                current._update(section)
                section = current  # type: ignore[assignment]
            return cls._add(section)


def _blank(section: Section) -> Section:
    """An empty section of the same kind and id (every field unset)."""
    blank = section._clone()
    object.__setattr__(blank, "_values", dict.fromkeys(section._FIELDS))
    object.__setattr__(blank, "_properties", {})
    return blank


def _text(filename: str | Path) -> str | None:
    try:
        return Path(filename).read_text(encoding="utf-8")
    except OSError:
        return None
