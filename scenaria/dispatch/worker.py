"""A standalone worker process: runs jobs one at a time for the orchestrator that started it.

Started by ``StandaloneDispatcher`` as a fresh interpreter (``python -c`` bootstrap calling
``main``, or ``python -m scenaria.dispatch.worker CONN_FD LIFELINE_FD PARENT_PID``). It never
imports the user's ``__main__``: jobs arrive pickled by cloudpickle, which sends functions of
``__main__``, notebooks, lambdas and closures by value, so no ``if __name__ == "__main__"`` guard
is needed in user scripts.

Life of a worker:

1. Arrange to die with the orchestrator: ``PR_SET_PDEATHSIG`` on Linux, and a thread blocked on
   the read end of a "lifeline" pipe whose only write end the orchestrator holds: when the
   orchestrator dies (even by SIGKILL) the read returns EOF and the worker ``os._exit``s.
2. Receive its settings once (sys.path, logging level, modules to preload, optional initializer),
   apply them, answer
   READY.
3. Loop: receive a pickled runnable, run it with stdout/stderr captured for this job, answer
   DONE or FAILED. EOF on the connection means "stop": exit at once.
"""

from __future__ import annotations

import faulthandler
import importlib
import logging
import os
import pickle
import signal
import sys
import threading
import traceback
from multiprocessing.connection import Connection
from typing import Any

import cloudpickle  # noqa: F401 - loaded before the first job, which needs it

from scenaria.dispatch import wire
from scenaria.dispatch.capture import JobStream
from scenaria.dispatch.jobside import apply_levels
from scenaria.dispatch.run import Unpickled, execute, pack

EXIT_ORPHANED = 70  # the orchestrator died


class Channel:
    """The worker's end of its connection; sends are serialised because jobs print from threads."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._lock = threading.Lock()

    def send(self, message: Any) -> None:
        self.send_bytes(wire.dumps(message))

    def send_bytes(self, data: bytes) -> None:
        try:
            with self._lock:
                self.conn.send_bytes(data)
        except OSError:  # the orchestrator is gone: nobody to report to
            os._exit(EXIT_ORPHANED)

    def send_output(self, stream: int, text: str) -> None:
        self.send((wire.OUTPUT, stream, text))

    def send_side(self, kind: str, args: tuple[Any, ...]) -> None:
        """A log record or a progress report of the running job (see ``jobside``)."""
        self.send((wire.LOG if kind == "log" else wire.PROGRESS, *args))


def main(argv: list[str] | None = None) -> None:
    """Run a worker; ``argv`` is ``[CONN_FD, LIFELINE_FD, PARENT_PID]``."""
    conn_fd, lifeline_fd, parent_pid = (int(arg) for arg in (argv or sys.argv[1:])[:3])
    _exit_with_parent(lifeline_fd, parent_pid)
    os.set_inheritable(conn_fd, False)  # children the jobs start must not hold our channel
    channel = Channel(Connection(conn_fd))
    try:
        _initialise(wire.loads(channel.conn.recv_bytes()))
    except EOFError:
        os._exit(0)
    except BaseException:
        channel.send((wire.INIT_FAILED, traceback.format_exc()))
        os._exit(1)
    channel.send((wire.READY, os.getpid()))
    while True:
        try:
            payload = channel.conn.recv_bytes()
        except (EOFError, OSError):
            break
        channel.send_bytes(run_job(payload, channel))
    os._exit(0)  # do not wait for threads a job may have left running


def _exit_with_parent(lifeline_fd: int, parent_pid: int) -> None:
    """Make sure this process does not outlive the orchestrator (no orphan workers)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - exotic libc
            pass
    if os.getppid() != parent_pid:  # it died before prctl took effect
        os._exit(EXIT_ORPHANED)
    os.set_inheritable(lifeline_fd, False)
    threading.Thread(
        target=_await_orchestrator_death, args=(lifeline_fd,), name="scenaria-lifeline", daemon=True
    ).start()


def _await_orchestrator_death(lifeline_fd: int) -> None:
    try:
        while os.read(lifeline_fd, 1):  # nobody writes: only EOF (all writers dead) returns
            pass
    finally:
        os._exit(EXIT_ORPHANED)


def _initialise(settings: dict[str, Any]) -> None:
    """Apply the orchestrator's settings once for all jobs of this worker."""
    own = [path for path in sys.path if path not in settings["sys_path"]]
    sys.path[:] = [*settings["sys_path"], *own]
    apply_levels(settings.get("log_levels", {}))
    logging.getLogger().setLevel(settings.get("log_level", logging.WARNING))
    crash_file = settings.get("crash_file")
    if crash_file:  # a segfault's Python stack, for the orchestrator to report
        faulthandler.enable(open(crash_file, "w"), all_threads=False)  # noqa: SIM115 - lives as long as us
    for module in settings.get("preload", ()):  # what every job needs: imported before the first
        importlib.import_module(module)
    initializer = settings.get("initializer")
    if initializer is not None:
        pickle.loads(initializer)()


def run_job(payload: bytes, channel: Channel) -> bytes:
    """Run one pickled runnable with its output captured; return the DONE or FAILED message."""
    out = JobStream(channel.send_output, wire.STDOUT, sys.__stdout__)
    err = JobStream(channel.send_output, wire.STDERR, sys.__stderr__)
    try:
        ran = execute(Unpickled(payload), out, err, send=channel.send_side)
    finally:
        out.end()
        err.end()
    return wire.dumps(pack(ran))


if __name__ == "__main__":
    main()
