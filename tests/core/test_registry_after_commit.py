"""``Registry.after_commit``: what must wait until the state it follows is stored (staged files of a failed commit)."""

from __future__ import annotations

import pytest

from scenaria.entities.registry import Registry
from scenaria.store import open_repository


@pytest.fixture
def registry(tmp_path):
    registry = Registry(open_repository({"type": "sqlite", "path": str(tmp_path / "store.db")}))
    yield registry
    registry.close()


def test_an_action_waits_for_the_outermost_commit(registry):
    done = []
    with registry.transaction():
        with registry.transaction():
            registry.after_commit(lambda: done.append("inner"))
        assert done == []  # the inner block joins the outer one: nothing is committed yet
        registry.after_commit(lambda: done.append("outer"))
        assert done == []
    assert done == ["inner", "outer"]


def test_an_action_outside_a_transaction_runs_at_once(registry):
    done = []
    registry.after_commit(lambda: done.append("now"))
    assert done == ["now"]


def test_nothing_runs_when_the_transaction_fails(registry):
    done = []
    with pytest.raises(RuntimeError), registry.transaction():
        registry.after_commit(lambda: done.append("never"))
        raise RuntimeError("the block fails: nothing is committed")
    assert done == []
    with registry.transaction():  # and the next transaction does not run it either
        pass
    assert done == []
