"""The commit of a job's writes and the store's record of its end are all-or-nothing, as seen after a restart.

The orchestrating process really SIGKILLs itself between two steps of a commit (``outputs.CRASH_AT``
names the point: after the intent is stored, after the first of two writes, after the last write);
the next process must then show the job COMPLETED once, its outputs holding the run's values, one
edit per output, and the job downstream run: as if the first process had not been killed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scenaria.orchestrator.outputs import CRASH_AT
from tests.support.scripts import child_env, write_script

pytestmark = pytest.mark.processes

APP = """
import json
import sys
from pathlib import Path

import scenaria as tp
from scenaria import Config
from tests.standalone import commit_jobs as jobs

Config.configure_core(mode="experiment", version_number="v1")
Config.configure_job_executions(mode=sys.argv[1], max_nb_of_workers=1)
seed = Config.configure_data_node("seed", default_data="seed")
noted = Config.configure_generic_data_node(
    "noted", write_fct=jobs.note, write_fct_args=["noted.txt"], read_fct=jobs.read_note, read_fct_args=["noted.txt"]
)
table = Config.configure_data_node("table")
final = Config.configure_data_node("final")
make = Config.configure_task("make", jobs.make, seed, [noted, table])
after = Config.configure_task("after", jobs.after, table, final)
config = Config.configure_scenario("crashing", [make, after])


def record(scenario, job):
    with open("seen", "a") as seen:
        seen.write(f"{job.task.config_id} {job.status.name}\\n")


tp.Orchestrator().run()
if sys.argv[2] == "first":
    scenario = tp.create_scenario(config)
    scenario.table.write("old")
    Path("ids").write_text(json.dumps({"scenario": scenario.id}))
    tp.subscribe_scenario(record)
    scenario.submit().wait(30)  # killed before the job's end is stored (development mode: in submit)
    print("NOT KILLED", flush=True)
else:
    ids = json.loads(Path("ids").read_text())
    scenario = tp.get(ids["scenario"])
    tp.subscribe_scenario(record)
    [submission] = [each for each in tp.get_submissions() if each.entity_id == scenario.id]
    finished = submission.wait(30)
    jobs_by_task = {job.task.config_id: tp.get(job.id) for job in submission.jobs}
    report = {
        "finished": finished,
        "states": {name: job.status.name for name, job in jobs_by_task.items()},
        "attempts": {name: job.attempts for name, job in jobs_by_task.items()},
        "runs": {name: len(job.runs) for name, job in jobs_by_task.items()},
        "reason": jobs_by_task["make"].stacktrace,
        "outputs": {name: scenario.data_nodes[name].read() for name in ("noted", "table", "final")},
        "job_edits": {
            name: [edit.get("job_id") for edit in scenario.data_nodes[name].edits if edit.get("job_id")]
            for name in ("noted", "table", "final")
        },
        "locked": [dn.config_id for dn in scenario.data_nodes.values() if dn.edit_in_progress],
        "intents": [job.id for job in tp.get_jobs() if job._commit_intent is not None],
        "staged": sorted(p.name for p in Path(scenario.table.path).parent.iterdir() if p.name.startswith(".staged-")),
        "job_id": jobs_by_task["make"].id,
    }
    tp.Orchestrator().stop()
    print("REPORT " + json.dumps(report), flush=True)
"""


def run(script: Path, mode: str, phase: str, crash_at: str | None = None) -> subprocess.CompletedProcess:
    env = child_env()
    if crash_at is not None:
        env[CRASH_AT] = crash_at
    return subprocess.run(
        [sys.executable, str(script), mode, phase],
        cwd=script.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )


def crash_then_restart(tmp_path: Path, mode: str, crash_at: str, app: str = APP) -> dict:
    script = write_script(tmp_path, app)
    first = run(script, mode, "first", crash_at)
    assert first.returncode == -9, f"the first process was not killed at {crash_at!r}: {first.stdout}{first.stderr}"
    second = run(script, mode, "second")
    lines = [line for line in second.stdout.splitlines() if line.startswith("REPORT ")]
    assert lines, f"the second process failed: {second.stdout}{second.stderr}"
    return json.loads(lines[0].split(" ", 1)[1])


def lines(folder: Path, name: str) -> list[str]:
    path = folder / name
    return path.read_text().splitlines() if path.exists() else []


@pytest.mark.parametrize("mode", ["standalone", "development"])
@pytest.mark.parametrize("crash_at", ["intent", "write", "commit"])
def test_a_commit_cut_by_a_kill_is_finished_by_the_next_process_exactly_once(tmp_path, mode, crash_at):
    report = crash_then_restart(tmp_path, mode, crash_at)
    assert report["finished"] is True
    assert report["states"] == {"make": "COMPLETED", "after": "COMPLETED"}
    assert report["outputs"] == {"noted": "{'generic': 'seed'}", "table": "seed table", "final": "seed table after"}
    job_id = report["job_id"]
    assert report["job_edits"]["noted"] == report["job_edits"]["table"] == [job_id]  # one edit each, by the job
    assert len(report["job_edits"]["final"]) == 1
    assert report["attempts"] == {"make": 1, "after": 1} and report["runs"] == {"make": 1, "after": 1}
    assert any("finished the commit" in line for line in report["reason"])
    assert report["locked"] == [] and report["intents"] == [] and report["staged"] == []
    runs = lines(tmp_path, "runs")
    assert [line.split()[0] for line in runs] == ["make", "after"]  # the task is not run again
    completed = [line for line in lines(tmp_path, "seen") if line.endswith("COMPLETED")]
    assert completed == ["make COMPLETED", "after COMPLETED"]  # the end of each job is seen once
    # the generic writer ran before the kill only if the kill came after it; the roll-forward writes
    # its value again then (writers run in the orchestrator, so they must be idempotent)
    writes = lines(tmp_path, "generic_writes")
    assert {line.rsplit(" ", 1)[0] for line in writes} == {"{'generic': 'seed'}"}
    assert len(writes) == (1 if crash_at == "intent" else 2)


GONE = """
class Gone:
    def __repr__(self):
        return "Gone()"
"""


def test_an_intent_that_cannot_be_read_back_is_rolled_back(tmp_path):
    """A staged value whose class is gone at the restart: nothing of the run lands, the job is a lost run."""
    (tmp_path / "gone_module.py").write_text(GONE)
    script = write_script(tmp_path, APP.replace('default_data="seed"', 'default_data="gone"'))
    first = run(script, "standalone", "first", "intent")
    assert first.returncode == -9, first.stdout + first.stderr
    (tmp_path / "gone_module.py").unlink()
    second = run(script, "standalone", "second")
    lines_ = [line for line in second.stdout.splitlines() if line.startswith("REPORT ")]
    assert lines_, second.stdout + second.stderr
    report = json.loads(lines_[0].split(" ", 1)[1])
    assert report["states"] == {"make": "FAILED", "after": "ABANDONED"}
    assert any("its run was lost" in line for line in report["reason"])
    assert report["outputs"]["table"] == "old" and report["outputs"]["noted"] is None
    assert report["job_edits"]["table"] == [] and report["intents"] == [] and report["staged"] == []
    assert lines(tmp_path, "generic_writes") == []
    assert report["attempts"]["make"] == 1 and len(lines(tmp_path, "runs")) == 1  # the lost run, not run again


# both outputs pickle files: the commit is two renames, its intent stored with the job's end
RENAMES_ONLY = APP.replace(
    """noted = Config.configure_generic_data_node(
    "noted", write_fct=jobs.note, write_fct_args=["noted.txt"], read_fct=jobs.read_note, read_fct_args=["noted.txt"]
)""",
    'noted = Config.configure_data_node("noted")',
)


@pytest.mark.parametrize("mode", ["standalone", "development"])
@pytest.mark.parametrize("crash_at", ["intent", "write"])
def test_renames_cut_by_a_kill_after_the_end_is_stored_are_finished_by_the_next_process(tmp_path, mode, crash_at):
    """Killed after the job's end (and its intent) is stored, before or between its renames: the
    next process moves what is left before anything runs, tells the end once, and the job downstream
    (development mode: stored RUNNING in that same commit, its function never called) runs once."""
    assert RENAMES_ONLY != APP
    report = crash_then_restart(tmp_path, mode, crash_at, RENAMES_ONLY)
    assert report["finished"] is True
    assert report["states"] == {"make": "COMPLETED", "after": "COMPLETED"}
    assert report["outputs"] == {"noted": {"generic": "seed"}, "table": "seed table", "final": "seed table after"}
    job_id = report["job_id"]
    assert report["job_edits"]["noted"] == report["job_edits"]["table"] == [job_id]
    assert len(report["job_edits"]["final"]) == 1
    assert report["attempts"] == {"make": 1, "after": 1} and report["runs"] == {"make": 1, "after": 1}
    assert report["locked"] == [] and report["intents"] == [] and report["staged"] == []
    assert [line.split()[0] for line in lines(tmp_path, "runs")] == ["make", "after"]
    completed = [line for line in lines(tmp_path, "seen") if line.endswith("COMPLETED")]
    assert completed == ["make COMPLETED", "after COMPLETED"]


@pytest.mark.parametrize("mode", ["standalone", "development"])
def test_a_kill_after_the_last_rename_leaves_the_outputs_in_place(tmp_path, mode):
    """Killed after the renames, before the end is told: nothing is left to move; the end, stored,
    is not told again. In development mode the next job, stored RUNNING with that end, may have
    started: it is a lost run (run again if its task has retries left)."""
    report = crash_then_restart(tmp_path, mode, "commit", RENAMES_ONLY)
    assert report["finished"] is True
    assert report["outputs"]["noted"] == {"generic": "seed"} and report["outputs"]["table"] == "seed table"
    assert report["job_edits"]["table"] == [report["job_id"]] and report["attempts"]["make"] == 1
    assert report["locked"] == [] and report["intents"] == [] and report["staged"] == []
    if mode == "standalone":
        assert report["states"] == {"make": "COMPLETED", "after": "COMPLETED"}
        assert report["outputs"]["final"] == "seed table after"
    else:
        assert report["states"] == {"make": "COMPLETED", "after": "FAILED"}
        assert report["outputs"]["final"] is None
    assert [line.split()[0] for line in lines(tmp_path, "runs")].count("make") == 1
    assert [line for line in lines(tmp_path, "seen") if line.startswith("make COMPLETED")] == []
