"""Standalone mode from a Jupyter notebook, on a real kernel: a task function defined in a cell
travels by value to the worker processes (the reference needs it in a separate module)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.processes

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

CELLS = [
    "import sys\nimport scenaria as tp\nfrom scenaria import Config",
    "def triple(nb):\n    print('tripling', nb)\n    return nb * 3",
    """Config.configure_job_executions(mode="standalone", max_nb_of_workers=2)
number = Config.configure_data_node("number", default_data=7)
tripled = Config.configure_data_node("tripled")
plus_one = Config.configure_data_node("plus_one")
triple_cfg = Config.configure_task("triple", triple, number, tripled)
plus_cfg = Config.configure_task("plus", lambda nb: nb + 1, tripled, plus_one)
scenario_cfg = Config.configure_scenario("notebook", [triple_cfg, plus_cfg])""",
    """tp.Orchestrator().run()
scenario = tp.create_scenario(scenario_cfg)
submission = scenario.submit(wait=True, timeout=30)
job = submission.jobs[0]
print("RESULT", submission.submission_status.name, scenario.tripled.read(), scenario.plus_one.read())
print("STDOUT", repr(job.stdout), job.attempts)
print("KERNEL", sys.prefix)""",
    "tp.Orchestrator().stop()",
]


def test_a_notebook_runs_standalone_jobs_defined_in_its_cells(tmp_path: Path) -> None:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in CELLS])
    client = nbclient.NotebookClient(
        notebook, kernel_name="python3", timeout=60, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    text = "".join(output.get("text", "") for cell in notebook.cells for output in cell.get("outputs", []))
    errors = [
        output for cell in notebook.cells for output in cell.get("outputs", []) if output.get("output_type") == "error"
    ]
    assert not errors, errors
    assert "RESULT COMPLETED 21 22" in text
    assert "STDOUT 'tripling 7\\n' 1" in text
    assert f"KERNEL {sys.prefix}\n" in text  # the kernel is this virtual environment's python
