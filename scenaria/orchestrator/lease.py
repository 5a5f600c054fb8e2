"""Which process orchestrates a version of a store: one at a time, and never two by mistake.

Job states have one writer, the orchestrating process. The lease is a meta record of the store
(``orchestrator:VERSION``) naming the holder (host, pid, the process's start time), its *epoch*
(a number that grows at each new holder), a heartbeat time and the expiry after which a silent
holder counts as dead, and the address of its control channel (``orchestrator.control``).

- **Atomic acquisition**: read, decide and write happen in one store transaction that locks the
  record (``Repository.lock_meta``: SQLite's write lock, a PostgreSQL advisory lock), so two
  processes racing for a version cannot both win.
- **Heartbeat and expiry**: the holder rewrites its heartbeat every ``expiry / 4`` seconds. A
  holder is alive while its heartbeat is younger than its expiry; on the same host it must also
  still run (pid and start time), so a killed holder is taken over at once, one on another host
  once its heartbeat is stale (the hosts' clocks are assumed in sync, within the expiry).
- **Fencing**: every transaction that writes a job state first checks, in that transaction,
  that the lease still has this holder's epoch (``Lease.check``). A deposed holder's write
  fails with ``OrchestratorDeposed`` and the holder stops itself, saying who took over.

The host recorded is ``SCENARIA_HOSTNAME`` when set (containers sharing a hostname; tests that
play a second host), else the machine's hostname.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from scenaria.exceptions import OrchestratorDeposed, OrchestratorServiceIsAlreadyRunning
from scenaria.store.base import Repository

logger = logging.getLogger("scenaria")

#: seconds without a heartbeat after which a holder counts as dead
DEFAULT_EXPIRY = 10.0


def key(version: str) -> str:
    return f"orchestrator:{version}"


def hostname() -> str:
    return os.environ.get("SCENARIA_HOSTNAME") or socket.gethostname()


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


def _is_me(record: dict[str, Any]) -> bool:
    return record.get("pid") == os.getpid() and record.get("host") == hostname()


def alive(record: dict[str, Any] | None) -> bool:
    """Whether a lease record names a live holder."""
    if not record or record.get("pid") is None:
        return False
    if time.time() - float(record.get("heartbeat", 0)) > float(record.get("expiry", DEFAULT_EXPIRY)):
        return False
    if record.get("host") != hostname():
        return True  # another machine's process: its fresh heartbeat is all we can know
    started = _start_time(int(record["pid"]))
    return started is not None and (started == record.get("started") or not started)


def describe(record: dict[str, Any]) -> str:
    return f"process {record.get('pid')} on host {record.get('host')!r}"


def holder(repository: Repository, version: str) -> dict[str, Any] | None:
    """The lease record of a live holder of ``version`` other than this process, or None."""
    record = repository.get_meta(key(version))
    if alive(record) and not _is_me(record):
        return dict(record)
    return None


class Lease:
    """This process's hold on a version: heartbeat, fencing check, release."""

    def __init__(self, repository: Repository, version: str, record: dict[str, Any]) -> None:
        self.repository = repository
        self.version = version
        self.record = record
        self.epoch = int(record["epoch"])
        self.on_deposed: Callable[[str], None] | None = None
        self.deposed: str | None = None
        self._stop = threading.Event()
        self._beat = threading.Thread(target=self._heartbeats, name="scenaria-lease", daemon=True)
        self._beat.start()

    def check(self) -> None:
        """Inside a job-state transaction: refuse it if another holder took the version over."""
        current = self.repository.lock_meta(key(self.version)) or {}
        if current.get("epoch") != self.epoch:
            self._depose(current)

    def _depose(self, current: dict[str, Any]) -> None:
        if self.deposed is None:
            self.deposed = (
                f"This orchestrator (epoch {self.epoch}) of version {self.version!r} was deposed: "
                f"{describe(current)} holds it now (epoch {current.get('epoch')}); it stops and writes no job state."
            )
            logger.error("%s", self.deposed)
            self._stop.set()
            if self.on_deposed is not None:
                threading.Thread(target=self.on_deposed, args=(self.deposed,), daemon=True).start()
        raise OrchestratorDeposed(self.deposed)

    def _heartbeats(self) -> None:
        interval = float(self.record["expiry"]) / 4
        while not self._stop.wait(interval):
            try:
                with self.repository.transaction():
                    current = self.repository.lock_meta(key(self.version)) or {}
                    if current.get("epoch") != self.epoch:
                        self._depose(current)
                    self.record = {**current, "heartbeat": time.time()}
                    self.repository.set_meta(key(self.version), self.record)
            except OrchestratorDeposed:
                return
            except Exception:  # a busy or unreachable store: try again at the next beat
                logger.warning("The orchestrator's heartbeat could not be written; retrying.", exc_info=True)

    def release(self) -> None:
        """Give the version up (if still held), keeping the epoch so that the next one is greater."""
        self._stop.set()
        if self._beat is not threading.current_thread():
            self._beat.join(5)
        with self.repository.transaction():
            current = self.repository.lock_meta(key(self.version)) or {}
            if current.get("epoch") == self.epoch:
                self.repository.set_meta(key(self.version), {"epoch": self.epoch})


def acquire(repository: Repository, version: str, expiry: float = DEFAULT_EXPIRY, **channel: Any) -> Lease:
    """Hold ``version``; ``OrchestratorServiceIsAlreadyRunning`` naming the live holder if there is one.

    ``channel`` (the control channel's ``address`` and ``token``) is recorded for clients.
    """
    with repository.transaction():
        current = repository.lock_meta(key(version)) or {}
        if alive(current) and not _is_me(current):
            raise OrchestratorServiceIsAlreadyRunning(
                f"{describe(current).capitalize()} already orchestrates version {version!r} of this store; stop it "
                "first, or run this application on another version (--experiment NAME) or store."
            )
        if current.get("pid") is not None and not _is_me(current):
            logger.warning("Taking version %r over from %s, which is gone.", version, describe(current))
        record = {
            "host": hostname(),
            "pid": os.getpid(),
            "started": _start_time(os.getpid()),
            "epoch": int(current.get("epoch", 0)) + 1,
            "heartbeat": time.time(),
            "expiry": float(expiry),
            **channel,
        }
        repository.set_meta(key(version), record)
    return Lease(repository, version, record)
