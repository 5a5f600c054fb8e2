"""Restart (DESIGN decision 7): an orchestrating process is killed mid-run, another takes over.

Its workers must not outlive it; the new process's ``Orchestrator().run()`` fails (or runs again)
the job left RUNNING, abandons (or runs) what depended on it, and runs the jobs left waiting.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from tests.support.processes import children, wait_gone
from tests.support.scripts import child_env, ok, run_script, write_script

pytestmark = pytest.mark.processes

APP = """
import json
import os
import sys
import time
from pathlib import Path

import scenaria as tp
from scenaria import Config


def attempt():
    with open("attempts", "a") as attempts:
        attempts.write(f"{os.getpid()}\\n")
    return len(Path("attempts").read_text().splitlines())


def long_job(seed):
    if attempt() == 1:  # the first run is long: the orchestrator is killed during it
        time.sleep(60)
    return seed + " long"


def second_long(seed):
    if not Path("second_started").exists():  # long at first too: both workers are busy when killed
        Path("second_started").write_text(str(os.getpid()))
        time.sleep(60)
    return seed + " second"


def after(value):
    return value + " after"


def other(seed):
    return seed + " other"


def record(tag, scenario, job):
    with open("seen", "a") as seen:
        seen.write(f"{os.getpid()} {tag} {job.task.config_id} {job.status.name}\\n")


Config.configure_core(mode="experiment", version_number="v1")
Config.configure_job_executions(mode="standalone", max_nb_of_workers=2)
seed = Config.configure_data_node("seed", default_data="seed")
long_out = Config.configure_data_node("long_out")
after_out = Config.configure_data_node("after_out")
other_out = Config.configure_data_node("other_out")
second_out = Config.configure_data_node("second_out")
long_cfg = Config.configure_task("long", long_job, seed, long_out, max_retries=MAX_RETRIES)
after_cfg = Config.configure_task("after", after, long_out, after_out)
second_cfg = Config.configure_task("second", second_long, seed, second_out)
other_cfg = Config.configure_task("other", other, seed, other_out)
scenario_cfg = Config.configure_scenario("restartable", [long_cfg, after_cfg, second_cfg, other_cfg])

tp.Orchestrator().run()
if sys.argv[1] == "first":
    scenario = tp.create_scenario(scenario_cfg)
    scenario.subscribe(record, ["sub"])
    submission = scenario.submit()
    jobs = {job.task.config_id: job for job in submission.jobs}
    deadline = time.monotonic() + 30
    # both runs started (their files), and their RUNNING reports handled (they may come later under load)
    while time.monotonic() < deadline and not (
        all(Path(name).exists() and Path(name).read_text() for name in ("attempts", "second_started"))
        and jobs["long"].status.name == jobs["second"].status.name == "RUNNING"
    ):
        time.sleep(0.01)
    states = {job.task.config_id: job.status.name for job in submission.jobs}
    print("READY " + json.dumps({"submission": submission.id, "scenario": scenario.id, "states": states}),
          flush=True)
    time.sleep(60)  # killed here
else:
    submission = tp.get(sys.argv[2])
    finished = submission.wait(20)
    scenario = tp.get(sys.argv[3])
    jobs = {job.task.config_id: job for job in submission.jobs}
    report = {
        "finished": finished,
        "submission": submission.submission_status.name,
        "states": {name: job.status.name for name, job in jobs.items()},
        "stacktraces": {name: job.stacktrace for name, job in jobs.items()},
        "attempts": {name: job.attempts for name, job in jobs.items()},
        "outputs": {name: scenario.data_nodes[name].read() for name in ("long_out", "after_out", "other_out")},
        "locked": [dn.config_id for dn in scenario.data_nodes.values() if dn.edit_in_progress],
        "unfinished": [job.id for job in tp.get_jobs() if not job.is_finished()],
        "scenarios": len(tp.get_scenarios()),
    }
    tp.Orchestrator().stop()  # after the callbacks already queued
    mine = [line.split(" ", 1)[1] for line in Path("seen").read_text().splitlines()
            if line.split(" ", 1)[0] == str(os.getpid())]
    print("REPORT " + json.dumps({**report, "seen": mine}))
"""


def start_and_kill(script) -> dict:
    """Run the first phase until the long job runs, SIGKILL it; its workers must die with it."""
    first = subprocess.Popen(
        [sys.executable, str(script), "first"],
        cwd=script.parent,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = first.stdout.readline()
        assert line.startswith("READY "), f"first phase failed: {line}{first.stderr.read()}"
        started = json.loads(line.split(" ", 1)[1])
        workers = children(first.pid)
        assert workers, "the first phase has no worker process"
        busy = {int((script.parent / name).read_text().split()[0]) for name in ("attempts", "second_started")}
        assert busy == set(workers)  # two workers, both running a job
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate()
    for pid in workers:
        assert wait_gone(pid, 5), f"worker {pid} outlived its orchestrator"
    return started


@pytest.mark.parametrize("retries", [0, 1])
def test_a_new_orchestrator_takes_over_the_jobs_of_a_killed_one(tmp_path, retries):
    script = write_script(tmp_path, APP.replace("MAX_RETRIES", str(retries)))
    started = start_and_kill(script)
    assert started["states"] == {"long": "RUNNING", "after": "BLOCKED", "second": "RUNNING", "other": "PENDING"}

    report = json.loads(
        ok(run_script(script, "second", started["submission"], started["scenario"])).split("REPORT ", 1)[1]
    )

    assert report["finished"] is True and report["unfinished"] == [] and report["locked"] == []
    assert report["scenarios"] == 1
    assert report["states"]["other"] == "COMPLETED" and report["outputs"]["other_out"] == "seed other"
    # the scenario's subscriber is called for the jobs the new orchestrator took over
    assert [x for x in report["seen"] if " other " in x] == ["sub other RUNNING", "sub other COMPLETED"]
    lost = report["stacktraces"]["long"][0]
    assert "was running when the orchestrating process stopped" in lost
    if retries:
        assert report["states"] == {"long": "COMPLETED", "after": "COMPLETED", "second": "FAILED", "other": "COMPLETED"}
        assert report["attempts"]["long"] == 2
        assert report["outputs"]["after_out"] == "seed long after"
        assert report["submission"] == "FAILED"  # "second" has no retries
    else:
        assert report["states"] == {"long": "FAILED", "after": "ABANDONED", "second": "FAILED", "other": "COMPLETED"}
        assert report["outputs"]["long_out"] is None and report["outputs"]["after_out"] is None
        assert report["submission"] == "FAILED"
    assert os.path.exists(tmp_path / "attempts")
