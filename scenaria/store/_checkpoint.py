"""Copying a SQLite store's write-ahead log back into its file on a thread of its own.

A commit in WAL mode appends the pages it changed to the ``-wal`` file; a *checkpoint* copies
them back into the database file and syncs it, so that the log can start over. SQLite runs it
inside the commit that makes the log pass a size (``wal_autocheckpoint``): that commit then
costs as much as the hundreds before it (creating a scenario's eight records commits ~17 pages;
the checkpoint was 60% of the time spent committing them). Here a thread of the store's process
runs a ``PASSIVE`` checkpoint every ``EVERY`` commits instead, beside the writers (SQLite lets a
checkpoint run while a connection writes; it only copies frames no reader still needs, and
the ``sqlite3`` module releases the GIL meanwhile). The writers' own automatic checkpoint stays, at
a larger size, to restart the log when commits never pause long enough for this thread to empty
it (then only the pages since this thread's last checkpoint are left to copy), and for when this
thread cannot keep up (or the process forked: the child starts its own thread on its first commits).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any

logger = logging.getLogger("scenaria")

#: commits between two checkpoints
EVERY = 32


class Checkpointer:
    """Runs ``PASSIVE`` checkpoints on its own connection (``connection()`` called on its thread)."""

    def __init__(self, connection: Callable[[], Any], every: int = EVERY) -> None:
        self._connection = connection
        self._every = every
        self._commits = 0  # counted without a lock: a lost count only delays a checkpoint
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._stopped = False

    def committed(self) -> None:
        """Count a commit; every ``every``-th wakes the thread (started on first need)."""
        self._commits += 1
        if self._commits % self._every or self._stopped:
            return
        if self._pid != os.getpid():
            self._start()
        self._wake.set()

    def _start(self) -> None:
        self._pid = os.getpid()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scenaria-sqlite-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        wake = self._wake
        while True:
            wake.wait()
            wake.clear()
            if self._stopped:
                return
            try:
                self._connection().execute("PRAGMA wal_checkpoint(PASSIVE)")
            except Exception as exc:  # busy, closed: the writers' automatic checkpoint remains
                logger.debug("background checkpoint of the SQLite store not done: %s", exc)

    def stop(self, timeout: float = 30.0) -> None:
        """End the thread, waiting for a checkpoint under way (its connection is closed next)."""
        self._stopped = True
        self._wake.set()
        thread = self._thread
        if thread is not None and self._pid == os.getpid() and thread is not threading.current_thread():
            thread.join(timeout)
