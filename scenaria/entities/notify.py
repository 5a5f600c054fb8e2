"""Publishing entity events, at almost no cost when nobody listens."""

from __future__ import annotations

from typing import Any

from scenaria.events.event import EventEntityType, EventOperation
from scenaria.events.notifier import Notifier


def publish(
    entity_type: str,
    operation: str,
    entity_id: str | None,
    attribute_name: str | None = None,
    attribute_value: Any = None,
    metadata: dict[str, Any] | None = None,
) -> None:
    """Publish an event named by its entity type and operation (member names of the enums)."""
    if not Notifier.listens_to(entity_type):
        return
    Notifier.publish_event(
        EventEntityType[entity_type],
        EventOperation[operation],
        entity_id=entity_id,
        attribute_name=attribute_name if operation == "UPDATE" else None,
        attribute_value=attribute_value,
        **(metadata or {}),
    )
