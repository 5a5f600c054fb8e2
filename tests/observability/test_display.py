"""The live view of submissions: rich in a pseudo-terminal, HTML through a real kernel (issue 12.5)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.scripts import REPO, child_env, write_script

pytestmark = pytest.mark.processes

SCRIPT = """
import scenaria as tp
from scenaria import Config
from tests.observability import user_funcs

Config.configure_job_executions(mode="standalone", max_nb_of_workers=2)
n = Config.configure_data_node("n", default_data=4)
good = Config.configure_task("stepping", user_funcs.steps, n, Config.configure_data_node("out"))
bad = Config.configure_task("breaking", user_funcs.boom, n, Config.configure_data_node("broken"))
scenario = Config.configure_scenario("s", [good, bad])
if __name__ == "__main__":
    tp.Orchestrator().run()
    submission = tp.create_scenario(scenario).submit()
    tp.show_progress(submission, refresh=0.05)
    print("VIEW ENDED", submission.submission_status.name)
    tp.Orchestrator().stop()
"""


def _run_in_pty(script: Path) -> str:
    """Run ``script`` with a pseudo-terminal as its stdout; everything it wrote, escapes included."""
    master, slave = pty.openpty()
    env = {**child_env(), "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
    env.pop("NO_COLOR", None)
    chunks = []
    with subprocess.Popen([sys.executable, str(script)], cwd=script.parent, env=env, stdout=slave,
                          stderr=subprocess.PIPE) as child:  # fmt: skip
        os.close(slave)
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        os.close(master)
        errors = child.stderr.read().decode() if child.stderr else ""
        assert child.wait(60) == 0, errors
    return b"".join(chunks).decode("utf-8", "replace")


def test_the_terminal_view_redraws_one_line_per_job_until_the_end(tmp_path):
    shown = _run_in_pty(write_script(tmp_path, SCRIPT))
    assert "\x1b[" in shown  # drawn with terminal escapes
    assert shown.count("stepping") > 2  # redrawn while it ran
    final = shown.rsplit("task", 1)[-1]  # the last table drawn
    assert "COMPLETED" in final and "step 4 of 4" in final
    assert "FAILED" in final and "ValueError: cannot use 4" in final
    assert "━" in final  # the progress bar
    assert shown.rstrip().endswith("VIEW ENDED FAILED")


def test_redirected_output_gets_the_final_table_once(tmp_path):
    done = subprocess.run([sys.executable, str(write_script(tmp_path, SCRIPT))], cwd=tmp_path, env=child_env(),
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stdout
    assert done.stdout.count("stepping") == 1
    assert "ValueError: cannot use 4" in done.stdout


def test_the_notebook_view_is_an_html_table_updated_in_place(tmp_path):
    import nbformat
    from nbclient import NotebookClient

    cells = [
        f"import sys; sys.path.insert(0, {str(REPO)!r})",
        "import scenaria as tp\nfrom scenaria import Config\n"
        "def work(n):\n    for i in range(n + 1):\n        tp.report_progress(i / n, f'at {i}')\n    return n\n"
        "Config.configure_job_executions(mode='standalone')\n"
        "task = Config.configure_task('nb_task', work, Config.configure_data_node('n', default_data=3),"
        " Config.configure_data_node('out'))\n"
        "scenario = Config.configure_scenario('s', [task])\ntp.Orchestrator().run()",
        "submission = tp.create_scenario(scenario).submit()\ntp.show_progress(submission, refresh=0.05)",
        "tp.Orchestrator().stop()",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = notebook.cells[2].outputs
    [shown] = [output for output in outputs if output.output_type == "display_data"]
    html = shown.data["text/html"]
    assert "scenaria-progress" in html and "nb_task" in html
    assert "COMPLETED" in html and "at 3" in html and "<progress value='1.000'" in html


def test_scenaria_run_progress_shows_every_submission(tmp_path):
    from tests.support.scripts import compat_env

    source = """
        import taipy as tp
        from taipy import Config

        def work(n):
            tp.report_progress(1.0, "all done")
            return n

        task = Config.configure_task("watched", work, Config.configure_data_node("n", default_data=1),
                                     Config.configure_data_node("out"))
        scenario = Config.configure_scenario("s", [task])
        if __name__ == "__main__":
            Config.configure_job_executions(mode="standalone")
            tp.Orchestrator().run()
            for _ in range(2):
                tp.submit(tp.create_scenario(scenario), wait=True)
            tp.Orchestrator().stop()  # the views are drawn before the script's end all the same
    """
    script = write_script(tmp_path, source)
    env = {**compat_env(), "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "scenaria.cli", "run", "--progress", str(script)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("watched") == 2 and done.stdout.count("all done") == 2


def test_scenaria_run_progress_draws_the_last_view_of_a_script_that_ends_at_once(tmp_path):
    from tests.support.scripts import compat_env

    source = """
        import taipy as tp
        from taipy import Config

        def add(n):
            return n + 31

        task = Config.configure_task("add", add, Config.configure_data_node("n", default_data=21),
                                     Config.configure_data_node("out"))
        scenario = Config.configure_scenario("s", [task])
        tp.Orchestrator().run()
        tp.create_scenario(scenario).submit()
    """
    script = write_script(tmp_path, source)
    env = {**compat_env(), "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "scenaria.cli", "run", "--progress", str(script)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "add" in done.stdout and "COMPLETED" in done.stdout, done.stdout
