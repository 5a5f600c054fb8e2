"""Dask mode on a multi-process cluster: when a job's clock starts, a cluster without workers, live output."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

import scenaria as tp
from scenaria import Config
from scenaria.entities.status import Status
from tests.modes import dask_jobs as jobs
from tests.support.dask_processes import DaskProcesses
from tests.support.processes import children

pytestmark = [pytest.mark.dask, pytest.mark.processes]


@pytest.fixture
def start_cluster(tmp_path):
    Config.configure_core(storage_folder=str(tmp_path / "data"))  # workers have working directories of their own
    started = []

    def start(workers: int, nthreads: int = 1) -> DaskProcesses:
        started.append(DaskProcesses(workers=workers, cwd=Path.cwd(), nthreads=nthreads))
        return started[-1]

    yield start
    tp.Orchestrator().stop()
    for processes in started:
        processes.stop()


def until(condition, timeout: float = 30, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} never came"
        time.sleep(0.05)


def test_a_job_queued_behind_a_busy_worker_does_not_time_out_while_it_waits(start_cluster, tmp_path):
    cluster = start_cluster(workers=1)
    busy, quick = tmp_path / "busy", tmp_path / "quick"
    long_spec = Config.configure_data_node("long_spec", default_data={"effect": str(busy), "seconds": 4})
    short_spec = Config.configure_data_node("short_spec", default_data={"effect": str(quick), "seconds": 0.2})
    long_task = Config.configure_task("long", jobs.long_run, long_spec, Config.configure_data_node("long_out"))
    short_task = Config.configure_task("short", jobs.long_run, short_spec, Config.configure_data_node("short_out"),
                                       timeout=2)  # fmt: skip
    Config.configure_job_executions(mode="dask", address=cluster.address, max_nb_of_workers=2)
    busy_config, queued_config = (Config.configure_scenario(name, [task]) for name, task in
                                  (("busy", long_task), ("queued", short_task)))  # fmt: skip
    tp.Orchestrator().run()
    first = tp.create_scenario(busy_config).submit()
    until(lambda: jobs.runs(str(busy)), what="the long job's start")
    second = tp.create_scenario(queued_config).submit()
    time.sleep(1)
    assert tp.get(second.jobs[0].id).status is Status.PENDING  # waiting in the cluster's queue, not running
    assert first.wait(timeout=30) and second.wait(timeout=30)
    job = tp.get(second.jobs[0].id)
    assert job.status is Status.COMPLETED, job.stacktrace  # it waited ~4 s, more than its 2 s timeout
    assert len(jobs.runs(str(quick))) == 2  # its run and its write


def test_jobs_on_a_cluster_without_workers_fail_after_the_wait_saying_how_to_fix_it(start_cluster, tmp_path):
    cluster = start_cluster(workers=0)
    effect = tmp_path / "runs"
    spec = Config.configure_data_node("spec", default_data={"effect": str(effect), "seconds": 0})
    task = Config.configure_task("nowhere", jobs.long_run, spec, Config.configure_data_node("out"))
    Config.configure_job_executions(mode="dask", address=cluster.address, no_worker_timeout=3)
    assert not Config.check().errors
    config = Config.configure_scenario("no_workers", [task])
    tp.Orchestrator().run()
    submission = tp.create_scenario(config).submit()
    time.sleep(1.5)
    assert tp.get(submission.jobs[0].id).status is Status.PENDING  # visible as waiting, not RUNNING
    assert submission.wait(timeout=30)
    job = tp.get(submission.jobs[0].id)
    assert job.status is Status.FAILED
    reason = "".join(job.stacktrace)
    assert "no Dask worker was connected" in reason and f"dask worker {cluster.address}" in reason
    assert "no_worker_timeout" in reason
    assert not effect.exists()


def test_what_a_dask_job_prints_and_logs_reaches_the_orchestrator_while_it_runs(start_cluster, tmp_path, capsys,
                                                                                 caplog):  # fmt: skip
    cluster = start_cluster(workers=1)
    gate = tmp_path / "gate"
    spec = Config.configure_data_node("spec", default_data={"gate": str(gate)})
    task = Config.configure_task("talker", jobs.talk_then_wait, spec, Config.configure_data_node("out"))
    Config.configure_job_executions(mode="dask", address=cluster.address)
    config = Config.configure_scenario("live", [task])
    tp.Orchestrator().run()
    submission = tp.create_scenario(config).submit()
    shown: list[str] = []
    caplog.set_level(logging.WARNING, logger="tests.dask")

    def line_and_record_arrived() -> bool:
        shown.append(capsys.readouterr().out)
        records = [record.getMessage() for record in caplog.records if record.name == "tests.dask"]
        return "[talker] waiting for the gate\n" in "".join(shown) and records == ["a record before the gate"]

    until(line_and_record_arrived, what="the job's line and record")
    assert tp.get(submission.jobs[0].id).status is Status.RUNNING  # still waiting for the gate
    gate.touch()
    assert submission.wait(timeout=30)
    job = tp.get(submission.jobs[0].id)
    assert job.status is Status.COMPLETED, job.stacktrace
    assert job.stdout == "waiting for the gate\nthrough the gate\n"
    assert "a record before the gate" in job.stderr


def test_jobs_on_one_multi_threaded_dask_worker_keep_their_own_output_even_from_fds_and_child_processes(start_cluster):
    cluster = start_cluster(workers=1, nthreads=3)
    tasks = []
    for name in ("ann", "bob", "cid"):
        spec = Config.configure_data_node(f"{name}_spec", default_data={"name": name})
        tasks.append(Config.configure_task(name, jobs.chatter, spec, Config.configure_data_node(f"{name}_out")))
    Config.configure_job_executions(mode="dask", address=cluster.address, max_nb_of_workers=3)
    config = Config.configure_scenario("threads", tasks)
    tp.Orchestrator().run()
    # the worker starts its job processes when the orchestrator connects: one per thread
    until(lambda: len(children(cluster.workers[0].pid)) == 3, what="three job processes on the worker")
    prepared = set(children(cluster.workers[0].pid))
    submission = tp.create_scenario(config).submit()
    assert submission.wait(timeout=60)
    for job in submission.jobs:
        job = tp.get(job.id)
        name = job.task.config_id
        assert job.status is Status.COMPLETED, job.stacktrace
        # print, os.write(1, ...) and a child process reach the job by two paths: compare as sets of lines
        assert sorted(job.stdout.splitlines()) == sorted(f"{name} {number}" for number in range(40))
        assert f"{name} on fd 2\n" in job.stderr and job.stderr.count(" on fd 2") == 1
    starts = {tp.get(job.id).runs[0]["pid"] for job in submission.jobs}
    assert starts == prepared  # three jobs at once: a prepared process each
    assert set(children(cluster.workers[0].pid)) == prepared  # kept for the next jobs, no more


def test_a_task_restricted_to_named_dask_workers_runs_only_there(start_cluster):
    cluster = start_cluster(workers=2)
    pinned = cluster.start_worker("--name", "pinned")
    cluster.workers.append(pinned)
    cluster.wait_for_workers(3)
    spec = Config.configure_data_node("spec", default_data={})
    tasks = [
        Config.configure_task(f"where_{n}", jobs.where, spec, Config.configure_data_node(f"pid_{n}"), workers="pinned")
        for n in range(4)
    ]
    config = Config.configure_scenario("pinned", tasks)
    Config.configure_job_executions(mode="dask", address=cluster.address, max_nb_of_workers=3)
    tp.Orchestrator().run()
    scenario = tp.create_scenario(config)
    assert scenario.submit(wait=True, timeout=60).submission_status.name == "COMPLETED"
    assert {getattr(scenario, f"pid_{n}").read() for n in range(4)} == {pinned.pid}
