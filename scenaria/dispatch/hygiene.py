"""What one job leaves in its worker process, and how the worker gives the next job a fresh start.

A worker runs many jobs; whatever a job changes in its process would otherwise be seen by the next
one. ``Snapshot`` takes the working directory, ``os.environ`` and ``sys.path`` before a job and puts
them back after it. Processes a job leaves behind (its children, and theirs, even those that
``setsid`` away from the worker's process group) are found through ``/proc`` and ended: the
worker is a child subreaper on Linux, so orphans of the job are reparented to it and can still be
found and reaped. Threads cannot be ended from outside: a worker left with a thread of the job
running is recycled instead (see ``worker``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

_PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    """Make orphaned descendants of this process its children (Linux), so they can be ended."""
    if not sys.platform.startswith("linux"):  # pragma: no cover - elsewhere orphans go to init
        return
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def descendants(pid: int) -> list[int]:
    """Every living process below ``pid`` (children first), read from ``/proc``; empty elsewhere."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir() if os.path.isdir("/proc") else ():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z":  # a zombie is already dead: reaping it is enough
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found: list[int] = []
    frontier = [pid]
    while frontier:
        children = parents.get(frontier.pop(), [])
        found.extend(children)
        frontier.extend(children)
    return found


def kill_all(pids: list[int], sig: int = signal.SIGKILL) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


def has_children() -> bool:
    """Whether this process has a child, living or not (one system call, no walk over ``/proc``).

    For a subreaper, no child means no descendant at all: an orphaned grandchild is reparented to it.
    """
    try:
        os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return False
    return True


def end_descendants(grace: float) -> list[int]:
    """SIGTERM what this process's jobs left running, SIGKILL it after ``grace`` s, reap it all."""
    _reap()
    if not has_children():  # the usual case
        return []
    left = descendants(os.getpid())
    if left:
        kill_all(left, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while (alive := descendants(os.getpid())) and time.monotonic() < deadline:
            _reap()
            time.sleep(0.01)
        kill_all(alive)
    _reap()
    return left


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _raw_environ() -> dict[Any, Any]:
    """``os.environ`` as the bytes it holds (CPython's ``_data``): 200 times cheaper to copy."""
    data = getattr(os.environ, "_data", None)
    return dict(data) if isinstance(data, dict) else {os.fsencode(k): os.fsencode(v) for k, v in os.environ.items()}


class Snapshot:
    """The working directory, environment and ``sys.path`` and threads of a worker before a job."""

    def __init__(self) -> None:
        self.cwd = os.getcwd()
        self.environ = _raw_environ()
        self.path = list(sys.path)
        self.threads = set(threading.enumerate())

    def restore(self) -> list[str]:
        """Put the state back; return what the job changed, in words, for its stderr."""
        changed = []
        if os.getcwd() != self.cwd:
            changed.append(f"the working directory ({os.getcwd()})")
            os.chdir(self.cwd)
        if _raw_environ() != self.environ:
            changed.append("os.environ")
            os.environ.clear()
            os.environ.update({os.fsdecode(key): os.fsdecode(value) for key, value in self.environ.items()})
        if sys.path != self.path:
            changed.append("sys.path")
            sys.path[:] = self.path
        return changed

    def new_threads(self) -> list[threading.Thread]:
        """Threads the job started that still run."""
        return [thread for thread in threading.enumerate() if thread not in self.threads and thread.is_alive()]
