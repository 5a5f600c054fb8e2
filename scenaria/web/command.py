"""What ``scenaria web CONFIG`` does: load the configuration, start the orchestrator, serve the app.

Until the orchestrator can live in another process (``scenaria serve``), the web command runs
one in its own process, in the configuration's mode; the app itself only uses the public API
and the store, so it stays the same when it becomes a pure client.
"""

from __future__ import annotations

import os

from scenaria.exceptions import ScenariaError

__all__ = ["load_configuration", "run"]


class UnreadableWebConfiguration(ScenariaError):
    """The CONFIG given to ``scenaria web`` is not a configuration file."""


def load_configuration(path: str) -> None:
    """Load a TOML configuration, or run a Python file that builds one (``import taipy`` works in it)."""
    from scenaria.cli.configfile import load_configuration as load

    full = os.path.abspath(path)
    if not os.path.isfile(full):
        raise UnreadableWebConfiguration(f"{path} is not a file: give a .toml or .py configuration file.")
    if not full.endswith((".py", ".toml")):
        raise UnreadableWebConfiguration(f"{path} is neither a .toml nor a .py configuration file.")
    load(full, "__scenaria_web__")


def run(config: str, host: str, port: int, token: str | None, read_only: bool) -> int:
    """Serve the web app for ``config`` until interrupted; refuses an open binding without a token."""
    from scenaria.web.app import check_binding, resolve_token

    load_configuration(config)
    check_binding(host, resolve_token(token))
    import scenaria as tp
    from scenaria.web.app import serve

    orchestrator = tp.Orchestrator()
    orchestrator.run()
    try:
        print(f"scenaria web: serving on http://{host}:{port}/", flush=True)
        serve(host=host, port=port, token=token, read_only=read_only)
    finally:
        orchestrator.stop()
    return 0
