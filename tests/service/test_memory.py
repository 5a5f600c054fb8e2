"""Bounded memory: the identity map keeps what is held, plus a bounded number of recent entities."""

from __future__ import annotations

import gc
import sys
import time
import weakref

import pytest

import scenaria as tp
from scenaria import Config
from scenaria.entities import registry as registry_module
from scenaria.entities.registry import registry
from tests.service.test_service import client_config, write_config


def nothing():
    return None


def test_the_identity_map_forgets_finished_jobs_nobody_holds(monkeypatch):
    monkeypatch.setattr(registry_module, "RECENT", 50)
    Config.configure_job_executions(mode="development")
    task_config = Config.configure_task("nothing", nothing)
    scenario = tp.create_scenario(Config.configure_scenario("s", [task_config]))
    task = scenario.tasks["nothing"]
    held = tp.submit(task)
    for _ in range(500):
        tp.submit(task)
    gc.collect()
    live = len(registry()._objects)
    assert live < 150, f"{live} entities kept for 500 finished submissions"
    assert registry().get(held.jobs[0].id) is held.jobs[0]  # what is held keeps its identity
    assert len(tp.get_jobs()) == 501  # and the others are still in the store


def test_an_entity_nobody_holds_is_freed_at_once_without_the_cyclic_collector(monkeypatch):
    """No reference cycle through an entity (its properties refer to it weakly): a long-running
    process frees what the identity map lets go of at once, not at a rare full collection."""
    monkeypatch.setattr(registry_module, "RECENT", 0)
    Config.configure_job_executions(mode="development")
    scenario = tp.create_scenario(Config.configure_scenario("s", [Config.configure_task("nothing", nothing)]))
    task = scenario.tasks["nothing"]
    gc.collect()
    gc.disable()
    try:
        submission = tp.submit(task)
        refs = [weakref.ref(submission), *(weakref.ref(job) for job in submission.jobs)]
        submission.properties["seen"] = True  # properties still save their entity
        del submission
        assert [ref() for ref in refs] == [None] * len(refs)
    finally:
        gc.enable()
    assert tp.get_submissions()[-1].properties["seen"] is True


def _rss(pid: int) -> float:
    with open(f"/proc/{pid}/status") as file:
        return next(int(line.split()[1]) for line in file if line.startswith("VmRSS:")) / 1024


@pytest.mark.processes
def test_a_service_running_many_jobs_keeps_its_memory_flat(tmp_path, serve):
    """A small soak (the full one, 100,000 jobs, is ``python -m benchmarks --only service_soak``)."""
    (tmp_path / "svc_config.py").write_text("")
    write_config(tmp_path)
    with open(tmp_path / "svc_config.py", "a") as file:
        file.write("\n\ndef nothing():\n    return None\n\n\nsoak = Config.configure_scenario('soak', "
                   "[Config.configure_task('nothing', nothing)])\n")  # fmt: skip
    service = serve().ready()
    config = client_config(tmp_path)
    task = tp.create_scenario(config.soak).tasks["nothing"]

    def run(count: int) -> None:
        for _ in range(0, count, 100):
            for submission in [tp.submit(task) for _ in range(100)]:
                assert submission.wait(60)

    run(500)
    first = _rss(service.process.pid)
    started = time.monotonic()
    run(2500)
    last = _rss(service.process.pid)
    assert last < first * 1.2, f"RSS {first:.1f} MiB after 500 jobs, {last:.1f} MiB after 3,000"
    assert time.monotonic() - started < 300
    assert service.stop() == 0
    assert sys.modules["svc_config"]
