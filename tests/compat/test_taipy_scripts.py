"""Scripts written for Taipy, run unchanged with ``scenaria run``: the seed tutorial and friends."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.scripts import ok, scenaria_run

SEED_TUTORIAL = """
    import time

    import taipy as tp
    from taipy.core.config import Config


    # Normal function used by Taipy
    def double(nb):
        return nb * 2

    def add(nb):
        print("Wait 1 second in add function")
        time.sleep(1)
        return nb + 10

    if __name__=="__main__":
        Config.configure_job_executions(mode="standalone", max_nb_of_workers=2)

        # Configuration of Data Nodes
        input_cfg = Config.configure_data_node("my_input", default_data=21)
        intermediate_cfg = Config.configure_data_node("intermediate", default_data=21)
        output_cfg = Config.configure_data_node("my_output")

        # Configuration of tasks
        first_task_cfg = Config.configure_task("double", double, input_cfg, intermediate_cfg)
        second_task_cfg = Config.configure_task("add", add, intermediate_cfg, output_cfg)

        # Configuration of the scenario
        scenario_cfg = Config.configure_scenario(id="my_scenario", task_configs=[first_task_cfg, second_task_cfg])

        Config.export("config.toml")

        tp.Orchestrator().run()
        scenario_1 = tp.create_scenario(scenario_cfg)
        scenario_2 = tp.create_scenario(scenario_cfg)
        scenario_1.submit()
        scenario_2.submit()

        scenario_1 = tp.create_scenario(scenario_cfg)
        scenario_1.submit(wait=True)
        print("waited:", scenario_1.my_output.read())
        submission = scenario_1.submit(wait=True, timeout=0.2)
        print("timed out:", submission.is_finished())
        tp.Orchestrator().stop()
"""


@pytest.mark.processes
def test_the_seed_tutorial_runs_unchanged(tmp_path: Path) -> None:
    out = ok(scenaria_run(tmp_path, SEED_TUTORIAL))
    assert "waited: 52" in out
    assert "timed out: False" in out
    assert "\nWait 1 second in add function\n" in "\n" + out  # a worker's output, live, unprefixed as in Taipy
    assert "[JOB]" in (tmp_path / "config.toml").read_text()


EVENTS_AND_STATUSES = """
    import threading

    import taipy as tp
    from taipy import Config, Scope
    from taipy.core.job.status import Status
    from taipy.core.submission.submission_status import SubmissionStatus
    from taipy.event.event_processor import EventProcessor

    def triple(x):
        return 3 * x

    number = Config.configure_data_node("number", default_data=7, scope=Scope.GLOBAL)
    tripled = Config.configure_data_node("tripled")
    scenario_cfg = Config.configure_scenario("s", [Config.configure_task("triple", triple, number, tripled)])

    finished = threading.Event()
    processor = EventProcessor()
    processor.on_submission_finished(lambda event, entity, submission, gui: finished.set())
    processor.start()
    tp.Orchestrator().run()
    scenario = tp.create_scenario(scenario_cfg)
    submission = tp.submit(scenario)
    assert finished.wait(10)
    processor.stop()
    job = submission.jobs[0]
    print(job.status is Status.COMPLETED, submission.submission_status is SubmissionStatus.COMPLETED)
    print(scenario.tripled.read(), type(scenario).__module__.split(".")[0])
"""


def test_events_statuses_and_entities_through_taipy_imports(tmp_path: Path) -> None:
    out = ok(scenaria_run(tmp_path, EVENTS_AND_STATUSES))
    assert out.splitlines() == ["True True", "21 scenaria"]
