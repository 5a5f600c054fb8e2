"""The control channel's messages (``orchestrator.control``): JSON lines, events in a plain form.

Shared by the holder's side (``control_server``), the client's (``control``) and the
notifications through PostgreSQL (``pg_notify``).
"""

from __future__ import annotations

import json
from typing import Any

from scenaria.entities.job import Job
from scenaria.entities.registry import registry
from scenaria.entities.status import Status
from scenaria.entities.submission import SubmissionStatus
from scenaria.events.event import Event, EventEntityType, EventOperation
from scenaria.events.notifier import Topic

#: what a client is told of: the states of jobs and submissions
TOPICS = (Topic(entity_type=EventEntityType.JOB), Topic(entity_type=EventEntityType.SUBMISSION))


def send(stream: Any, message: dict[str, Any], flush: bool = True) -> None:
    stream.write(json.dumps(message, default=str).encode() + b"\n")
    if flush:
        stream.flush()


def encode_event(event: Event) -> dict[str, Any]:
    value = event.attribute_value
    if event.attribute_name == "jobs":  # Job objects travel as their ids (read back from the store)
        value = [job.id for job in value]
    return {
        "entity_type": event.entity_type.name,
        "operation": event.operation.name,
        "entity_id": event.entity_id,
        "attribute_name": event.attribute_name,
        "attribute_value": value.name if hasattr(value, "name") and hasattr(value, "value") else value,
        "metadata": {
            k: v if isinstance(v, str | int | float | bool | None) else str(v) for k, v in event.metadata.items()
        },
    }


_VALUES = {"status": Status, "submission_status": SubmissionStatus}


def decode_event(data: dict[str, Any]) -> Event:
    value = data["attribute_value"]
    enum = _VALUES.get(data["attribute_name"] or "")
    if enum is not None and isinstance(value, str):
        value = enum[value]
    if data["attribute_name"] == "jobs":
        value = registry().get_many(Job, value)
    return Event(
        EventEntityType[data["entity_type"]],
        EventOperation[data["operation"]],
        data["entity_id"],
        data["attribute_name"],
        value,
        data["metadata"],
    )
