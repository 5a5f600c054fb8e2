"""Entities that several scenarios share and that several creators may find-or-create at once:
GLOBAL data nodes and tasks, and CYCLE-scoped ones of scenarios without a cycle. (A cycle's
shared entities are under its period's lock: ``cycle.cycle_and_primary``.)

A creator (``create.create_scenario``, ``duplicate.duplicate_scenario``) holds the store's lock
on the key of each such entity until its transaction commits (``lock_shared``), then reads the
entity from the store under it (``find_shared``): of several threads or processes at once,
exactly one creates it, and each adds its parents to what the previous one committed, so no
update of its parents is lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scenaria.config.enums import Scope
from scenaria.entities.registry import Registry


def shared_key(kind: str, config_id: str) -> str:
    """The lock key of the shared entity of a config (``kind``: "data_node" or "task")."""
    return f"{kind}:{config_id}"


def unowned_keys(data_nodes: Iterable[Any], tasks: Iterable[tuple[str, Scope]], in_cycle: bool) -> tuple[str, ...]:
    """The lock keys, sorted, of the shared entities no cycle owns among a scenario's data nodes
    (each with ``config_id`` and ``scope``) and tasks (config id, the narrowest scope of their
    data nodes): GLOBAL ones, and CYCLE-scoped ones when the scenario has no cycle."""
    unowned = {Scope.GLOBAL} if in_cycle else {Scope.GLOBAL, Scope.CYCLE}
    keys = {shared_key("data_node", dn.config_id) for dn in data_nodes if dn.scope in unowned}
    keys |= {shared_key("task", config_id) for config_id, scope in tasks if scope in unowned}
    return tuple(sorted(keys))


def lock_shared(registry: Registry, keys: tuple[str, ...]) -> None:
    """Hold the store's lock on each key until the transaction commits; ``keys`` are sorted, so
    that two creators take them in the same order. Nothing is asked of the store for none."""
    for key in keys:
        registry.repository.lock_meta(f"shared:{registry.version}:{key}")


def find_shared(registry: Registry, cls: type, config_id: str, owner: str | None) -> Any:
    """The entity of that config and owner as the store holds it now, if any."""
    found: list[Any] = registry.find(cls, config_id=config_id)
    return next((entity for entity in found if entity.owner_id == owner), None)
