from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from scenaria.events import Notifier


@pytest.fixture(autouse=True)
def clean_notifier() -> Iterator[None]:
    """Each test starts with no registration and leaves no registration or thread behind."""
    before = set(Notifier._registrations)
    threads_before = set(threading.enumerate())
    yield
    leftover = set(Notifier._registrations) - before
    for registration_id in leftover:
        Notifier.unregister(registration_id)
    new_threads = [t for t in threading.enumerate() if t not in threads_before and t.name.startswith("scenaria-")]
    assert not leftover, f"registrations left behind: {leftover}"
    assert not new_threads, f"threads left running: {new_threads}"
