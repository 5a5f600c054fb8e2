"""In a real Jupyter kernel, a scenario displays as its graph and a job as its state and output."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

CELLS = [
    """import scenaria as tp
from scenaria import Config

def greet(name):
    print("hello", name)
    return "hello " + name

person = Config.configure_data_node("person", default_data="ada")
greeting = Config.configure_data_node("greeting")
task = Config.configure_task("greet", greet, person, greeting)
scenario = tp.create_scenario(Config.configure_scenario("hello", [task]), name="First")
job = tp.submit(scenario).jobs[0]""",
    "scenario",
    "job",
]


def test_scenario_and_job_display_as_html_in_a_notebook(tmp_path: Path) -> None:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in CELLS])
    client = nbclient.NotebookClient(
        notebook, kernel_name="python3", timeout=60, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    scenario_data = notebook.cells[1].outputs[0]["data"]
    job_data = notebook.cells[2].outputs[0]["data"]

    assert scenario_data["text/plain"].startswith("Scenario(name='First', config_id='hello', id='SCENARIO_hello_")
    html = scenario_data["text/html"]
    svg = ET.fromstring(html[html.index("<svg") : html.index("</svg>") + len("</svg>")])
    tasks = [g for g in svg.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "node task"]
    assert [g.get("data-state") for g in tasks] == ["COMPLETED"]

    assert job_data["text/plain"].endswith("task='greet', status=COMPLETED)")
    assert ">COMPLETED</span>" in job_data["text/html"] and "hello ada" in job_data["text/html"]
