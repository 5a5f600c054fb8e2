"""Publishing entity events, at almost no cost when nobody listens."""

from __future__ import annotations

from typing import Any


def publish(
    entity_type: str,
    operation: str,
    entity_id: str | None,
    attribute_name: str | None = None,
    attribute_value: Any = None,
    metadata: dict[str, Any] | None = None,
) -> None:
    """Publish an event named by its entity type and operation (member names of the enums)."""
    from scenaria.events import Event, EventEntityType, EventOperation, Notifier

    if not Notifier.has_listeners():
        return
    if operation != "UPDATE":
        attribute_name = None
    Notifier.publish(
        Event(
            entity_type=EventEntityType[entity_type],
            operation=EventOperation[operation],
            entity_id=entity_id,
            attribute_name=attribute_name,
            attribute_value=attribute_value,
            metadata=metadata or {},
        )
    )
