"""What the store keeps between processes, deletion cascades, and version modes."""

from __future__ import annotations

import json
import textwrap

import pytest

import scenaria as tp
from scenaria import Config, Frequency, Scope, Status
from scenaria.entities.registry import registry
from scenaria.exceptions import (
    ConflictedConfigurationError,
    DeletingPrimaryScenario,
    JobNotDeletedException,
)
from scenaria.versioning.manager import list_versions, manage_version, parse_version_flags, rename_version
from tests.core import core_funcs as funcs
from tests.support.core import chain_config
from tests.support.scripts import ok, run_python

SETUP = """
    import json, sys
    import scenaria as tp
    from scenaria import Config
    from tests.core import core_funcs
    from tests.support.core import chain_config

    Config.configure_core(repository_type={repository!r}{core})
    config = chain_config()
    broken = Config.configure_task("broken", core_funcs.boom, Config.data_nodes["source"],
                                   Config.configure_data_node("lost"))
    config.task_configs = [*config.task_configs, broken]
"""


def child(tmp_path, repository, body, *args, core=""):
    return run_python(
        textwrap.dedent(SETUP.format(repository=repository, core=core)) + textwrap.dedent(body), tmp_path, *args
    )


def test_a_second_process_reads_what_the_first_wrote(repository_type, tmp_path):
    core = ', mode="experiment", version_number="v1"'
    written = json.loads(
        ok(
            child(
                tmp_path,
                repository_type,
                """
        scenario = tp.create_scenario(config, name="first")
        other = tp.create_scenario(config)
        submission = scenario.submit()
        scenario.source.write(10, comment="by hand")
        print(json.dumps({"scenario": scenario.id, "other": other.id, "submission": submission.id,
                          "jobs": {j.task.config_id: j.id for j in submission.jobs}}))
    """,
                core=core,
            )
        ).splitlines()[-1]
    )

    read = json.loads(
        ok(
            child(
                tmp_path,
                repository_type,
                """
        tp.Orchestrator().run()
        scenario = tp.get(sys.argv[1])
        submission = tp.get(sys.argv[2])
        jobs = {j.task.config_id: j for j in submission.jobs}
        print(json.dumps({
            "scenarios": sorted(s.id for s in tp.get_scenarios()), "name": scenario.name,
            "status": submission.submission_status.name,
            "jobs": {name: j.status.name for name, j in jobs.items()},
            "stacktrace": "".join(jobs["broken"].stacktrace),
            "result": scenario.result.read(), "source": scenario.source.read(),
            "middle_job": scenario.middle.edits[-1].get("job_id"),
            "source_comment": scenario.source.edits[-1].get("comment"),
            "version": scenario.version,
        }))
    """,
                written["scenario"],
                written["submission"],
                core=core,
            )
        ).splitlines()[-1]
    )

    assert read["scenarios"] == sorted([written["scenario"], written["other"]])
    assert read["name"] == "first" and read["version"] == "v1"
    assert read["status"] == "FAILED"
    assert read["jobs"] == {"t1": "COMPLETED", "t2": "COMPLETED", "broken": "FAILED"}
    assert "ValueError: boom on 3" in read["stacktrace"]
    assert read["result"] == 12 and read["source"] == 10
    assert read["middle_job"] == written["jobs"]["t1"]
    assert read["source_comment"] == "by hand"


def test_a_change_made_by_another_process_shows_when_the_entity_is_got_again(repository_type, tmp_path):
    Config.configure_core(mode="experiment", version_number="v1")
    scenario = tp.create_scenario(chain_config())
    scenario.properties["owner"] = "me"
    ok(
        run_python(
            f"""
        import scenaria as tp
        from scenaria import Config
        from tests.support.core import chain_config
        Config.configure_core(repository_type={repository_type!r}, mode="experiment", version_number="v1")
        chain_config()
        tp.Orchestrator().run()
        scenario = tp.get({scenario.id!r})
        scenario.properties["owner"] = "someone else"
        scenario.middle.write("from outside")
    """,
            tmp_path,
        )
    )
    assert scenario.properties["owner"] == "me"  # no hidden I/O on attribute reads
    assert tp.get(scenario.id) is scenario and scenario.properties["owner"] == "someone else"
    assert tp.get(scenario.middle.id).read() == "from outside"


def test_development_entities_are_wiped_by_the_next_development_run(repository_type, tmp_path):
    created = ok(
        child(
            tmp_path,
            repository_type,
            """
        scenario = tp.create_scenario(config)
        scenario.submit()
        print(scenario.id, scenario.middle.path)
    """,
        )
    ).split()
    assert len(created) == 2
    seen = ok(
        child(
            tmp_path,
            repository_type,
            """
        tp.Orchestrator().run()
        import os
        print(len(tp.get_scenarios()), len(tp.get_jobs()), len(tp.get_data_nodes()), tp.get(sys.argv[1]),
              os.path.exists(sys.argv[2]))
    """,
            *created,
        )
    ).split()
    assert seen == ["0", "0", "0", "None", "False"]


def test_an_experiment_version_with_another_configuration_stops_unless_forced(repository_type, tmp_path):
    core = ', mode="experiment", version_number="v1"'
    ok(child(tmp_path, repository_type, "tp.create_scenario(config)\n", core=core))
    change = """
        Config.configure_data_node("source", default_data=4)
        tp.Orchestrator().run()
        print(len(tp.get_scenarios()))
    """
    refused = child(tmp_path, repository_type, change, core=core)
    assert refused.returncode != 0
    assert "ConflictedConfigurationError" in refused.stderr and "--taipy-force" in refused.stderr
    assert "source" in refused.stderr
    assert ok(child(tmp_path, repository_type, change, "--taipy-force", core=core)).split()[-1] == "1"
    # the forced configuration is now the version's own
    assert ok(child(tmp_path, repository_type, change, core=core)).split()[-1] == "1"


def test_command_line_flags_choose_the_version(repository_type, tmp_path):
    body = """
        tp.create_scenario(config)
        from scenaria.entities.registry import registry
        print(registry().version, len(tp.get_scenarios()))
    """
    assert ok(child(tmp_path, repository_type, body, "--experiment", "v2")).split()[-2:] == ["v2", "1"]
    assert ok(child(tmp_path, repository_type, body, "--experiment", "v2")).split()[-2:] == ["v2", "2"]
    assert ok(child(tmp_path, repository_type, body, "--production", "v2")).split()[-2:] == ["v2", "3"]
    dev = ok(child(tmp_path, repository_type, body, "--development")).split()[-2:]
    assert dev[0] != "v2" and dev[1] == "1"
    again = ok(child(tmp_path, repository_type, body, "--development")).split()[-2:]
    assert again == dev  # the same development version, cleaned
    refused = child(tmp_path, repository_type, body, "--experiment", dev[0])
    assert refused.returncode != 0 and "VersionAlreadyExistsAsDevelopment" in refused.stderr


def test_parse_version_flags():
    assert parse_version_flags([]) == {}
    assert parse_version_flags(["--development"]) == {"mode": "development"}
    assert parse_version_flags(["--taipy-development"]) == {"mode": "development"}
    assert parse_version_flags(["--experiment"]) == {"mode": "experiment"}
    assert parse_version_flags(["--experiment", "1.0", "--taipy-force"]) == {
        "mode": "experiment",
        "version_number": "1.0",
        "force": True,
    }
    assert parse_version_flags(["--taipy-experiment", "x"]) == {"mode": "experiment", "version_number": "x"}
    assert parse_version_flags(["--production", "2"]) == {"mode": "production", "version_number": "2"}
    assert parse_version_flags(["--no-taipy-force", "--app-flag", "3"]) == {"force": False}
    with pytest.raises(SystemExit):
        parse_version_flags(["--development", "--experiment"])


def test_renaming_a_production_version_moves_its_production_mark(repository_type):
    reg = registry()
    manage_version(reg, ["--production", "v1"])
    rename_version(reg, "v1", "v2")
    manage_version(reg, ["--experiment", "v1"])  # a new version that reuses the old name
    modes = {version["id"]: version["mode"] for version in list_versions(reg)}
    assert modes["v2"] == "production" and modes["v1"] == "experiment"


def test_version_from_the_config_and_from_sys_argv(repository_type, monkeypatch):
    Config.configure_core(mode="experiment", version_number="from-config")
    tp.create_scenario(chain_config())
    assert registry().version == "from-config"
    registry().prepared_for = None
    monkeypatch.setattr("sys.argv", ["app.py", "--experiment", "from-argv"])
    tp.Orchestrator().run()
    assert registry().version == "from-argv" and tp.get_scenarios() == []


def test_conflicted_configuration_in_process(repository_type):
    Config.configure_core(mode="experiment", version_number="v1")
    chain_config()
    tp.Orchestrator().run()
    tp.Orchestrator().stop()
    registry().prepared_for = None
    Config.configure_data_node("source", default_data=100)
    with pytest.raises(ConflictedConfigurationError, match="source"):
        tp.Orchestrator().run()
    Config.configure_core(force=True)
    tp.Orchestrator().run()


# --- deleting ------------------------------------------------------------------------------------------
def test_deleting_a_scenario_takes_what_it_owns_and_keeps_what_is_shared(repository_type):
    shared = Config.configure_data_node("shared", scope=Scope.GLOBAL, default_data=1)
    shared_out = Config.configure_data_node("shared_out", scope=Scope.GLOBAL)
    own = Config.configure_data_node("own")
    t_global = Config.configure_task("t_global", funcs.double, shared, shared_out)
    t_own = Config.configure_task("t_own", funcs.double, shared, own)
    config = Config.configure_scenario("sc", [t_global, t_own])
    first, second = tp.create_scenario(config), tp.create_scenario(config)
    submission = first.submit()
    owned = [first.t_own.id, first.own.id, submission.id, *(job.id for job in submission.jobs)]
    own_path = first.own.path
    t_global_id, shared_id = first.t_global.id, first.shared.id

    tp.delete(first.id)
    for entity_id in [first.id, *owned]:
        assert not tp.exists(entity_id) and tp.get(entity_id) is None
    import os

    assert not os.path.exists(own_path)
    assert tp.get(t_global_id).parent_ids == {second.id}
    assert tp.get(shared_id).parent_ids == {t_global_id, second.t_own.id}
    assert tp.get_scenarios() == [second] and second.shared.read() == 1
    registry().forget()
    assert tp.get(t_global_id).parent_ids == {second.id}


def test_deleting_cycles_primary_scenarios_tasks_submissions_and_jobs(repository_type):
    import datetime as dt

    config = chain_config(Frequency.YEARLY)
    primary = tp.create_scenario(config, creation_date=dt.datetime(2024, 3, 1))
    sibling = tp.create_scenario(config, creation_date=dt.datetime(2024, 4, 1))
    with pytest.raises(DeletingPrimaryScenario, match="set_primary"):
        tp.delete(primary.id)
    assert not tp.is_deletable(primary) and tp.is_deletable(sibling)
    tp.delete(sibling.id)
    assert tp.is_deletable(primary)
    cycle_id = primary.cycle.id
    tp.delete(primary.id)  # the last scenario of its cycle takes the cycle
    assert tp.get(cycle_id) is None

    lone = tp.create_scenario(config, creation_date=dt.datetime(2025, 1, 1))
    tp.delete(lone.cycle.id)
    assert tp.get(lone.id) is None and tp.get(lone._task_ids[0]) is None

    scenario = tp.create_scenario(chain_config())
    task_submission = tp.submit(scenario.t1)
    task_job_id = task_submission.jobs[0].id
    scenario_submission = scenario.submit()
    tp.delete(scenario.t1.id)
    assert tp.get(task_submission.id) is None and tp.get(task_job_id) is None
    job_ids = [job.id for job in scenario_submission.jobs]
    tp.delete(scenario_submission.id)
    assert all(tp.get(job_id) is None for job_id in job_ids)


def test_unfinished_jobs_are_deleted_only_when_forced(repository_type):
    scenario = tp.create_scenario(chain_config())
    scenario.source.lock_edit("alice")  # the first job waits for alice
    submission = scenario.submit()
    waiting = submission.jobs[0]
    assert waiting.status is Status.BLOCKED and not submission.is_finished()
    assert not tp.is_deletable(waiting) and not tp.is_deletable(submission)
    with pytest.raises(JobNotDeletedException, match="force"):
        tp.delete_job(waiting)
    tp.delete_job(waiting, force=True)
    assert tp.get(waiting.id) is None
    done = tp.submit(scenario.t2).jobs[0]
    assert done.is_finished() and tp.is_deletable(done)
    tp.delete_job(done)
    assert tp.get(done.id) is None
    scenario.source.unlock_edit("alice")
    scenario.submit()
    tp.delete_jobs()
    assert tp.get_jobs() == []


def test_clean_all_entities_of_a_version(repository_type):
    Config.configure_core(mode="experiment", version_number="old")
    scenario = tp.create_scenario(chain_config())
    scenario.submit()
    path = scenario.middle.path
    assert tp.clean_all_entities("old") is True
    import os

    assert not os.path.exists(path)
    registry().forget()
    assert tp.get(scenario.id) is None and tp.get_jobs() == [] and tp.get_submissions() == []
    assert tp.get_data_nodes() == [] and tp.get_tasks() == []
    assert tp.clean_all_entities("nothing") is False


def test_before_choosing_its_version_a_process_reads_the_latest_version(repository_type, tmp_path):
    ok(child(tmp_path, repository_type, "tp.create_scenario(config)\n"))  # development
    ok(child(tmp_path, repository_type, "tp.create_scenario(config)\n", "--experiment", "v1"))
    ok(
        child(
            tmp_path, repository_type, "tp.create_scenario(config)\ntp.create_scenario(config)\n", "--experiment", "v2"
        )
    )
    listed = ok(
        child(
            tmp_path,
            repository_type,
            "print(sorted({s.version for s in tp.get_scenarios()}), len(tp.get_scenarios()), len(tp.get_tasks()))\n",
        )
    )
    assert listed.split() == ["['v2']", "2", "6"]
