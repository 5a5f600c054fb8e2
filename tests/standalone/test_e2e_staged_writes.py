"""A run's writes land only when its job completes: never after a cancel, a timeout, a stop or a failure.

Each job writes through a value that records, in a side-effect file, that its write began, then
takes seconds to finish: the test acts while the job writes, then reads the output.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import scenaria as tp
from scenaria import Config
from tests.standalone import staged_jobs as jobs
from tests.support.scripts import child_env, write_script
from tests.support.standalone import StatusWatch, standalone

pytestmark = pytest.mark.processes


def staged_leftovers(scenario) -> list[str]:
    folder = Path(scenario.result.path).parent
    return [path.name for path in folder.iterdir() if path.name.startswith(".staged-")]


def slow_scenario(tmp_path, seconds: float, **task_options):
    effect = tmp_path / "writes"
    spec = Config.configure_data_node("spec", default_data={"text": "new", "effect": str(effect), "seconds": seconds})
    result = Config.configure_data_node("result")
    task = Config.configure_task("slow", jobs.slow_write, spec, result, **task_options)
    return Config.configure_scenario("slow_writer", [task]), effect


@pytest.mark.parametrize("end", ["cancel", "stop"])
def test_a_run_ended_while_it_writes_never_changes_its_output(tmp_path, end):
    config, effect = slow_scenario(tmp_path, seconds=1.5)
    standalone(1)
    scenario = tp.create_scenario(config)
    scenario.result.write("old")
    watch = StatusWatch()
    submission = scenario.submit(callbacks=[watch])
    jobs.wait_for_write(effect)
    if end == "cancel":
        tp.cancel_job(submission.jobs[0])
    else:
        tp.Orchestrator().stop()
    time.sleep(2.5)  # longer than the write took: a run that went on would have landed by now
    assert len(jobs.writes_seen(effect)) == 1
    assert tp.get(scenario.result.id).read() == "old"
    assert tp.get(submission.jobs[0].id).status.name == ("CANCELED" if end == "cancel" else "RUNNING")
    assert len(tp.get(scenario.result.id).edits) == 1  # only the test's own write
    if end == "cancel":
        assert staged_leftovers(scenario) == []


def test_a_run_that_times_out_while_it_writes_never_changes_its_output(tmp_path):
    config, effect = slow_scenario(tmp_path, seconds=3, timeout=1)
    standalone(1)
    scenario = tp.create_scenario(config)
    scenario.result.write("old")
    submission = scenario.submit(wait=True, timeout=20)
    assert submission.jobs[0].status.name == "FAILED"
    time.sleep(2.5)
    assert jobs.writes_seen(effect) and tp.get(scenario.result.id).read() == "old"
    assert staged_leftovers(scenario) == []


def test_a_run_that_completes_writes_its_output_when_accepted(tmp_path):
    config, _ = slow_scenario(tmp_path, seconds=0.2)
    standalone(1)
    scenario = tp.create_scenario(config)
    scenario.result.write("old")
    submission = scenario.submit(wait=True, timeout=20)
    assert submission.jobs[0].status.name == "COMPLETED"
    assert tp.get(scenario.result.id).read() == "new"
    assert tp.get(scenario.result.id).edits[-1]["job_id"] == submission.jobs[0].id
    assert staged_leftovers(scenario) == []


@pytest.mark.parametrize("mode", ["development", "standalone"])
def test_a_job_failing_between_two_outputs_leaves_both_as_they_were(tmp_path, mode):
    effect = tmp_path / "runs"
    spec = Config.configure_data_node("spec", default_data={"effect": str(effect)})
    first = Config.configure_data_node("first")
    second = Config.configure_data_node("second", storage_type="json", default_path=str(tmp_path / "second.json"))
    task = Config.configure_task("two", jobs.first_then_bad, spec, [first, second])
    config = Config.configure_scenario("two_outputs", [task])
    if mode == "standalone":
        standalone(1)
    else:
        tp.Orchestrator().run()
    scenario = tp.create_scenario(config)
    scenario.first.write("old first")
    scenario.second.write({"old": "second"})
    submission = scenario.submit(wait=True, timeout=20)
    job = tp.get(submission.jobs[0].id)
    assert job.status.name == "FAILED" and "NotJSON" in "".join(job.stacktrace)
    assert effect.read_text() == "ran\n"
    assert tp.get(scenario.first.id).read() == "old first"
    assert tp.get(scenario.second.id).read() == {"old": "second"}
    assert [edit.get("job_id") for edit in tp.get(scenario.first.id).edits] == [None]
    assert [path.name for path in tmp_path.rglob(".staged-*")] == []


@pytest.mark.parametrize("repeat", range(3))
def test_two_submissions_of_one_scenario_at_once_end_with_consistent_outputs(tmp_path, repeat):
    effect = tmp_path / f"runs-{repeat}"
    spec = Config.configure_data_node("spec", default_data={"effect": str(effect)})
    middle = Config.configure_data_node("middle")
    final = Config.configure_data_node("final")
    first = Config.configure_task("numbered", jobs.numbered, spec, middle)
    second = Config.configure_task("copied", jobs.copied, middle, final)
    config = Config.configure_scenario("twice", [first, second])
    standalone(3)
    scenario = tp.create_scenario(config)
    earlier = scenario.submit()
    later = scenario.submit()
    assert earlier.wait(timeout=20) and later.wait(timeout=20)
    assert {earlier.submission_status.name, later.submission_status.name} == {"COMPLETED"}
    assert len(jobs.writes_seen(effect)) == 2  # each submission ran its own jobs
    assert tp.get(scenario.middle.id).read() == 2  # the later submission's write is the last
    assert tp.get(scenario.final.id).read() == 2  # computed from it
    middle_writers = [edit["job_id"] for edit in tp.get(scenario.middle.id).edits if edit.get("job_id")]
    assert middle_writers == [earlier.jobs[0].id, later.jobs[0].id]  # in submission order


def test_a_worker_killed_mid_job_makes_an_attempt_recorded_with_its_process(tmp_path):
    effect = tmp_path / "attempts"
    spec = Config.configure_data_node("spec", default_data={"effect": str(effect)})
    result = Config.configure_data_node("result")
    task = Config.configure_task("killed_once", jobs.killed_once, spec, result, max_retries=1)
    config = Config.configure_scenario("killed", [task])
    standalone(1)
    scenario = tp.create_scenario(config)
    submission = scenario.submit(wait=True, timeout=30)
    job = tp.get(submission.jobs[0].id)
    pids = [int(line.split()[1]) for line in jobs.writes_seen(effect)]
    assert job.status.name == "COMPLETED" and tp.get(scenario.result.id).read() == "second try"
    assert job.attempts == len(pids) == 2
    assert [run["pid"] for run in job.runs] == pids
    assert [run["ending"] for run in job.runs] == ["DIED", "COMPLETED"]
    assert all(run["host"] for run in job.runs)
    assert "SIGKILL" in "".join(job.stacktrace) or "signal" in "".join(job.stacktrace)


def test_a_worker_killed_on_its_last_attempt_fails_the_job_saying_why(tmp_path):
    effect = tmp_path / "attempts"
    spec = Config.configure_data_node("spec", default_data={"effect": str(effect), "always": True})
    result = Config.configure_data_node("result")
    task = Config.configure_task("killed_always", jobs.killed_once, spec, result)
    config = Config.configure_scenario("killed_always_scenario", [task])
    standalone(1)
    scenario = tp.create_scenario(config)
    submission = scenario.submit(wait=True, timeout=30)
    job = tp.get(submission.jobs[0].id)
    assert job.status.name == "FAILED" and job.attempts == len(jobs.writes_seen(effect)) == 1
    assert "pid" in "".join(job.stacktrace) and job.runs[0]["ending"] == "DIED"
    assert scenario.result.read() is None


@pytest.mark.parametrize("fails", [False, True])
def test_a_generic_writer_runs_at_acceptance_in_the_orchestrators_process(tmp_path, fails):
    effect = tmp_path / "generic_writes"
    spec = Config.configure_data_node("spec", default_data={})
    out = Config.configure_generic_data_node("out", write_fct=jobs.record_write, write_fct_args=[str(effect)])
    bad = Config.configure_data_node("bad", storage_type="json", default_path=str(tmp_path / "bad.json"))
    if fails:
        task = Config.configure_task("generic_two", jobs.generic_then_bad, spec, [out, bad])
    else:
        task = Config.configure_task("generic_one", jobs.copied, spec, out)
    config = Config.configure_scenario("generic_writer", [task])
    standalone(1)
    scenario = tp.create_scenario(config)
    submission = scenario.submit(wait=True, timeout=20)
    if fails:
        assert submission.jobs[0].status.name == "FAILED" and jobs.writes_seen(effect) == []
    else:
        assert submission.jobs[0].status.name == "COMPLETED"
        assert jobs.writes_seen(effect) == [f"{{}} {os.getpid()}"]


KILLED_WHILE_WRITING = """
import sys
import time

import scenaria as tp
from scenaria import Config
from tests.standalone import staged_jobs as jobs

Config.configure_job_executions(mode="standalone", max_nb_of_workers=1)
spec = Config.configure_data_node("spec", default_data={"text": "new", "effect": sys.argv[1], "seconds": 1.5})
result = Config.configure_data_node("result")
config = Config.configure_scenario("slow_writer", [Config.configure_task("slow", jobs.slow_write, spec, result)])
tp.Orchestrator().run()
scenario = tp.create_scenario(config)
scenario.result.write("old")
scenario.submit()
while not jobs.writes_seen(jobs.Path(sys.argv[1])):
    time.sleep(0.01)
print("WRITING " + scenario.result.path, flush=True)
time.sleep(60)  # killed here
"""


def test_an_orchestrator_killed_while_its_job_writes_leaves_the_output_as_it_was(tmp_path):
    effect = tmp_path / "writes"
    script = write_script(tmp_path, KILLED_WHILE_WRITING)
    process = subprocess.Popen(
        [sys.executable, str(script), str(effect)], cwd=tmp_path, env=child_env(), stdout=subprocess.PIPE, text=True
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("WRITING "), line
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate()
    time.sleep(2.5)  # longer than the write takes: a run that went on would have landed by now
    path = tmp_path / line.split(" ", 1)[1].strip()
    assert pickle.loads(path.read_bytes()) == "old"
    assert len(jobs.writes_seen(effect)) == 1
