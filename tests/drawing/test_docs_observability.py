"""The code of docs/observability.md runs as written, and says what it shows."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "observability.md"


def section(heading: str) -> str:
    text = DOC.read_text()
    start = text.index(f"## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def test_pictures_of_the_graph_run_as_written(tmp_path):
    text = section("Pictures of the graph")
    code = "\n".join(re.findall(r"```python\n(.*?)```", text, flags=re.S))
    (tmp_path / "doc_example.py").write_text(code)
    done = subprocess.run(
        [sys.executable, "doc_example.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    shown_mermaid = re.search(r"is:\n\n```\n(.*?)```", text, flags=re.S)
    assert shown_mermaid and done.stdout.strip() == shown_mermaid.group(1).strip()
    with Image.open(tmp_path / "pipeline.png") as image:
        assert image.format == "PNG"
    assert "<svg" in (tmp_path / "pipeline.svg").read_text()
    assert 'data-state="COMPLETED"' in (tmp_path / "scenario.svg").read_text()
    with Image.open(tmp_path / "submission.png") as image:
        assert image.format == "PNG"


def test_the_logging_example_runs_as_written(tmp_path):
    text = section("Logging")
    code = "\n".join(re.findall(r"```python\n(.*?)```", text, flags=re.S))
    (tmp_path / "doc_logging.py").write_text(code)
    done = subprocess.run(
        [sys.executable, "doc_logging.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    shown = re.search(r"prints `(\{.*?\})`", text.replace("\n", " "))
    assert shown and shown.group(1) in done.stderr
    assert done.stdout.strip().splitlines()[-1] == "COMPLETED 1.0 cleaned"
