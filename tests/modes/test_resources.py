"""Resource limits and priorities, observed by the tasks themselves, in every mode.

The tasks count how many of them run at once (``counted_jobs``, a counter file under an
exclusive lock): the highest count they saw equals the capacity the job configuration gives,
whatever the number of workers. Priorities: with one worker busy, the jobs made ready meanwhile
start higher priority first, then in submission order, whichever way they were submitted.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

import scenaria as tp
from scenaria import Config
from tests.modes import counted_jobs as jobs


def counted_scenario(folder: Path, tasks: dict[str, dict[str, Any]], seconds: float = 0.4) -> Any:
    """A scenario config of independent tasks, each counted in the counter files its ``count_in`` names."""
    configs = []
    for name, settings in tasks.items():
        settings = dict(settings)
        counters = [str(folder / f"{counter}.json") for counter in settings.pop("count_in")]
        spec = {"name": name, "counters": counters, "seconds": seconds}
        inputs = Config.configure_data_node(f"{name}_spec", default_data=spec)
        outputs = Config.configure_data_node(f"{name}_out")
        configs.append(Config.configure_task(name, jobs.counted, inputs, outputs, **settings))
    return Config.configure_scenario("counted", configs)


def mixed_tasks() -> dict[str, dict[str, Any]]:
    """3 tasks that use a GPU, 4 that use a database connection, 1 that uses neither."""
    tasks: dict[str, dict[str, Any]] = {}
    for n in range(3):
        tasks[f"gpu_{n}"] = {"resources": {"gpu": 1}, "count_in": ["gpu", "all"]}
    for n in range(4):
        tasks[f"db_{n}"] = {"resources": {"db": 1}, "count_in": ["db", "all"]}
    tasks["free"] = {"count_in": ["all"]}
    return tasks


@pytest.mark.parametrize(
    ("mode", "workers"),
    [("development", 1), pytest.param("standalone", 3, marks=pytest.mark.processes)],
)
def test_at_most_the_capacity_of_each_resource_runs_at_once(tmp_path, mode, workers):
    config = counted_scenario(tmp_path, mixed_tasks())
    Config.configure_job_executions(mode=mode, max_nb_of_workers=workers, resources={"gpu": 1, "db": 2})
    Config.check()
    tp.Orchestrator().run()
    submission = tp.create_scenario(config).submit(wait=True, timeout=120)
    assert [job.status.name for job in submission.jobs] == ["COMPLETED"] * 8
    gpu, db, every = (jobs.observed(str(tmp_path / f"{name}.json")) for name in ("gpu", "db", "all"))
    assert len(gpu["starts"]) == 3 and len(db["starts"]) == 4 and len(every["starts"]) == 8
    assert gpu["max"] == 1
    if mode == "development":  # one job at a time, trivially
        assert db["max"] == every["max"] == 1
    else:  # 3 workers could run 3 database jobs at once: the capacity lets 2
        assert db["max"] == 2
        assert every["max"] == 3  # the workers were all used: the gate holds only what it must


def test_a_job_held_for_a_resource_stays_pending_and_can_be_canceled(tmp_path):
    release = tmp_path / "release"
    counter = str(tmp_path / "gpu.json")
    spec = Config.configure_data_node(
        "spec", default_data={"name": "first", "counters": [counter], "release": str(release)}
    )
    held = Config.configure_task(
        "hold_gpu", jobs.held, spec, Config.configure_data_node("held_out"), resources={"gpu": 1}
    )
    Config.configure_job_executions(mode="standalone", max_nb_of_workers=2, resources={"gpu": 1})
    config = Config.configure_scenario("gpu_user", [held])
    tp.Orchestrator().run()
    first = tp.create_scenario(config).submit()
    deadline = time.monotonic() + 60
    while jobs.observed(counter)["starts"] != ["first"]:
        assert time.monotonic() < deadline, "the first job never started"
        time.sleep(0.02)
    second_scenario = tp.create_scenario(config)
    second_scenario.spec.write({"name": "second", "counters": [counter], "release": str(release)})
    third_scenario = tp.create_scenario(config)
    third_scenario.spec.write({"name": "third", "counters": [counter], "release": str(release)})
    second, third = second_scenario.submit(), third_scenario.submit()
    time.sleep(1)  # a free worker is there: only the gate keeps them from starting
    assert [tp.get(s.jobs[0].id).status.name for s in (second, third)] == ["PENDING", "PENDING"]
    tp.cancel_job(second.jobs[0])
    assert tp.get(second.jobs[0].id).status.name == "CANCELED"
    release.touch()
    assert first.wait(60) and third.wait(60)
    assert tp.get(third.jobs[0].id).status.name == "COMPLETED"
    assert jobs.observed(counter)["starts"] == ["first", "third"]  # the canceled one never ran


def test_ready_jobs_start_higher_priority_first_then_in_submission_order_in_development_mode(tmp_path):
    tasks = {
        name: {"priority": priority, "count_in": ["all"]}
        for name, priority in [("low", -1), ("plain", 0), ("high", 5), ("plain_too", 0), ("high_too", 5)]
    }
    config = counted_scenario(tmp_path, tasks, seconds=0)
    tp.Orchestrator().run()
    submission = tp.create_scenario(config).submit()
    created = [job.task.config_id for job in submission.jobs]
    expected = sorted(created, key=lambda name: (-tasks[name]["priority"], created.index(name)))
    assert jobs.observed(str(tmp_path / "all.json"))["starts"] == expected


@pytest.mark.processes
@pytest.mark.parametrize("capacities", [None, {"gpu": 1}], ids=["workers-queue", "scheduler-queue"])
def test_jobs_made_ready_while_the_worker_is_busy_start_by_priority_whichever_submit_made_them(tmp_path, capacities):
    # without capacities the workers' queue orders the jobs; with some, the scheduler holds them for a worker
    release = tmp_path / "release"
    counter = str(tmp_path / "order.json")
    blocker_spec = Config.configure_data_node(
        "blocker_spec", default_data={"name": "blocker", "counters": [counter], "release": str(release)}
    )
    blocker = Config.configure_task("blocker", jobs.held, blocker_spec, Config.configure_data_node("blocker_out"))
    spec = Config.configure_data_node("spec")
    plain = Config.configure_task("plain", jobs.counted, spec, Config.configure_data_node("plain_out"))
    urgent = Config.configure_task("urgent", jobs.counted, spec, Config.configure_data_node("urgent_out"), priority=4)
    blocking = Config.configure_scenario("blocking", [blocker])
    plains = Config.configure_scenario("plains", [plain], sequences={"only": [plain]})
    urgents = Config.configure_scenario("urgents", [urgent])
    Config.configure_job_executions(mode="standalone", max_nb_of_workers=1, resources=capacities)
    tp.Orchestrator().run()
    first = tp.create_scenario(blocking).submit()
    deadline = time.monotonic() + 60
    while not jobs.observed(counter)["starts"]:
        assert time.monotonic() < deadline, "the blocker never started"
        time.sleep(0.02)

    def scenario(config: Any, name: str) -> Any:
        created = tp.create_scenario(config)
        created.spec.write({"name": name, "counters": [counter], "seconds": 0})
        return created

    submissions = [
        tp.submit(scenario(plains, "tp.submit 1"), priority=1),
        scenario(plains, "scenario.submit 5").submit(priority=5),
        scenario(plains, "task.submit 3").tasks["plain"].submit(priority=3),
        scenario(plains, "sequence.submit 5").sequences["only"].submit(priority=5),
        scenario(plains, "no priority").submit(),
        scenario(urgents, "task's priority 4").submit(),
        scenario(urgents, "task's priority overridden to -2").submit(priority=-2),
    ]
    release.touch()
    for submission in [first, *submissions]:
        assert submission.wait(60)
        assert submission.jobs[0].status.name == "COMPLETED", submission.jobs[0].stacktrace
    assert jobs.observed(counter)["starts"] == [
        "blocker",
        "scenario.submit 5",
        "sequence.submit 5",
        "task's priority 4",
        "task.submit 3",
        "tp.submit 1",
        "no priority",
        "task's priority overridden to -2",
    ]
    assert submissions[0].properties["priority"] == 1  # kept with the submission (a restart keeps it)


# --- dask mode, on a multi-process cluster -------------------------------------------------------
@pytest.mark.dask
@pytest.mark.processes
def test_dask_mode_keeps_to_the_capacity_even_when_no_worker_declares_the_resource(cluster, tmp_path):
    tasks = {f"db_{n}": {"resources": {"db": 1}, "count_in": ["db"]} for n in range(4)}
    config = counted_scenario(tmp_path, tasks)
    Config.configure_job_executions(mode="dask", address=cluster.address, max_nb_of_workers=2, resources={"db": 1})
    tp.Orchestrator().run()
    submission = tp.create_scenario(config).submit(wait=True, timeout=120)
    assert [job.status.name for job in submission.jobs] == ["COMPLETED"] * 4  # nothing waits for a worker resource
    db = jobs.observed(str(tmp_path / "db.json"))
    assert len(db["starts"]) == 4 and db["max"] == 1  # two workers, one database connection


@pytest.mark.dask
@pytest.mark.processes
def test_dask_mode_runs_a_resource_on_the_workers_that_declare_it(cluster, tmp_path):
    gpu_worker = cluster.start_worker("--resources", "gpu=1")
    cluster.workers.append(gpu_worker)
    cluster.wait_for_workers(3)
    tasks = {f"gpu_{n}": {"resources": {"gpu": 1}, "count_in": ["gpu"]} for n in range(3)}
    tasks.update({f"free_{n}": {"count_in": ["free"]} for n in range(3)})
    config = counted_scenario(tmp_path, tasks)
    Config.configure_job_executions(mode="dask", address=cluster.address, max_nb_of_workers=3, resources={"gpu": 2})
    tp.Orchestrator().run()
    submission = tp.create_scenario(config).submit(wait=True, timeout=120)
    assert all(job.status.name == "COMPLETED" for job in submission.jobs), [j.stacktrace for j in submission.jobs]
    gpu = jobs.observed(str(tmp_path / "gpu.json"))
    assert len(gpu["starts"]) == 3
    assert all(gpu_worker.pid in pids for pids in gpu["pids"])  # run by that worker (or a child of it)
    assert gpu["max"] == 1  # scenaria lets 2 at once; the one worker that has a GPU has one


@pytest.mark.processes
def test_a_restarted_orchestrator_keeps_the_priorities_of_the_submissions_it_takes_over(tmp_path):
    Config.configure_core(mode="experiment", version_number="v1")
    release, counter = tmp_path / "release", str(tmp_path / "order.json")
    spec = Config.configure_data_node("spec")
    blocker = Config.configure_task("blocker", jobs.held, spec, Config.configure_data_node("held_out"), max_retries=1)
    plain = Config.configure_task("plain", jobs.counted, spec, Config.configure_data_node("plain_out"))
    blocking, plains = Config.configure_scenario("blocking", [blocker]), Config.configure_scenario("plains", [plain])
    Config.configure_job_executions(mode="standalone", max_nb_of_workers=1)
    tp.Orchestrator().run()
    first = tp.create_scenario(blocking)
    first.spec.write({"name": "blocker", "counters": [counter], "release": str(release)})
    first.submit()
    deadline = time.monotonic() + 60
    while not jobs.observed(counter)["starts"]:
        assert time.monotonic() < deadline, "the blocker never started"
        time.sleep(0.02)
    submissions = []
    for name, priority in [("low", -1), ("plain", None), ("high", 5)]:
        scenario = tp.create_scenario(plains)
        scenario.spec.write({"name": name, "counters": [counter], "seconds": 0})
        submissions.append(scenario.submit() if priority is None else scenario.submit(priority=priority))
    tp.Orchestrator().stop()  # the blocker's run is killed; the others never started
    assert [tp.get(s.jobs[0].id).status.name for s in submissions] == ["PENDING"] * 3
    release.touch()
    tp.Orchestrator().run()  # takes the unfinished jobs over, from the store
    for submission in submissions:
        assert tp.get(submission.id).wait(60)
    # the blocker runs again with priority 0, the oldest job of that priority
    assert jobs.observed(counter)["starts"] == ["blocker", "high", "blocker", "plain", "low"]
