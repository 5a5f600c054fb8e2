"""The example of "Skipping by content, and reuse" in docs/execution.md runs as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.support.scripts import REPO, child_env


def test_the_skipping_example_prints_what_the_page_says(tmp_path: Path) -> None:
    page = (REPO / "docs" / "execution.md").read_text()
    section = page.split("## Skipping by content, and reuse", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    script = tmp_path / "skipping.py"
    script.write_text(block)
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=child_env(), capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    printed = [re.sub(r"JOB_double_[0-9a-f-]+", "JOB_double_…", line) for line in done.stdout.splitlines()]
    expected = [line.removeprefix("# ") for line in block.splitlines() if line.startswith("# [")]
    assert printed == expected
