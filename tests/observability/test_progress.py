"""A task reports its progress: job.progress and progress_message, stored and published (issue 12.4)."""

from __future__ import annotations

import pytest

import scenaria as tp
from scenaria import Config, EventEntityType, EventOperation, Notifier
from scenaria.exceptions import NotInATask
from tests.observability import user_funcs
from tests.support.scripts import ok, scenaria_run

MODES = [
    pytest.param("development", id="development"),
    pytest.param("standalone", id="standalone", marks=pytest.mark.processes),
    pytest.param("dask", id="dask", marks=[pytest.mark.dask, pytest.mark.processes]),
]


def _run(mode: str, function, value):
    Config.configure_job_executions(mode=mode, max_nb_of_workers=1)
    task = Config.configure_task("progressing", function, Config.configure_data_node("n", default_data=value),
                                 Config.configure_data_node("out"))  # fmt: skip
    scenario = Config.configure_scenario("s", [task])
    registration, events = Notifier.register(EventEntityType.JOB, operation=EventOperation.UPDATE,
                                             attribute_name="progress")  # fmt: skip
    tp.Orchestrator().run()
    try:
        submission = tp.create_scenario(scenario).submit(wait=True, timeout=60)
        job = submission.jobs[0]
    finally:
        tp.Orchestrator().stop()
        Notifier.unregister(registration)
    published = []
    while not events.empty():
        event = events.get()
        assert event.entity_id == job.id
        published.append(event.attribute_value)
    return tp.get(job.id), published


@pytest.mark.parametrize("mode", MODES)
def test_progress_is_stored_with_the_job_and_published(mode):
    job, published = _run(mode, user_funcs.steps, 4)
    assert job.is_completed()
    assert job.progress == 1.0
    assert job.progress_message == "step 4 of 4"
    assert published == [0.0, 0.25, 0.5, 0.75, 1.0]


@pytest.mark.parametrize("mode", MODES)
def test_a_tight_loop_is_rate_limited_and_its_last_value_kept(mode):
    job, published = _run(mode, user_funcs.tight_progress, 50_000)
    assert job.is_completed()
    assert job.progress == 49_999 / 50_000
    assert 1 <= len(published) < 100  # 50,000 calls, a few reports
    assert published[-1] == job.progress


def test_outside_a_task_it_says_so():
    with pytest.raises(NotInATask, match="outside a task"):
        tp.report_progress(0.5)


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), "half", True])
def test_a_fraction_outside_0_to_1_is_refused_in_the_task(bad):
    def reports(value):
        tp.report_progress(bad)

    job, _ = _run("development", reports, 1)
    assert job.is_failed()
    assert "report_progress() takes a fraction from 0 to 1" in job.reason


@pytest.mark.processes
def test_taipy_report_progress_under_scenaria_run(tmp_path):
    source = """
        import taipy as tp
        from taipy import Config

        def work(n):
            for i in range(n + 1):
                tp.report_progress(i / n, "working")
            return n

        task = Config.configure_task("t", work, Config.configure_data_node("n", default_data=3),
                                     Config.configure_data_node("out"))
        scenario = Config.configure_scenario("s", [task])
        if __name__ == "__main__":
            Config.configure_job_executions(mode="standalone")
            tp.Orchestrator().run()
            job = tp.submit(tp.create_scenario(scenario), wait=True).jobs[0]
            print(job.status, job.progress, job.progress_message)
            tp.Orchestrator().stop()
    """
    assert ok(scenaria_run(tmp_path, source)) == "Status.COMPLETED 1.0 working\n"
