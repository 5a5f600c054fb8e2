"""docs/web.md: its example runs as written, and its REST table names every route of the app."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from scenaria.web import create_app
from tests.support.network import free_port
from tests.support.scripts import child_env

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "web.md").read_text()


def test_the_example_runs_as_written(tmp_path):
    code = "\n".join(re.findall(r"```python\n(.*?)```", DOC, flags=re.S)).replace("8765", str(free_port()))
    (tmp_path / "example.py").write_text(code)
    done = subprocess.run(
        [sys.executable, "example.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=child_env()
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "{'data': 42}"


def test_every_route_is_in_the_rest_table():
    documented = set(re.findall(r"`(?:GET|POST|PUT|DELETE)[^`]*?(/api/v1/[^`?\s]*)", DOC))
    documented |= {"/api/v1" + path for path in re.findall(r", `(/[a-z]+/\{id\}/svg)`", DOC)}
    routes = set(create_app().openapi()["paths"])
    normalised = {re.sub(r"\{[a-z_]+\}", "{id}", path) for path in routes}
    missing = {path for path in normalised if path not in documented and not path.endswith("/tags/{id}")}
    assert not missing, f"routes missing from docs/web.md: {sorted(missing)}"
    assert "scenaria web" in (REPO / "README.md").read_text()
