"""Task functions that count themselves (importable by worker processes): how many run at once.

Each run adds itself to a counter file under an exclusive ``fcntl`` lock, notes the highest count
seen and its own start, stays a while, then takes itself off. The tests read the file afterwards:
what the tasks observed, not what the scheduler says it did.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any


@contextlib.contextmanager
def _counter(path: str) -> Iterator[dict[str, Any]]:
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            file = Path(path)
            state = json.loads(file.read_text()) if file.exists() else {"now": 0, "max": 0, "starts": [], "pids": []}
            yield state
            file.write_text(json.dumps(state))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def observed(path: str) -> dict[str, Any]:
    """What the runs counted in ``path``: ``max`` at once, ``starts`` in order, ``pids`` that ran them."""
    with _counter(path) as state:
        return dict(state)


def counted(spec: dict[str, Any]) -> str:
    """Run for ``spec["seconds"]``, counted in every counter file of ``spec["counters"]``."""
    for path in spec["counters"]:
        with _counter(path) as state:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
            state["starts"].append(spec["name"])
            state["pids"].append([os.getpid(), os.getppid()])
    time.sleep(spec.get("seconds", 0.4))
    for path in spec["counters"]:
        with _counter(path) as state:
            state["now"] -= 1
    return spec["name"]


def held(spec: dict[str, Any]) -> str:
    """Counted like ``counted``, but running until the file ``spec["release"]`` exists."""
    for path in spec["counters"]:
        with _counter(path) as state:
            state["starts"].append(spec["name"])
    deadline = time.monotonic() + 120
    while not os.path.exists(spec["release"]) and time.monotonic() < deadline:
        time.sleep(0.02)
    return spec["name"]
