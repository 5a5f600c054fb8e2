"""Fixtures of the dispatcher tests: a recording listener, a pool factory, a gate, a leak check."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from scenaria.dispatch.standalone import StandaloneDispatcher
from tests.support.dispatch import RecordingListener
from tests.support.processes import children


@pytest.fixture
def listener() -> RecordingListener:
    return RecordingListener()


@pytest.fixture
def make_pool(listener: RecordingListener) -> Iterator[Callable[..., StandaloneDispatcher]]:
    """Start pools reporting to ``listener``; every one is stopped after the test."""
    pools: list[StandaloneDispatcher] = []

    def make(max_workers: int = 1, **options: object) -> StandaloneDispatcher:
        pool = StandaloneDispatcher(max_workers, **options)  # type: ignore[arg-type]
        pools.append(pool)
        pool.start(listener)
        return pool

    yield make
    for pool in pools:
        pool.stop()


@pytest.fixture
def gate(tmp_path: Path) -> Iterator[Callable[[], None]]:
    """A named pipe jobs block on (``wait_for_gate``) until the test calls ``open_gate()``."""
    fifo = tmp_path / "gate"
    os.mkfifo(fifo)

    def open_gate() -> None:
        with open(fifo, "w") as stream:
            stream.write("go")

    open_gate.path = str(fifo)  # type: ignore[attr-defined]
    yield open_gate


@pytest.fixture(autouse=True)
def no_leaks() -> Iterator[None]:
    """Each test leaves no thread and no child process (running or zombie) behind."""
    threads_before = set(threading.enumerate())
    children_before = set(children())
    yield
    stray_threads = [t for t in threading.enumerate() if t not in threads_before and t.is_alive()]
    assert not stray_threads, f"threads left running: {stray_threads}"
    left = set(children()) - children_before  # a database server another suite started stays
    assert not left, f"child processes left: {sorted(left)}"
