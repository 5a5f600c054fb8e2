"""Jobs that attack the process running them: the dispatcher and the next jobs are not harmed."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from scenaria.dispatch.base import Ending
from scenaria.exceptions import WorkerDied
from tests.dispatch import hostile_jobs as hostile
from tests.dispatch.standalone_jobs import Call, add, pid
from tests.support.dispatch import RecordingListener
from tests.support.processes import wait_gone

pytestmark = pytest.mark.processes


def test_a_fork_pool_printing_long_lines_does_not_break_the_channel(make_pool, listener) -> None:
    pool = make_pool(1)
    pool.submit("pool", Call(hostile.fork_pool_printing_long_lines))
    outcome = listener.outcome("pool", timeout=60)
    assert outcome.ending is Ending.COMPLETED and outcome.result == sum(range(40))
    pool.submit("after", Call(add, (2, 3)))
    assert listener.outcome("after").result == 5


def test_a_forked_child_that_goes_on_is_not_a_second_worker(make_pool, listener, tmp_path: Path) -> None:
    pool = make_pool(1)
    pool.submit("fork", Call(hostile.fork_and_return))
    assert listener.outcome("fork").result == "forked"
    for index in range(5):  # had the child read jobs too, some would "complete" without running
        target = tmp_path / f"out{index}"
        pool.submit(f"write{index}", Call(hostile.write_file, (str(target), "ran")))
        assert listener.outcome(f"write{index}").ending is Ending.COMPLETED
        assert target.read_text() == "ran"


def test_garbage_on_the_channel_fails_that_job_only(make_pool, listener: RecordingListener) -> None:
    pool = make_pool(1)
    pool.submit("garbage", Call(hostile.garbage_on_channel))
    outcome = listener.outcome("garbage", timeout=10)
    assert outcome.ending is Ending.FAILED and isinstance(outcome.error, WorkerDied)
    assert "not a frame" in outcome.traceback
    pool.submit("after", Call(add, (1, 1)))
    assert listener.outcome("after").result == 2  # a new worker, the same loop


def test_working_directory_environment_and_sys_path_are_restored(make_pool, listener, tmp_path: Path) -> None:
    pool = make_pool(1)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    pool.submit("before", Call(hostile.state))
    before = listener.outcome("before").result
    pool.submit("change", Call(hostile.change_state, (str(elsewhere),)))
    change = listener.outcome("change")
    assert change.ending is Ending.COMPLETED and "working directory" in change.stderr
    pool.submit("after", Call(hostile.state))
    assert listener.outcome("after").result == before


def test_a_thread_left_running_does_not_print_into_the_next_job(make_pool, listener) -> None:
    pool = make_pool(1)
    pool.submit("thread", Call(hostile.leave_a_thread))
    assert "thread(s) running" in listener.outcome("thread").stderr
    pool.submit("next", Call(hostile.quiet))
    outcome = listener.outcome("next")
    assert outcome.result == "quiet" and "earlier job" not in outcome.stdout


@pytest.mark.parametrize("setsid", [False, True], ids=["same-group", "own-session"])
def test_a_process_left_running_is_ended(make_pool, listener, setsid: bool) -> None:
    pool = make_pool(1, job_grace=0.2)
    pool.submit("leave", Call(hostile.leave_a_process, (setsid,)))
    outcome = listener.outcome("leave")
    assert "process(es) running" in outcome.stderr
    assert wait_gone(outcome.result, 5)


@pytest.mark.parametrize("how", ["cancel", "timeout"])
def test_cancel_and_timeout_end_a_child_in_its_own_session(make_pool, listener, tmp_path: Path, how: str) -> None:
    pool = make_pool(1)
    said = tmp_path / "child"
    pool.submit("job", Call(hostile.hold_a_setsid_child, (str(said),)), timeout=None if how == "cancel" else 2)
    deadline = time.monotonic() + 20
    while not (said.exists() and said.read_text()) and time.monotonic() < deadline:
        time.sleep(0.02)
    if how == "cancel":
        assert pool.cancel("job")
    assert listener.outcome("job", timeout=20).ending in (Ending.CANCELED, Ending.TIMED_OUT)
    assert wait_gone(int(said.read_text()), 5)


def test_max_jobs_per_worker_replaces_the_worker(make_pool, listener) -> None:
    pool = make_pool(1, max_jobs_per_worker=2)
    pids = []
    for index in range(4):
        pool.submit(f"j{index}", Call(pid))
        pids.append(listener.outcome(f"j{index}").result)
    assert pids[0] == pids[1] != pids[2] == pids[3]


def test_output_is_capped_with_head_and_tail(make_pool, listener) -> None:
    pool = make_pool(1, max_output=10_000)
    pool.submit("loud", Call(hostile.print_a_lot, (5,)))
    outcome = listener.outcome("loud", timeout=60)
    assert outcome.ending is Ending.COMPLETED
    assert len(outcome.stdout) < 11_000 and "characters of output cut here" in outcome.stdout
    assert outcome.stdout.startswith("y" * 1023) and outcome.stdout.endswith("y\n")


def test_no_crash_file_is_left_on_disk(make_pool, listener, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    pool = make_pool(2)
    pool.submit("one", Call(add, (1, 1)))
    assert listener.outcome("one").result == 2
    assert os.listdir(tmp_path) == []


def test_output_written_to_file_descriptors_is_the_jobs_own(make_pool, listener, capfd) -> None:
    pool = make_pool(1)
    for tag in ("first", "second"):
        pool.submit(tag, Call(hostile.write_to_descriptors, (tag,)))
        outcome = listener.outcome(tag, timeout=60)
        assert outcome.ending is Ending.COMPLETED
        assert sorted(outcome.stdout.splitlines()) == sorted([f"fd1 {tag}", f"child {tag}", f"print {tag}"])
        assert outcome.stderr == f"fd2 {tag}\n"
    leaked = capfd.readouterr()  # the orchestrator's own descriptors (the workers inherited them)
    assert "fd1" not in leaked.out + leaked.err and "child" not in leaked.out + leaked.err


def test_a_process_left_writing_to_fd1_does_not_print_into_the_next_job(make_pool, listener, capfd) -> None:
    pool = make_pool(1, job_grace=0.2)
    pool.submit("writer", Call(hostile.leave_a_writer))
    outcome = listener.outcome("writer", timeout=60)
    assert outcome.ending is Ending.COMPLETED and "from a leftover process" in outcome.stdout
    assert "left 1 process(es) running" in outcome.stderr
    pool.submit("next", Call(hostile.quiet))
    assert listener.outcome("next", timeout=60).stdout == ""
    assert "leftover" not in capfd.readouterr().out


def test_output_to_fd1_is_capped_like_the_rest(make_pool, listener) -> None:
    pool = make_pool(1, max_output=10_000)
    pool.submit("loud", Call(hostile.write_a_lot_to_fd1, (5,)))
    outcome = listener.outcome("loud", timeout=60)
    assert outcome.ending is Ending.COMPLETED
    assert len(outcome.stdout) < 11_000 and "characters of output cut here" in outcome.stdout
    assert outcome.stdout.startswith("z" * 1023) and outcome.stdout.endswith("z\n")


def test_a_job_closing_its_descriptors_leaves_the_next_jobs_captured(make_pool, listener) -> None:
    pool = make_pool(1)
    pool.submit("closer", Call(hostile.close_descriptors))
    closer = listener.outcome("closer", timeout=60)
    assert closer.ending is Ending.COMPLETED and closer.stdout == "before close\n"
    for tag in ("first", "second"):  # the same worker: its descriptors were given back
        pool.submit(tag, Call(hostile.write_to_descriptors, (tag,)))
        outcome = listener.outcome(tag, timeout=60)
        assert outcome.details["pid"] == closer.result
        assert sorted(outcome.stdout.splitlines()) == sorted([f"fd1 {tag}", f"child {tag}", f"print {tag}"])
        assert outcome.stderr == f"fd2 {tag}\n"


def test_a_job_reusing_the_capture_descriptor_number_does_not_hang_its_worker(make_pool, listener) -> None:
    pool = make_pool(1)
    pool.submit("reuser", Call(hostile.reuse_the_capture_descriptor))
    reuser = listener.outcome("reuser", timeout=60)
    assert reuser.ending is Ending.COMPLETED, reuser
    pool.submit("next", Call(hostile.write_to_descriptors, ("next",)))
    outcome = listener.outcome("next", timeout=60)
    assert outcome.ending is Ending.COMPLETED
    assert outcome.stderr == "fd2 next\n"
