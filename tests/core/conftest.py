"""Fixtures of the core tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scenaria.data.in_memory import in_memory_storage
from scenaria.events import Notifier
from tests.support.core import Recorder


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    """Every event published during the test."""
    rec = Recorder()
    yield rec
    rec.close()


@pytest.fixture(autouse=True)
def no_leftovers() -> Iterator[None]:
    """No registration and no in-memory data outlive a test."""
    before = set(Notifier._registrations)
    yield
    for registration_id in set(Notifier._registrations) - before:
        Notifier.unregister(registration_id)
    in_memory_storage.clear()
