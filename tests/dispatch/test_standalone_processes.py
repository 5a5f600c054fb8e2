"""Real scripts as orchestrators: no ``__main__`` guard needed, no orphans when they die."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.dispatch.standalone_jobs import Call, add
from tests.support.dispatch import RecordingListener
from tests.support.processes import children, wait_gone

pytestmark = pytest.mark.processes

ROOT = Path(__file__).parent.parent.parent  # the repository: scripts run by the tests import tests.*

UNGUARDED_SCRIPT = """
    import threading
    from pathlib import Path

    with open(Path(__file__).with_name("executions"), "a") as stream:  # counts top-level runs
        stream.write("x")

    from scenaria.dispatch.standalone import StandaloneDispatcher

    def double(nb):
        return nb * 2

    class Job:
        def __init__(self, function, argument):
            self.function, self.argument = function, argument

        def run(self):
            return self.function(self.argument)

    class Listener:
        def __init__(self):
            self.outcomes, self.done = {}, threading.Condition()

        def job_started(self, job_id, at): pass
        def job_output(self, job_id, stream, text): pass

        def job_finished(self, outcome):
            with self.done:
                self.outcomes[outcome.job_id] = outcome
                self.done.notify_all()

    listener = Listener()
    pool = StandaloneDispatcher(2)
    pool.start(listener)
    pool.submit("function", Job(double, 21))
    pool.submit("lambda", Job(lambda nb: nb + 1, 41))
    with listener.done:
        listener.done.wait_for(lambda: len(listener.outcomes) == 2, 30)
    pool.stop()
    for job_id in ("function", "lambda"):
        print(job_id, listener.outcomes[job_id].ending.name, listener.outcomes[job_id].result)
"""

ORCHESTRATOR_SCRIPT = """
    import sys, time
    from scenaria.dispatch.standalone import StandaloneDispatcher
    from tests.dispatch.standalone_jobs import Call

    class Listener:
        def job_started(self, job_id, at): print("started", flush=True)
        def job_output(self, job_id, stream, text): pass
        def job_finished(self, outcome): pass

    pool = StandaloneDispatcher(2)
    pool.start(Listener())
    print(*pool.worker_pids(), flush=True)
    pool.submit("long", Call(time.sleep, (60,)))
    time.sleep(60)
"""


def test_function_of_an_unguarded_main_script(tmp_path: Path) -> None:
    script = tmp_path / "app.py"
    script.write_text(textwrap.dedent(UNGUARDED_SCRIPT))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["function COMPLETED 42", "lambda COMPLETED 42"]
    assert (tmp_path / "executions").read_text() == "x"  # workers never ran the script


# Makes prctl unavailable in every process, to show the lifeline pipe alone suffices (as on macOS).
NO_PRCTL = """
import ctypes

def _no_libc(*args, **kwargs):
    raise OSError("no prctl in this test")

ctypes.CDLL = _no_libc
"""


@pytest.mark.parametrize("prctl", [True, False], ids=["pdeathsig-and-lifeline", "lifeline-only"])
def test_workers_die_with_their_orchestrator(tmp_path: Path, prctl: bool) -> None:
    script = tmp_path / "orchestrator.py"
    script.write_text(textwrap.dedent(ORCHESTRATOR_SCRIPT))
    paths = [str(ROOT), os.environ.get("PYTHONPATH", "")]
    if not prctl:
        (tmp_path / "sitecustomize.py").write_text(NO_PRCTL)
        paths.insert(0, str(tmp_path))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    with subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=env) as proc:
        assert proc.stdout is not None
        workers = [int(pid) for pid in proc.stdout.readline().split()]
        assert len(workers) == 2 and set(workers) <= set(children(proc.pid))
        assert proc.stdout.readline() == "started\n"  # one worker busy, one idle
        proc.kill()
        proc.wait()
    assert all(wait_gone(worker, 3) for worker in workers)


def test_stop_leaves_no_child_process(make_pool, listener: RecordingListener) -> None:
    others = set(children())  # e.g. a database server another suite started for the session
    pool = make_pool(3)
    workers = pool.worker_pids()
    assert sorted(set(children()) - others) == workers
    pool.submit("job", Call(add, (1, 2)))
    listener.outcome("job")
    pool.stop()
    assert set(children()) == others and multiprocessing.active_children() == []
    for worker in workers:
        assert not Path(f"/proc/{worker}").exists()


def test_killing_the_worker_from_outside_is_a_death(make_pool, listener: RecordingListener) -> None:
    pool = make_pool(1)
    pool.submit("job", Call(__import__("time").sleep, (30,)))
    listener.wait_started("job")
    (worker,) = pool.worker_pids()
    os.kill(worker, signal.SIGKILL)
    outcome = listener.outcome("job")
    assert "SIGKILL" in outcome.traceback and "out of memory" in outcome.traceback
