"""One cycle per period, one primary scenario per cycle, one shared entity per config and owner,
when many create scenarios at once.

Several processes, each with several threads, create scenarios of one daily config in the same
few days, and of a config without frequency, all starting together: however their transactions
interleave, each day has exactly one cycle, one primary scenario and one CYCLE-scoped data node;
the version has exactly one GLOBAL data node and one GLOBAL task (shared by both configs, and
found-or-created by scenarios of different cycles and of none at once); no scenario is lost.
Counted in the store afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
import time

from scenaria.store import open_repository

PROCESSES, THREADS, PER_THREAD = 3, 3, 6
DAYS = [dt.datetime(2026, 1, 5, 9), dt.datetime(2026, 1, 6, 12), dt.datetime(2026, 1, 7, 18)]

CREATOR = textwrap.dedent(
    """
    import datetime as dt, json, os, sys, threading, time
    import scenaria as tp
    from scenaria import Config, Frequency, Scope

    core, go, threads, per_thread, days = json.loads(sys.argv[1])
    Config.configure_core(mode="experiment", version_number="race", **core)
    per_day = Config.configure_data_node("per_day", scope=Scope.CYCLE)
    own = Config.configure_data_node("own")
    everyone = Config.configure_data_node("everyone", scope=Scope.GLOBAL)
    task = Config.configure_task("step", print, [per_day, everyone], own)
    shared_task = Config.configure_task("shared_step", print, everyone)
    config = Config.configure_scenario("daily", [task, shared_task], frequency=Frequency.DAILY)
    plain = Config.configure_scenario("plain", [shared_task])  # no cycle: no lock on a period
    warm = Config.configure_scenario("warm", [Config.configure_task("warm_step", print, own)])
    tp.create_scenario(warm)  # the version is chosen before the race; no shared entity made yet
    barrier = threading.Barrier(threads)
    errors = []

    def create(n):
        barrier.wait()
        try:
            for i in range(per_thread):
                when = dt.datetime.fromisoformat(days[(n + i) % len(days)])
                tp.create_scenario(plain if i % 3 == 2 else config, creation_date=when)
        except BaseException as exc:
            errors.append(repr(exc))

    while not os.path.exists(go):
        time.sleep(0.001)
    workers = [threading.Thread(target=create, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print(json.dumps(errors))
    """
)


def _core(settings: dict) -> dict:
    """The ``configure_core`` settings of the store that ``settings`` open."""
    properties = {key: value for key, value in settings.items() if key != "type"}
    if settings["type"] == "sqlite":
        properties = {"db_location": properties["path"]}
    return {"repository_type": settings["type"], "repository_properties": properties}


def run_together(script: str, go: str, argument: list) -> list[str]:
    """Run ``script`` in PROCESSES processes, let them go at once (``go`` appears), and return
    what each printed; each must succeed."""
    environment = {**os.environ, "PYTHONPATH": os.getcwd() + os.pathsep + os.environ.get("PYTHONPATH", "")}
    command = [sys.executable, "-c", script, json.dumps([*argument])]
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
        for _ in range(PROCESSES)
    ]
    time.sleep(0.5)  # every process configured and waiting, as far as can be told
    open(go, "w").close()
    printed = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        printed.append(out)
    return printed


def test_one_cycle_primary_and_shared_entity_each_when_processes_and_threads_race(persistent_settings, tmp_path):
    settings = persistent_settings
    go = str(tmp_path / "go")
    days = [day.isoformat() for day in DAYS]
    for out in run_together(CREATOR, go, [_core(settings), go, THREADS, PER_THREAD, days]):
        assert json.loads(out.strip().splitlines()[-1]) == []

    repository = open_repository(settings)
    try:
        cycles = repository.find("cycle")
        starts = sorted(cycle["start_date"] for cycle in cycles)
        expected = sorted(day.replace(hour=0).isoformat() for day in DAYS)
        assert starts == expected  # one cycle per day, never two
        assert len(repository.find("data_node", config_id="everyone")) == 1  # GLOBAL: one per version
        assert len(repository.find("task", config_id="shared_step")) == 1
        for cycle in cycles:
            scenarios = repository.find("scenario", owner_id=cycle["id"])
            primaries = [s["id"] for s in scenarios if s["primary_scenario"]]
            assert len(primaries) == 1, (cycle["start_date"], len(scenarios), primaries)
            shared = repository.find("data_node", config_id="per_day", owner_id=cycle["id"])
            assert len(shared) == 1, (cycle["start_date"], [(dn["id"], sorted(dn["parent_ids"])) for dn in shared])
        assert repository.count("scenario") == PROCESSES * (THREADS * PER_THREAD + 1)  # none lost
        # every scenario is a parent of the shared task: none of their updates of it was lost
        (shared_task,) = repository.find("task", config_id="shared_step")
        scenarios = {s["id"] for s in repository.find("scenario") if s["config_id"] != "warm"}
        assert set(shared_task["parent_ids"]) == scenarios
    finally:
        repository.close()
