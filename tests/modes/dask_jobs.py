"""Task functions of the Dask fault tests (importable by the workers): each run leaves a line in a file."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
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
    """Record the run, take ``spec["seconds"]``, record the write it is about to make, and make it."""
    with open(spec["effect"], "a") as stream:
        stream.write(f"run {os.getpid()}\n")
    time.sleep(spec["seconds"])
    with open(spec["effect"], "a") as stream:
        stream.write(f"write {os.getpid()}\n")
    return "late"


def talk_then_wait(spec):
    """Print a line and log a record, then wait for the test to create ``spec["gate"]``."""
    print("waiting for the gate", flush=True)
    logging.getLogger("tests.dask").warning("a record before the gate")
    deadline = time.monotonic() + 60
    while not os.path.exists(spec["gate"]):
        if time.monotonic() > deadline:
            raise TimeoutError("the gate was never opened")
        time.sleep(0.05)
    print("through the gate")
    return "done"


def chatter(spec):
    """Write numbered lines of its own, slowly enough for another job's lines to come in between:
    by ``print``, by ``os.write`` on descriptors 1 and 2, and by a child process (``echo``)."""
    name = spec["name"]
    for number in range(40):
        line = f"{name} {number}"
        if number % 3 == 0:
            print(line, flush=True)
        elif number % 3 == 1:
            os.write(1, f"{line}\n".encode())
        else:
            subprocess.run(["echo", line], check=True)
        time.sleep(0.005)
    os.write(2, f"{name} on fd 2\n".encode())
    return name


def where(spec):
    """The process id of the Dask worker that runs the job (the parent of the job's process)."""
    return os.getppid()
