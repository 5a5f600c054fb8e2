"""A failed job is loud: one ERROR record with the user's traceback, in every mode (issue 12.1)."""

from __future__ import annotations

import linecache
import logging
from pathlib import Path

import pytest

import scenaria as tp
from scenaria import Config
from scenaria.entities.status import Status
from tests.observability import user_funcs

MODES = [
    pytest.param("development", id="development"),
    pytest.param("standalone", id="standalone", marks=pytest.mark.processes),
    pytest.param("dask", id="dask", marks=[pytest.mark.dask, pytest.mark.processes]),
]
#: A function defined where no file exists on any machine, as in a notebook cell: only linecache knows it.
CELL_FILE = "/nowhere/notebook-cell-7.py"
CELL_SOURCE = "def cell_boom(value):\n    total = value + 1\n    raise KeyError(f'no key {total}')\n"


def _cell_function():
    linecache.cache[CELL_FILE] = (len(CELL_SOURCE), None, CELL_SOURCE.splitlines(True), CELL_FILE)
    namespace: dict = {"__name__": "notebook_cell_module"}  # not importable: cloudpickle sends it by value
    exec(compile(CELL_SOURCE, CELL_FILE, "exec"), namespace)
    return namespace["cell_boom"]


def _fail_one(mode: str, function, retries: int = 0):
    Config.configure_job_executions(mode=mode, max_nb_of_workers=1)
    number = Config.configure_data_node("number", default_data=20)
    out = Config.configure_data_node("out")
    task = Config.configure_task("failing", function, number, out, max_retries=retries)
    scenario = Config.configure_scenario("s", [task])
    tp.Orchestrator().run()
    try:
        submission = tp.create_scenario(scenario).submit(wait=True, timeout=60)
        return submission.jobs[0]
    finally:
        tp.Orchestrator().stop()


def _errors(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "scenaria" and r.levelno == logging.ERROR]


@pytest.mark.parametrize("mode", MODES)
def test_a_function_sent_by_reference_fails_with_one_error_record_and_its_own_frames(mode, caplog):
    caplog.set_level(logging.WARNING)
    job = _fail_one(mode, user_funcs.boom)
    assert job.status is Status.FAILED
    trace = "".join(job.stacktrace)
    assert f'File "{user_funcs.__file__}", line 10, in boom' in trace
    assert 'raise ValueError(f"cannot use {value}")' in trace
    assert "ValueError: cannot use 20" in trace
    assert "scenaria" + "/" not in trace.replace(user_funcs.__file__, ""), trace  # no frame of scenaria's
    [record] = _errors(caplog)
    message = record.getMessage()
    assert job.id in message and "'failing'" in message
    assert trace.rstrip() in message
    assert record.job_id == job.id and record.task_config_id == "failing"


@pytest.mark.parametrize("mode", MODES)
def test_a_function_sent_by_value_keeps_its_file_line_and_source(mode, caplog):
    caplog.set_level(logging.WARNING)
    job = _fail_one(mode, _cell_function())
    trace = "".join(job.stacktrace)
    assert f'File "{CELL_FILE}", line 3, in cell_boom' in trace, trace
    assert "raise KeyError(f'no key {total}')" in trace
    assert "<dynamic-code>" not in trace
    assert len(_errors(caplog)) == 1


def test_retries_warn_and_only_the_final_failure_is_an_error(caplog):
    caplog.set_level(logging.WARNING)
    job = _fail_one("development", user_funcs.boom, retries=2)
    assert job.status is Status.FAILED
    warnings = [r for r in caplog.records if r.name == "scenaria" and r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert len(_errors(caplog)) == 1


def test_scenaria_run_shows_the_failure_as_taipy_does(tmp_path: Path):
    from tests.support.scripts import scenaria_run

    source = (
        "import taipy as tp\n"
        "from taipy import Config\n"
        "def boom(x):\n"
        "    print('printing in task')\n"
        "    raise ValueError('bad value')\n"
        "a = Config.configure_data_node('a', default_data=1)\n"
        "t = Config.configure_task('t', boom, a, Config.configure_data_node('b'))\n"
        "s = Config.configure_scenario('s', [t])\n"
        "if __name__ == '__main__':\n"
        "    Config.configure_job_executions(mode='standalone')\n"
        "    tp.Orchestrator().run()\n"
        "    tp.submit(tp.create_scenario(s), wait=True)\n"
        "    tp.Orchestrator().stop()\n"
    )
    script = tmp_path / "app.py"
    done = scenaria_run(tmp_path, source)
    assert done.stdout.splitlines()[0] == "printing in task"  # no [task] prefix under scenaria run
    assert "][Taipy][ERROR] Job JOB_t_" in done.stderr
    assert f'File "{script}", line 5, in boom' in done.stderr
    assert "    raise ValueError('bad value')" in done.stderr
    assert "scenaria/" not in done.stderr
