"""The skipping settings in TOML both ways, and their bad values (docs/execution.md)."""

from __future__ import annotations

import sys

import pytest

from scenaria.config import Config
from scenaria.config.execution import ExecutionSettings
from scenaria.exceptions import ConfigCheckError
from tests.config import config_fixture_funcs as funcs

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def test_code_version_reuse_and_hash_content_go_to_toml_and_back(tmp_path):
    number = Config.configure_data_node("number", default_data=1, hash_content=False)
    result = Config.configure_data_node("result")
    Config.configure_task("step", funcs.double, number, result, skippable=True, code_version="2", reuse=True)
    path = tmp_path / "exported.toml"
    Config.backup(str(path))
    written = tomllib.loads(path.read_text())
    assert written["TASK"]["step"]["code_version"] == "2"
    assert written["TASK"]["step"]["reuse"] == "True:bool"
    assert written["DATA_NODE"]["number"]["hash_content"] == "False:bool"

    Config._reset()
    Config.load(str(path))
    task = Config.tasks["step"]
    assert (task.code_version, task.reuse, task.skippable) == ("2", True, True)
    assert Config.data_nodes["number"].hash_content is False
    settings = ExecutionSettings.from_properties("step", task.properties)
    assert (settings.code_version, settings.reuse) == ("2", True)
    Config.check()
    again = tmp_path / "again.toml"
    Config.backup(str(again))
    assert tomllib.loads(again.read_text())["TASK"]["step"] == written["TASK"]["step"]


def test_a_whole_number_code_version_is_its_text_and_no_setting_means_no_reuse():
    assert ExecutionSettings.from_properties("t", {"code_version": 3}).code_version == "3"
    plain = ExecutionSettings.from_properties("t", {})
    assert (plain.code_version, plain.reuse) == (None, False)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("reuse", "yes", r"reuse='yes', which is not True or False \(in TOML: \"True:bool\"\)"),
        ("code_version", 3.5, r"code_version=3.5, which is not a non-empty str"),
        ("code_version", "", r"code_version='', which is not a non-empty str"),
        ("code_version", True, r"code_version=True, which is not a non-empty str"),
    ],
)
def test_bad_skip_settings_are_check_errors_naming_the_task(key, value, message):
    Config.configure_task("step", funcs.double, **{key: value})
    with pytest.raises(ConfigCheckError, match=r"\[TASK.step\] " + key + ": Task config 'step' has " + message):
        Config.check()


def test_a_toml_reuse_without_its_type_is_refused(tmp_path):
    path = tmp_path / "typed.toml"
    path.write_text('[TASK.step]\nfunction = "tests.config.config_fixture_funcs.double:function"\nreuse = "True"\n')
    Config.load(str(path))
    with pytest.raises(ConfigCheckError, match=r"reuse='True', which is not True or False"):
        Config.check()
