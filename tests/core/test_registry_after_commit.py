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


def test_a_failure_in_a_nested_block_rolls_the_outermost_back():
    """A nested block is a no-op that joins the outermost one: what it raises undoes every save of
    the outermost block, and the thread's next transaction starts afresh."""
    import scenaria as tp
    from scenaria import Config
    from scenaria.entities.registry import registry as live

    node = Config.configure_data_node("kept", default_data=1)
    scenario = tp.create_scenario(Config.configure_scenario("nested", additional_data_node_configs=[node]))
    dn = scenario.kept
    stored = live().repository.load("data_node", dn.id)
    with pytest.raises(RuntimeError), live().transaction():
        dn.name = "outer"
        with live().transaction():
            assert live().in_transaction()
            dn.description = "inner"
            raise RuntimeError("the inner block fails")
    assert live().repository.load("data_node", dn.id) == stored  # neither save was written
    assert not live().in_transaction()
    with live().transaction(), live().transaction():
        dn.name = "after"
    assert "after" in str(live().repository.load("data_node", dn.id))  # written once the blocks end
