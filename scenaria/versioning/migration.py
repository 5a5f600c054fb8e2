"""Migration functions for production versions (``Config.add_migration_function``), as in
Taipy's paid edition.

When a production version starts, the entities of the production versions created before it
are brought to it: each data node, task and scenario goes through the migration functions
registered for its config id and for every production version after its own, up to and
including the current one, oldest first (``fct(entity)`` changes the entity and returns it, or
returns None to keep it). Every entity of those versions (jobs and submissions too) then belongs
to the current version, so the current version reads them as its own. It happens once: a later
start finds no entity of an older production version. Everything is one transaction: a
migration function that raises leaves every version as it was, and names itself in the error.
"""

from __future__ import annotations

import logging
from typing import Any

from scenaria.entities.data_node import DataNode
from scenaria.entities.registry import Registry
from scenaria.entities.scenario import Scenario
from scenaria.entities.task import Task
from scenaria.exceptions import MigrationFunctionFailed

logger = logging.getLogger("scenaria")


def production_order(registry: Registry) -> list[str]:
    """The production versions, oldest first (by creation date)."""
    repo = registry.repository
    production = set(repo.get_meta("production_versions") or [])
    created = {r["id"]: r.get("creation_date") or "" for r in repo.find("version") if r["id"] in production}
    return sorted(created, key=lambda version: (created[version], version))


def migrate_production_entities(registry: Registry, current: str) -> int:
    """Bring the entities of older production versions to ``current``; how many were moved."""
    from scenaria.config import Config

    order = production_order(registry)
    if current not in order:
        return 0
    position = order.index(current)
    try:
        moved = _migrate_all(registry, order[: position + 1], Config._migrations)
    except BaseException:
        registry.forget()  # live objects a function changed before the failure are re-read as stored
        raise
    if moved:
        logger.info("Production version %s: %d entities of older production versions migrated.", current, moved)
    return moved


def _migrate_all(registry: Registry, order: list[str], functions: dict[str, dict[str, list[Any]]]) -> int:
    """Migrate the entities of every version of ``order`` but the last to the last, in one transaction."""
    current = order[-1]
    moved = 0
    with registry.transaction():
        for index, version in enumerate(order[:-1]):
            targets = order[index + 1 :]
            for cls in (DataNode, Task, Scenario):
                for entity in registry.find(cls, version=version):  # type: ignore[type-abstract]
                    migrated = _migrate(entity, version, targets, functions)
                    migrated.__dict__["version"] = current
                    registry.save(migrated)
                    moved += 1
            for kind in ("job", "submission"):
                for record in registry.repository.find(kind, version=version):
                    registry.repository.save(kind, {**record, "version": current})
            registry.forget(version)
    return moved


def _migrate(entity: Any, version: str, targets: list[str], functions: dict[str, dict[str, list[Any]]]) -> Any:
    for target in targets:
        for fct in functions.get(target, {}).get(entity.config_id, []):
            try:
                result = fct(entity)
            except Exception as exc:
                name = getattr(fct, "__qualname__", repr(fct))
                raise MigrationFunctionFailed(
                    f"The migration function {name} (to version {target!r}) failed on {entity.id} of production "
                    f"version {version!r}: {type(exc).__name__}: {exc}. Nothing was migrated; fix the function "
                    "and start the application again."
                ) from exc
            if result is not None:
                entity = result
    return entity
