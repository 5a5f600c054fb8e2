"""Types reach users: mypy on a user's script sees scenaria's real types through ``import scenaria``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

USER_SCRIPT = textwrap.dedent("""
    import scenaria as tp
    from scenaria import Config, ScenarioId

    def double(number: int) -> int:
        return number * 2

    number = Config.configure_data_node("number", default_data=21)
    doubled = Config.configure_data_node("doubled")
    task_config = Config.configure_task("double", double, number, doubled)
    scenario_config = Config.configure_scenario("pipeline", [task_config])
    scenario = tp.create_scenario(scenario_config)
    reveal_type(tp.create_scenario)
    reveal_type(scenario_config)
    reveal_type(scenario)
    reveal_type(tp.get_jobs())
    reveal_type(tp.Orchestrator)
    reveal_type(tp.ScenarioId)
    reveal_type(tp.NonExistingScenario)
    reveal_type(scenario_config.to_mermaid())
    wanted: ScenarioId = ScenarioId(scenario.id)
    tp.no_such_function()
""")


def test_mypy_reveals_the_real_types_of_the_public_api(tmp_path):
    (tmp_path / "user_app.py").write_text(USER_SCRIPT)
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", os.devnull, "--follow-imports=silent",
         "--python-version", "3.11", "user_app.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={**os.environ, "MYPYPATH": str(REPO), "PYTHONPATH": ""},
    )  # fmt: skip
    revealed = dict(re.findall(r"user_app\.py:(\d+): note: Revealed type is \"(.+)\"", done.stdout))
    lines = USER_SCRIPT.splitlines()

    def reveal(expression: str) -> str:
        return revealed[str(lines.index(f"reveal_type({expression})") + 1)].replace("builtins.", "")

    assert re.fullmatch(r"def \(config: .+, name: .+\) -> scenaria\.entities\.scenario\.Scenario",
                        reveal("tp.create_scenario")), reveal("tp.create_scenario")  # fmt: skip
    assert reveal("scenario_config") == "scenaria.config.scenario.ScenarioConfig"
    assert reveal("scenario") == "scenaria.entities.scenario.Scenario"
    assert reveal("tp.get_jobs()") == "list[scenaria.entities.job.Job]"
    assert reveal("tp.Orchestrator") == "def () -> scenaria.orchestrator.service.Orchestrator"
    assert reveal("tp.ScenarioId") == "def (item: str) -> scenaria.entities.ids.ScenarioId"
    assert reveal("tp.NonExistingScenario") == "def (*args: object) -> scenaria.exceptions.model.NonExistingScenario"
    assert reveal("scenario_config.to_mermaid()") == "str"
    # a typo is caught: the lazy loader is invisible to type checkers
    assert re.search(r'user_app\.py:\d+: error: Module has no attribute "no_such_function"', done.stdout), done.stdout


def test_py_typed_is_shipped_as_package_data():
    """PEP 561: installed, scenaria says it is typed (the ``py.typed`` marker goes into the wheel)."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib

    assert (REPO / "scenaria" / "py.typed").is_file()
    settings = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "py.typed" in settings["package-data"]["scenaria"]
