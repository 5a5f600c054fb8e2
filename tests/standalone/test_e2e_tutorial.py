"""The seed tutorial, run as a real script: two chained tasks on two standalone workers.

The script's top level must run exactly once (workers never re-run it), with or without an
``if __name__ == "__main__":`` guard, and its functions (defined in ``__main__``) travel by value.
"""

from __future__ import annotations

import json

import pytest

from tests.support.scripts import ok, run_script, write_script

pytestmark = pytest.mark.processes

TUTORIAL = """
import json
import os
import time

with open("top_level_runs", "a") as runs:  # counts the executions of this top level
    runs.write(f"{os.getpid()}\\n")

import scenaria as tp
from scenaria import Config


def double(nb):
    return nb * 2


def add(nb):
    print("Wait 0.6 seconds in add function")
    began = time.time()
    time.sleep(0.6)
    with open("add_spans", "a") as spans:
        spans.write(f"{began} {time.time()} {os.getpid()}\\n")
    return nb + 10


JOB_CONFIGURATION
input_cfg = Config.configure_data_node("my_input", default_data=21)
intermediate_cfg = Config.configure_data_node("intermediate", default_data=21)
output_cfg = Config.configure_data_node("my_output")
first_task_cfg = Config.configure_task("double", double, input_cfg, intermediate_cfg)
second_task_cfg = Config.configure_task("add", add, intermediate_cfg, output_cfg)
scenario_cfg = Config.configure_scenario(id="my_scenario", task_configs=[first_task_cfg, second_task_cfg])


def main():
    tp.Orchestrator().run()
    report = {"workers": Config.job_config.max_nb_of_workers, "mode": Config.job_config.mode}
    scenario_1 = tp.create_scenario(scenario_cfg)
    scenario_2 = tp.create_scenario(scenario_cfg)
    began = time.perf_counter()
    submission_1 = scenario_1.submit()
    submission_2 = scenario_2.submit()
    report["submit_seconds"] = time.perf_counter() - began
    report["finished_at_submit"] = submission_1.is_finished() or submission_2.is_finished()
    report["waited"] = [submission_1.wait(30), submission_2.wait(30)]
    report["outputs"] = [scenario_1.my_output.read(), scenario_2.my_output.read()]
    report["statuses"] = [submission_1.submission_status.name, submission_2.submission_status.name]

    scenario_3 = tp.create_scenario(scenario_cfg)
    waited = scenario_3.submit(wait=True)
    report["wait_true"] = [waited.is_finished(), [job.status.name for job in waited.jobs]]
    began = time.perf_counter()
    limited = scenario_3.submit(wait=True, timeout=0.3)
    report["timeout_seconds"] = time.perf_counter() - began
    report["timeout_finished"] = limited.is_finished()
    report["timeout_then"] = limited.wait(30)
    report["main_pid"] = os.getpid()
    tp.Orchestrator().stop()
    print("REPORT " + json.dumps(report))


GUARDED_MAIN
"""

PYTHON_FORMS = {
    "max_nb_of_workers": 'Config.configure_job_executions(mode="standalone", max_nb_of_workers=2)',
    "nb_of_workers": 'Config.configure_job_executions(mode="standalone", nb_of_workers=2)',
}
TOML_FORMS = {
    "toml max_nb_of_workers": 'max_nb_of_workers = "2:int"',
    "toml nb_of_workers": 'nb_of_workers = "2:int"',
}


@pytest.mark.parametrize(
    ("form", "guarded"),
    [
        ("max_nb_of_workers", True),
        ("max_nb_of_workers", False),
        ("nb_of_workers", False),
        ("toml max_nb_of_workers", True),
        ("toml nb_of_workers", False),
    ],
)
def test_the_tutorial_runs_its_top_level_once(tmp_path, form, guarded):
    if form in TOML_FORMS:
        (tmp_path / "job.toml").write_text(f'[JOB]\nmode = "standalone"\n{TOML_FORMS[form]}\n')
        configuration = 'Config.load("job.toml")'
    else:
        configuration = PYTHON_FORMS[form]
    main = 'if __name__ == "__main__":\n    main()' if guarded else "main()"
    script = write_script(tmp_path, TUTORIAL.replace("JOB_CONFIGURATION", configuration).replace("GUARDED_MAIN", main))

    out = ok(run_script(script))

    report = json.loads(out.split("REPORT ", 1)[1])
    assert (tmp_path / "top_level_runs").read_text().splitlines() == [str(report["main_pid"])]
    assert report["mode"] == "standalone" and report["workers"] == 2
    assert report["submit_seconds"] < 0.3 and report["finished_at_submit"] is False  # submit returns at once
    assert report["waited"] == [True, True]
    assert report["outputs"] == [52, 52] and report["statuses"] == ["COMPLETED", "COMPLETED"]
    assert report["wait_true"] == [True, ["COMPLETED", "COMPLETED"]]
    assert 0.25 <= report["timeout_seconds"] < 0.55 and report["timeout_finished"] is False
    assert report["timeout_then"] is True
    # add ran in worker processes (by value: it is defined in __main__), the two scenarios side by side
    spans = [tuple(map(float, line.split())) for line in (tmp_path / "add_spans").read_text().splitlines()]
    assert len(spans) == 4 and all(int(pid) != report["main_pid"] for _, _, pid in spans)
    (b1, e1, _), (b2, e2, _) = spans[:2]
    assert min(e1, e2) - max(b1, b2) > 0.3
    assert out.count("[add] Wait 0.6 seconds in add function") == 4
