"""``scenaria serve [CONFIG] [--web [HOST:]PORT [--token T]]``: run the orchestrator of one version as a service.

CONFIG is a TOML file or a Python file that builds the configuration (its store, job mode,
version mode); without it, the default configuration (SQLite store in .taipy/). The version
flags of applications apply: --development (default), --experiment V, --production V.

While it runs, any process using the same store is a client: its submit, wait, cancel_job and
events go to this process (docs/service.md). It logs to stderr. --web [HOST:]PORT also serves
the REST API and dashboard from this process (docs/web.md; needs scenaria[web]; beyond
localhost it needs a token: --token T as for `scenaria web`, else SCENARIA_WEB_TOKEN or the
configuration).

SIGTERM or SIGINT stops it: it takes no new submission, gives running jobs --grace seconds to
finish, then stops; jobs still running are left RUNNING in the store, and the next orchestrator
of the version runs them again (when their task allows retries) or fails them, saying why.

A stop never hangs: if the process has not ended STOP_TIMEOUT seconds after the grace (a store
that does not answer, a stuck thread), it prints every thread's stack to stderr and exits with
status 1; its lease then expires and the next orchestrator takes the version over.

Exit status: 0 stopped by a signal, 1 the stop did not end in time, 3 bad configuration, 4 another
live process holds the version (the lease), 5 deposed by another orchestrator, or a fatal error.
"""

from __future__ import annotations

import argparse
import faulthandler
import logging
import os
import signal
import sys
import threading
import time
from typing import Any

from scenaria.cli.common import documented_parser

NAME = "serve"
HELP = "run the orchestrator of one version as a service; other processes submit to it"

STOPPED, BAD_CONFIG, LEASE_REFUSED, FATAL = 0, 3, 4, 5
STOP_TIMEOUT = 10.0  # seconds after the grace; then the stop is stuck (faulthandler's exit status is 1)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Declare ``serve [CONFIG] [--grace S] [--lease-expiry S]`` and the version flags."""
    parser = documented_parser(subparsers, NAME, HELP, __doc__)
    parser.add_argument("config", nargs="?", metavar="CONFIG", help="a .toml or .py configuration file")
    parser.add_argument("--grace", type=float, default=30.0, metavar="SECONDS",
                        help="how long running jobs may finish after SIGTERM/SIGINT (default 30)")  # fmt: skip
    parser.add_argument("--lease-expiry", type=float, default=None, metavar="SECONDS",
                        help="silence after which another process may take the version over (default 10)")  # fmt: skip
    versions = parser.add_mutually_exclusive_group()  # read again from sys.argv by version management
    versions.add_argument("--development", "--taipy-development", action="store_true")
    versions.add_argument("--experiment", "--taipy-experiment", nargs="?", const="", metavar="VERSION")
    versions.add_argument("--production", "--taipy-production", nargs="?", const="", metavar="VERSION")
    parser.add_argument("--taipy-force", "--force", action="store_true", help="replace a changed configuration")
    parser.add_argument("--web", metavar="[HOST:]PORT", help="also serve the REST API and dashboard (docs/web.md)")
    parser.add_argument("--token", help="with --web: the token clients must send (default: $SCENARIA_WEB_TOKEN)")
    return parser


def run(args: argparse.Namespace) -> int:
    """Serve until a signal or a takeover; the exit status says which."""
    log = logging.getLogger("scenaria")
    if not log.handlers:
        logging.basicConfig(stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s")
    log.setLevel(logging.INFO)
    if args.config:
        from scenaria.cli.configfile import UserCodeError, load_configuration

        try:
            load_configuration(args.config, None)
        except UserCodeError as exc:  # its message names the configuration already
            log.error("%s", exc)
            return BAD_CONFIG
        except Exception as exc:
            log.error("The configuration %s cannot be loaded: %s", args.config, exc)
            return BAD_CONFIG
    if args.token is not None and not args.web:
        args.parser.error("serve: --token is the token of --web [HOST:]PORT; give --web too")
    web = _web(args.web, args.token, log) if args.web else None
    if web is False:
        return BAD_CONFIG
    started = _start(args, log)
    if started is None and web:
        started = _start_web(web, log)
    if started is not None:
        return started
    try:
        return _serve(args, log)
    finally:
        if web:
            web.stop()


def _web(address: str, token: str | None, log: logging.Logger) -> Any:
    """The web app to serve beside the orchestrator (`scenaria.web.command.Beside`), False when refused."""
    from scenaria.exceptions import ScenariaError

    try:
        from scenaria.web.command import Beside

        return Beside(address, token)
    except (ImportError, ScenariaError) as exc:  # the extra missing, a bad address, an open binding without a token
        log.error("Not serving: %s", exc)
        return False


def _start_web(web: Any, log: logging.Logger) -> int | None:
    from scenaria.exceptions import ScenariaError
    from scenaria.orchestrator import Orchestrator

    try:
        web.start()
    except ScenariaError as exc:  # the port is taken
        log.error("Not serving: %s", exc)
        Orchestrator().stop(wait=False)
        return BAD_CONFIG
    log.info("Serving the web app on %s", web.url)
    return None


def _start(args: argparse.Namespace, log: logging.Logger) -> int | None:
    from scenaria.exceptions import ConfigError, OrchestratorServiceIsAlreadyRunning, ScenariaError
    from scenaria.orchestrator import Orchestrator, service

    if args.lease_expiry is not None:
        service.settings["lease_expiry"] = args.lease_expiry
    try:
        Orchestrator().run()
    except OrchestratorServiceIsAlreadyRunning as exc:
        log.error("Not serving: %s", exc)
        return LEASE_REFUSED
    except ConfigError as exc:
        log.error("Not serving, the configuration is wrong: %s", exc)
        return BAD_CONFIG
    except ScenariaError as exc:
        log.error("Not serving: %s", exc)
        return FATAL
    return None


def _serve(args: argparse.Namespace, log: logging.Logger) -> int:
    from scenaria.entities.registry import registry
    from scenaria.orchestrator import Orchestrator, scheduler, service

    stop = threading.Event()
    reason: list[int] = []

    def on_signal(signum: int, frame: Any) -> None:
        reason.append(STOPPED)
        stop.set()

    def on_deposed(message: str) -> None:
        reason.append(FATAL)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    service.on_deposed.append(on_deposed)
    reg = registry()
    held = service._held
    log.info(
        "Serving version %s of %s (pid %d, control %s).",
        reg.version,
        reg.repository,
        os.getpid(),
        held[1].address if held else "-",
    )
    # Python runs a signal's handler in the main thread, when that thread next runs: a signal
    # the kernel gave another thread would wait for the end of a long sleep, so sleep briefly
    while not stop.wait(0.5):
        pass
    # from here on the process ends: stuck, it shows where (every thread's stack) and exits
    faulthandler.dump_traceback_later(args.grace + STOP_TIMEOUT, exit=True)
    if reason[0] == FATAL:
        log.error("Stopped: another orchestrator took version %s over.", reg.version)
        return FATAL
    log.info("Stopping (signal): running jobs get %g s to finish.", args.grace)
    current = scheduler.current()
    if held is not None:
        held[1].close()  # no new requests
    deadline = time.monotonic() + args.grace
    # a slow check while shutting down (off the hot path): are jobs still running?
    while current is not None and current._active and time.monotonic() < deadline:
        time.sleep(0.05)
    if current is not None and current._active:
        log.warning("%d job(s) still unfinished are left for the next start.", len(current._active))
    Orchestrator().stop(wait=False)
    log.info("Stopped.")
    return STOPPED
