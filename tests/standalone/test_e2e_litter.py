"""A program that never calls ``Orchestrator().stop()``, or is SIGKILLed, leaves nothing behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.support.processes import wait_gone

pytestmark = pytest.mark.processes

_SCRIPT = textwrap.dedent(
    """
    import subprocess, sys, time
    import scenaria as tp
    from scenaria import Config

    def work(path, hang):
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
        with open(path, "w") as stream:
            stream.write(str(child.pid))
        if hang:
            time.sleep(60)
        return 1

    Config.configure_job_executions(mode="standalone", max_nb_of_workers=2, job_grace_period=0.2)
    Config.configure_core(storage_folder=sys.argv[1])
    out = Config.configure_data_node("out")
    path = Config.configure_data_node("path", default_data=sys.argv[2])
    hang = Config.configure_data_node("hang", default_data=sys.argv[3] == "1")
    task = Config.configure_task("work", work, [path, hang], out)
    scenario_config = Config.configure_scenario("s", [task])
    tp.Orchestrator().run()
    scenario = tp.create_scenario(scenario_config)
    scenario.submit(wait=sys.argv[3] != "1", timeout=30)
    print("submitted", flush=True)
    if sys.argv[3] == "1":
        time.sleep(60)
    """
)


def _run(tmp_path: Path, hang: bool) -> tuple[subprocess.Popen[str], Path, Path]:
    script, temp, said = tmp_path / "program.py", tmp_path / "tmp", tmp_path / "child"
    script.write_text(_SCRIPT)
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp), "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    program = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "storage"), str(said), "1" if hang else "0"],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    return program, temp, said


def test_a_normal_exit_without_stop_leaves_no_file_and_no_process(tmp_path: Path) -> None:
    program, temp, said = _run(tmp_path, hang=False)
    out, _ = program.communicate(timeout=120)
    assert program.returncode == 0 and "submitted" in out
    assert wait_gone(int(said.read_text()), 5)  # the job's setsid'd child was ended with the job
    assert list(temp.iterdir()) == []


def test_sigkill_of_the_orchestrator_leaves_no_file_and_no_process(tmp_path: Path) -> None:
    program, temp, said = _run(tmp_path, hang=True)
    deadline = time.monotonic() + 60
    while not (said.exists() and said.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    child = int(said.read_text())
    program.send_signal(signal.SIGKILL)
    program.communicate(timeout=30)
    assert wait_gone(child, 10)  # the worker ended its job's processes when its orchestrator died
    assert list(temp.iterdir()) == []


_KILLED_MID_WRITE = textwrap.dedent(
    """
    import sys, threading, time
    import scenaria as tp
    from scenaria import Config

    class Slow:
        '''Pickling it takes a minute: a write of it is under way when the test kills us.'''

        def __reduce__(self):
            time.sleep(60)
            return (Slow, ())

    def produce():
        return Slow()  # the worker stages it: .staged-<job id>-... beside the output

    Config.configure_core(mode="experiment", version_number="v1", storage_folder=sys.argv[1])
    Config.configure_job_executions(mode="standalone", max_nb_of_workers=1)
    out = Config.configure_data_node("out")
    direct = Config.configure_data_node("direct")
    scenario_config = Config.configure_scenario("s", [Config.configure_task("produce", produce, [], out)],
                                                additional_data_node_configs=[direct])
    if sys.argv[2] == "litter":
        scenario = tp.create_scenario(scenario_config)
        scenario.submit()
        threading.Thread(target=scenario.direct.write, args=(Slow(),), daemon=True).start()  # .tmp-<pid>-...
        print("writing", flush=True)
        time.sleep(120)
    else:  # the next start
        tp.Orchestrator().run()
        tp.Orchestrator().stop()
        print("started", flush=True)
    """
)


def _litter(storage: Path) -> list[str]:
    return sorted(p.name for p in storage.rglob(".*") if p.name.startswith((".tmp-", ".staged-")))


def test_the_next_start_removes_the_temporary_files_of_killed_processes(tmp_path: Path) -> None:
    script, storage = tmp_path / "program.py", tmp_path / "storage"
    script.write_text(_KILLED_MID_WRITE)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    program = subprocess.Popen(
        [sys.executable, str(script), str(storage), "litter"],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        assert program.stdout.readline().strip() == "writing"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the worker's staged output and the direct write both begun
            names = _litter(storage)
            if any(n.startswith(".staged-") for n in names) and any(n.startswith(".tmp-") for n in names):
                break
            time.sleep(0.05)
    finally:
        os.killpg(program.pid, signal.SIGKILL)
        program.communicate(timeout=30)
    left = _litter(storage)
    assert any(n.startswith(".staged-JOB_produce_") for n in left) and any(n.startswith(".tmp-") for n in left), left
    again = subprocess.run(
        [sys.executable, str(script), str(storage), "start"], env=env, cwd=tmp_path, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert again.returncode == 0 and "started" in again.stdout, again.stderr
    # The killed processes' files are gone. (If the killed orchestrator had not stored the job's
    # start yet, the next one runs it again, and stopping that run leaves its own staged file,
    # which belongs to a job left for the next start: not litter.)
    assert not set(left) & set(_litter(storage)), _litter(storage)
