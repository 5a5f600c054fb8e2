"""What ``Config.add_migration_function`` registers and returns: Taipy's ``MigrationConfig``
(``migration_fcts``: target version -> config id -> function, and free ``properties``).

scenaria keeps every function added for a config and version, in order (``Config._migrations``,
read by ``scenaria.versioning.migration``); Taipy's section keeps the last one, which is what
``migration_fcts`` shows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar

from scenaria.exceptions import ConfigError


@dataclasses.dataclass(frozen=True)
class MigrationConfig:
    """The migration functions registered so far, as Taipy's paid edition describes them."""

    name: ClassVar[str] = "VERSION_MIGRATION"

    migration_fcts: dict[str, dict[str, Callable[[Any], Any]]]
    properties: dict[str, Any]

    def __getattr__(self, item: str) -> Any:
        """A property by name (``None`` when not given), as on Taipy's sections."""
        if item.startswith("_"):
            raise AttributeError(item)
        return self.properties.get(item)


def add(
    migrations: dict[str, dict[str, list[Any]]], target_version: str, config: Any, migration_fct: Callable[[Any], Any]
) -> None:
    """Record ``migration_fct`` for the entities of ``config`` (a config or its id) in ``migrations``."""
    config_id = config if isinstance(config, str) else getattr(config, "id", None)
    if not isinstance(config_id, str) or not callable(migration_fct) or not str(target_version):
        raise ConfigError(
            f"add_migration_function({target_version!r}, {config!r}, {migration_fct!r}): give a version, "
            "a data node, task or scenario config (or its id) and a function of one entity."
        )
    migrations.setdefault(str(target_version), {}).setdefault(config_id, []).append(migration_fct)


def view(migrations: dict[str, dict[str, list[Any]]], properties: dict[str, Any]) -> MigrationConfig:
    """The registered functions as Taipy's section shows them (the last one per config and version)."""
    fcts = {version: {cid: fns[-1] for cid, fns in by_id.items()} for version, by_id in migrations.items()}
    return MigrationConfig(fcts, dict(properties))
