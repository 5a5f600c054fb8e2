"""A free property named almost like a setting (``skipable``, ``defualt_data``, a TOML ``input =``)
is reported by Config.check() with the setting it resembles; a property of one's own is not; each
issue is logged once, even when Config.check() runs again before Orchestrator().run()."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

import scenaria as tp
from scenaria.config import Config
from scenaria.exceptions import ConfigCheckError
from tests.config import config_fixture_funcs as funcs


def _warnings() -> dict[tuple[str, str], str]:
    return {(issue.section, issue.field): issue.message for issue in Config.check().warnings}


def test_a_misspelt_setting_of_each_section_is_a_warning_naming_the_setting():
    Config.configure_job_executions(max_nb_of_worker=4)
    a = Config.configure_data_node("a", defualt_data=3)
    b = Config.configure_data_node("b", owner="ops")
    t = Config.configure_task("t", funcs.double, a, b, skipable=True, note="mine")
    Config.configure_scenario("s", [t], sequence={"first": [t]})
    found = _warnings()
    expected = {
        ("JOB", "max_nb_of_worker"): "max_nb_of_workers",
        ("DATA_NODE.a", "defualt_data"): "default_data",
        ("TASK.t", "skipable"): "skippable",
        ("SCENARIO.s", "sequence"): "sequences",
    }
    for where, setting in expected.items():
        assert f"did you mean {setting!r}?" in found[where]
    assert ("DATA_NODE.b", "owner") not in found and ("TASK.t", "note") not in found


TOML = """
[DATA_NODE.a]
default_data = "1:int"

[DATA_NODE.b]

[TASK.t]
function = "tests.config.config_fixture_funcs.double:function"
{inputs} = [ "a:SECTION",]
outputs = [ "b:SECTION",]
skipable = "True:bool"

[SCENARIO.s]
{tasks} = [ "t:SECTION",]
"""


def test_toml_skipable_is_a_warning(tmp_path: Path):
    path = tmp_path / "c.toml"
    path.write_text(TOML.format(inputs="inputs", tasks="tasks"))
    Config.load(path)
    assert "did you mean 'skippable'?" in _warnings()["TASK.t", "skipable"]


@pytest.mark.parametrize(
    ("inputs", "tasks", "section", "key"),
    [("input", "tasks", "TASK.t", "input"), ("inputs", "task", "SCENARIO.s", "task")],
)
def test_toml_input_or_task_without_the_real_key_is_an_error(tmp_path: Path, inputs, tasks, section, key):
    path = tmp_path / "c.toml"
    path.write_text(TOML.format(inputs=inputs, tasks=tasks))
    Config.load(path)
    with pytest.raises(ConfigCheckError) as error:
        Config.check()
    (issue,) = error.value.issues.errors
    assert (issue.section, issue.field) == (section, key)
    assert f"did you mean {key + 's'!r}?" in issue.message


def test_each_issue_is_logged_once_when_checked_again_before_run(caplog: pytest.LogCaptureFixture):
    a, b = Config.configure_data_node("a"), Config.configure_data_node("b")
    Config.configure_scenario("s", [Config.configure_task("t", funcs.double, a, b, skipable=True)])
    with caplog.at_level(logging.WARNING, logger="scenaria"):
        Config.check()
        Config.check()
        tp.Orchestrator().run()
        tp.Orchestrator().stop()
    assert sum("skipable" in record.getMessage() for record in caplog.records) == 1
    Config.configure_data_node("c")  # a new configuration: its issues are logged again
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="scenaria"):
        Config.check()
    assert sum("skipable" in record.getMessage() for record in caplog.records) == 1
