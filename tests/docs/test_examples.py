"""Every example in examples/ runs, and shows what it says it shows (issue 12.8)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.scripts import REPO, child_env

pytestmark = pytest.mark.processes
EXAMPLES = REPO / "examples"


def run_example(name: str, tmp_path: Path) -> str:
    shutil.copy(EXAMPLES / name, tmp_path / name)
    done = subprocess.run([sys.executable, name], cwd=tmp_path, env=child_env(), capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def test_the_pandas_pipeline(tmp_path):
    shown = run_example("pandas_pipeline.py", tmp_path)
    assert "2026-01   120.0" in shown and "2026-02   120.0" in shown


def test_what_if_scenarios_compared(tmp_path):
    shown = run_example("what_if.py", tmp_path)
    assert "growth 10%: 1331.0" in shown
    assert "comparison: {'lowest': 1030.3, 'highest': 1331.0, 'spread': 300.7}" in shown


def test_a_failing_and_a_retried_task(tmp_path):
    shown = run_example("retry.py", tmp_path)
    assert "flaky: COMPLETED after 2 attempt(s)" in shown
    assert "broken: FAILED after 2 attempt(s) ValueError: cannot use 21" in shown
    assert "of task 'broken' failed:" in shown and "retry.py" in shown


def test_cancel_and_timeout(tmp_path):
    shown = run_example("cancel_and_timeout.py", tmp_path)
    assert "slow: CANCELED: canceled by cancel_job()" in shown
    assert "bounded_slow: FAILED: Job JOB_bounded_slow_" in shown and "timed out after 1 s" in shown
    assert shown.count("printed: 'started, this will take a while'") == 2


def test_progress(tmp_path):
    shown = run_example("progress.py", tmp_path)
    assert "chunk 20 of 20" in shown
    assert "progress of each job: [1.0, 0.5]" in shown


def test_the_notebook(tmp_path):
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(EXAMPLES / "notebook.ipynb", as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(f"import sys; sys.path.insert(0, {str(REPO)!r})"))
    resources = {"metadata": {"path": str(tmp_path)}}
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources=resources).execute()
    shown = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    html = [output.data["text/html"] for output in shown if "data" in output and "text/html" in output.data]
    assert any("scenaria-progress" in text and "COMPLETED" in text and "row 10" in text for text in html)
    assert any("<svg" in text for text in html)  # the scenario shows its graph
    assert any("result: 45" in output.get("text", "") for output in shown)
