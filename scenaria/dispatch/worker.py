"""A standalone worker process: runs jobs one at a time for the orchestrator that started it.

Started by ``StandaloneDispatcher`` as a fresh interpreter (``python -c`` bootstrap calling
``main``, or ``python -m scenaria.dispatch.worker CONN_FD LIFELINE_FD PARENT_PID``). It never
imports the user's ``__main__``: what a job holds that must go by value (functions of
``__main__``, notebooks, lambdas, closures) arrives cloudpickled inside its pickle (see
``pickling``), so no ``if __name__ == "__main__"`` guard is needed in user scripts.

Life of a worker:

1. Arrange to die with the orchestrator: ``PR_SET_PDEATHSIG`` on Linux, and a thread blocked on
   the read end of a "lifeline" pipe whose only write end the orchestrator holds: when the
   orchestrator dies (even by SIGKILL) the read returns EOF and the worker ``os._exit``s.
2. Receive its settings once (sys.path, logging level, modules to preload, optional initializer),
   apply them, answer
   READY.
3. Loop: receive a pickled runnable, run it with stdout/stderr (``sys`` and file descriptors 1
   and 2) captured for this job, undo what
   it left in the process (``hygiene``), answer DONE or FAILED (RETIRING first when this is its
   last job). EOF on the connection means "stop": exit at once.
"""

from __future__ import annotations

import contextlib
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

from scenaria.dispatch import base, hygiene, wire
from scenaria.dispatch.capture import Descriptors, JobStream
from scenaria.dispatch.jobside import apply_levels
from scenaria.dispatch.run import Unpickled, execute, pack

EXIT_ORPHANED = 70  # the orchestrator died


class Channel:
    """The worker's end of its connection; sends are serialised because jobs print from threads.

    Messages go out framed (``wire.frame``). In a process forked by a job (a ``multiprocessing``
    fork pool, a bare ``os.fork()``) the channel is not ours: its descriptor is pointed at
    ``/dev/null`` at the fork, output goes to the worker's real streams, and a child that comes back
    into the worker's code exits there without sending anything.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.owner = os.getpid()
        self._lock = threading.Lock()
        os.register_at_fork(after_in_child=self._forked)

    def _forked(self) -> None:
        self._lock = threading.Lock()  # another thread may have held it at the fork
        with contextlib.suppress(OSError):
            null = os.open(os.devnull, os.O_RDWR)
            os.dup2(null, self.conn.fileno(), inheritable=False)
            os.close(null)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    def send(self, message: Any) -> None:
        self.send_bytes(wire.frame(message))

    def send_bytes(self, data: bytes) -> None:
        if os.getpid() != self.owner:  # a job's forked child came back here: it is not a worker
            os._exit(0)
        try:
            with self._lock:
                view = memoryview(data)
                while view:
                    view = view[os.write(self.conn.fileno(), view) :]
        except OSError:  # the orchestrator is gone: nobody to report to
            os._exit(EXIT_ORPHANED)

    def send_output(self, stream: int, text: str) -> None:
        if os.getpid() != self.owner:
            fallback = sys.__stdout__ if stream == wire.STDOUT else sys.__stderr__
            with contextlib.suppress(OSError, ValueError, AttributeError):
                fallback.write(text)  # type: ignore[union-attr]
                fallback.flush()  # type: ignore[union-attr]
            return
        self.send((wire.OUTPUT, stream, text))

    def send_side(self, kind: str, args: tuple[Any, ...]) -> None:
        """A log record or a progress report of the running job (see ``jobside``)."""
        self.send((wire.LOG if kind == "log" else wire.PROGRESS, *args))


def main(argv: list[str] | None = None) -> None:
    """Run a worker; ``argv`` is ``[CONN_FD, LIFELINE_FD, PARENT_PID]``."""
    conn_fd, lifeline_fd, parent_pid = (int(arg) for arg in (argv or sys.argv[1:])[:3])
    base.no_orchestrator_here = (
        "this is a worker process, which imports the module of a task's function to run it, and that "
        "module starts an orchestrator when imported"
    )
    hygiene.become_subreaper()
    _exit_with_parent(lifeline_fd, parent_pid)
    os.set_inheritable(conn_fd, False)  # children the jobs start must not hold our channel
    channel = Channel(Connection(conn_fd))
    try:
        settings = wire.loads(channel.conn.recv_bytes())
        _initialise(settings)
    except EOFError:
        os._exit(0)
    except BaseException:
        channel.send((wire.INIT_FAILED, traceback.format_exc()))
        os._exit(1)
    channel.send((wire.READY, os.getpid()))
    grace = settings.get("job_grace", 1.0)
    jobs_left = settings.get("max_jobs") or -1
    descriptors = Descriptors()  # its reading thread is the worker's, not a job's
    while jobs_left:
        try:
            payload = channel.conn.recv_bytes()
        except (EOFError, OSError):
            break
        message, recycle = run_job(payload, channel, descriptors, grace)
        jobs_left = 0 if recycle else jobs_left - 1
        if not jobs_left:  # said before the result, so that no job is sent to a leaving worker
            channel.send((wire.RETIRING,))
        channel.send_bytes(message)
    os._exit(0)  # do not wait for threads a job may have left running


def _exit_with_parent(lifeline_fd: int, parent_pid: int) -> None:
    """Make sure this process does not outlive the orchestrator (no orphan workers)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            pr_set_pdeathsig = 1
            # SIGTERM, not SIGKILL: its handler ends the job's processes before the worker dies.
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - exotic libc
            pass
    signal.signal(signal.SIGTERM, _on_sigterm)
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
        hygiene.kill_all(hygiene.descendants(os.getpid()))  # what a job started dies with us
        os._exit(EXIT_ORPHANED)


def _on_sigterm(signum: int, frame: Any) -> None:
    """End what the job started (even in another session), then die of SIGTERM as asked."""
    hygiene.kill_all(hygiene.descendants(os.getpid()))
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)


def _initialise(settings: dict[str, Any]) -> None:
    """Apply the orchestrator's settings once for all jobs of this worker."""
    own = [path for path in sys.path if path not in settings["sys_path"]]
    sys.path[:] = [*settings["sys_path"], *own]
    apply_levels(settings.get("log_levels", {}))
    logging.getLogger().setLevel(settings.get("log_level", logging.WARNING))
    crash_fd = settings.get("crash_fd")
    if crash_fd is not None:  # a segfault's Python stack, into a file the orchestrator unlinked
        os.set_inheritable(crash_fd, False)
        faulthandler.enable(crash_fd, all_threads=False)
    for module in settings.get("preload", ()):  # what every job needs: imported before the first
        importlib.import_module(module)
    initializer = settings.get("initializer")
    if initializer is not None:
        pickle.loads(initializer)()


def run_job(payload: bytes, channel: Channel, descriptors: Descriptors, grace: float = 1.0) -> tuple[bytes, bool]:
    """Run one pickled runnable with its output captured, then undo what it left in this process.

    Returns the DONE or FAILED message and whether this worker must be recycled (a thread of the
    job still runs: it could print into, or change the state of, the next job).
    """
    before = hygiene.Snapshot()
    out = JobStream(channel.send_output, wire.STDOUT, sys.__stdout__)
    err = JobStream(channel.send_output, wire.STDERR, sys.__stderr__)
    try:
        with descriptors.capture(out, err):  # fds 1 and 2 too: C code, os.write, child processes
            ran = execute(Unpickled(payload), out, err, send=channel.send_side)
            if os.getpid() != channel.owner:  # a forked child returned from the job
                os._exit(0)
            notes = [f"changed {what}; restored for the next job" for what in before.restore()]
            ended = hygiene.end_descendants(grace)  # before the pipes are drained: they hold them
        if ended:
            notes.append(f"left {len(ended)} process(es) running (pids {ended}); ended")
        threads = before.new_threads()
        if threads:
            names = ", ".join(thread.name for thread in threads)
            notes.append(f"left {len(threads)} thread(s) running ({names}); the worker is replaced")
        for note in notes:
            err.write(f"scenaria: warning: the job {note}.\n")
    finally:
        out.end()
        err.end()
    return wire.frame(pack(ran)), bool(threads)


if __name__ == "__main__":
    main()
