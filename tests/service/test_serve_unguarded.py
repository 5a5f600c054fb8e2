"""``scenaria serve`` of a script that runs its application when imported: refused, saying how to fix it."""

from __future__ import annotations

import subprocess
import sys

from tests.support.scripts import child_env, write_script


def test_serving_a_script_that_runs_the_application_at_import_is_refused(tmp_path):
    write_script(
        tmp_path,
        """
        import scenaria as tp
        from scenaria import Config

        def double(nb):
            return nb * 2

        number = Config.configure_data_node("number", default_data=21)
        doubled = Config.configure_data_node("doubled")
        scenario_cfg = Config.configure_scenario("s", [Config.configure_task("double", double, number, doubled)])
        tp.Orchestrator().run()
        tp.create_scenario(scenario_cfg).submit()
        """,
    )
    done = subprocess.run(
        [sys.executable, "-m", "scenaria.cli", "serve", "app.py", "--experiment", "1"],
        cwd=tmp_path, env=child_env(), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    assert "No orchestrator can start here: the command imports app.py for its configuration" in done.stderr
    assert 'if __name__ == "__main__":' in done.stderr
    assert "Traceback" not in done.stderr  # a message, not scenaria's insides
