"""The dispatcher contract (``dispatch/base.py``), checked against every dispatcher.

Each test runs on the development dispatcher (the caller's thread), the standalone one (local worker
processes) and the dask one (a ``LocalCluster`` of worker processes, started once for this module
by ``scenaria.dispatch.dask_cluster``, as the dask mode does). The dispatchers are driven directly
and report to a real recording listener. Where a mode cannot do something (the development
dispatcher queues only while a job runs, and cannot stop the caller's own thread), the test says so
in its list of modes rather than being skipped.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from scenaria.dispatch import dispatcher_class
from scenaria.dispatch.base import Dispatcher, Ending
from scenaria.dispatch.dask import DaskDispatcher
from scenaria.dispatch.development import DevelopmentDispatcher
from scenaria.dispatch.standalone import StandaloneDispatcher
from scenaria.exceptions import ModeNotAvailable, ResultNotPicklable
from tests.dispatch.standalone_jobs import Call, add, fail, return_lock, talk
from tests.support.dispatch import RecordingListener
from tests.support.processes import children

ALL = ("development", "standalone", "dask")
ASYNCHRONOUS = ("standalone", "dask")
_ids = itertools.count()


def speak() -> str:
    """Print on both streams and log a warning."""
    print("to stdout")
    print("to stderr", file=sys.stderr)
    return talk("logged")


def hold(path: str) -> str:
    """Run until ``path`` exists (a Dask worker cannot be killed: every held run must be let go)."""
    deadline = time.monotonic() + 60
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.01)
    return "let go"


def leave() -> None:
    raise SystemExit(3)


class SubmitsAndCancels:
    """A development run that queues a job behind itself and cancels it (its queue exists only now)."""

    def __init__(self, dispatcher: Dispatcher, other: str) -> None:
        self.dispatcher, self.other = dispatcher, other

    def run(self) -> bool:
        self.dispatcher.submit(self.other, Call(add, (1, 1)))
        return self.dispatcher.cancel(self.other)


@pytest.fixture(scope="module")
def dask_address() -> Iterator[str]:
    """One local Dask cluster of two worker processes for the whole module (starting one is slow)."""
    cluster = subprocess.Popen(
        [sys.executable, "-m", "scenaria.dispatch.dask_cluster", "2"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)},  # as the dispatcher does
    )
    address = cluster.stdout.readline().strip()  # type: ignore[union-attr]
    assert address, "the local Dask cluster did not start"
    yield address
    cluster.stdin.close()  # type: ignore[union-attr]
    cluster.wait(timeout=60)
    cluster.stdout.close()  # type: ignore[union-attr]


@pytest.fixture
def start(request: pytest.FixtureRequest, listener: RecordingListener) -> Iterator[Callable[[], Dispatcher]]:
    """Start dispatchers of the test's mode reporting to ``listener``; all are stopped afterwards."""
    mode = request.param
    started: list[Dispatcher] = []

    def make() -> Dispatcher:
        dispatcher: Dispatcher
        if mode == "development":
            dispatcher = DevelopmentDispatcher()
        elif mode == "standalone":
            dispatcher = StandaloneDispatcher(2)
        else:
            dispatcher = DaskDispatcher(address=request.getfixturevalue("dask_address"), max_workers=2)
        dispatcher.start(listener)
        started.append(dispatcher)
        return dispatcher

    yield make
    for dispatcher in started:
        dispatcher.stop()


def modes(*names: str) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("start", names, indirect=True)


def job_id() -> str:
    return f"JOB_contract_{next(_ids)}"


@pytest.fixture
def release(tmp_path: Path) -> Iterator[Callable[[], None]]:
    """Lets go of the runs ``hold``ing on it when called, and in any case when the test ends."""
    path = tmp_path / "release"

    def let_go() -> None:
        path.touch()

    let_go.path = str(path)  # type: ignore[attr-defined]
    yield let_go
    let_go()


@pytest.fixture(autouse=True)
def no_leaks(request: pytest.FixtureRequest) -> Iterator[None]:
    """The folder's leak check, but for Dask: its module-wide cluster and its client threads stay."""
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None and callspec.params.get("start") == "dask":
        yield
        return
    threads_before, children_before = set(threading.enumerate()), set(children())
    yield
    stray_threads = [t for t in threading.enumerate() if t not in threads_before and t.is_alive()]
    assert not stray_threads, f"threads left running: {stray_threads}"
    assert not set(children()) - children_before, "child processes left"


@modes(*ALL)
def test_a_completed_run_is_reported_finished_exactly_once_with_its_result(start, listener) -> None:
    dispatcher = start()
    first, second = job_id(), job_id()
    dispatcher.submit(first, Call(add, (2, 3)))
    dispatcher.submit(second, Call(add, (4, 5)))
    assert listener.outcome(second).result == 9
    outcome = listener.outcome(first)
    assert outcome.ending is Ending.COMPLETED and outcome.result == 5 and outcome.error is None
    assert [event for event in listener.events if event == ("finished", first)] == [("finished", first)]


@modes(*ALL)
def test_started_is_reported_before_finished_with_the_run_timings(start, listener) -> None:
    dispatcher = start()
    job = job_id()
    dispatcher.submit(job, Call(add, (1, 2)))
    outcome = listener.outcome(job)
    kinds = [event[0] for event in listener.events if event[1] == job]
    assert kinds.index("started") < kinds.index("finished")
    assert outcome.started_at is not None and outcome.finished_at is not None
    assert outcome.started_at <= outcome.finished_at


@modes(*ALL)
def test_what_a_run_prints_is_kept_with_its_outcome(start, listener) -> None:
    dispatcher = start()
    job = job_id()
    dispatcher.submit(job, Call(speak))
    outcome = listener.outcome(job)
    assert outcome.ending is Ending.COMPLETED
    assert outcome.stdout.startswith("to stdout\n") and "to stdout" not in outcome.stderr
    assert "to stderr\n" in outcome.stderr and "to stderr" not in outcome.stdout


@modes(*ALL)
def test_log_records_are_formatted_onto_the_run_stderr_in_one_format(start, listener) -> None:
    dispatcher = start()
    job = job_id()
    dispatcher.submit(job, Call(speak))
    outcome = listener.outcome(job)
    assert "[talker][WARNING] said logged" in outcome.stderr
    assert "said logged" not in outcome.stdout


@modes(*ALL)
def test_an_exception_is_reported_failed_with_its_traceback(start, listener) -> None:
    dispatcher = start()
    job = job_id()
    dispatcher.submit(job, Call(fail, ("broken on purpose",)))
    outcome = listener.outcome(job)
    assert outcome.ending is Ending.FAILED
    assert isinstance(outcome.error, ValueError) and str(outcome.error) == "broken on purpose"
    assert "Traceback (most recent call last)" in outcome.traceback
    assert "in fail" in outcome.traceback and "ValueError: broken on purpose" in outcome.traceback


@modes(*ALL)
def test_system_exit_in_a_run_fails_that_run_only(start, listener) -> None:
    dispatcher = start()
    leaving, after = job_id(), job_id()
    dispatcher.submit(leaving, Call(leave))
    dispatcher.submit(after, Call(add, (1, 1)))
    outcome = listener.outcome(leaving)
    assert outcome.ending is Ending.FAILED and isinstance(outcome.error, SystemExit)
    assert "SystemExit: 3" in outcome.traceback
    assert listener.outcome(after).result == 2


@modes(*ALL)
def test_a_result_that_does_not_pickle_fails_only_where_it_must_travel(start, request, listener) -> None:
    dispatcher = start()
    job, after = job_id(), job_id()
    dispatcher.submit(job, Call(return_lock))
    dispatcher.submit(after, Call(add, (2, 2)))
    outcome = listener.outcome(job)
    if request.node.callspec.params["start"] == "development":  # it stays in the caller's process
        assert outcome.ending is Ending.COMPLETED and type(outcome.result).__name__ == "lock"
    else:
        assert outcome.ending is Ending.FAILED and isinstance(outcome.error, ResultNotPicklable)
        assert "cannot be pickled" in str(outcome.error) and "lock" in outcome.traceback
    assert listener.outcome(after).result == 4


@modes(*ALL)
def test_cancel_of_an_unknown_job_is_a_no_op(start, listener) -> None:
    dispatcher = start()
    assert dispatcher.cancel("JOB_never_submitted") is False
    job = job_id()
    dispatcher.submit(job, Call(add, (1, 1)))
    assert listener.outcome(job).result == 2
    assert dispatcher.cancel(job) is False  # finished: nothing to stop
    assert "JOB_never_submitted" not in listener.outcomes


@modes("development")
def test_cancel_of_a_job_queued_behind_a_development_run_reports_it_canceled(start, listener) -> None:
    dispatcher = start()
    job, queued = job_id(), job_id()
    dispatcher.submit(job, SubmitsAndCancels(dispatcher, queued))
    assert listener.outcome(job).result is True
    assert listener.outcome(queued).ending is Ending.CANCELED
    assert queued not in listener.started


@modes(*ASYNCHRONOUS)
def test_cancel_of_a_queued_job_reports_it_canceled_once_and_never_runs_it(start, listener, release) -> None:
    dispatcher = start()
    blockers = [job_id(), job_id()]
    for blocker in blockers:  # both workers busy
        dispatcher.submit(blocker, Call(hold, (release.path,)))
    queued = job_id()
    dispatcher.submit(queued, Call(add, (1, 1)))
    assert dispatcher.cancel(queued) is True
    assert listener.outcome(queued).ending is Ending.CANCELED
    assert dispatcher.cancel(queued) is False
    release()
    for blocker in blockers:
        assert listener.outcome(blocker).result == "let go"
    assert [e for e in listener.events if e[0] == "finished" and e[1] == queued] == [("finished", queued)]


@modes(*ASYNCHRONOUS)
def test_a_run_longer_than_its_timeout_is_reported_timed_out(start, listener, release) -> None:
    dispatcher = start()
    job = job_id()
    dispatcher.submit(job, Call(hold, (release.path,)), timeout=0.5)
    outcome = listener.outcome(job)
    assert outcome.ending is Ending.TIMED_OUT and "timed out after 0.5 s" in outcome.traceback


@modes(*ALL)
def test_several_runs_in_parallel_are_each_reported_once(start, listener) -> None:
    dispatcher = start()
    jobs = [job_id() for _ in range(8)]
    threads = [threading.Thread(target=dispatcher.submit, args=(job, Call(add, (n, n)))) for n, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [listener.outcome(job).result for job in jobs] == [2 * n for n in range(8)]
    finished = [event[1] for event in listener.events if event[0] == "finished"]
    assert sorted(finished) == sorted(jobs)


@modes(*ASYNCHRONOUS)
def test_stop_drops_running_and_queued_runs_unreported(start, listener, release) -> None:
    dispatcher = start()
    running = [job_id(), job_id()]
    for job in running:
        dispatcher.submit(job, Call(hold, (release.path,)))
    for job in running:
        listener.wait_started(job)
    queued = job_id()
    dispatcher.submit(queued, Call(add, (1, 1)))
    dispatcher.stop()
    assert not {*running, queued} & set(listener.outcomes)
    release()  # the standalone ones were killed; Dask's finish their call, unheard
    after = job_id()
    start().submit(after, Call(add, (1, 1)))  # a new dispatcher of the same mode on the same listener
    assert listener.outcome(after).result == 2
    assert not {*running, queued} & set(listener.outcomes)


@modes("development")
def test_stop_in_development_drops_the_runs_queued_behind_the_current_one(start, listener) -> None:
    class StopsBehindItself:
        def __init__(self, dispatcher: Dispatcher, other: str) -> None:
            self.dispatcher, self.other = dispatcher, other

        def run(self) -> Any:
            self.dispatcher.submit(self.other, Call(add, (1, 1)))
            self.dispatcher.stop()

    dispatcher = start()
    job, queued = job_id(), job_id()
    dispatcher.submit(job, StopsBehindItself(dispatcher, queued))
    assert listener.outcome(job).ending is Ending.COMPLETED
    assert queued not in listener.outcomes and queued not in listener.started


@modes(*ALL)
def test_submit_after_stop_raises_a_clear_error(start, listener) -> None:
    dispatcher = start()
    dispatcher.stop()
    with pytest.raises(RuntimeError, match="stopped: it takes no more jobs"):
        dispatcher.submit(job_id(), Call(add, (1, 1)))
    assert not listener.outcomes


def interrupt() -> None:
    raise KeyboardInterrupt


@modes("development")
def test_ctrl_c_in_a_development_run_fails_the_job_then_interrupts_the_caller(start, listener) -> None:
    dispatcher = start()
    job = job_id()
    with pytest.raises(KeyboardInterrupt):
        dispatcher.submit(job, Call(interrupt))
    outcome = listener.outcome(job)
    assert outcome.ending is Ending.FAILED and "KeyboardInterrupt" in outcome.traceback


@modes(*ASYNCHRONOUS)
def test_keyboard_interrupt_raised_by_a_remote_run_fails_that_run_only(start, listener) -> None:
    dispatcher = start()
    job, after = job_id(), job_id()
    dispatcher.submit(job, Call(interrupt))
    dispatcher.submit(after, Call(add, (3, 3)))
    assert listener.outcome(job).ending is Ending.FAILED
    assert isinstance(listener.outcome(job).error, KeyboardInterrupt)
    assert listener.outcome(after).result == 6


def test_each_mode_names_its_dispatcher_and_an_unknown_mode_says_which_exist() -> None:
    assert dispatcher_class("development") is DevelopmentDispatcher
    assert dispatcher_class("standalone") is StandaloneDispatcher
    assert dispatcher_class("dask") is DaskDispatcher
    with pytest.raises(ModeNotAvailable, match="'threads' does not exist; use 'development', 'standalone', 'dask'"):
        dispatcher_class("threads")


def print_megabytes(megabytes: int) -> int:
    line = "z" * 1023 + "\n"
    for _ in range(megabytes * 1024):
        sys.stdout.write(line)
    return megabytes


@modes("development", "standalone")  # dask: not capped yet
def test_captured_output_is_capped_with_head_and_tail(start, listener: RecordingListener, capsys) -> None:
    from scenaria.dispatch.capture import DEFAULT_MAX_OUTPUT

    dispatcher = start()
    job = job_id()
    dispatcher.submit(job, Call(print_megabytes, (6,)))
    outcome = listener.outcome(job, timeout=60)
    capsys.readouterr()  # what development mode passed through to the console
    assert outcome.ending is Ending.COMPLETED and outcome.result == 6
    assert DEFAULT_MAX_OUTPUT <= len(outcome.stdout) < DEFAULT_MAX_OUTPUT + 200
    assert "characters of output cut here" in outcome.stdout
    assert outcome.stdout.startswith("z" * 1023 + "\n") and outcome.stdout.endswith("z\n")
