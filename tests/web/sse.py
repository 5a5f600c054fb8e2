"""A Server-Sent Events reader for the tests: a thread parses the stream into a queue of messages."""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import threading
import time

import httpx


class EventReader:
    """Reads ``url`` (an SSE stream) in a thread; `next_matching` waits for a message."""

    def __init__(self, url: str, headers: dict[str, str] | None = None, params: dict | None = None) -> None:
        self.messages: queue.Queue[dict] = queue.Queue()
        self.connected = threading.Event()
        self._client = httpx.Client(timeout=httpx.Timeout(10, read=None))
        self._args = (url, headers or {}, params or {})
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        assert self.connected.wait(10), "the event stream did not open"

    def _read(self) -> None:
        url, headers, params = self._args
        try:
            with self._client.stream("GET", url, headers=headers, params=params) as response:
                self._response = response
                self.status = response.status_code
                self.connected.set()
                data: dict = {}
                for line in response.iter_lines():
                    if line.startswith("id: "):
                        data = {"sse_id": int(line[4:])}
                    elif line.startswith("data: "):
                        data.update(json.loads(line[6:]))
                    elif line == "" and data:
                        data["received"] = time.perf_counter()
                        self.messages.put(data)
                        data = {}
        except (httpx.HTTPError, RuntimeError, OSError):  # closed by the test
            self.connected.set()

    def next_matching(self, timeout: float = 20, **wanted) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            message = self.messages.get(timeout=max(0.01, deadline - time.monotonic()))
            if all(message.get(key) == value for key, value in wanted.items()):
                return message

    def close(self) -> None:
        """Stop reading now: shutting the socket down wakes the thread blocked on it (closing would not)."""
        response = getattr(self, "_response", None)
        stream = response.extensions.get("network_stream") if response is not None else None
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._client.close()
        self._thread.join(timeout=5)
