"""Running Python in a fresh interpreter from the tests: scripts, ``scenaria run``, their checks.

The child sees the repository on its ``PYTHONPATH``, so it imports ``scenaria`` from this checkout
and the tests' modules (``tests.core.core_funcs``...) by the same names as the tests do.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from scenaria import compat

REPO = Path(__file__).resolve().parents[2]
_CONFIG_PATH_VARIABLES = ("SCENARIA_CONFIG_PATH", "TAIPY_CONFIG_PATH")


def child_env() -> dict[str, str]:
    """This process's environment with the repository as ``PYTHONPATH`` and no config-path variable."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for variable in _CONFIG_PATH_VARIABLES:
        env.pop(variable, None)
    return env


def write_script(directory: Path, code: str, name: str = "app.py") -> Path:
    script = directory / name
    script.write_text(textwrap.dedent(code))
    return script


def run_script(script: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``script`` with this interpreter in its directory (not checked: see :func:`ok`)."""
    return subprocess.run(
        [sys.executable, str(script), *args],
        cwd=script.parent,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_python(code: str, cwd: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``code`` (dedented) as a script in ``cwd`` (not checked: see :func:`ok`)."""
    return run_script(write_script(cwd, code, "child_script.py"), *args, timeout=timeout)


def compat_env() -> dict[str, str]:
    """This process's environment without ``scenaria run``'s variable and its ``taipy`` alias folder."""
    env = {k: v for k, v in os.environ.items() if k != compat.ENV_VAR}
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != compat.SITE_DIR]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def scenaria_run(
    tmp_path: Path, source: str, *args: str, env: dict[str, str] | None = None, name: str = "app.py"
) -> subprocess.CompletedProcess[str]:
    """``scenaria run`` of ``source`` (dedented, written to ``tmp_path / name``) in a fresh interpreter."""
    script = write_script(tmp_path, source, name)
    return subprocess.run(
        [sys.executable, "-m", "scenaria.cli", "run", str(script), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env or compat_env(),
        timeout=60,
    )


def ok(done: subprocess.CompletedProcess) -> str:
    """The child's standard output, once it is known to have exited with 0 (else its output, shown)."""
    assert done.returncode == 0, f"child failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout
