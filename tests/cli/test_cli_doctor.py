"""``scenaria doctor`` on stores damaged for real: a SIGKILLed orchestrator, a corrupt record file,
a damaged or empty SQLite file, a lock nothing holds. Each run is a ``python -m scenaria``
subprocess; the exit code says whether problems remain."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.processes import wait_gone
from tests.support.scripts import child_env

CONFIG = """
    import time
    from scenaria import Config

    def slow(x):
        time.sleep(120)
        return x

    def double(x):
        return 2 * x

    Config.configure_core(mode="experiment", version_number="v1", repository_type={store!r})
    Config.configure_job_executions(mode="standalone", max_nb_of_workers=1)
    number = Config.configure_pickle_data_node("number", default_data=21)
    out = Config.configure_pickle_data_node("out")
    Config.configure_scenario("slow", [Config.configure_task("t_slow", slow, number, out)])
    Config.configure_scenario("quick", [Config.configure_task("t_double", double, number, out)])
"""

KILLED = """
    import sys, time
    sys.path.insert(0, ".")
    import app_config
    import scenaria as tp
    from scenaria import Config

    scenario = tp.create_scenario(Config.scenarios["slow"])
    tp.create_scenario(Config.scenarios["quick"]).submit(wait=True)
    job = scenario.submit().jobs[0]
    while job.status.name != "RUNNING":
        time.sleep(0.05)
    print(scenario.id, flush=True)
    time.sleep(600)
"""


def doctor(app: Path, *args: str) -> tuple[int, dict]:
    done = subprocess.run(
        [sys.executable, "-m", "scenaria", "doctor", str(app / "app_config.py"), "--json", *args],
        cwd=app, env=child_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode in (0, 5), done.stderr
    return done.returncode, json.loads(done.stdout)


def checks(report: dict, repaired: bool | None = None) -> list[str]:
    return sorted(p["check"] for p in report["problems"] if repaired is None or p["repaired"] == repaired)


def make_app(tmp_path: Path, store: str) -> Path:
    (tmp_path / "app_config.py").write_text(textwrap.dedent(CONFIG.format(store=store)))
    return tmp_path


def killed_while_running(app: Path) -> str:
    """Run the slow scenario until its job runs, then SIGKILL the orchestrator and its workers."""
    (app / "killed.py").write_text(textwrap.dedent(KILLED))
    process = subprocess.Popen(
        [sys.executable, "killed.py"], cwd=app, env=child_env(), stdout=subprocess.PIPE, start_new_session=True
    )
    try:
        scenario_id = process.stdout.readline().decode().strip()
        assert scenario_id.startswith("SCENARIO_"), "the job never ran"
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate(timeout=30)
    return scenario_id


@pytest.mark.processes
@pytest.mark.parametrize("store", ["sqlite", "filesystem"])
def test_after_a_sigkill_doctor_fails_the_dead_job_and_releases_its_output(tmp_path, store):
    app = make_app(tmp_path, store)
    killed_while_running(app)
    code, report = doctor(app)
    assert code == 5 and checks(report) == ["jobs"]  # its output is held by that (unfinished) job
    assert "RUNNING, but no orchestrator" in report["problems"][0]["detail"]
    code, report = doctor(app, "--repair")
    assert code == 0 and checks(report, repaired=True) == ["jobs", "locks"]  # failed, its output is free
    code, report = doctor(app)
    assert code == 0 and report["problems"] == []
    # the job is failed with the reason, its submission too, and its output is unlocked
    code = textwrap.dedent("""
        import sys; sys.path.insert(0, ".")
        import app_config, scenaria as tp
        job = [j for j in tp.get_jobs() if j.task.config_id == "t_slow"][0]
        print(job.status.name, tp.get(job.submit_id).submission_status.name, job.task.output["out"].edit_in_progress)
        print(job.stacktrace[-1])
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=app, env=child_env(), capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    lines = out.stdout.splitlines()
    assert len(lines) == 2, out.stderr
    assert lines[0] == "FAILED FAILED False", out.stderr
    assert "scenaria doctor --repair" in lines[1]


@pytest.mark.processes
def test_doctor_leaves_the_jobs_of_a_live_orchestrator_alone(tmp_path):
    app = make_app(tmp_path, "sqlite")
    (app / "live.py").write_text(textwrap.dedent(KILLED))
    process = subprocess.Popen(
        [sys.executable, "live.py"], cwd=app, env=child_env(), stdout=subprocess.PIPE, start_new_session=True
    )
    try:
        assert process.stdout.readline().decode().startswith("SCENARIO_")
        code, report = doctor(app, "--repair")
        assert code == 0 and report["problems"] == []
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate(timeout=30)
        wait_gone(process.pid, 30)


def created(app: Path) -> None:
    code = "import sys; sys.path.insert(0, '.'); import app_config, scenaria as tp; from scenaria import Config\n"
    code += "tp.create_scenario(Config.scenarios['quick']).submit(wait=True)"
    done = subprocess.run([sys.executable, "-c", code], cwd=app, env=child_env(), capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_a_corrupt_record_file_is_moved_aside_and_references_to_it_deleted(tmp_path):
    app = make_app(tmp_path, "filesystem")
    created(app)
    (job_file,) = (app / ".taipy" / "jobs").glob("*.json")
    job_file.write_text('{"id": "JOB_')  # a write cut short
    code, report = doctor(app)
    assert code == 5 and checks(report) == ["integrity"] and str(job_file) in report["problems"][0]["subject"]
    code, report = doctor(app, "--repair")
    assert code == 0 and checks(report, repaired=True) == ["integrity", "references"]
    assert not job_file.exists() and (app / ".taipy" / ".damaged" / "jobs" / job_file.name).exists()
    code, report = doctor(app)
    assert code == 0 and report["problems"] == []


def test_a_stale_lock_is_released(tmp_path):
    app = make_app(tmp_path, "sqlite")
    created(app)
    with sqlite3.connect(app / ".taipy" / "scenaria.db") as conn:  # a lock a killed process left
        conn.execute(
            "UPDATE data_node SET body = json_set(body, '$.edit_in_progress', json('true')) WHERE config_id = 'out'"
        )
    code, report = doctor(app)
    assert code == 5 and checks(report) == ["locks"]
    assert doctor(app, "--repair")[0] == 0 and doctor(app)[1]["problems"] == []


def test_a_damaged_or_empty_sqlite_file_is_reported_and_left_to_a_backup(tmp_path):
    app = make_app(tmp_path, "sqlite")
    created(app)
    path = app / ".taipy" / "scenaria.db"
    with sqlite3.connect(path) as conn:  # every page into the file (none left in the WAL), then damage
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with open(path, "r+b") as file:
        size = file.seek(0, os.SEEK_END)
        file.seek(2 * 4096)
        file.write(os.urandom(max(size - 2 * 4096, 4096)))
    for args in ((), ("--repair",)):
        code, report = doctor(app, *args)
        assert code == 5 and checks(report, repaired=False) == ["integrity"], report
    path.write_bytes(b"")
    code, report = doctor(app)
    assert code == 5 and "empty file" in report["problems"][0]["detail"]
    assert path.stat().st_size == 0  # doctor writes nothing into a damaged store


def test_doctor_creates_no_store_where_there_is_none(tmp_path):
    app = make_app(tmp_path, "sqlite")
    done = subprocess.run(
        [sys.executable, "-m", "scenaria", "doctor", str(app / "app_config.py")],
        cwd=app, env=child_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1 and "there is no store at .taipy/scenaria.db" in done.stderr
    assert not (app / ".taipy").exists()
