"""What an SSE message carries for values JSON has no word for, and the filter on ids its metadata names.

The hub writes each event with the C JSON encoder and falls back to `jsonable` when the encoder
refuses a value (a NaN, a key that is not text): either way a client gets what the REST answers
would give for the same value.
"""

from __future__ import annotations

import datetime as dt

from scenaria.entities.status import Status
from scenaria.events import EventEntityType, EventOperation, Notifier
from tests.web.sse import EventReader

WHEN = dt.datetime(2026, 1, 2, 3, 4, 5, 6)


def _publish(entity_id: str, value: object, **metadata: object) -> None:
    Notifier.publish_event(
        EventEntityType.JOB,
        EventOperation.UPDATE,
        entity_id=entity_id,
        attribute_name="note",
        attribute_value=value,
        **metadata,
    )


def test_values_without_a_json_form_arrive_as_the_rest_answers_give_them(server):
    reader = EventReader(f"{server.url}/api/v1/events")
    try:
        _publish("JOB_plain", {"when": WHEN, "state": Status.COMPLETED, "seen": {3}}, started=WHEN)
        _publish("JOB_odd", {"ratio": float("nan"), 7: [WHEN]}, started=WHEN)
        plain = reader.next_matching(entity_id="JOB_plain")
        odd = reader.next_matching(entity_id="JOB_odd")
    finally:
        reader.close()
    assert plain["attribute_value"] == {"when": WHEN.isoformat(), "state": "COMPLETED", "seen": [3]}
    assert plain["metadata"] == {"started": WHEN.isoformat()}
    assert odd["attribute_value"] == {"ratio": "nan", "7": [WHEN.isoformat()]}  # through jsonable
    assert odd["metadata"] == {"started": WHEN.isoformat()}
    assert odd["sse_id"] == odd["id"] == plain["id"] + 1


def test_a_filter_on_an_id_keeps_the_events_whose_metadata_names_it(server):
    reader = EventReader(f"{server.url}/api/v1/events", params={"entity_id": "SCENARIO_watched"})
    try:
        _publish("JOB_other", 1, origin_entity_id="SCENARIO_other")
        _publish("JOB_named", 2, origin_entity_id="SCENARIO_watched", started=WHEN)
        _publish("SCENARIO_watched", 3)
        received = [reader.messages.get(timeout=20)]
        while received[-1]["entity_id"] != "SCENARIO_watched":
            received.append(reader.messages.get(timeout=20))
    finally:
        reader.close()
    assert [message["entity_id"] for message in received] == ["JOB_named", "SCENARIO_watched"]
    assert received[0]["metadata"] == {"origin_entity_id": "SCENARIO_watched", "started": WHEN.isoformat()}
