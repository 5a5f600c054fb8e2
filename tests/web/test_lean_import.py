"""``import scenaria`` (and the CLI's parser) never import the web extra's libraries."""

from __future__ import annotations

import subprocess
import sys

from tests.support.scripts import child_env


def test_import_scenaria_leaves_fastapi_and_uvicorn_out():
    code = (
        "import sys, scenaria, scenaria.cli; scenaria.cli.build_parser(); "
        "print(sorted(name for name in ('fastapi', 'uvicorn', 'starlette', 'pydantic') if name in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=child_env())
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
