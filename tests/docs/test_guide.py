"""The code blocks of docs/guide.md run, in order, as one script (issue 12.8)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.support.scripts import REPO, child_env

GUIDE = REPO / "docs" / "guide.md"


def test_the_guide_runs_as_written(tmp_path: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(), flags=re.S)
    assert len(blocks) >= 9
    script = tmp_path / "guide.py"
    script.write_text("\n".join(blocks))
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=child_env(), capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "{'total': {'larger_total': 1}}" in done.stdout
