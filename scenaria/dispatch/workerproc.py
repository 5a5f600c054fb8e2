"""One worker process as the orchestrator sees it: start it, watch it, kill it, reap it.

A worker is a fresh interpreter (``sys.executable``), never a fork of the orchestrator and never a
re-run of the user's ``__main__``. It talks over one socket pair (a ``multiprocessing``
``Connection`` at each end). Its death is seen through a pidfd on Linux (readable when the process
exits, even if a child it forked still holds its socket), or through EOF on its connection
elsewhere. It runs in a session of its own, so that killing it also kills what its job started
(``killpg``) and so that a Ctrl-C in the orchestrator's terminal does not interrupt its job.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import scenaria
from scenaria.dispatch import hygiene, wire

_PACKAGE_ROOT = str(Path(scenaria.__file__).resolve().parent.parent)
# The worker imports the same scenaria as the orchestrator, wherever that one came from.
_BOOTSTRAP = (
    "import sys; sys.argv[1] in sys.path or sys.path.insert(0, sys.argv[1]); "
    "from scenaria.dispatch.worker import main; main(sys.argv[2:])"
)


def _interpreter_flags() -> list[str]:
    """-X, -W, -O... flags of this interpreter, as multiprocessing's spawn passes them on."""
    try:
        return list(subprocess._args_from_interpreter_flags())  # type: ignore[attr-defined]
    except Exception:  # pragma: no cover - private helper gone
        return []


class WorkerProcess:
    """A started worker process: its ``Popen``, its connection and its death sentinel."""

    def __init__(self, settings: dict[str, Any], lifeline_fd: int, cwd: str) -> None:
        """Start the process and send it its settings; it answers READY when initialised."""
        # Where faulthandler writes a crash's stack: a file without a name (unlinked at once), so
        # that nothing is left on disk however the worker or the orchestrator ends.
        self.crash_fd = _nameless_file()
        mine, theirs = socket.socketpair()
        with mine, theirs:
            command = [
                sys.executable, *_interpreter_flags(), "-c", _BOOTSTRAP,
                _PACKAGE_ROOT, str(theirs.fileno()), str(lifeline_fd), str(os.getpid()),
            ]  # fmt: skip
            try:
                self.popen = subprocess.Popen(
                    command, pass_fds=(theirs.fileno(), lifeline_fd, self.crash_fd), cwd=cwd,
                    start_new_session=True,
                )  # fmt: skip
            except BaseException:
                os.close(self.crash_fd)
                raise
            self.conn = Connection(mine.detach())
        self.frames = wire.Frames()
        self.pid = self.popen.pid
        self.pidfd: int | None = None
        if hasattr(os, "pidfd_open"):
            with contextlib.suppress(OSError):
                self.pidfd = os.pidfd_open(self.pid)
        self.ready = False
        self.init_error = ""
        self.job: Any = None  # the job it runs, set and cleared by the dispatcher
        self.doomed = False  # killed on purpose: its death is no news
        self.retiring = False  # said it exits after its job: it takes no more
        self.exited_seen = False  # its sentinel fired: it takes no more jobs
        self._reaped = False
        self.crash_report = ""  # set by reap()
        with contextlib.suppress(OSError):
            self.conn.send_bytes(
                wire.dumps({**settings, "crash_fd": self.crash_fd})
            )  # if it already died, its sentinel will say so

    @property
    def sentinel(self) -> int:
        """A descriptor that becomes readable when the process has exited."""
        return self.pidfd if self.pidfd is not None else self.conn.fileno()

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the worker and everything its job started: its process group, and on SIGKILL
        every descendant too (a job's child may have left the group with ``setsid``)."""
        if self._reaped:  # its pid may belong to someone else now
            return
        below = hygiene.descendants(self.pid) if sig == signal.SIGKILL else []
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, sig)
        hygiene.kill_all(below, sig)

    def exited(self) -> bool:
        """Whether the process has exited (never blocks)."""
        return self._reaped or self.popen.poll() is not None

    def reap(self, timeout: float | None = None) -> int:
        """Wait for the exit (immediate once the sentinel fired), free its resources, return the code."""
        code = self.popen.wait(timeout)
        if not self._reaped:
            self._reaped = True
            self.conn.close()
            if self.pidfd is not None:
                os.close(self.pidfd)
            self.crash_report = _read_and_close(self.crash_fd)
        return code


def _nameless_file() -> int:
    """A descriptor of a temporary file that has no name on disk."""
    with tempfile.TemporaryFile() as stream:  # O_TMPFILE, or unlinked at once
        return os.dup(stream.fileno())


def _read_and_close(fd: int) -> str:
    """What faulthandler wrote when the process crashed (a segfault's Python stack)."""
    try:
        return os.pread(fd, 1 << 16, 0).decode(errors="replace").strip()
    except OSError:
        return ""
    finally:
        os.close(fd)


def death_reason(code: int) -> str:
    """Say in words how a process with exit status ``code`` (as ``Popen.returncode``) ended."""
    if code >= 0:
        return f"exited with code {code}"
    try:
        name = signal.Signals(-code).name
        description = signal.strsignal(-code) or ""
    except ValueError:
        return f"was killed by signal {-code}"
    reason = f"was killed by signal {name}" + (f" ({description})" if description else "")
    if -code == signal.SIGKILL:
        reason += "; if nobody killed it, the system may have run out of memory"
    return reason
