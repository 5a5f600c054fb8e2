"""Rules that involve several entities: lookups by id, parents, tags, primary scenarios, deletability.

They sit in the entities layer so that entity methods (``scenario.add_tag``, ``set_primary``,
``get_parents``, ``is_deletable``) and the public API (``scenaria.tag``, ...) apply the same rule,
and neither the entities nor the orchestrator need the public API to apply it. The entity
modules use them, so they know entities by kind (``_KIND``), never by importing their classes.
"""

from __future__ import annotations

from typing import Any

from scenaria.entities.reasons import ReasonCollection
from scenaria.entities.registry import Registry
from scenaria.exceptions import DoesNotBelongToACycle, InvalidSequenceId

_PARENT_KINDS = frozenset({"scenario", "sequence", "task"})


# --- sequence ids ----------------------------------------------------------------------------------
def sequence_id(name: str, scenario_id: str) -> str:
    return f"SEQUENCE_{name.replace(' ', 'TPSPACE')}_{scenario_id}"


def split_sequence_id(seq_id: str) -> tuple[str, str]:
    """(sequence name, scenario id) of a sequence id."""
    head, sep, tail = seq_id.partition("_SCENARIO_")
    if not seq_id.startswith("SEQUENCE_") or not sep:
        raise InvalidSequenceId(f"{seq_id!r} is not a sequence id (SEQUENCE_<name>_<scenario id>).")
    return head[len("SEQUENCE_") :].replace("TPSPACE", " "), "SCENARIO_" + tail


# --- lookups -------------------------------------------------------------------------------------
def get(registry: Registry, entity_id: str) -> Any:
    """The entity with that id (a sequence too: it lives in its scenario), or None.

    ``ModelNotFound`` for a string that is no entity id.
    """
    if isinstance(entity_id, str) and entity_id.startswith("SEQUENCE_"):
        return _get_sequence(registry, entity_id)
    return registry.get(entity_id)


def _get_sequence(registry: Registry, seq_id: str) -> Any:
    name, scenario_id = split_sequence_id(seq_id)
    scenario: Any = registry.get(scenario_id)
    if _kind_of(scenario) != "scenario" or name not in scenario._sequences:
        return None
    return scenario._sequence(name)


def _kind_of(entity: Any) -> str | None:
    return getattr(entity, "_KIND", None)


def get_parents(registry: Registry, entity: Any) -> dict[str, Any]:
    """The scenarios, sequences and tasks an entity (or an entity id) belongs to, directly or not."""
    entity = get(registry, entity) if isinstance(entity, str) else entity
    parents: dict[str, dict[str, Any]] = {}

    def visit(current: Any) -> None:
        for parent_id in getattr(current, "parent_ids", ()):
            parent = get(registry, parent_id)
            if parent is None:
                continue
            kind = _kind_of(parent)
            parents.setdefault(kind if kind in _PARENT_KINDS else "data_node", {})[parent.id] = parent
            visit(parent)

    visit(entity)
    return {kind: {*found.values()} for kind, found in parents.items()}


# --- deleting --------------------------------------------------------------------------------------
def is_deletable(registry: Registry, entity: Any) -> ReasonCollection:
    """Truthy when the entity (or entity id) can be deleted; else the reasons why not."""
    entity = get(registry, entity) if isinstance(entity, str) else entity
    reasons = ReasonCollection()
    kind = _kind_of(entity)
    if kind == "scenario" and entity.is_primary and entity.owner_id:
        if registry.repository.count("scenario", owner_id=entity.owner_id) > 1:
            reasons.add(entity.id, f"Scenario {entity.id} is the primary scenario of a cycle with others.")
    elif kind == "job" and not entity.is_finished():
        reasons.add(entity.id, f"Job {entity.id} is not finished.")
    elif kind == "submission" and not entity.is_finished():
        reasons.add(entity.id, f"Submission {entity.id} is not finished.")
    return reasons


# --- tags and primary scenarios ------------------------------------------------------------------
def set_primary(registry: Registry, scenario: Any) -> None:
    """Make ``scenario`` the primary scenario of its cycle (the previous one is demoted)."""
    if scenario.owner_id is None:
        raise DoesNotBelongToACycle(
            f"Scenario {scenario.id} has no cycle (its config has no frequency), so it cannot be primary."
        )
    with registry.transaction():
        for other in registry.find(type(scenario), owner_id=scenario.owner_id):
            if other.is_primary and other.id != scenario.id:
                other._set_primary(False)
        scenario._set_primary(True)


def tag(registry: Registry, scenario: Any, tag: str) -> None:
    """Tag a scenario; the tag moves from the other scenarios of the same config and cycle."""
    with registry.transaction():
        for other in registry.find(type(scenario), config_id=scenario.config_id, owner_id=scenario.owner_id):
            if other.id != scenario.id and other.has_tag(tag):
                other._remove_tag(tag)
        scenario._add_tag(tag)


def untag(scenario: Any, tag: str) -> None:
    scenario._remove_tag(tag)
