"""What stopping the orchestrator does to jobs waiting for a retry, and to the objects of a version."""

from __future__ import annotations

import threading

import pytest

import scenaria as tp
from scenaria import Config
from tests.standalone import e2e_jobs as jobs
from tests.support.standalone import StatusWatch, standalone

pytestmark = pytest.mark.processes


def test_stopping_cancels_a_pending_retry_and_the_next_run_starts_the_job():
    Config.configure_core(mode="experiment", version_number="retry")
    spec = Config.configure_data_node("spec", default_data={"name": "flaky", "failures": 1})
    out = Config.configure_data_node("out")
    task = Config.configure_task("flaky", jobs.flaky, spec, out, max_retries=1, retry_delay=30)
    config = Config.configure_scenario("flaky_scenario", [task])
    standalone(1)
    scenario = tp.create_scenario(config)
    watch = StatusWatch()
    submission = scenario.submit(callbacks=[watch])
    job_id = submission.jobs[0].id
    with watch._changed:  # failed once: PENDING again, waiting 30 s before its retry
        assert watch._changed.wait_for(lambda: watch.of(job_id) == ["PENDING", "RUNNING", "PENDING"], 20)
    timers = lambda: [t for t in threading.enumerate() if isinstance(t, threading.Timer) and t.is_alive()]  # noqa: E731
    tp.Orchestrator().stop()
    assert not timers()
    assert submission.jobs[0].status.name == "PENDING"
    tp.Orchestrator().run()  # takes the job over; its retry runs at once and succeeds
    assert submission.wait(20) and submission.jobs[0].status.name == "COMPLETED"
    assert scenario.out.read() == 2


def test_a_script_that_only_starts_the_orchestrator_exits_cleanly(tmp_path):
    """Stopping at exit (an atexit handler) still reaches the store."""
    from tests.support.scripts import run_script, write_script

    script = write_script(
        tmp_path,
        """
        import scenaria as tp
        from scenaria import Config

        Config.configure_job_executions(mode="standalone")
        tp.Orchestrator().run()
    """,
    )
    done = run_script(script)
    assert done.returncode == 0 and done.stderr == "", done.stderr
