"""A task whose function is defined in the script being run (``__main__``) runs the script's
current code when its scenario is reopened from the store, as a function of a module does."""

from __future__ import annotations

from tests.support.scripts import ok, run_script, write_script

_SCRIPT = """
import sys
import scenaria as tp
from scenaria import Config

def double(n):
    return n * {factor}

Config.configure_core(mode="experiment", version_number="1")
number = Config.configure_data_node("number", default_data=21)
doubled = Config.configure_data_node("doubled")
task = Config.configure_task("double", double, number, doubled, skippable=True)
scenario_config = Config.configure_scenario("s", task_configs=[task])
tp.Orchestrator().run()
found = tp.get_scenarios()
scenario = found[0] if found else tp.create_scenario(scenario_config)
submission = scenario.submit(force=sys.argv[1:] == ["force"])
job = submission.jobs[0]
print(len(found), job.status.name, scenario.doubled.read(), "|", job.run_reason)
"""


def _run(tmp_path, factor: int, *args: str) -> str:
    return ok(run_script(write_script(tmp_path, _SCRIPT.format(factor=factor)), *args)).strip()


def test_an_edited_script_function_runs_its_new_code_on_a_stored_scenario(tmp_path):
    assert _run(tmp_path, 2).startswith("0 COMPLETED 42 |")
    unchanged = _run(tmp_path, 2)
    assert unchanged.startswith("1 SKIPPED 42 |"), unchanged
    edited = _run(tmp_path, 3)  # the same scenario, read back from the store
    assert edited.startswith("1 COMPLETED 63 |"), edited
    assert "code" in edited.split("|", 1)[1].lower()  # the reason names the code change
    assert _run(tmp_path, 4, "force").startswith("1 COMPLETED 84 |")
