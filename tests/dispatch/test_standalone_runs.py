"""What the standalone pool runs and what it reports: results, failures, order, bound, output."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from scenaria.dispatch.base import Ending
from scenaria.dispatch.pickling import RunnableNotPicklable
from scenaria.dispatch.wire import RemoteError, RemoteTraceback
from scenaria.exceptions import ResultNotPicklable
from tests.dispatch.standalone_jobs import (
    Call,
    add,
    append,
    fail,
    pid,
    print_gated,
    raise_locked,
    raise_two_arg,
    record_span,
    return_lock,
    return_unloadable,
    talk,
)
from tests.support.dispatch import RecordingListener

pytestmark = pytest.mark.processes


def test_start_returns_with_every_worker_ready(make_pool) -> None:
    pool = make_pool(3)
    assert pool.max_workers == 3
    assert len(pool.worker_pids()) == 3


def test_result_and_timings(make_pool, listener: RecordingListener) -> None:
    pool = make_pool()
    before = time.time()
    pool.submit("job", Call(add, (2, 3)))
    outcome = listener.outcome("job")
    assert outcome.ending is Ending.COMPLETED
    assert outcome.result == 5
    assert before <= listener.started["job"] <= outcome.finished_at <= time.time()
    assert outcome.started_at is not None and outcome.started_at <= outcome.finished_at
    assert listener.events[0] == ("started", "job") and listener.events[-1] == ("finished", "job")


def test_exception_comes_back_with_its_traceback(make_pool, listener: RecordingListener) -> None:
    make_pool().submit("job", Call(fail, ("bad input",)))
    outcome = listener.outcome("job")
    assert outcome.ending is Ending.FAILED
    assert isinstance(outcome.error, ValueError) and str(outcome.error) == "bad input"
    assert "in fail" in outcome.traceback and "ValueError: bad input" in outcome.traceback
    assert isinstance(outcome.error.__cause__, RemoteTraceback)  # raising it again shows the worker's stack


def test_lambdas_and_closures_travel_by_value(make_pool, listener: RecordingListener) -> None:
    pool = make_pool()
    offset = 40

    def closure(x: int) -> int:
        return x + offset

    pool.submit("closure", Call(closure, (2,)))
    pool.submit("lambda", Call(lambda: [n * n for n in range(4)]))
    assert listener.outcome("closure").result == 42
    assert listener.outcome("lambda").result == [0, 1, 4, 9]


def test_what_goes_by_value_keeps_its_identity_inside_one_job(make_pool, listener: RecordingListener) -> None:
    """A local class and its instance, a closure that uses it: each goes by value on its own, and
    in the worker the instance is still of that class, and the closure sees the same class."""

    class Local:
        def __init__(self, n: int) -> None:
            self.n = n

    def check(cls: type, obj: Local) -> tuple[bool, bool, int]:
        return isinstance(obj, cls), cls is Local, obj.n

    pool = make_pool()
    pool.submit("job", Call(check, (Local, Local(5))))
    assert listener.outcome("job").result[:] == (True, True, 5)


def test_a_function_of_a_module_run_under_its_name_travels_by_value(
    make_pool, listener: RecordingListener, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file run by ``runpy`` (as ``scenaria`` runs a configuration file) is not an imported
    module: its functions go by value, and neither process imports the file to find them."""
    (tmp_path / "ran_once.py").write_text(
        "import os\nwith open(os.environ['MARKER'], 'a') as f:\n    f.write('ran ')\ndef triple(x):\n    return 3 * x\n"
    )
    marker = tmp_path / "marker"
    monkeypatch.setenv("MARKER", str(marker))
    monkeypatch.syspath_prepend(str(tmp_path))
    import runpy

    triple = runpy.run_path(str(tmp_path / "ran_once.py"), run_name="ran_once")["triple"]
    pool = make_pool()
    pool.submit("job", Call(triple, (14,)))
    assert listener.outcome("job").result == 42
    assert marker.read_text() == "ran "  # by runpy only


def test_a_module_registered_by_value_travels_by_value(
    make_pool, listener: RecordingListener, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``cloudpickle.register_pickle_by_value`` is honoured, even for a function sent by reference
    before: the worker does not import the module again (its file is gone before the job is sent)."""
    import importlib

    import cloudpickle

    (tmp_path / "vanishing_module.py").write_text("def square(x):\n    return x * x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("vanishing_module")
    monkeypatch.delitem(sys.modules, "vanishing_module")
    sys.modules["vanishing_module"] = module
    pool = make_pool(max_jobs_per_worker=1)  # a fresh worker for each job: none imported it
    pool.submit("by name", Call(module.square, (6,)))  # sent by reference first
    assert listener.outcome("by name").result == 36
    cloudpickle.register_pickle_by_value(module)
    try:
        (tmp_path / "vanishing_module.py").unlink()
        pool.submit("job", Call(module.square, (7,)))
        assert listener.outcome("job").result == 49
    finally:
        cloudpickle.unregister_pickle_by_value(module)


def test_unpicklable_runnable_fails_at_once_naming_the_culprit(make_pool, listener: RecordingListener) -> None:
    pool = make_pool()
    import threading

    lock = threading.Lock()
    pool.submit("job", Call(add, (lock, 1)))
    outcome = listener.outcome("job")
    assert outcome.ending is Ending.FAILED and outcome.started_at is None
    assert isinstance(outcome.error, RunnableNotPicklable)
    assert "runnable.args[0]" in str(outcome.error) and "_thread.lock" in str(outcome.error)
    assert "started" not in {event[0] for event in listener.events}


def test_unpicklable_result_fails_the_job_and_the_worker_survives(make_pool, listener: RecordingListener) -> None:
    pool = make_pool()
    pool.submit("lock", Call(return_lock))
    pool.submit("unloadable", Call(return_unloadable))
    pool.submit("after", Call(pid))
    locked = listener.outcome("lock")
    assert locked.ending is Ending.FAILED and isinstance(locked.error, ResultNotPicklable)
    assert "_thread.lock" in str(locked.error)
    unloadable = listener.outcome("unloadable")
    assert unloadable.ending is Ending.FAILED and isinstance(unloadable.error, ResultNotPicklable)
    assert "refuses to be unpickled" in str(unloadable.error)
    after = listener.outcome("after")
    assert after.ending is Ending.COMPLETED and after.result == locked.details["pid"]


@pytest.mark.parametrize(("function", "type_name"), [(raise_locked, "LockedError"), (raise_two_arg, "TwoArgError")])
def test_exception_that_cannot_travel_gets_a_stand_in(make_pool, listener, function, type_name) -> None:
    make_pool().submit("job", Call(function))
    outcome = listener.outcome("job")
    assert outcome.ending is Ending.FAILED
    assert isinstance(outcome.error, RemoteError)
    assert outcome.error.type_name == f"tests.dispatch.standalone_jobs.{type_name}"
    assert type_name in str(outcome.error) and type_name in outcome.traceback


def test_fifo_start_order(make_pool, listener: RecordingListener, tmp_path: Path) -> None:
    pool = make_pool(2)
    log = tmp_path / "order"
    ids = [f"job-{n}" for n in range(20)]
    for n, job_id in enumerate(ids):
        pool.submit(job_id, Call(append, (str(log), f"{n} ")))
    listener.wait_until(lambda: len(listener.outcomes) == len(ids))
    assert [event[1] for event in listener.events if event[0] == "started"] == ids


def test_single_worker_runs_in_submission_order(make_pool, listener: RecordingListener, tmp_path: Path) -> None:
    pool = make_pool(1)
    log = tmp_path / "order"
    for n in range(10):
        pool.submit(f"job-{n}", Call(append, (str(log), f"{n} ")))
    listener.wait_until(lambda: len(listener.outcomes) == 10)
    assert log.read_text().split() == [str(n) for n in range(10)]


def test_jobs_run_in_parallel_up_to_max_workers(make_pool, listener: RecordingListener, tmp_path: Path) -> None:
    pool = make_pool(2)
    spans = tmp_path / "spans"
    began = time.monotonic()
    pool.submit("a", Call(record_span, (str(spans), "a", 0.5)))
    pool.submit("b", Call(record_span, (str(spans), "b", 0.5)))
    listener.wait_until(lambda: len(listener.outcomes) == 2)
    assert time.monotonic() - began < 0.9  # two 0.5 s jobs at once, not one after the other
    for name in "cde":
        pool.submit(name, Call(record_span, (str(spans), name, 0.2)))
    listener.wait_until(lambda: len(listener.outcomes) == 5)
    intervals = [tuple(map(float, line.split()[1:])) for line in spans.read_text().splitlines()]
    for start, _ in intervals:  # never three at once
        assert sum(1 for s, e in intervals if s <= start < e) <= 2


def test_output_is_live(make_pool, listener: RecordingListener, gate) -> None:
    make_pool().submit("job", Call(print_gated, (gate.path,)))
    listener.wait_output("job", "first line")
    assert "job" not in listener.outcomes  # seen while the job still runs
    gate()
    outcome = listener.outcome("job")
    assert outcome.stdout == "first line\nsecond line\n"
    assert listener.output == [("job", "stdout", "first line\n"), ("job", "stdout", "second line\n")]


def test_output_and_logs_are_captured_per_job_without_leaks(make_pool, listener: RecordingListener) -> None:
    pool = make_pool(1)
    pool.submit("one", Call(talk, ("one",)))
    pool.submit("two", Call(talk, ("two",)))
    one, two = listener.outcome("one"), listener.outcome("two")
    assert (one.stdout, two.stdout) == ("one", "two")  # a partial line ends with its job
    assert "[talker][WARNING] said one" in one.stderr and "two" not in one.stderr
    assert "[talker][WARNING] said two" in two.stderr and "one" not in two.stderr
    streamed = {(job_id, stream): text for job_id, stream, text in listener.output if stream == "stdout"}
    assert streamed == {("one", "stdout"): "one", ("two", "stdout"): "two"}


def test_submit_validates(make_pool) -> None:
    pool = make_pool()
    with pytest.raises(ValueError, match="timeout"):
        pool.submit("job", Call(add, (1, 2)), timeout=0)
    pool.stop()
    with pytest.raises(RuntimeError, match="stopped"):
        pool.submit("job", Call(add, (1, 2)))


def test_idle_pool_latency_is_small(make_pool, listener: RecordingListener) -> None:
    pool = make_pool(1)
    for n in range(20):
        submitted = time.perf_counter()
        pool.submit(f"job-{n}", Call(add, (n, n)))
        listener.outcome(f"job-{n}")
        assert listener.started_seen[f"job-{n}"] - submitted < 0.05
    assert listener.outcomes["job-19"].result == 38


def test_submissions_from_the_listener_are_never_lost() -> None:
    """Chains of jobs each submitted when the previous ends (a lost wake-up would stall one)."""
    from scenaria.dispatch.standalone import StandaloneDispatcher

    chains, length = 40, 25

    class Chaining(RecordingListener):
        def job_finished(self, outcome) -> None:
            super().job_finished(outcome)
            chain, step = outcome.job_id.split("/")
            if int(step) < length:
                pool.submit(f"{chain}/{int(step) + 1}", Call(add, (1, 1)))

    chaining = Chaining()
    pool = StandaloneDispatcher(2)
    pool.start(chaining)
    try:
        for chain in range(chains):
            pool.submit(f"{chain}/1", Call(add, (1, 1)))
        chaining.wait_until(lambda: len(chaining.outcomes) == chains * length, timeout=30)
    finally:
        pool.stop()
    assert all(outcome.result == 2 for outcome in chaining.outcomes.values())
