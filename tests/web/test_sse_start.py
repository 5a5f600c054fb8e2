"""A stream sends every event published after its request was handled, even those published before
its body started (under load the body starts well after the headers a client waits for)."""

from __future__ import annotations

import asyncio
import time

from scenaria.events import EventEntityType, EventOperation, Notifier
from scenaria.web.live import EventHub


def test_a_stream_from_the_position_at_its_request_sends_what_came_before_its_body_started():
    hub = EventHub()
    hub.start()
    try:
        at_request = hub.position()  # the request is handled, the headers go out
        Notifier.publish_event(EventEntityType.JOB, EventOperation.UPDATE, entity_id="JOB_early")
        deadline = time.monotonic() + 10
        while hub.position() == at_request and time.monotonic() < deadline:  # numbered by the hub's pump
            time.sleep(0.01)

        async def first_event() -> bytes:
            body = hub.stream(at_request, None, None)  # the body starts only now
            chunks = [await body.__anext__(), await asyncio.wait_for(body.__anext__(), 10)]
            await body.aclose()
            return b"".join(chunks)

        assert b"JOB_early" in asyncio.run(first_event())
    finally:
        hub.stop()
