"""``scenaria submit --wait`` and ``scenaria cancel`` in their own processes reach a running
``scenaria serve``: the service runs and cancels the jobs, the commands report what it did."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.service.test_service import env, write_config

pytestmark = pytest.mark.processes


def cli(folder: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "scenaria", *args, "--config", "svc_config.py", "--json"]
    return subprocess.run(command, cwd=folder, env=env(), capture_output=True, text=True, timeout=120)


def cli_json(folder: Path, *args: str, code: int = 0) -> object:
    done = cli(folder, *args)
    assert done.returncode == code, done.stderr
    return json.loads(done.stdout)


def test_submit_wait_goes_to_the_service_and_its_exit_code_says_how_it_ended(tmp_path, serve):
    write_config(tmp_path)
    service = serve().ready()
    scenario = cli_json(tmp_path, "create", "quick")
    done = cli(tmp_path, "submit", scenario["id"], "--wait")
    assert done.returncode == 0, done.stderr
    submission = json.loads(done.stdout)
    assert submission["status"] == "COMPLETED"
    assert "Starting the orchestrator" not in done.stderr  # the command ran no job itself
    (job,) = cli_json(tmp_path, "jobs", "--scenario", scenario["id"])
    assert job["status"] == "COMPLETED" and job["submission_id"] == submission["id"]
    assert service.process.poll() is None
    assert service.stop() == 0


def test_submit_wait_of_a_failing_submission_says_which_job_failed_and_why(tmp_path, serve):
    write_config(tmp_path)
    service = serve().ready()
    scenario = cli_json(tmp_path, "create", "failing")
    done = cli(tmp_path, "submit", scenario["id"], "--wait")
    assert done.returncode == 4, done.stderr
    assert json.loads(done.stdout)["status"] == "FAILED"  # stdout stays the result
    assert "(broken) FAILED: ValueError: the input 1 is wrong" in done.stderr
    assert service.stop() == 0


def test_cancel_kills_a_job_the_service_runs(tmp_path, serve):
    write_config(tmp_path)
    service = serve().ready()
    scenario = cli_json(tmp_path, "create", "slow")
    submitted = cli_json(tmp_path, "submit", scenario["id"])  # the job sleeps 60 s in the service
    deadline = time.monotonic() + 60
    while cli_json(tmp_path, "show", submitted["job_ids"][0])["status"] != "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    started = time.monotonic()
    (job,) = cli_json(tmp_path, "cancel", submitted["id"])
    assert job["status"] == "CANCELED"
    assert time.monotonic() - started < 30  # not the job's 60 s: its process was killed
    shown = cli_json(tmp_path, "show", submitted["id"])
    assert shown["status"] == "CANCELED"
    assert service.stop() == 0


def test_submit_wait_that_times_out_prints_the_status_the_service_stored(tmp_path, serve):
    write_config(tmp_path)
    service = serve().ready()
    scenario = cli_json(tmp_path, "create", "slow")
    done = cli(tmp_path, "submit", scenario["id"], "--wait", "--timeout", "4")  # the job sleeps 60 s
    assert done.returncode == 1 and "not finished" in done.stderr, done.stderr
    assert json.loads(done.stdout)["status"] == "RUNNING"
    assert service.stop() == 0
