"""Resources and priorities in the configuration: read once, checked against the capacities, TOML both ways."""

from __future__ import annotations

from pathlib import Path

import pytest

import scenaria as tp
from scenaria.config import Config
from scenaria.config.execution import ExecutionSettings, capacities
from scenaria.exceptions import ConfigCheckError, InvalidExecutionSetting
from tests.config import config_fixture_funcs as funcs


def gpu_task(**settings):
    return Config.configure_task(
        "train",
        funcs.double,
        Config.configure_data_node("a", default_data=1),
        Config.configure_data_node("b"),
        **settings,
    )


def test_taipy_defaults_are_no_resources_and_priority_0():
    assert ExecutionSettings.from_properties("t", {}) == ExecutionSettings(priority=0, resources={})
    assert capacities(None) == {}
    read = ExecutionSettings.from_properties("t", {"priority": "3", "resources": {"gpu": "1", "db": 0.5}})
    assert (read.priority, read.resources) == (3, {"gpu": 1.0, "db": 0.5})
    assert ExecutionSettings.from_properties("t", {"priority": -2.0}).priority == -2
    assert capacities({"gpu": 1, "db": "4"}) == {"gpu": 1.0, "db": 4.0}


def test_a_bad_value_names_the_task_the_setting_and_the_way_to_set_it():
    with pytest.raises(InvalidExecutionSetting) as error:
        ExecutionSettings.from_properties("train", {"resources": {"gpu": -1}})
    message = str(error.value)
    assert "'train'" in message and "resources={'gpu': -1}" in message and "0 or more" in message
    assert "Config.configure_task(..., resources=...)" in message and "[TASK.train]" in message
    with pytest.raises(InvalidExecutionSetting, match=r"\[JOB\] has resources='gpu'.*\[JOB.resources\]"):
        capacities("gpu")


@pytest.mark.parametrize(
    ("declared", "needed", "expected"),
    [
        (None, {"gpu": 1}, "uses the resource 'gpu', which [JOB] gives no capacity"),
        ({"db": 4}, {"gpu": 1}, "uses the resource 'gpu', which [JOB] gives no capacity"),
        ({"gpu": 1}, {"gpu": 2}, "asks for 2 of the resource 'gpu', more than the 1 that [JOB] lets run at once"),
    ],
)
def test_a_task_that_could_never_start_is_refused_by_the_check_with_the_fix(declared, needed, expected):
    gpu_task(resources=needed)
    Config.configure_job_executions(mode="standalone", resources=declared)
    with pytest.raises(ConfigCheckError) as error:
        Config.check()
    issues = [issue for issue in error.value.issues.errors if issue.field == "resources"]
    assert len(issues) == 1, str(error.value)
    issue = issues[0]
    assert (issue.section, issue.value) == ("TASK.train", needed)
    assert expected in issue.message and "could never start" in issue.message
    assert "Config.configure_job_executions(..., resources=" in issue.message


def test_a_task_within_the_capacities_passes_and_an_amount_of_0_needs_no_capacity():
    gpu_task(resources={"gpu": 1, "db": 0}, priority=2)
    Config.configure_job_executions(mode="standalone", resources={"gpu": 1})
    Config.check()


def test_a_bad_submit_priority_is_refused_before_anything_runs():
    scenario = tp.create_scenario(Config.configure_scenario("s", [gpu_task()]))
    with pytest.raises(InvalidExecutionSetting, match=r"submit\(\.\.\., priority='urgent'\).*whole number"):
        scenario.submit(priority="urgent")
    with pytest.raises(InvalidExecutionSetting, match="whole number"):
        tp.submit(scenario, priority=0.5)
    assert tp.get_submissions() == [] and tp.get_jobs() == []
    assert scenario.b.read() is None


@pytest.mark.parametrize("how", ["export", "backup"])
def test_resources_and_priorities_go_to_toml_and_come_back(tmp_path: Path, how: str):
    gpu_task(resources={"gpu": 1, "db": 0.5}, priority=-3)
    Config.configure_job_executions(mode="standalone", max_nb_of_workers=2, resources={"gpu": 1, "db": 4})
    path = tmp_path / "config.toml"
    getattr(Config, how)(path)
    text = path.read_text()
    assert "[JOB.resources]" in text and "[TASK.train.resources]" in text and 'priority = "-3:int"' in text
    Config._reset()
    Config.load(path) if how == "export" else Config.restore(path)
    Config.check()
    task = Config.tasks["train"]
    assert (task.priority, task.resources) == (-3, {"gpu": 1, "db": 0.5})
    assert capacities(Config.job_config.properties["resources"]) == {"gpu": 1.0, "db": 4.0}


def test_resources_written_by_hand_in_toml_are_read(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text(
        '[JOB]\nmode = "standalone"\n\n[JOB.resources]\ngpu = "1:int"\n\n'
        '[DATA_NODE.a]\n\n[TASK.train]\nfunction = "tests.config.config_fixture_funcs.double:function"\n'
        'inputs = ["a:SECTION"]\npriority = "7:int"\n\n[TASK.train.resources]\ngpu = "2:int"\n'
    )
    Config.load(path)
    with pytest.raises(ConfigCheckError, match="asks for 2 of the resource 'gpu'"):
        Config.check()
    assert ExecutionSettings.from_properties("train", Config.tasks["train"].properties).priority == 7
