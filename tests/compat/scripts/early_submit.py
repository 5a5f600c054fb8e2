"""A scenario submitted before the orchestrator runs: the later run() goes on with it (the scripts
``submit_before_run*.py`` run this in one mode each)."""

import time

import taipy as tp
from taipy import Config, Orchestrator


def double(value):
    return value * 2


def finished(submission):
    deadline = time.monotonic() + 60
    while not tp.get(submission.id).is_finished() and time.monotonic() < deadline:
        time.sleep(0.05)
    return tp.get(submission.id)


def submit_before_run(**executions):
    Config.configure_job_executions(**executions)
    number_cfg = Config.configure_data_node("number", default_data=21)
    doubled_cfg = Config.configure_data_node("doubled")
    double_cfg = Config.configure_task("double", double, number_cfg, doubled_cfg)
    scenario_cfg = Config.configure_scenario("early", [double_cfg])
    scenario = tp.create_scenario(scenario_cfg)
    submission = tp.submit(scenario)
    print("submitted:", submission.entity_id == scenario.id, len(submission.jobs), "job")
    orchestrator = Orchestrator()
    orchestrator.run()
    submission = finished(submission)
    print("after run():", submission.submission_status.name, [job.status.name for job in submission.jobs])
    print("doubled:", scenario.doubled.read())
    scenario.number.write(5)
    again = tp.submit(scenario, wait=True)
    print("submitted again:", finished(again).submission_status.name, scenario.doubled.read())
    print("jobs:", len(tp.get_jobs()), "submissions:", len(tp.get_submissions()))
    orchestrator.stop()
