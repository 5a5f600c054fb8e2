"""A flaky task retried until it succeeds, and a broken one that fails loudly after its retries.

    python retry.py

The flaky task fails on its first attempt (a WARNING says it is tried again); the broken one
fails every time: scenaria then logs one ERROR with its traceback, and the job's ``reason``
holds the failure's last line.
"""

import os

import scenaria as tp
from scenaria import Config


def flaky(value):
    if not os.path.exists("tried-once"):
        open("tried-once", "w").close()
        raise ConnectionError("the service did not answer")
    return value * 2


def broken(value):
    raise ValueError(f"cannot use {value}")


number = Config.configure_data_node("number", default_data=21)
doubled = Config.configure_data_node("doubled")
nothing = Config.configure_data_node("nothing")
flaky_task = Config.configure_task("flaky", flaky, number, doubled, max_retries=2)
broken_task = Config.configure_task("broken", broken, number, nothing, max_retries=1)
demo = Config.configure_scenario("retries", task_configs=[flaky_task, broken_task])

if __name__ == "__main__":
    if os.path.exists("tried-once"):
        os.remove("tried-once")
    Config.configure_job_executions(mode="standalone")
    tp.Orchestrator().run()
    scenario = tp.create_scenario(demo)
    submission = scenario.submit(wait=True)
    for job in submission.jobs:
        print(f"{job.task.config_id}: {job.status.name} after {job.attempts} attempt(s) {job.reason}".rstrip())
    print("doubled:", scenario.doubled.read())
    os.remove("tried-once")
    tp.Orchestrator().stop()
