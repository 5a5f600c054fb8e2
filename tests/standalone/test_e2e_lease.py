"""One orchestrator per version of a store: a second one refuses to start while the first lives."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

import scenaria as tp
from scenaria import Config
from scenaria.exceptions import OrchestratorServiceIsAlreadyRunning
from tests.support.scripts import child_env, write_script

pytestmark = pytest.mark.processes

ORCHESTRATOR = """
    import sys
    import scenaria as tp
    from scenaria import Config

    Config.configure_core(mode="experiment", version_number="shared")
    Config.configure_job_executions(mode="standalone", max_nb_of_workers=1)
    tp.Orchestrator().run()
    print("ready", flush=True)
    sys.stdin.read()  # until the test closes it
"""


def configure() -> None:
    Config.configure_core(mode="experiment", version_number="shared")
    Config.configure_job_executions(mode="standalone", max_nb_of_workers=1)


def start_orchestrator(tmp_path) -> subprocess.Popen:
    script = write_script(tmp_path, ORCHESTRATOR, "orchestrator.py")
    child = subprocess.Popen(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=child_env(),
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert child.stdout is not None and child.stdout.readline() == "ready\n"
    return child


def test_a_second_orchestrator_refuses_while_the_first_lives_and_starts_once_it_stopped(tmp_path):
    child = start_orchestrator(tmp_path)
    with child:
        configure()
        refused = rf"Process {child.pid} on host .* already orchestrates"
        with pytest.raises(OrchestratorServiceIsAlreadyRunning, match=refused):
            tp.Orchestrator().run()
        assert child.stdin is not None
        child.stdin.close()  # the first one stops (and says so in the store)
        assert child.wait(30) == 0
    tp.Orchestrator().run()


def test_an_orchestrator_killed_does_not_hold_the_version(tmp_path):
    child = start_orchestrator(tmp_path)
    with child:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    configure()
    tp.Orchestrator().run()  # its record is stale: the process is gone
