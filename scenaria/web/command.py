"""What ``scenaria web CONFIG`` and ``scenaria serve CONFIG --web [HOST:]PORT`` do with the web app.

``scenaria web`` loads the configuration, starts the orchestrator (unless another process, such
as ``scenaria serve``, holds the version: then the app is its client) and serves the app in the
main thread. ``scenaria serve --web`` serves it from a thread beside the service's orchestrator
(`Beside`): one process, so the app's submits and event stream are that orchestrator's own. The
app itself only uses the public API and the store either way.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from scenaria.exceptions import ScenariaError

__all__ = ["BadWebAddress", "Beside", "load_configuration", "parse_address", "run"]


class UnreadableWebConfiguration(ScenariaError):
    """The CONFIG given to ``scenaria web`` is not a configuration file."""


class BadWebAddress(ScenariaError):
    """``--web`` was not ``[HOST:]PORT``."""


def load_configuration(path: str) -> None:
    """Load a TOML configuration, or import a Python file that builds one (``import taipy`` works
    in it) as the module its file name says, as ``serve`` and ``create`` do: its functions then
    have the same names here, so ``web`` and ``serve`` can share an experiment version."""
    from scenaria.cli.configfile import load_configuration as load

    full = os.path.abspath(path)
    if not os.path.isfile(full):
        raise UnreadableWebConfiguration(f"{path} is not a file: give a .toml or .py configuration file.")
    if not full.endswith((".py", ".toml")):
        raise UnreadableWebConfiguration(f"{path} is neither a .toml nor a .py configuration file.")
    load(full, None)


def parse_address(text: str) -> tuple[str, int]:
    """``PORT``, ``HOST:PORT`` or ``[IPV6]:PORT`` as (host, port); the host defaults to 127.0.0.1."""
    host, _, port = text.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not port.isdigit() or not 0 < int(port) < 65536 or (":" in host and not text.startswith("[")):
        raise BadWebAddress(
            f"--web {text!r} is not [HOST:]PORT: give a port (8000), a host and a port (0.0.0.0:8000) "
            "or an IPv6 address in brackets ([::1]:8000)"
        )
    return host or "127.0.0.1", int(port)


def run(config: str, host: str, port: int, token: str | None, read_only: bool) -> int:
    """Serve the web app for ``config`` until interrupted; refuses an open binding without a token."""
    from scenaria.web.app import check_binding, resolve_token

    load_configuration(config)
    check_binding(host, resolve_token(token))
    import scenaria as tp
    from scenaria.exceptions import OrchestratorServiceIsAlreadyRunning
    from scenaria.web.app import serve

    orchestrator: Any = tp.Orchestrator()
    try:
        orchestrator.run()
    except OrchestratorServiceIsAlreadyRunning as exc:  # a service holds the version: be its client
        print(f"scenaria web: a client of the live orchestrator ({exc})", flush=True)
        orchestrator = None
    try:
        print(f"scenaria web: serving on http://{host}:{port}/", flush=True)
        serve(host=host, port=port, token=token, read_only=read_only)
    finally:
        if orchestrator is not None:
            orchestrator.stop()
    return 0


class Beside:
    """The app served by uvicorn on a thread of this process, for ``scenaria serve --web``.

    Built before the orchestrator starts, so a bad address or an open binding without a token
    (`scenaria.web.app.check_binding`) is refused before anything runs; `start` once the
    orchestrator holds its version, `stop` when the service stops.
    """

    def __init__(self, address: str, token: str | None = None, read_only: bool = False) -> None:
        from scenaria.web.app import check_binding, resolve_token

        self.host, self.port = parse_address(address)
        self._token = resolve_token(token)
        check_binding(self.host, self._token)
        self._read_only = read_only
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def start(self, timeout: float = 30.0) -> None:
        """Serve from a daemon thread; return once listening (a port in use is a `ScenariaError`)."""
        import uvicorn

        from scenaria.web.app import create_app

        app = create_app(token=self._token, read_only=self._read_only)
        # open event streams never end by themselves: give them a second, then close them
        config = uvicorn.Config(app, host=self.host, port=self.port, log_level="warning", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="scenaria-web", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise ScenariaError(f"the web app could not listen on {self.url} (is the port in use?)")
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop serving (open event streams are closed) and wait for the thread."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
