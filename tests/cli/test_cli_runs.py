"""The run commands end to end: each one a ``python -m scenaria`` subprocess on one SQLite store
(the configuration a Python file given with --config), ``--json`` parsed, exit codes checked."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.scripts import child_env

CONFIG = """
    import taipy as tp
    from taipy import Config

    def double(x):
        print("doubling", x)
        return 2 * x

    def fail(x):
        raise RuntimeError("broken on purpose")

    Config.configure_core(mode="experiment", version_number="v1")
    number = Config.configure_pickle_data_node("number", default_data=21)
    doubled = Config.configure_pickle_data_node("doubled")
    broken = Config.configure_pickle_data_node("broken")
    t_double = Config.configure_task("t_double", double, number, doubled)
    t_fail = Config.configure_task("t_fail", fail, number, broken)
    Config.configure_scenario("good", [t_double])
    Config.configure_scenario("bad", [t_fail])
"""


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scenaria", *args, "--config", str(tmp_path / "app_config.py")],
        cwd=tmp_path,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def cli_json(tmp_path: Path, *args: str, code: int = 0) -> object:
    done = cli(tmp_path, *args, "--json")
    assert done.returncode == code, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def app(tmp_path: Path) -> Path:
    (tmp_path / "app_config.py").write_text(textwrap.dedent(CONFIG))
    return tmp_path


def test_create_submit_list_show_logs(app: Path) -> None:
    created = cli_json(app, "create", "good", "--name", "first")
    assert created["type"] == "Scenario" and created["config_id"] == "good" and created["name"] == "first"
    submission = cli_json(app, "submit", created["id"], "--wait")
    assert submission["status"] == "COMPLETED" and submission["entity_id"] == created["id"]

    scenarios = cli_json(app, "scenarios")
    assert [s["id"] for s in scenarios] == [created["id"]]
    jobs = cli_json(app, "jobs")
    assert [(j["task_config_id"], j["status"]) for j in jobs] == [("t_double", "COMPLETED")]
    assert jobs[0]["submission_id"] == submission["id"]
    assert cli_json(app, "submissions") == [cli_json(app, "show", submission["id"])]

    shown = cli_json(app, "show", jobs[0]["id"])
    assert shown["status"] == "COMPLETED" and shown["stacktrace"] == []
    logs = cli_json(app, "logs", jobs[0]["id"])
    assert logs["stdout"] == "doubling 21\n"
    followed = cli(app, "logs", jobs[0]["id"], "--follow")
    assert (followed.returncode, followed.stdout) == (0, "doubling 21\n")

    table = cli(app, "jobs")
    assert table.returncode == 0 and jobs[0]["id"] in table.stdout and "COMPLETED" in table.stdout


def test_a_failed_submission_is_exit_code_4_and_filters_find_it(app: Path) -> None:
    good = cli_json(app, "create", "good")
    bad = cli_json(app, "create", "bad")
    assert cli_json(app, "submit", good["id"], "--wait")["status"] == "COMPLETED"
    assert cli_json(app, "submit", bad["id"], "--wait", code=4)["status"] == "FAILED"

    failed = cli_json(app, "jobs", "--status", "failed")
    assert [j["task_config_id"] for j in failed] == ["t_fail"]
    assert cli_json(app, "jobs", "--scenario", good["id"])[0]["task_config_id"] == "t_double"
    assert [j["status"] for j in cli_json(app, "jobs", "--config-id", "t_fail")] == ["FAILED"]
    assert len(cli_json(app, "jobs", "--since", "1h")) == 2
    assert cli_json(app, "jobs", "--since", "2999-01-01") == []
    assert [s["status"] for s in cli_json(app, "submissions", "--status", "FAILED")] == ["FAILED"]
    follow_failed = cli(app, "logs", failed[0]["id"], "--follow")
    assert follow_failed.returncode == 4 and "broken on purpose" in follow_failed.stderr


def test_cancel_a_finished_job_leaves_it(app: Path) -> None:
    scenario = cli_json(app, "create", "good")
    submission = cli_json(app, "submit", scenario["id"], "--wait")
    canceled = cli_json(app, "cancel", submission["id"])
    assert [job["status"] for job in canceled] == ["COMPLETED"]


def test_exit_codes_for_not_found_user_error_and_usage(app: Path) -> None:
    assert cli(app, "show", "SCENARIO_nothing").returncode == 3
    assert cli(app, "logs", "JOB_nothing").returncode == 3
    missing = cli(app, "create", "nope")
    assert missing.returncode == 3 and "good" in missing.stderr and "bad" in missing.stderr
    bad_status = cli(app, "jobs", "--status", "DONE")
    assert bad_status.returncode == 1 and "COMPLETED" in bad_status.stderr
    assert cli(app, "jobs", "--since", "yesterday").returncode == 2
    assert cli(app, "prune").returncode == 2
    assert cli(app, "prune", "--older-than", "soon").returncode == 2


def test_prune_counts(app: Path) -> None:
    ids = [cli_json(app, "create", "good")["id"] for _ in range(2)]
    for scenario_id in ids:
        for _ in range(2):
            cli_json(app, "submit", scenario_id, "--wait")
    # four submissions; the latest of each task (one per scenario) is never pruned
    dry = cli_json(app, "prune", "--keep", "0", "--dry-run")
    assert (len(dry["submissions"]), len(dry["jobs"]), dry["dry_run"]) == (2, 2, True)
    assert len(cli_json(app, "submissions")) == 4
    assert cli_json(app, "prune", "--older-than", "1h")["submissions"] == []
    done = cli_json(app, "prune", "--keep", "0")
    assert done["submissions"] == dry["submissions"]
    assert len(cli_json(app, "submissions")) == 2 and len(cli_json(app, "jobs")) == 2
    assert cli(app, "prune", "--keep", "0").stdout.startswith("Pruned 0 submission(s)")


def test_schedules_lists_the_firings_of_a_live_orchestrator(app: Path) -> None:
    config = (app / "app_config.py").read_text()
    config += "import datetime as dt\n"
    config += 'Config.configure_schedule("often", interval=dt.timedelta(seconds=1), scenario_config="good")\n'
    (app / "app_config.py").write_text(config)
    (app / "serve.py").write_text(
        "import time\nimport app_config\nimport taipy as tp\n"
        "tp.Orchestrator().run()\ntime.sleep(2.5)\ntp.Orchestrator().stop()\n"
    )
    served = subprocess.run(
        [sys.executable, "-m", "scenaria", "run", "serve.py"], cwd=app, env=child_env(), capture_output=True, timeout=60
    )
    assert served.returncode == 0, served.stderr
    (schedule,) = cli_json(app, "schedules")
    assert (schedule["id"], schedule["interval_seconds"], schedule["action"]) == ("often", 1.0, "create_and_submit")
    assert 1 <= len(schedule["firings"]) <= 3
    for firing in schedule["firings"]:
        assert cli_json(app, "show", firing["submission_id"])["entity_id"] == firing["created_id"]
    assert schedule["last_due"] == schedule["firings"][-1]["due"]
    table = cli(app, "schedules", "often")
    assert table.returncode == 0 and schedule["firings"][0]["submission_id"] in table.stdout
    assert cli(app, "schedules", "nope").returncode == 3
