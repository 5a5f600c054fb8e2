"""``scenaria run`` end to end: real scripts in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.scripts import compat_env, ok, scenaria_run


def test_taipy_imports_resolve_to_scenaria(tmp_path: Path) -> None:
    out = ok(
        scenaria_run(
            tmp_path,
            """
            import sys
            import taipy as tp
            import taipy.config
            from taipy.common.config import Config
            from taipy.core.config import Config as C2
            from taipy.config import Config as C3
            from taipy.core.notification import Notifier
            from taipy.event.event_processor import EventProcessor
            from taipy import Config as C0
            from taipy.core.job.status import Status
            import scenaria, scenaria.config, scenaria.events
            assert C0 is C2 is Config is C3 is scenaria.config.Config is scenaria.Config
            assert Status is scenaria.Status and tp.Orchestrator is scenaria.Orchestrator
            assert Notifier is scenaria.events.Notifier and EventProcessor is scenaria.events.EventProcessor
            assert tp.config is sys.modules["taipy.config"] is taipy.config
            assert __name__ == "__main__"
            print("ok", tp.__version__)
            """,
        )
    )
    assert out.strip() == "ok 4.1.1"


def test_arguments_reach_the_script_with_taipy_flags_rewritten(tmp_path: Path) -> None:
    out = ok(
        scenaria_run(
            tmp_path,
            "import sys; print(sys.argv[1:])",
            "--experiment",
            "2.0",
            "--no-force",
            "--development",
            "--mine=1",
            "-x",
            "--taipy-force",
            "external-args",
            "--force",
        )
    )
    expected = [
        "--taipy-experiment", "2.0", "--no-taipy-force", "--taipy-development", "--mine=1", "-x",
        "--taipy-force", "--force",
    ]  # fmt: skip
    assert out.strip() == repr(expected)


def test_argv0_is_the_script_and_its_directory_comes_first(tmp_path: Path) -> None:
    (tmp_path / "helper.py").write_text("VALUE = 42\n")
    out = ok(
        scenaria_run(
            tmp_path,
            """
            import os, sys
            import helper
            print(sys.argv[0] == __file__, sys.path[0] == os.path.dirname(os.path.realpath(__file__)), helper.VALUE)
            """,
            "--help",
        )
    )
    assert out.split() == ["True", "True", "42"]


def test_a_python_child_of_the_script_imports_taipy(tmp_path: Path) -> None:
    out = ok(
        scenaria_run(
            tmp_path,
            """
            import subprocess, sys
            code = "import taipy.config; print(taipy.config.Config.__module__.split('.')[0])"
            print(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
            """,
        )
    )
    assert out.strip() == "scenaria"


def test_a_spawned_multiprocessing_child_imports_taipy(tmp_path: Path) -> None:
    out = ok(
        scenaria_run(
            tmp_path,
            """
            import multiprocessing as mp

            def child(queue):
                import taipy.core.notification
                queue.put(taipy.core.notification.Notifier.__module__)

            if __name__ == "__main__":
                ctx = mp.get_context("spawn")
                queue = ctx.Queue()
                process = ctx.Process(target=child, args=(queue,))
                process.start()
                print(queue.get(timeout=30))
                process.join()
            """,
        )
    )
    assert out.strip() == "scenaria.events.notifier"


def test_an_existing_sitecustomize_still_runs_in_children(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text("import os\nos.environ['CUSTOM_SITE_RAN'] = 'yes'\n")
    env = compat_env()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH")]))
    out = ok(
        scenaria_run(
            tmp_path,
            """
            import subprocess, sys
            code = "import os, taipy; print(os.environ.get('CUSTOM_SITE_RAN'), taipy.__version__)"
            print(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
            """,
            env=env,
        )
    )
    assert out.strip() == "yes 4.1.1"


def test_main_stays_the_script_after_it_returns(tmp_path: Path) -> None:
    # Threads and atexit hooks may pickle objects of the script's classes after its last line.
    out = ok(
        scenaria_run(
            tmp_path,
            """
            import atexit, pickle

            class Point:
                def __init__(self, x):
                    self.x = x

            atexit.register(lambda: print(pickle.loads(pickle.dumps(Point(3))).x))
            """,
        )
    )
    assert out.strip() == "3"


def test_exit_status_and_traceback(tmp_path: Path) -> None:
    assert scenaria_run(tmp_path, "import sys; sys.exit(3)").returncode == 3
    failed = scenaria_run(tmp_path, "def f():\n    raise ValueError('bad input')\nf()\n")
    assert failed.returncode == 1
    lines = failed.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert "app.py" in lines[1] and lines[-1] == "ValueError: bad input"
    assert "scenaria" not in failed.stderr.replace(str(tmp_path), "")


def test_missing_script(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scenaria.cli", "run", "nope.py"],
        capture_output=True, text=True, cwd=tmp_path, env=compat_env(), timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "cannot open 'nope.py'" in result.stderr


def test_import_taipy_fails_outside_scenaria_run(tmp_path: Path) -> None:
    code = "import scenaria, scenaria.compat, scenaria.events\nimport taipy\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=compat_env(), timeout=60)
    assert result.returncode == 1
    assert "ModuleNotFoundError: No module named 'taipy'" in result.stderr


@pytest.mark.skipif(not (Path(sys.executable).parent / "scenaria").exists(), reason="console script not installed")
def test_console_script(tmp_path: Path) -> None:
    script = tmp_path / "app.py"
    script.write_text("import taipy, sys; print(sys.argv[1:])\n")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "scenaria"), "run", str(script), "--production", "v1"],
        capture_output=True, text=True, env=compat_env(), timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['--taipy-production', 'v1']"
