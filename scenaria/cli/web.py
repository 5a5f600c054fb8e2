"""``scenaria web CONFIG [--host H] [--port P] [--token T] [--read-only]``: the REST API and dashboard.

Serves http://HOST:PORT/ (the dashboard) and /api/v1/ (the REST API, documented at /docs) over
the store of the configuration CONFIG (.toml or .py). It binds to 127.0.0.1 unless told
otherwise; beyond localhost a token is required (--token, or SCENARIA_WEB_TOKEN).
Needs: pip install "scenaria[web]".
"""

from __future__ import annotations

import argparse
from typing import Any

from scenaria.cli.common import documented_parser

NAME = "web"
HELP = "serve the REST API and the dashboard over a configuration's store (needs scenaria[web])"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Declare ``web CONFIG [--host H] [--port P] [--token T] [--read-only]``."""
    parser = documented_parser(subparsers, NAME, HELP, __doc__)
    parser.add_argument("config", metavar="CONFIG", help="a .toml or .py configuration file")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--token", help="the token clients must send (default: $SCENARIA_WEB_TOKEN)")
    parser.add_argument("--read-only", action="store_true", help="serve reads only")
    return parser


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    try:
        from scenaria.web import command
    except ImportError as exc:  # pragma: no cover - the extra is installed wherever the tests run
        args.parser.error(f'{exc}: install the web extra, pip install "scenaria[web]"')
    return command.run(args.config, args.host, args.port, args.token, args.read_only)
