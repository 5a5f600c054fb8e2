"""One database connection per thread, all closed together: what the SQL stores share.

A DB-API connection runs one transaction at a time, so threads that each open their own
transaction need their own connection. Each thread gets one on first use (``get``); ``close``
closes every thread's. Connections of threads that have ended are closed when another thread
connects, so short-lived threads do not pile up open connections. After a ``fork``, the child
never touches its parent's connections (nor closes them: that could disturb the parent's
session) and opens its own.

Each connection carries its transaction depth (``depth``), for the nested transactions.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

C = TypeVar("C")
_getpid = os.getpid


class PerThread(Generic[C]):
    """Connections made by ``connect`` and released by ``release``, one per thread."""

    def __init__(self, connect: Callable[[], C], release: Callable[[C], Any], closed_error: Callable[[], Exception]):
        self._connect = connect
        self._release = release
        self._closed_error = closed_error
        # this thread's connection, the pid it was made in, and its ``depth``: all set by ``get``
        # (a transaction, which calls it first, then reads and sets ``local.depth`` itself)
        self.local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[tuple[threading.Thread, C]] = []
        self._forked: list[C] = []  # a parent's connections, kept so nothing closes them here
        self._pid = os.getpid()
        self.closed = False

    def get(self) -> C:
        """This thread's connection, made on first use."""
        local = self.local
        conn = getattr(local, "conn", None)
        if conn is not None and local.pid == _getpid() and not self.closed:
            return conn
        return self._open()

    def _open(self) -> C:
        if self.closed:
            raise self._closed_error()
        pid = os.getpid()
        if pid != self._pid:
            self._forked.extend(conn for _, conn in self._connections)
            self._connections = []
            self._lock = threading.Lock()
            self._pid = pid
        conn = self._connect()
        with self._lock:
            alive = []
            main = threading.main_thread()
            for thread, other in self._connections:
                # The main thread counts as ended while the interpreter exits, yet its atexit
                # handlers (stopping the orchestrator) still use its connection.
                if thread.is_alive() or thread is main:
                    alive.append((thread, other))
                else:
                    self._release(other)
            alive.append((threading.current_thread(), conn))
            self._connections = alive
        local = self.local
        local.conn, local.pid, local.depth = conn, pid, 0
        return conn

    @property
    def depth(self) -> int:
        """How many transactions this thread has open."""
        return getattr(self.local, "depth", 0)

    @depth.setter
    def depth(self, value: int) -> None:
        self.local.depth = value

    def count(self) -> int:
        return len(self._connections)

    def close(self) -> None:
        """Close every thread's connection; ``get`` raises afterwards."""
        with self._lock:
            self.closed = True
            connections, self._connections = self._connections, []
        for _, conn in connections:
            self._release(conn)
