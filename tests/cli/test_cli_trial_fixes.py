"""What a new user's first runs of the CLI found: each test a ``python -m scenaria`` subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.support.scripts import child_env

DEVELOPMENT_CONFIG = """
    from taipy import Config

    def double(x):
        return 2 * x

    number = Config.configure_pickle_data_node("number", default_data=21)
    doubled = Config.configure_pickle_data_node("doubled")
    Config.configure_scenario("good", [Config.configure_task("t_double", double, number, doubled)])
"""


def scenaria(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scenaria", *args],
        cwd=cwd,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def test_submit_of_an_entity_the_development_start_up_deleted_is_not_found(tmp_path: Path) -> None:
    write(tmp_path, "app_config.py", DEVELOPMENT_CONFIG)
    created = scenaria(tmp_path, "create", "good", "--config", "app_config.py", "--json")
    assert created.returncode == 0, created.stderr
    scenario_id = json.loads(created.stdout)["id"]
    done = scenaria(tmp_path, "submit", scenario_id, "--config", "app_config.py", "--wait", "--json")
    assert (done.returncode, done.stdout) == (3, ""), done.stdout
    assert scenario_id in done.stderr and "development" in done.stderr and "experiment" in done.stderr
    assert "scenaria serve" in done.stderr


def test_what_the_configuration_prints_at_import_goes_to_stderr(tmp_path: Path) -> None:
    write(tmp_path, "app_config.py", 'print("loading my config")\n' + textwrap.dedent(DEVELOPMENT_CONFIG))
    done = scenaria(tmp_path, "scenarios", "--config", "app_config.py", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [] and "loading my config" in done.stderr
    drawn = scenaria(tmp_path, "graph", "app_config.py")
    assert drawn.returncode == 0 and "loading my config" not in drawn.stdout, drawn.stderr


def test_graph_and_manage_versions_take_a_python_configuration(tmp_path: Path) -> None:
    store = 'Config.configure_core(mode="experiment", version_number="v1", taipy_storage_folder="elsewhere/")\n'
    write(tmp_path, "app_config.py", textwrap.dedent(DEVELOPMENT_CONFIG) + store)
    created = scenaria(tmp_path, "create", "good", "--config", "app_config.py", "--json")
    assert created.returncode == 0, created.stderr
    listing = scenaria(tmp_path, "manage-versions", "--config", "app_config.py", "--list")
    assert listing.returncode == 0, listing.stderr
    assert any(line.startswith("v1 ") for line in listing.stdout.splitlines())
    drawn = scenaria(tmp_path, "graph", json.loads(created.stdout)["id"], "--config", "app_config.py")
    assert drawn.returncode == 0, drawn.stderr
    assert drawn.stdout.startswith("flowchart LR\n") and "t_double" in drawn.stdout


def test_an_error_in_the_users_code_shows_only_the_users_frames(tmp_path: Path) -> None:
    write(tmp_path, "imp.py", "import helper\n")
    write(tmp_path, "helper.py", "x = 1\nimport no_such_module_here\n")
    write(tmp_path, "syn.py", "def f(:\n    pass\n")
    for done in (  # a user error for the run commands; serve's exit code for a bad configuration
        scenaria(tmp_path, "scenarios", "--config", "imp.py"),
        scenaria(tmp_path, "serve", "imp.py"),
    ):
        assert done.returncode in (1, 3) and "No module named 'no_such_module_here'" in done.stderr
        assert 'helper.py", line 2' in done.stderr and 'imp.py", line 1' in done.stderr
        assert "scenaria/cli" not in done.stderr and "importlib" not in done.stderr, done.stderr
    for done in (scenaria(tmp_path, "run", "syn.py"), scenaria(tmp_path, "scenarios", "--config", "syn.py")):
        assert done.returncode == 1 and "SyntaxError" in done.stderr and 'syn.py", line 1' in done.stderr
        assert "scenaria/cli" not in done.stderr, done.stderr


TOML = """
    [CORE]
    mode = "experiment"
    version_number = "1"

    [JOB]
    mode = "standalone"
    max_nb_of_workers = "1:int"

    [DATA_NODE.number]
    default_data = "21:int"

    [DATA_NODE.doubled]

    [TASK.t_double]
    function = "beside_the_toml.double:function"
    inputs = [ "number:SECTION",]
    outputs = [ "doubled:SECTION",]

    [SCENARIO.good]
    tasks = [ "t_double:SECTION",]
"""


def test_a_toml_configuration_finds_the_modules_beside_it_here_and_in_the_workers(tmp_path: Path) -> None:
    folder = tmp_path / "app"
    folder.mkdir()
    write(folder, "config.toml", TOML)
    write(folder, "beside_the_toml.py", "def double(x):\n    return 2 * x\n")
    config = str(folder / "config.toml")
    created = scenaria(tmp_path, "create", "good", "--config", config, "--json")
    assert created.returncode == 0, created.stderr
    done = scenaria(tmp_path, "submit", json.loads(created.stdout)["id"], "--config", config, "--wait", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "COMPLETED"
