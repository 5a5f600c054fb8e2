"""What changed, on which entity: the `Event` record and its two enums.

An event is a small immutable record that the entities and the orchestrator hand to the
`Notifier`. It is validated when built, so a subscriber never has to guess whether an odd
combination (a job "submitted", a creation with an attribute name) can reach it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scenaria.exceptions import InvalidEventAttributeName, InvalidEventOperation

__all__ = ["Event", "EventEntityType", "EventOperation"]


class EventOperation(enum.Enum):
    """What happened to the entity."""

    CREATION = 1
    UPDATE = 2
    DELETION = 3
    SUBMISSION = 4


class EventEntityType(enum.Enum):
    """The kind of entity an event is about."""

    CYCLE = 1
    SCENARIO = 2
    SEQUENCE = 3
    TASK = 4
    DATA_NODE = 5
    JOB = 6
    SUBMISSION = 7


#: Only scenarios, sequences and tasks can be submitted.
NOT_SUBMITTABLE = frozenset(
    {EventEntityType.CYCLE, EventEntityType.DATA_NODE, EventEntityType.JOB, EventEntityType.SUBMISSION}
)
#: An attribute name only makes sense for an update.
NO_ATTRIBUTE_OPERATIONS = frozenset({EventOperation.CREATION, EventOperation.DELETION, EventOperation.SUBMISSION})


def check_operation(entity_type: EventEntityType | None, operation: EventOperation | None) -> None:
    """Raise `InvalidEventOperation` for a submission of something that cannot be submitted.

    Shared by `Event` and by topic registration, so a subscription that can never match is
    refused as early as an event that cannot exist.
    """
    if operation is EventOperation.SUBMISSION and entity_type is not None and entity_type in NOT_SUBMITTABLE:
        raise InvalidEventOperation(
            f"{entity_type.name} entities cannot be submitted: a SUBMISSION event exists only for "
            "SCENARIO, SEQUENCE and TASK."
        )


@dataclass(frozen=True)
class Event:
    """One change to one entity, as published to the `Notifier`.

    ``metadata`` carries what the publisher knew at the time (config id, version, ...), so a
    subscriber can filter without fetching the entity. ``creation_date`` is the time the event
    was built, not when a subscriber reads it.
    """

    entity_type: EventEntityType
    operation: EventOperation
    entity_id: str | None = None
    attribute_name: str | None = None
    attribute_value: Any = None
    metadata: dict[str, Any] = field(default_factory=dict)
    creation_date: datetime = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "creation_date", datetime.now())
        check_operation(self.entity_type, self.operation)
        if self.attribute_name is not None and self.operation in NO_ATTRIBUTE_OPERATIONS:
            raise InvalidEventAttributeName(
                f"A {self.operation.name} event has no attribute name (got {self.attribute_name!r}); "
                "only UPDATE events name the attribute that changed."
            )
