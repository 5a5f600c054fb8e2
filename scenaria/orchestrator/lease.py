"""Which process orchestrates a version of a store: one at a time.

Job states have one writer, the orchestrating process. When it starts, it takes over the jobs
a previous orchestrator left unfinished, failing those left RUNNING: that is only right if the
previous one is dead. So each orchestrator records itself (host, pid and the process's start
time, which tells a live process from a new one that reused its pid) in the store, and another
one refuses to start while that process lives.
"""

from __future__ import annotations

import os
import socket
from typing import Any

from scenaria.exceptions import OrchestratorServiceIsAlreadyRunning
from scenaria.store.base import Repository


def _key(version: str) -> str:
    return f"orchestrator:{version}"


def _start_time(pid: int) -> str | None:
    """The start time of a process (Linux: its clock ticks since boot), None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as file:
            return file.read().rsplit(")", 1)[1].split()[19]
    except OSError:
        try:
            os.kill(pid, 0)  # elsewhere: alive or not, without its start time
        except OSError:
            return None
        return ""


def _me() -> dict[str, Any]:
    return {"host": socket.gethostname(), "pid": os.getpid(), "started": _start_time(os.getpid())}


def _alive(holder: dict[str, Any]) -> bool:
    if holder.get("host") != socket.gethostname():
        return False  # another machine's process cannot be checked from here: taken over
    started = _start_time(int(holder["pid"]))
    return started is not None and (started == holder.get("started") or not started)


def acquire(repository: Repository, version: str) -> None:
    """Record this process as the orchestrator of ``version``; refuse if a live one is."""
    holder = repository.get_meta(_key(version))
    if holder and holder.get("pid") != os.getpid() and _alive(holder):
        raise OrchestratorServiceIsAlreadyRunning(
            f"Process {holder['pid']} already orchestrates version {version!r} of this store; stop it first, "
            "or run this application on another version (--experiment NAME) or store."
        )
    repository.set_meta(_key(version), _me())


def release(repository: Repository, version: str) -> None:
    """Forget this process as the orchestrator of ``version`` (if it is)."""
    holder = repository.get_meta(_key(version))
    if holder and holder.get("pid") == os.getpid() and holder.get("host") == socket.gethostname():
        repository.set_meta(_key(version), None)
