"""Fixtures of the standalone end-to-end tests: each test leaves no worker process behind."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from scenaria.orchestrator import Orchestrator
from tests.support.processes import children


@pytest.fixture(autouse=True)
def no_stray_workers() -> Iterator[None]:
    """Once the orchestrator is stopped, no worker process and no dispatcher thread is left."""
    threads_before = set(threading.enumerate())
    children_before = set(children())  # e.g. a database server other suites started for the session
    yield
    Orchestrator().stop()
    left = set(children()) - children_before
    assert not left, f"child processes left: {sorted(left)}"
    stray = [  # the store's checkpointing thread lives as long as the store, which outlives stop()
        t
        for t in threading.enumerate()
        if t not in threads_before and t.is_alive() and t.name.startswith("scenaria") and "checkpoint" not in t.name
    ]
    assert not stray, f"threads left running: {stray}"
