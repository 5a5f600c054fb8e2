"""Stopping jobs: one canceled while it runs, one stopped by its task's timeout.

    python cancel_and_timeout.py

Both keep what they printed up to the kill, and say why they ended (``job.reason``).
"""

import time

import scenaria as tp
from scenaria import Config


def slow(value):
    print("started, this will take a while", flush=True)
    time.sleep(60)
    return value


seed = Config.configure_data_node("seed", default_data=1)
first = Config.configure_data_node("first")
second = Config.configure_data_node("second")
canceled = Config.configure_scenario("to_cancel", [Config.configure_task("slow", slow, seed, first)])
bounded = Config.configure_scenario("bounded", [Config.configure_task("bounded_slow", slow, seed, second, timeout=1)])

if __name__ == "__main__":
    Config.configure_job_executions(mode="standalone", max_nb_of_workers=2)
    tp.Orchestrator().run()
    running = tp.create_scenario(canceled).submit()
    job = running.jobs[0]
    while not job.is_running():
        time.sleep(0.05)
    time.sleep(0.5)  # let it print
    tp.cancel_job(job)
    timed = tp.create_scenario(bounded).submit(wait=True, timeout=30).jobs[0]
    time.sleep(0.2)  # the canceled job's output is stored a moment after the cancel
    for ended in (tp.get(job.id), tp.get(timed.id)):
        print(f"{ended.task.config_id}: {ended.status.name}: {ended.reason}")
        print(f"  printed: {ended.stdout.strip()!r}")
    tp.Orchestrator().stop()
