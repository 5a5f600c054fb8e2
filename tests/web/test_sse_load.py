"""50 SSE clients at once over a run of jobs in worker processes: each gets every job event, once, soon.

What the notifier published (a registration of this test, beside the app's) is the count to
match; the time a client parsed a job's COMPLETED event is compared with the job's recorded end.
"""

from __future__ import annotations

import time
from collections import Counter
from queue import Empty

import pytest

import scenaria as tp
from scenaria.events import EventEntityType, Notifier
from scenaria.web.serialize import jsonable
from tests.web.sse import EventReader

pytestmark = pytest.mark.processes

CLIENTS = 50
SCENARIOS = 8  # two jobs each
LATENCY_BOUND = 5.0  # seconds from a job's recorded end to every client: generous, the machine is shared


def _published(queue) -> list[tuple]:
    events = []
    while True:
        try:
            event = queue.get_nowait()
        except Empty:
            return events
        value = str(jsonable(event.attribute_value))  # as the app sends it: an enum by name, a date in ISO
        events.append((event.entity_id, event.operation.name, event.attribute_name, value))


def _key(message: dict) -> tuple:
    return (message["entity_id"], message["operation"], message["attribute_name"], str(message["attribute_value"]))


def test_fifty_clients_each_get_every_job_event_once(standalone_server, configs):
    url = f"{standalone_server.url}/api/v1/events"
    readers = [EventReader(url, params={"entity_type": "JOB"}) for _ in range(CLIENTS)]
    registration, queue = Notifier.register(entity_type=EventEntityType.JOB)
    try:
        scenarios = [tp.create_scenario(configs["chain"]) for _ in range(SCENARIOS)]
        with standalone_server.client() as client:
            submitted = [client.post(f"/api/v1/scenarios/submit/{s.id}").json()["submission"] for s in scenarios]
        assert all(tp.get(submission["id"]).wait(120) for submission in submitted)
        job_ids = [job_id for submission in submitted for job_id in submission["jobs"]]
        time.sleep(0.5)  # the last events are published as the submissions end
        expected = Counter(_published(queue))
        assert sum(expected.values()) >= 3 * len(job_ids)  # at least pending, running, completed each
        received = [_drain(reader, sum(expected.values())) for reader in readers]
    finally:
        Notifier.unregister(registration)
        for reader in readers:
            reader.close()
    ends = {job_id: tp.get(job_id).finished_at.timestamp() for job_id in job_ids}
    now_wall, now_perf = time.time(), time.perf_counter()
    worst = 0.0
    for messages in received:
        numbers = [message["sse_id"] for message in messages]
        assert numbers == sorted(set(numbers))  # in order, none twice
        assert Counter(_key(message) for message in messages) == expected
        for message in messages:
            if message["attribute_value"] == "COMPLETED" and message["entity_id"] in ends:
                parsed_wall = now_wall - (now_perf - message["received"])
                worst = max(worst, parsed_wall - ends[message["entity_id"]])
    assert worst < LATENCY_BOUND, f"a job's end reached a client {worst:.2f} s after it"


def _drain(reader: EventReader, count: int, timeout: float = 60) -> list[dict]:
    """The reader's messages once it has ``count`` of them (or the deadline passed), and a little after."""
    messages: list[dict] = []
    deadline = time.monotonic() + timeout
    while len(messages) < count and time.monotonic() < deadline:
        try:
            messages.append(reader.messages.get(timeout=0.2))
        except Empty:
            continue
    time.sleep(0.05)  # anything more would be a duplicate
    while not reader.messages.empty():
        messages.append(reader.messages.get_nowait())
    return messages
