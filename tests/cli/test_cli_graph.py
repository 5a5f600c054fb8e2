"""``scenaria graph``, end to end: a TOML file, a Python file, and entity ids in a real store."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[2]

TOML = textwrap.dedent("""
    [DATA_NODE.sales]
    [DATA_NODE.forecast]
    [DATA_NODE.report]

    [TASK.predict]
    function = "no_such_module.predict:function"
    inputs = ["sales:SECTION"]
    outputs = ["forecast:SECTION"]

    [TASK.publish]
    function = "no_such_module.publish:function"
    inputs = ["forecast:SECTION", "sales:SECTION"]
    outputs = ["report:SECTION"]

    [SCENARIO.monthly]
    tasks = ["predict:SECTION", "publish:SECTION"]

    [SCENARIO.weekly]
    tasks = ["predict:SECTION"]
""")

APP = textwrap.dedent("""
    import taipy as tp
    from taipy import Config

    def double(number):
        return number * 2

    def fail(number):
        raise ValueError("no")

    number = Config.configure_data_node("number", default_data=21)
    doubled = Config.configure_data_node("doubled")
    result = Config.configure_data_node("result")
    first = Config.configure_task("double", double, number, doubled)
    second = Config.configure_task("fail", fail, doubled, result)
    pipeline = Config.configure_scenario("pipeline", [first, second])

    if __name__ == "__main__":
        scenario = tp.create_scenario(pipeline)
        submission = tp.submit(scenario)
        print(scenario.id, submission.id)
""")


def scenaria(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scenaria", "graph", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )


def test_a_toml_configuration_as_mermaid_svg_and_png(tmp_path):
    (tmp_path / "app.toml").write_text(TOML)
    printed = scenaria("app.toml", "monthly", cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.splitlines() == [
        "flowchart LR",
        '    data_sales(["sales"])',
        '    task_predict["predict"]',
        '    data_forecast(["forecast"])',
        '    task_publish["publish"]',
        '    data_report(["report"])',
        "    data_sales --> task_predict",
        "    task_predict --> data_forecast",
        "    data_forecast --> task_publish",
        "    data_sales --> task_publish",
        "    task_publish --> data_report",
    ]
    svg = scenaria("app.toml", "weekly", "-o", "weekly.svg", cwd=tmp_path)
    assert svg.returncode == 0, svg.stderr
    assert svg.stdout.strip() == "Wrote weekly.svg"
    root = ET.parse(tmp_path / "weekly.svg").getroot()
    assert len([g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("data-key")]) == 3
    png = scenaria("app.toml", "monthly", "-o", "monthly.png", cwd=tmp_path)
    assert png.returncode == 0, png.stderr
    with Image.open(tmp_path / "monthly.png") as image:
        assert image.format == "PNG" and image.width > 0


def test_a_configuration_with_several_scenarios_needs_one_named(tmp_path):
    (tmp_path / "app.toml").write_text(TOML)
    done = scenaria("app.toml", cwd=tmp_path)
    assert done.returncode == 1
    assert "has several" in done.stderr and "monthly, weekly" in done.stderr
    unknown = scenaria("app.toml", "daily", cwd=tmp_path)
    assert unknown.returncode == 1 and "no scenario config 'daily'" in unknown.stderr


def test_a_python_file_and_the_ids_of_its_stored_entities(tmp_path):
    (tmp_path / "app.py").write_text(APP)
    from_file = scenaria("app.py", cwd=tmp_path)  # its __main__ block does not run
    assert from_file.returncode == 0, from_file.stderr
    assert from_file.stdout.startswith("flowchart LR\n") and "task_fail" in from_file.stdout
    assert not (tmp_path / ".taipy").exists() and "classDef" not in from_file.stdout

    run = subprocess.run(
        [sys.executable, "-m", "scenaria", "run", "app.py"], cwd=tmp_path, capture_output=True, text=True,
        timeout=60, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    scenario_id, submission_id = run.stdout.split()[-2:]

    scenario = scenaria(scenario_id, cwd=tmp_path)
    assert scenario.returncode == 0, scenario.stderr
    assert "    class task_double completed" in scenario.stdout
    assert "    class task_fail failed" in scenario.stdout
    drawn = scenaria(submission_id, "-o", "run.svg", cwd=tmp_path)
    assert drawn.returncode == 0, drawn.stderr
    states = {
        g.get("data-state")
        for g in ET.parse(tmp_path / "run.svg").getroot().iter("{http://www.w3.org/2000/svg}g")
        if g.get("class") == "node task"
    }
    assert states == {"COMPLETED", "FAILED"}


def test_a_target_that_is_neither_file_nor_entity(tmp_path):
    done = scenaria("SCENARIO_nothing_here", cwd=tmp_path)
    assert done.returncode == 1
    assert "neither a file nor the id of an entity" in done.stderr
    bad_suffix = scenaria("missing.toml", cwd=tmp_path)
    assert bad_suffix.returncode == 1


def test_graph_is_listed_in_the_help(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "scenaria", "help", "graph"], cwd=tmp_path, capture_output=True, text=True,
        timeout=60, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0
    assert "Mermaid" in done.stdout and "-o FILE" in done.stdout
