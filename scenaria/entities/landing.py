"""Outputs whose job is recorded COMPLETED but whose files are still being moved into place.

A renames-only commit (``orchestrator.moves``) stores a job's end first and renames its staged
files right after, so that a job costs one store transaction. In between, this process already
holds the job as COMPLETED: a script polling ``is_finished()`` could read the output before its
file is there. A read of a node named here waits for its move (a few microseconds, or as long as
the renames take), so that in this process an output is always in place once its job shows
COMPLETED. (Another process reading the store has no such wait: see docs/execution.md.)
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

_lock = threading.Lock()
_landing: dict[str, threading.Event] = {}
_LONGEST = 30.0  # seconds a read waits at most: a move that never ends must not hang readers


def begin(data_node_ids: Iterable[str]) -> None:
    """These nodes' committed files are about to be moved into place."""
    with _lock:
        for id in data_node_ids:
            _landing.setdefault(id, threading.Event())


def end(data_node_ids: Iterable[str]) -> None:
    """Their move is over (done, failed or abandoned): readers go on."""
    with _lock:
        for id in data_node_ids:
            event = _landing.pop(id, None)
            if event is not None:
                event.set()


def wait(data_node_id: str) -> None:
    """Return once ``data_node_id`` is not being moved into place."""
    event = _landing.get(data_node_id)
    if event is not None:
        event.wait(_LONGEST)
