from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from scenaria.events import Event, EventEntityType, EventOperation
from scenaria.exceptions import EventError, InvalidEventAttributeName, InvalidEventOperation


def test_enum_values_match_the_reference() -> None:
    assert [(m.name, m.value) for m in EventOperation] == [
        ("CREATION", 1), ("UPDATE", 2), ("DELETION", 3), ("SUBMISSION", 4)
    ]  # fmt: skip
    assert [(m.name, m.value) for m in EventEntityType] == [
        ("CYCLE", 1), ("SCENARIO", 2), ("SEQUENCE", 3), ("TASK", 4),
        ("DATA_NODE", 5), ("JOB", 6), ("SUBMISSION", 7),
    ]  # fmt: skip


def test_fields_defaults_and_creation_date() -> None:
    before = datetime.now()
    event = Event(EventEntityType.JOB, EventOperation.UPDATE, "JOB_1", "status", "COMPLETED")
    assert (event.entity_id, event.attribute_name, event.attribute_value) == ("JOB_1", "status", "COMPLETED")
    assert event.metadata == {}
    assert before <= event.creation_date <= datetime.now()
    assert Event(EventEntityType.CYCLE, EventOperation.CREATION).metadata is not event.metadata


def test_event_is_frozen_and_creation_date_is_not_an_argument() -> None:
    event = Event(EventEntityType.SCENARIO, EventOperation.CREATION, "SCENARIO_1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.entity_id = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Event(EventEntityType.SCENARIO, EventOperation.CREATION, creation_date=datetime.now())  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "entity_type",
    [EventEntityType.CYCLE, EventEntityType.DATA_NODE, EventEntityType.JOB, EventEntityType.SUBMISSION],
)
def test_submission_of_an_entity_that_cannot_be_submitted_is_refused(entity_type: EventEntityType) -> None:
    with pytest.raises(InvalidEventOperation, match="cannot be submitted"):
        Event(entity_type, EventOperation.SUBMISSION)


@pytest.mark.parametrize("entity_type", [EventEntityType.SCENARIO, EventEntityType.SEQUENCE, EventEntityType.TASK])
def test_submittable_entities_can_be_submitted(entity_type: EventEntityType) -> None:
    assert Event(entity_type, EventOperation.SUBMISSION).operation is EventOperation.SUBMISSION


@pytest.mark.parametrize("operation", [EventOperation.CREATION, EventOperation.DELETION, EventOperation.SUBMISSION])
def test_attribute_name_only_on_updates(operation: EventOperation) -> None:
    with pytest.raises(InvalidEventAttributeName, match="only UPDATE"):
        Event(EventEntityType.SCENARIO, operation, attribute_name="tags")


def test_event_errors_share_the_root() -> None:
    assert issubclass(InvalidEventOperation, EventError)
    assert issubclass(InvalidEventAttributeName, EventError)
