"""Tasks that report their progress, shown live with show_progress.

    python progress.py           # in a terminal: a table redrawn until the jobs end

``scenaria run --progress progress.py`` would show it too, for every submission.
"""

import time

import scenaria as tp
from scenaria import Config


def crunch(steps):
    for step in range(steps + 1):
        tp.report_progress(step / steps, f"chunk {step} of {steps}")
        time.sleep(0.05)
    return steps


def summarise(steps):
    tp.report_progress(0.5, "summing up")
    time.sleep(0.2)
    return f"{steps} chunks"


steps = Config.configure_data_node("steps", default_data=20)
crunched = Config.configure_data_node("crunched")
summary = Config.configure_data_node("summary")
work = Config.configure_scenario(
    "work",
    task_configs=[
        Config.configure_task("crunch", crunch, steps, crunched),
        Config.configure_task("summarise", summarise, crunched, summary),
    ],
)

if __name__ == "__main__":
    Config.configure_job_executions(mode="standalone", max_nb_of_workers=2)
    tp.Orchestrator().run()
    submission = tp.create_scenario(work).submit()
    tp.show_progress(submission)
    print("progress of each job:", [job.progress for job in submission.jobs])
    tp.Orchestrator().stop()
