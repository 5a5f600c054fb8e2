"""The job-execution tutorial: two chained tasks, run in standalone mode on two workers.

Two scenarios are submitted at once and run side by side; then a third is submitted and waited
for, and submitted again with a timeout that returns before its jobs end. No
``if __name__ == "__main__":`` guard is needed: workers never re-run this script.

    python job_execution.py                 # standalone, 2 workers (as the tutorial)
    python job_execution.py development     # the same, synchronously in this process
"""

import sys
import time

import scenaria as tp
from scenaria import Config

ADD_SECONDS = 2  # the tutorial waits 10 s; 2 s shows the same thing sooner


def double(nb):
    return nb * 2


def add(nb):
    print(f"Wait {ADD_SECONDS} seconds in add function")
    time.sleep(ADD_SECONDS)
    return nb + 10


mode = sys.argv[1] if len(sys.argv) > 1 else "standalone"
Config.configure_job_executions(mode=mode, max_nb_of_workers=2)

input_cfg = Config.configure_data_node("my_input", default_data=21)
intermediate_cfg = Config.configure_data_node("intermediate", default_data=21)
output_cfg = Config.configure_data_node("my_output")
first_task_cfg = Config.configure_task("double", double, input_cfg, intermediate_cfg)
second_task_cfg = Config.configure_task("add", add, intermediate_cfg, output_cfg)
scenario_cfg = Config.configure_scenario(id="my_scenario", task_configs=[first_task_cfg, second_task_cfg])
Config.export("config.toml")


def show(title, *submissions):
    """Print when each job of the submissions ran, relative to the start of the script."""
    print(f"\n{title}")
    for submission in submissions:
        scenario = tp.get(submission.entity_id)
        print(f"  {scenario.name}: {submission.submission_status.name}")
        for job in submission.jobs:
            ran = job.run_at.timestamp() - started_at if job.run_at else None
            took = job.execution_duration
            timing = f"started at {ran:5.2f} s, ran {took:5.2f} s" if ran is not None and took else "not finished"
            print(f"    {job.task.config_id:<7} {job.status.name:<10} {timing}")


tp.Orchestrator().run()
started_at = time.time()

scenario_1 = tp.create_scenario(scenario_cfg, name="scenario 1")
scenario_2 = tp.create_scenario(scenario_cfg, name="scenario 2")
submitted = time.perf_counter()
submission_1 = scenario_1.submit()
submission_2 = scenario_2.submit()
print(f"Both scenarios submitted in {1000 * (time.perf_counter() - submitted):.1f} ms ({mode} mode).")
submission_1.wait()
submission_2.wait()
show("Two scenarios submitted at once, two workers: they run side by side.", submission_1, submission_2)
print(f"  my_output = {scenario_1.my_output.read()} and {scenario_2.my_output.read()}")

scenario_3 = tp.create_scenario(scenario_cfg, name="scenario 3")
waited = scenario_3.submit(wait=True)
show("submit(wait=True) returns when the jobs are done.", waited)

limited = scenario_3.submit(wait=True, timeout=0.5)
show("submit(wait=True, timeout=0.5) returns after 0.5 s, jobs still going.", limited)
limited.wait()
show("...and they end on their own.", limited)

tp.Orchestrator().stop()
