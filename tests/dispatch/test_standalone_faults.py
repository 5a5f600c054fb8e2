"""Cancel, timeout, worker death and stop: the job gets its ending, the pool goes on."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from scenaria.dispatch.base import Ending
from scenaria.exceptions import JobTimeout, WorkerDied
from tests.dispatch.standalone_jobs import (
    Call,
    add,
    exit_with,
    gated_side_effect,
    has_module,
    kill_myself,
    pid,
    record_span,
    segfault,
    sleep_then_write,
    wait_for_gate,
)
from tests.support.dispatch import RecordingListener
from tests.support.processes import wait_gone

pytestmark = pytest.mark.processes


def test_cancel_a_queued_job(make_pool, listener: RecordingListener, gate) -> None:
    pool = make_pool(1)
    pool.submit("busy", Call(wait_for_gate, (gate.path,)))
    pool.submit("queued", Call(add, (1, 2)))
    pool.submit("next", Call(add, (3, 4)))
    assert pool.cancel("queued") is True
    outcome = listener.outcome("queued")
    assert outcome.ending is Ending.CANCELED and outcome.started_at is None
    assert pool.cancel("queued") is False  # already ended
    assert pool.cancel("unknown") is False
    gate()
    assert listener.outcome("next").result == 7
    assert "queued" not in listener.started


def test_cancel_a_running_job_kills_its_process(make_pool, listener, gate, tmp_path: Path) -> None:
    pool = make_pool(1)
    effect = tmp_path / "effect"
    pool.submit("job", Call(gated_side_effect, (gate.path, str(effect))))
    listener.wait_until(lambda: any(j == "job" for j, _, _ in listener.output))  # it runs
    worker = int(listener.output[0][2])
    began = time.monotonic()
    assert pool.cancel("job") is True
    outcome = listener.outcome("job")
    assert time.monotonic() - began < 0.5
    assert outcome.ending is Ending.CANCELED and "canceled" in outcome.traceback
    assert outcome.stdout == f"{worker}\n"  # what it printed before is kept
    assert wait_gone(worker, 5)  # so its side effect can never happen
    assert not effect.exists()
    pool.submit("after", Call(pid))  # a replacement worker runs the next job
    after = listener.outcome("after")
    assert after.ending is Ending.COMPLETED and after.result != worker


def test_cancel_running_job_that_would_write_after_a_sleep(make_pool, listener, tmp_path: Path) -> None:
    pool = make_pool(1)
    effect = tmp_path / "effect"
    pool.submit("job", Call(sleep_then_write, (0.3, str(effect))))
    listener.wait_started("job")
    pool.cancel("job")
    assert listener.outcome("job").ending is Ending.CANCELED
    time.sleep(0.5)  # longer than the job would have taken
    assert not effect.exists()


def test_timeout_kills_the_job(make_pool, listener: RecordingListener) -> None:
    pool = make_pool(1)
    pool.submit("slow", Call(time.sleep, (30,)), timeout=0.25)
    pool.submit("quick", Call(add, (1, 1)), timeout=5)  # finishes in time: COMPLETED
    slow = listener.outcome("slow", timeout=5)
    assert slow.ending is Ending.TIMED_OUT
    assert isinstance(slow.error, JobTimeout) and "timed out after 0.25 s" in slow.traceback
    assert slow.started_at is not None and 0.24 <= slow.finished_at - slow.started_at < 1.0
    assert listener.outcome("quick").ending is Ending.COMPLETED


@pytest.mark.parametrize(
    ("death", "reason"),
    [
        (Call(exit_with, (3,)), "exited with code 3"),
        (Call(kill_myself), "SIGKILL"),
        (Call(segfault), "SIGSEGV"),
    ],
    ids=["exit", "sigkill", "segfault"],
)
def test_worker_death_fails_only_its_job(make_pool, listener, tmp_path: Path, death, reason) -> None:
    pool = make_pool(2)
    spans = tmp_path / "spans"
    pool.submit("neighbour", Call(record_span, (str(spans), "n", 0.3)))
    pool.submit("dies", death)
    outcome = listener.outcome("dies")
    assert outcome.ending is Ending.DIED
    assert isinstance(outcome.error, WorkerDied) and reason in outcome.traceback
    assert listener.outcome("neighbour").ending is Ending.COMPLETED  # nothing else is affected
    pool.submit("after", Call(add, (2, 2)))
    assert listener.outcome("after").result == 4


def test_segfault_reports_the_python_stack(make_pool, listener: RecordingListener) -> None:
    make_pool().submit("job", Call(segfault))
    outcome = listener.outcome("job")
    assert "Segmentation fault" in outcome.traceback and "in segfault" in outcome.traceback


def test_stop_kills_running_jobs_and_drops_queued_ones_unreported(make_pool, listener, gate) -> None:
    pool = make_pool(2)
    pool.submit("done", Call(add, (1, 2)))
    listener.outcome("done")
    pool.submit("running", Call(wait_for_gate, (gate.path,)))
    pool.submit("also running", Call(wait_for_gate, (gate.path,)))
    pool.submit("queued", Call(add, (1, 2)))
    listener.wait_until(lambda: {"running", "also running"} <= set(listener.started))
    workers = pool.worker_pids()
    pool.stop()
    assert set(listener.outcomes) == {"done"}  # the stopped jobs stay unfinished for the orchestrator
    assert all(wait_gone(worker, 0) for worker in workers)
    assert pool.cancel("running") is False and pool.cancel("queued") is False


def test_stop_without_waiting(make_pool, listener: RecordingListener) -> None:
    pool = make_pool(2)
    began = time.monotonic()
    pool.stop(wait=False)
    assert time.monotonic() - began < 0.1
    pool.stop()  # joins what the first call began
    assert pool.worker_pids() == []


def test_start_fails_clearly_when_workers_cannot_start(listener: RecordingListener) -> None:
    from scenaria.dispatch.standalone import StandaloneDispatcher

    def broken() -> None:
        raise RuntimeError("no database here")

    pool = StandaloneDispatcher(2, initializer=broken)
    with pytest.raises(WorkerDied, match="no database here"):
        pool.start(listener)
    assert pool.worker_pids() == []


def test_initializer_runs_once_per_worker(listener: RecordingListener, tmp_path: Path) -> None:
    from scenaria.dispatch.standalone import StandaloneDispatcher

    log = tmp_path / "init"
    pool = StandaloneDispatcher(2, initializer=lambda: log.open("a").write("x"))
    pool.start(listener)
    try:
        for n in range(6):
            pool.submit(str(n), Call(add, (n, 1)))
        listener.wait_until(lambda: len(listener.outcomes) == 6)
    finally:
        pool.stop()
    assert log.read_text() == "xx"


def test_preloaded_modules_are_imported_before_the_first_job(make_pool, listener: RecordingListener) -> None:
    pool = make_pool(1, preload=["json.tool"])
    pool.submit("job", Call(has_module, ("json.tool",)))
    assert listener.outcome("job").result is True


def test_a_preload_that_fails_says_why(listener: RecordingListener) -> None:
    from scenaria.dispatch.standalone import StandaloneDispatcher

    with pytest.raises(WorkerDied, match="No module named 'no_such_module'"):
        StandaloneDispatcher(1, preload=["no_such_module"]).start(listener)


def test_without_pidfd_ends_are_seen_through_eof(monkeypatch, make_pool, listener, gate) -> None:
    """Where there is no pidfd (macOS), a worker's death shows as EOF on its connection."""
    monkeypatch.delattr("os.pidfd_open")
    pool = make_pool(1)
    pool.submit("dies", Call(exit_with, (5,)))
    assert "exited with code 5" in listener.outcome("dies").traceback
    pool.submit("canceled", Call(wait_for_gate, (gate.path,)))
    listener.wait_started("canceled")
    pool.cancel("canceled")
    pool.submit("slow", Call(time.sleep, (30,)), timeout=0.1)
    pool.submit("after", Call(add, (1, 2)))
    assert listener.outcome("canceled").ending is Ending.CANCELED
    assert listener.outcome("slow").ending is Ending.TIMED_OUT
    assert listener.outcome("after").result == 3
