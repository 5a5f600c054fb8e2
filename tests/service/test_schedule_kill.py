"""Schedules fire exactly once although the service is SIGKILLed between a firing's transactions.

The service (a real process) is killed by itself at a chosen point (``SCENARIA_SCHEDULE_KILL``,
a real SIGKILL); a second service finishes the firing. The test counts what was made.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import scenaria as tp
from scenaria.orchestrator.schedule_actions import FIRING
from scenaria.orchestrator.schedules import firings
from scenaria.store import open_repository
from tests.service.test_service import client_config, write_config

pytestmark = pytest.mark.processes
SCHEDULE = """
import datetime as dt
Config.configure_schedule("often", interval=dt.timedelta(seconds=2), scenario_config="quick", catch_up="skip")
"""


def _records(folder: Path) -> list[dict]:
    with open_repository({"type": "sqlite", "path": str(folder / ".taipy" / "scenaria.db")}) as repo:
        return firings(repo, "often")


@pytest.mark.parametrize("stage", ["after_claim", "after_target", "after_submit"])
def test_a_firing_interrupted_by_sigkill_is_finished_once_by_the_next_service(tmp_path, serve, stage):
    write_config(tmp_path)
    with open(tmp_path / "svc_config.py", "a") as file:
        file.write(SCHEDULE)
    killed = serve(SCENARIA_SCHEDULE_KILL=stage)
    assert killed.process.wait(60) == -9, killed.text()  # killed at its first firing
    (interrupted,) = _records(tmp_path)
    assert interrupted["state"] == "claimed" and interrupted["submission_id"] is None
    assert (interrupted["submitted_id"] is None) == (stage == "after_claim")

    successor = serve().ready()
    deadline = time.monotonic() + 60
    while _records(tmp_path)[0]["state"] != "done":
        assert time.monotonic() < deadline, successor.text()
        time.sleep(0.1)
    assert f"finishing its firing due {interrupted['due']}, left claimed" in successor.text()
    assert successor.stop() == 0

    config = client_config(tmp_path)
    assert config.quick  # this process reads the store the services wrote
    records = _records(tmp_path)
    finished = records[0]
    assert finished["due"] == interrupted["due"] and finished["error"] is None
    if stage != "after_claim":
        assert finished["created_id"] == interrupted["created_id"]  # not created again
    submissions = tp.get_submissions()
    keys = [submission.properties[FIRING] for submission in submissions]
    assert keys.count(f"often@{interrupted['due']}") == 1  # submitted exactly once
    assert len(keys) == len(set(keys))  # and so was every other firing
    by_id = {submission.id: submission for submission in submissions}
    assert by_id[finished["submission_id"]].entity_id == finished["created_id"]
    made = {record["created_id"] for record in records if record["created_id"]}
    assert {scenario.id for scenario in tp.get_scenarios()} == made  # no scenario left over, none twice
