"""The public namespace, and what importing scenaria costs."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import scenaria
from tests.support.scripts import ok, run_python

EXPORTED = [
    "export_scenario",
    "import_scenario",
    "duplicate_scenario",
    "PickleDataNode",
    "InMemoryDataNode",
    "GenericDataNode",
    "CSVDataNode",
    "ExcelDataNode",
    "JSONDataNode",
    "ParquetDataNode",
    "SQLTableDataNode",
    "SQLDataNode",
    "MongoCollectionDataNode",
    "S3ObjectDataNode",
    "MongoDefaultDocument",
    "Config",
    "Core",
    "CoreEventConsumerBase",
    "CoreSection",
    "Cycle",
    "DataNode",
    "DataNodeConfig",
    "Event",
    "EventEntityType",
    "EventOperation",
    "EventProcessor",
    "Frequency",
    "GlobalAppConfig",
    "Job",
    "JobConfig",
    "JoinOperator",
    "Notifier",
    "Operator",
    "Orchestrator",
    "ReasonCollection",
    "Scenario",
    "ScenarioConfig",
    "Scope",
    "Section",
    "Sequence",
    "Status",
    "Submission",
    "SubmissionStatus",
    "Task",
    "TaskConfig",
    "UniqueSection",
    "can_create",
    "cancel_job",
    "clean_all_entities",
    "compare_scenarios",
    "create_global_data_node",
    "create_scenario",
    "delete",
    "delete_job",
    "delete_jobs",
    "exists",
    "explain",
    "get",
    "get_cycles",
    "get_cycles_scenarios",
    "get_data_nodes",
    "get_entities_by_config_id",
    "get_jobs",
    "get_latest_job",
    "get_latest_submission",
    "get_parents",
    "get_primary",
    "get_primary_scenarios",
    "get_scenarios",
    "get_sequences",
    "get_submissions",
    "get_tasks",
    "is_deletable",
    "is_editable",
    "is_promotable",
    "is_readable",
    "is_submittable",
    "report_progress",
    "set",
    "set_primary",
    "show_progress",
    "submit",
    "subscribe_scenario",
    "subscribe_sequence",
    "tag",
    "unsubscribe_scenario",
    "unsubscribe_sequence",
    "untag",
    "ScenarioId",
    "SequenceId",
    "TaskId",
    "DataNodeId",
    "JobId",
    "SubmissionId",
    "CycleId",
]


def test_the_exported_names_are_pinned():
    assert sorted(scenaria.__all__) == sorted(EXPORTED)
    for name in scenaria.__all__:
        assert getattr(scenaria, name) is not None


def test_dir_shows_the_public_api_only():
    from scenaria import exceptions

    listed = dir(scenaria)
    assert set(scenaria.__all__) <= set(listed)
    assert {"NonExistingScenario", "ScenariaError", "__version__"} <= set(listed)
    assert not {"Any", "annotations", "importlib", "TYPE_CHECKING", "api", "config", "entities"} & set(listed)
    assert all(name == "__version__" or not name.startswith("_") for name in listed)
    assert set(listed) - set(scenaria.__all__) - {"__version__"} <= set(vars(exceptions))


def test_type_checkers_see_every_public_name_in_the_type_checking_imports():
    import ast
    from pathlib import Path

    tree = ast.parse(Path(scenaria.__file__).read_text())
    block = next(node for node in tree.body if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test))
    imported = {}
    for node in block.body:
        if isinstance(node, ast.ImportFrom) and node.names[0].name != "*":
            for alias in node.names:
                assert alias.asname == alias.name, (
                    f"{alias.name}: re-export it as 'import {alias.name} as {alias.name}'"
                )
                imported[alias.name] = node.module
    assert sorted(imported) == sorted(scenaria.__all__)
    for name, module in imported.items():  # the same object as the lazy name
        assert getattr(importlib.import_module(module), name) is getattr(scenaria, name)


def test_exceptions_are_reachable_from_the_package():
    from scenaria import exceptions

    assert scenaria.NonExistingScenario is exceptions.NonExistingScenario
    with pytest.raises(AttributeError):
        _ = scenaria.no_such_name


def test_import_loads_no_heavy_library(tmp_path):
    trace = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import scenaria"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stderr
    modules = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in trace.splitlines() if "|" in line}
    assert "scenaria" in modules
    assert not modules & {"pandas", "sqlalchemy", "dask", "pyarrow", "numpy", "distributed"}


@pytest.mark.parametrize(
    "first",
    ["import scenaria as tp", "from scenaria.data.base import DataNode", "from scenaria.entities import DataNode"],
)
def test_any_first_import_works(tmp_path, first):
    output = ok(
        run_python(
            f"""
        {first}
        import scenaria as tp
        from scenaria import Config
        from tests.core import core_funcs
        dn = Config.configure_data_node("a", default_data=2)
        out = Config.configure_data_node("b")
        task = Config.configure_task("t", core_funcs.double, dn, out)
        scenario = tp.create_scenario(Config.configure_scenario("sc", [task]))
        tp.submit(scenario)
        print(scenario.b.read())
    """,
            tmp_path,
        )
    )
    assert output.strip().endswith("4")


def test_the_cli_libraries_load_only_when_used(tmp_path):
    """rich (tables), croniter (cron schedules) and argcomplete (completion) stay out of ``import
    scenaria`` and of ``scenaria run`` start-up."""
    (tmp_path / "app.py").write_text("import sys\nprint(sorted(m.split('.')[0] for m in sys.modules))\n")
    for command in (["-c", "import scenaria, sys; print(sorted(sys.modules))"], ["-m", "scenaria", "run", "app.py"]):
        done = subprocess.run([sys.executable, *command], capture_output=True, text=True, check=True, cwd=tmp_path)
        assert not {"rich", "croniter", "argcomplete", "click"} & set(eval(done.stdout))


# What ``Orchestrator().run()`` plus one development-mode job must not import: modules of features
# it does not use (reading TOML, archives, schedules, command-line flags, comparisons, migrations,
# explanations, resuming jobs, the filesystem store), ``uuid``
# (ids are made without it), and standard modules that cost a millisecond or more each to import:
# tempfile, shutil and secrets (tokens come from os.urandom), hashlib (xxhash hashes content),
# difflib (suggestions for misspelt keys only).
NOT_AT_START_UP = {
    "argparse",
    "tomllib",
    "zipfile",
    "zoneinfo",
    "uuid",
    "tempfile",
    "shutil",
    "secrets",
    "hashlib",
    "difflib",
    "scenaria.api.transfer",
    "scenaria.api.explaining",
    "scenaria.entities.compare",
    "scenaria.config.migration",
    "scenaria.orchestrator.schedules",
    "scenaria.orchestrator.resuming",
    "scenaria.store.filesystem",
}


def test_start_up_and_one_job_load_only_what_they_use(tmp_path):
    """``Orchestrator().run()`` plus one development-mode job (the start-up target of issue 15)
    leaves out the modules of features it does not use (``NOT_AT_START_UP``)."""
    output = ok(
        run_python(
            """
        import sys
        import scenaria as tp
        from scenaria import Config
        from tests.core import core_funcs
        dn = Config.configure_data_node("a", default_data=2)
        out = Config.configure_data_node("b")
        config = Config.configure_scenario("sc", [Config.configure_task("t", core_funcs.double, dn, out)])
        tp.Orchestrator().run()
        scenario = tp.create_scenario(config)
        tp.submit(scenario)
        assert scenario.b.read() == 4
        print(sorted(set(sys.modules) & NOT_AT_START_UP))
    """.replace("NOT_AT_START_UP", repr(NOT_AT_START_UP)),
            tmp_path,
        )
    )
    assert output.strip().splitlines()[-1] == "[]"


def test_every_name_of_scenaria_api_and_config_loads_on_first_use(tmp_path):
    """``scenaria.api`` and ``scenaria.config`` load some of their names on first use (start-up
    stays short): each one listed in ``__all__`` is there, from a fresh interpreter."""
    output = ok(
        run_python(
            """
        import scenaria.api as api
        import scenaria.config as config
        for module in (api, config):
            missing = [name for name in module.__all__ if getattr(module, name, None) is None]
            assert not missing, missing
        from scenaria.api import export_scenario, submit
        from scenaria.config import MigrationConfig, compare
        assert callable(compare) and MigrationConfig.__name__ == "MigrationConfig"
        print("ok")
    """,
            tmp_path,
        )
    )
    assert output.strip().endswith("ok")
