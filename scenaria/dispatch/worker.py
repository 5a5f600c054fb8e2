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
import time
import traceback
from multiprocessing.connection import Connection
from typing import Any

import cloudpickle

from scenaria.dispatch import wire
from scenaria.dispatch.capture import CurrentStderr, JobStream
from scenaria.exceptions import ResultNotPicklable

EXIT_ORPHANED = 70  # the orchestrator died
LOG_FORMAT = "[%(asctime)s][%(name)s][%(levelname)s] %(message)s"


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
    root = logging.getLogger()
    handler = logging.StreamHandler(CurrentStderr())  # type: ignore[arg-type]
    handler.setFormatter(logging.Formatter(settings.get("log_format") or LOG_FORMAT))
    root.addHandler(handler)
    root.setLevel(settings.get("log_level", logging.WARNING))
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
    sys.stdout, sys.stderr = out, err  # type: ignore[assignment]
    started = time.time()
    try:
        result = pickle.loads(payload).run()
        finished = time.time()
    except BaseException as exc:  # SystemExit and KeyboardInterrupt in a job fail the job only
        finished = time.time()
        reply = _failure(exc, started, finished, "".join(traceback.format_exception(exc)))
    else:
        reply = _success(result, started, finished)
    finally:
        out.end()
        err.end()
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    return reply


def _success(result: Any, started: float, finished: float) -> bytes:
    try:
        data = cloudpickle.dumps(result, protocol=wire.PROTOCOL)
    except Exception as exc:
        kind = f"{type(result).__module__}.{type(result).__qualname__}"
        error = ResultNotPicklable(
            f"the job's result, of type {kind}, cannot be pickled to go back to the orchestrator "
            f"({type(exc).__name__}: {exc}); return plain data, or write it to an output data node"
        )
        return _failure(error, started, finished, "".join(traceback.format_exception(exc)) + str(error))
    return wire.dumps((wire.DONE, started, finished, data))


def _failure(exc: BaseException, started: float, finished: float, trace: str) -> bytes:
    kind = type(exc).__qualname__
    if type(exc).__module__ != "builtins":
        kind = f"{type(exc).__module__}.{kind}"
    try:
        text = str(exc)
    except Exception:  # a broken __str__ must not lose the failure
        text = f"<unprintable {kind}>"
    try:
        data = cloudpickle.dumps(exc, protocol=wire.PROTOCOL)
        pickle.loads(data)  # one that pickles but cannot be rebuilt would fail in the orchestrator
    except Exception:
        data = wire.dumps(wire.RemoteError(f"{kind}: {text}", kind))
    return wire.dumps((wire.FAILED, started, finished, data, trace, kind, text))


if __name__ == "__main__":
    main()
