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
_moved = threading.Condition(_lock)  # notified when moves end
_landing: set[str] = set()
_LONGEST = 30.0  # seconds a read waits at most: a move that never ends must not hang readers


def begin(data_node_ids: Iterable[str]) -> None:
    """These nodes' committed files are about to be moved into place.

    One shared condition rather than an event per node: every job's commit marks its outputs,
    and a reader hardly ever finds one still moving."""
    with _lock:
        _landing.update(data_node_ids)


def end(data_node_ids: Iterable[str]) -> None:
    """Their move is over (done, failed or abandoned): readers go on."""
    with _lock:
        before = len(_landing)
        _landing.difference_update(data_node_ids)
        if len(_landing) != before:
            _moved.notify_all()


def wait(data_node_id: str) -> None:
    """Return once ``data_node_id`` is not being moved into place."""
    if data_node_id not in _landing:
        return
    with _lock:
        _moved.wait_for(lambda: data_node_id not in _landing, _LONGEST)
