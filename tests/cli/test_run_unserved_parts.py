"""``scenaria run`` on a script that imports a Taipy part scenaria does not serve (issue 12.9)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.scripts import scenaria_run

pytestmark = pytest.mark.processes


@pytest.mark.parametrize("module", ["taipy.gui", "taipy.gui_core", "taipy.rest"])
def test_the_script_stops_at_once_naming_the_module_and_what_is_served(tmp_path: Path, module: str) -> None:
    done = scenaria_run(tmp_path, f"print('before')\nimport {module}\nprint('after')\n")
    assert done.returncode == 2
    assert done.stdout == "before\n"
    first = done.stderr.splitlines()[0]
    assert first.startswith(f"scenaria run: This script imports {module!r}, which scenaria does not serve")
    assert "taipy.core" in first and "Config" in first
    assert "Traceback" not in done.stderr


def test_a_script_that_guards_the_import_goes_on(tmp_path: Path) -> None:
    source = (
        "try:\n    from taipy.gui import Gui\nexcept ImportError as exc:\n    print('no gui:', type(exc).__name__)\n"
        "import taipy\nprint(taipy.__version__)\n"
    )
    done = scenaria_run(tmp_path, source)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "no gui: TaipyPartNotServed\n4.1.1\n"
