"""Task functions of the Dask fault tests (importable by the workers): each run leaves a line in a file."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def runs(effect: str) -> list[str]:
    path = Path(effect)
    return path.read_text().splitlines() if path.exists() else []


def killed_first(spec):
    """Record the run; the first one SIGKILLs its Dask worker (``spec["kill"]`` "worker", the job
    process's parent) or the job's own process ("process")."""
    with open(spec["effect"], "a") as stream:
        stream.write(f"run {os.getpid()}\n")
    if len(runs(spec["effect"])) == 1:
        os.kill(os.getppid() if spec.get("kill", "worker") == "worker" else os.getpid(), signal.SIGKILL)
    return "second run"


def long_run(spec):
    with open(spec["effect"], "a") as stream:
        stream.write(f"run {os.getpid()}\n")
    time.sleep(spec["seconds"])
    return "late"
