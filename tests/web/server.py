"""The web app served by uvicorn on a free port, in a thread of the test process (same store, live orchestrator)."""

from __future__ import annotations

import threading
import time

import httpx
import uvicorn

from scenaria.web import create_app
from tests.support.network import free_port


class WebServer:
    """``with WebServer(token=...) as server: server.url``; stopped (and joined) on exit."""

    def __init__(self, **options) -> None:
        self.app = create_app(**options)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> WebServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the web server did not start")
            time.sleep(0.01)
        return self

    def client(self, **headers) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=headers, timeout=10)

    def __exit__(self, *exc) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
