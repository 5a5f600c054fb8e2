"""Re-record what Taipy 4.1.1 prints for each script of tests/compat/scripts/ (run by hand).

    python3 -m venv /tmp/taipy-ref && /tmp/taipy-ref/bin/pip install taipy-core==4.1.1
    python tests/compat/record.py /tmp/taipy-ref/bin/python [script stem ...]

Each script runs in a fresh folder with the reference interpreter; its standard output, as
printed, goes to tests/compat/recorded/<script>.txt. test_recorded_outputs.py normalises both
sides the same way when it compares, so the files hold Taipy's raw output.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = HERE / "scripts"
RECORDED = HERE / "recorded"
#: modules the scripts import, not scripts themselves
HELPERS = ("toml_helpers.py", "event_helpers.py", "planning_config.py", "early_submit.py")


def scripts() -> list[Path]:
    return sorted(path for path in SCRIPTS.glob("*.py") if path.name not in HELPERS)


def run_in_fresh_folder(command: list[str], script: Path, env: dict[str, str] | None = None) -> str:
    """Run ``command + [script copy]`` in a new folder holding the scripts; its stdout."""
    with tempfile.TemporaryDirectory() as folder:
        for path in SCRIPTS.glob("*.py"):
            shutil.copy(path, folder)
        result = subprocess.run(
            [*command, str(Path(folder) / script.name)],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
    if result.returncode != 0:
        raise RuntimeError(f"{script.name} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.stdout


def main(reference_python: str, only: list[str]) -> None:
    RECORDED.mkdir(exist_ok=True)
    for script in scripts():
        if only and script.stem not in only:
            continue
        output = run_in_fresh_folder([reference_python], script)
        (RECORDED / f"{script.stem}.txt").write_text(output)
        print(f"recorded {script.stem}: {len(output.splitlines())} lines")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/taipy-ref/bin/python", sys.argv[2:])
