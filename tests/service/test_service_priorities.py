"""``submit(..., priority=N)`` from a client process reaches the service that runs the jobs."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

import scenaria as tp
from tests.modes import counted_jobs as jobs
from tests.service.test_service import client_config

pytestmark = pytest.mark.processes

CONFIG = """
from scenaria import Config
from tests.modes import counted_jobs

Config.configure_core(mode="experiment", version_number="svc")
Config.configure_job_executions(mode="standalone", max_nb_of_workers=1, resources={{"slot": 1}})
spec = Config.configure_data_node("spec")
held = Config.configure_task("held", counted_jobs.held, spec, Config.configure_data_node("held_out"))
blocking = Config.configure_scenario("blocking", [held])
counted = Config.configure_task(
    "counted", counted_jobs.counted, spec, Config.configure_data_node("counted_out"), resources={{"slot": 1}}
)
plain = Config.configure_scenario("plain", [counted])
"""


def test_a_client_submits_with_priorities_and_the_service_runs_the_jobs_in_that_order(tmp_path: Path, serve):
    (tmp_path / "svc_config.py").write_text(textwrap.dedent(CONFIG.format()))
    serve().ready()
    config = client_config(tmp_path)
    counter, release = str(tmp_path / "order.json"), tmp_path / "release"
    blocker = tp.create_scenario(config.blocking)
    blocker.spec.write({"name": "blocker", "counters": [counter], "release": str(release)})
    first = blocker.submit()
    deadline = time.monotonic() + 60
    while not jobs.observed(counter)["starts"]:
        assert time.monotonic() < deadline, "the blocker never started"
        time.sleep(0.02)
    submissions = []
    for name, priority in [("low", -1), ("plain", None), ("high", 9), ("middle", 2)]:
        scenario = tp.create_scenario(config.plain)
        scenario.spec.write({"name": name, "counters": [counter], "seconds": 0})
        submissions.append(scenario.submit() if priority is None else scenario.submit(priority=priority))
    release.touch()
    for submission in [first, *submissions]:
        assert submission.wait(60)
        assert tp.get(submission.jobs[0].id).status.name == "COMPLETED"
    assert jobs.observed(counter)["starts"] == ["blocker", "high", "middle", "plain", "low"]
    assert tp.get(submissions[2].id).properties["priority"] == 9
