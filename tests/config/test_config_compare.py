"""Comparing two serialized configurations, as versioning does."""

from __future__ import annotations

from scenaria.config import Config, compare
from tests.config import config_fixture_funcs as funcs


def serialized() -> str:
    return Config._serialize_applied()


def test_identical_configurations_have_no_difference() -> None:
    Config.configure_data_node("x", default_data=1)
    assert not compare(serialized(), serialized())


def test_differences_by_section_and_key_with_job_and_core_apart() -> None:
    a = Config.configure_data_node("x", default_data=1)
    Config.configure_task("t", funcs.double, a, [])
    old = serialized()
    Config.configure_data_node("x", default_data=2)
    Config.configure_data_node("y")
    Config.configure_job_executions(mode="standalone")
    Config.configure_core(storage_folder="elsewhere/")
    diff = compare(old, serialized())
    assert "[DATA_NODE.x] default_data: '1:int' -> '2:int'" in diff.conflicted
    assert any(line.startswith("[DATA_NODE.y] storage_type: added") for line in diff.conflicted)
    assert diff.unconflicted == [
        "[CORE] storage_folder: 'user_data/' -> 'elsewhere/'",
        "[JOB] mode: 'development' -> 'standalone'",
    ]
    assert diff.all == diff.conflicted + diff.unconflicted


def test_serialization_survives_values_without_a_toml_form() -> None:
    Config.configure_data_node("x", default_data=object(), fn=lambda v: v)
    text = serialized()
    assert 'default_data = "<builtins.object>"' in text
    assert ".<lambda>:function" in text
