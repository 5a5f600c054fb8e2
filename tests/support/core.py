"""Helpers of the core tests: a standard configuration, event recording and child processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from queue import Empty

import core_funcs as funcs

from scenaria import Config, Frequency
from scenaria.events import Notifier

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def chain_config(frequency: Frequency | None = None, skippable: bool = False, **scenario_properties):
    """source --t1(double)--> middle --t2(double)--> result, with a sequence "first" of t1."""
    source = Config.configure_data_node("source", default_data=3)
    middle = Config.configure_data_node("middle")
    result = Config.configure_data_node("result")
    t1 = Config.configure_task("t1", funcs.double, source, middle, skippable=skippable)
    t2 = Config.configure_task("t2", funcs.double, middle, result, skippable=skippable)
    return Config.configure_scenario(
        "chain", [t1, t2], frequency=frequency, sequences={"first": [t1]}, **scenario_properties
    )


class Recorder:
    """Records the events of one Notifier registration."""

    def __init__(self, **topic) -> None:
        self.registration_id, self.queue = Notifier.register(**topic)

    def drain(self) -> list:
        events = []
        while True:
            try:
                events.append(self.queue.get_nowait())
            except Empty:
                return events

    def close(self) -> None:
        Notifier.unregister(self.registration_id)


def run_python(code: str, cwd: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter in ``cwd`` (the test functions importable); check it."""
    script = cwd / "child_script.py"
    script.write_text(textwrap.dedent(code))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), str(REPO)])}
    env.pop("SCENARIA_CONFIG_PATH", None)
    done = subprocess.run(
        [sys.executable, str(script), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    return done


def ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, f"child failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout
