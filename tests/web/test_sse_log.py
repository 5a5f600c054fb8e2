"""The hub's shared log: a stalled client loses nothing while connected; a reconnect replays the latest HISTORY.

A raw socket with a tiny receive buffer stops reading while more than twice `HISTORY` large
events are published, so the server's writes to it block and its stream falls far behind
the log's trimming point; it then reads everything and must find every event, once, in order.
"""

from __future__ import annotations

import re
import socket
import time

from scenaria.events import EventEntityType, EventOperation, Notifier
from scenaria.web.live import HISTORY
from tests.web.sse import EventReader

COUNT = 3 * HISTORY
PADDING = "x" * 2000  # 3,000 events of ~2 KB: far more than the socket buffers hold


def _publish(count: int) -> None:
    for index in range(count):
        Notifier.publish_event(
            EventEntityType.JOB,
            EventOperation.UPDATE,
            entity_id=f"JOB_{index}",
            attribute_name="note",
            attribute_value=PADDING,
        )


def _stalled_client(port: int) -> socket.socket:
    client = socket.socket()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    client.connect(("127.0.0.1", port))
    client.sendall(b"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    head = b""
    while b"retry: 1000" not in head:
        head += client.recv(4096)
    return client


def _read_ids(client: socket.socket, count: int, timeout: float = 60) -> list[int]:
    client.settimeout(1)
    data, deadline = b"", time.monotonic() + timeout
    while data.count(b"\nid: ") < count and time.monotonic() < deadline:
        try:
            data += client.recv(1 << 20)
        except TimeoutError:
            continue
    return [int(number) for number in re.findall(rb"\nid: (\d+)\n", data)]


def test_a_stalled_client_gets_every_event_once_and_a_reconnect_the_latest(server):
    client = _stalled_client(server.port)
    try:
        _publish(COUNT)
        time.sleep(1)  # the server writes what the socket takes, then waits on it
        numbers = _read_ids(client, COUNT)
    finally:
        client.close()
    assert len(numbers) == COUNT and numbers == list(range(numbers[0], numbers[0] + COUNT))
    late = EventReader(f"{server.url}/api/v1/events", headers={"Last-Event-ID": str(numbers[0])})
    try:
        time.sleep(1)
        replayed = [late.messages.get_nowait()["sse_id"] for _ in range(late.messages.qsize())]
    finally:
        late.close()
    assert replayed == list(range(numbers[-1] - HISTORY + 1, numbers[-1] + 1))
