"""``scenaria manage-versions`` on a real store written by an application in another process."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

APP = textwrap.dedent("""
    import sys
    import scenaria as tp
    from scenaria import Config

    Config.configure_core(mode="experiment", version_number=sys.argv[1])
    number = Config.configure_data_node("number", default_data=int(sys.argv[2]))
    result = Config.configure_data_node("result")
    task = Config.configure_task("double", pow, [number, number], result)
    scenario = tp.create_scenario(Config.configure_scenario("s", task_configs=[task]))
    tp.submit(scenario)
""")


def scenaria(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scenaria", "manage-versions", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def run_app(cwd: Path, version: str, number: int) -> None:
    (cwd / "app.py").write_text(APP)
    subprocess.run([sys.executable, "app.py", version, str(number)], cwd=cwd, check=True, timeout=60)


def test_list_rename_compare_and_delete_versions(tmp_path):
    run_app(tmp_path, "first", 2)
    run_app(tmp_path, "second", 3)

    listing = scenaria("--list", cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0].split() == ["Version", "number", "Mode", "Creation", "date"]
    assert any(line.startswith("first ") and "Experiment" in line for line in lines)
    assert any(line.startswith("second ") and "Experiment (latest)" in line for line in lines)

    compared = scenaria("--compare-config", "first", "second", cwd=tmp_path)
    assert compared.returncode == 0
    assert "DATA_NODE.number" in compared.stdout and "default_data" in compared.stdout

    renamed = scenaria("--rename", "first", "initial", cwd=tmp_path)
    assert renamed.returncode == 0, renamed.stderr
    assert "initial" in scenaria("--list", cwd=tmp_path).stdout

    deleted = scenaria("--delete", "initial", cwd=tmp_path)
    assert deleted.returncode == 0, deleted.stderr
    remaining = scenaria("--list", cwd=tmp_path).stdout
    assert "initial" not in remaining and "second" in remaining


def test_unknown_version_is_a_clear_error(tmp_path):
    run_app(tmp_path, "only", 2)
    done = scenaria("--delete", "nope", cwd=tmp_path)
    assert done.returncode == 1
    assert "There is no version 'nope'" in done.stderr
    assert "Traceback" not in done.stderr
