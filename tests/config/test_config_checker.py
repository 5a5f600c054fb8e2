"""Config.check(): every check, the log, and the one exception listing every error."""

from __future__ import annotations

import datetime as dt
import logging
import pickle

import pytest

from scenaria.config import Config, Issue, IssueCollector, Scope
from scenaria.config.checks import run_checks
from scenaria.exceptions import ConfigCheckError
from tests.config import config_fixture_funcs as funcs


def issues() -> IssueCollector:
    return run_checks(Config._applied_layer())


def messages(level: str = "errors") -> list[str]:
    return [str(i) for i in getattr(issues(), level)]


def has(fragment: str, level: str = "errors") -> bool:
    return any(fragment in m for m in messages(level))


def simple_scenario() -> None:
    a = Config.configure_data_node("a")
    b = Config.configure_data_node("b")
    t = Config.configure_task("t", funcs.double, a, b)
    Config.configure_scenario("s", [t])


def test_a_clean_configuration_passes_and_returns_the_collector() -> None:
    simple_scenario()
    collector = Config.check()
    assert isinstance(collector, IssueCollector) and collector.all == []


def test_check_raises_one_exception_listing_every_error(caplog: pytest.LogCaptureFixture) -> None:
    Config.configure_job_executions(mode="turbo", max_nb_of_workers=0)
    Config.configure_data_node("x", storage_type="nosuch")
    with caplog.at_level(logging.WARNING, logger="scenaria"), pytest.raises(ConfigCheckError) as info:
        Config.check()
    message = str(info.value)
    assert "3 errors" in message
    assert "[JOB] mode" in message and "[JOB] max_nb_of_workers" in message
    assert "[DATA_NODE.x] storage_type" in message
    assert isinstance(info.value.issues, IssueCollector) and len(info.value.issues.errors) == 3
    assert "turbo" in caplog.text and "nosuch" in caplog.text
    assert isinstance(pickle.loads(pickle.dumps(info.value)), ConfigCheckError)


def test_issue_text() -> None:
    issue = Issue("ERROR", "mode", "turbo", "Bad mode.", "job", "JOB")
    assert str(issue) == '[JOB] Bad mode. Current value of property `mode` is "turbo".'
    collector = IssueCollector()
    collector._add_info("a", 1, "info")
    collector._add_warning("b", 2, "warn")
    collector._add_error("c", 3, "err")
    assert [i.level for i in collector.all] == ["ERROR", "WARNING", "INFO"]


# --- ids, imports --------------------------------------------------------------------------------
def test_same_id_in_two_kinds() -> None:
    Config.configure_data_node("same")
    Config.configure_task("same", funcs.double)
    assert has("used by a DATA_NODE section and a TASK section")


def test_unimportable_reference_names_module_and_attribute(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "c.toml"
    path.write_text(
        '[DATA_NODE.a]\nstorage_type = "generic"\nread_fct = "tests.config.config_fixture_funcs.nope:function"\n'
        '[TASK.t]\nfunction = "no_such_module_xyz.run:function"\noutputs = ["a:SECTION"]\n'
    )
    Config.load(path)
    assert has("module 'tests.config.config_fixture_funcs' has no attribute 'nope'")
    assert has("cannot import module 'no_such_module_xyz' (for attribute 'run')")


# --- core and job --------------------------------------------------------------------------------
def test_core_checks() -> None:
    Config.configure_core(repository_type="mongo", mode="prod", read_entity_retry=-1)
    assert has("repository_type must be one of")
    assert has("version mode must be one of")
    assert has("read_entity_retry must be a whole number")


@pytest.mark.parametrize("repository_type", ["sqlite", "sql", "filesystem", "postgresql"])
def test_known_repository_types(repository_type: str) -> None:
    Config.configure_core(repository_type=repository_type)
    assert messages() == []


@pytest.mark.parametrize("workers", [0, -2, "two", 2.5, True])
def test_bad_worker_counts(workers: object) -> None:
    Config.configure_job_executions(mode="standalone", max_nb_of_workers=workers)  # type: ignore[arg-type]
    assert has("must be a whole number from 1 to")


def test_unknown_mode() -> None:
    Config.configure_job_executions(mode="cluster")
    assert has("The job execution mode must be one of development, standalone, dask")


@pytest.mark.parametrize("mode", ["standalone", "dask"])
def test_in_memory_data_nodes_need_development_mode(mode: str) -> None:
    Config.configure_in_memory_data_node("mem")
    Config.configure_job_executions(mode=mode)
    assert has(f"worker processes of the {mode} job mode")
    Config.configure_job_executions(mode="development")
    assert messages() == []


def test_dask_address_must_be_text() -> None:
    Config.configure_job_executions(mode="dask", address=8786)
    assert has("scheduler address must be a string")


def test_unresolvable_env_template_is_an_error_not_a_crash() -> None:
    Config.configure_job_executions(mode="ENV[SCENARIA_TEST_UNSET_MODE]")
    assert has("SCENARIA_TEST_UNSET_MODE is not set")


# --- data nodes ----------------------------------------------------------------------------------
def test_data_node_checks() -> None:
    Config.configure_data_node("bad_type", storage_type="nosuch")
    Config.configure_data_node("bad_scope", scope="WORLD")  # type: ignore[arg-type]
    Config.configure_data_node("bad_validity", validity_period=3)  # type: ignore[arg-type]
    Config.configure_data_node("owner", _entity_owner="x")
    Config.configure_data_node("parent_ids")
    Config.configure_data_node("cycle")
    Config.configure_csv_data_node("exp", exposed_type="arrow")
    assert has("storage_type must be one of")
    assert has("[DATA_NODE.bad_scope] key 'scope': 'WORLD' is not a Scope; expected one of SCENARIO")
    assert has("validity_period must be a timedelta")
    assert has("'_entity_owner' is reserved")
    assert has("'parent_ids' is also an attribute of a Task entity")
    assert has("'cycle' is also an attribute of a Scenario entity")
    assert has("exposed_type must be 'pandas', 'numpy' or 'polars'")


def test_required_properties() -> None:
    Config.configure_data_node("t", storage_type="sql_table", db_name="d", db_engine="mssql")
    assert has("needs the property 'table_name'") and has("needs the property 'db_username'")
    Config.configure_data_node("m", storage_type="mongo_collection")
    assert has("needs the property 'collection_name'")
    Config.configure_data_node("s3", storage_type="s3_object", aws_access_key="k")
    assert has("needs the property 'aws_s3_bucket_name'")
    Config._reset()
    Config.configure_sql_table_data_node("t", db_name="d", db_engine="sqlite", table_name="x")
    assert messages() == []


def test_missing_properties_of_the_default_section_are_warnings() -> None:
    Config.set_default_data_node_configuration("sql")
    assert has("needs the property 'db_name'", "warnings")


def test_generic_data_node_checks() -> None:
    Config.configure_generic_data_node("neither")
    Config.configure_generic_data_node("args", read_fct=funcs.read_data, read_fct_args="p")  # type: ignore[arg-type]
    Config.configure_generic_data_node("not_callable", read_fct="oops")  # type: ignore[arg-type]
    assert has("needs a read_fct, a write_fct or both")
    assert has("read_fct_args must be a list")
    assert has("read_fct must be a function")


# --- tasks ---------------------------------------------------------------------------------------
def test_task_checks() -> None:
    a = Config.configure_data_node("a")
    Config.configure_task("no_fn", None, a, a)
    Config.configure_task("not_callable", "text", a, a)  # type: ignore[arg-type]
    Config.configure_task("tags", funcs.double, a, a)
    Config.configure_task("lonely", funcs.double)
    Config.configure_task("prop_clash", funcs.double, a, [], a=1)
    assert has("needs a function")
    assert has("function must be callable")
    assert has("'tags' is also an attribute of a Scenario entity")
    assert has("has no inputs", "warnings") and has("has no outputs", "warnings")
    assert has("'a' is also a property of the task")


# --- scenarios -----------------------------------------------------------------------------------
def test_scenario_checks() -> None:
    a = Config.configure_data_node("a")
    b = Config.configure_data_node("b")
    t = Config.configure_task("t", funcs.double, a, b)
    other = Config.configure_task("other", funcs.add, b, [])
    Config.configure_scenario("empty")
    Config.configure_scenario("freq", [t], frequency="SOMETIMES")  # type: ignore[arg-type]
    Config.configure_scenario("extra", [t], [a])
    Config.configure_scenario("seq", [t], sequences={"s1": [other], "a": [t]})
    Config.configure_scenario("clash", [t], b=1, t=2)
    Config.configure_scenario("cmp", [t], comparators={"ghost": funcs.compare_fn, "a": "nope"})
    assert has("'empty' has no tasks", "warnings")
    assert has("'SOMETIMES' is not a Frequency")
    assert has("'a' is already an input or output", "warnings")
    assert has("uses the task 'other', which is not a task of the scenario")
    assert has("sequence name 'a' is also a property, data node or task")
    assert has("task config id 't' is also a property or data node")
    assert has("data node config id 'b' is also a property of the scenario")
    assert has("comparator key 'ghost' is not a data node config id")
    assert has("comparators of 'a' must be functions")


def test_scenario_lists_must_hold_sections() -> None:
    Config.configure_scenario("s", ["t"])  # type: ignore[list-item]
    Config.configure_scenario("s2", [], ["a"])  # type: ignore[list-item]
    assert has("tasks must be a list of TaskConfig")
    assert has("additional_data_nodes must be a list of DataNodeConfig")


def test_cycle_in_the_task_graph() -> None:
    a = Config.configure_data_node("a")
    b = Config.configure_data_node("b")
    t1 = Config.configure_task("t1", funcs.double, a, b)
    t2 = Config.configure_task("t2", funcs.double, b, a)
    Config.configure_scenario("s", [t1, t2])
    assert has("The tasks of scenario 's' form a cycle")
    with pytest.raises(ConfigCheckError, match="form a cycle"):
        Config.check()


def test_two_tasks_writing_one_data_node() -> None:
    a = Config.configure_data_node("a")
    b = Config.configure_data_node("b")
    t1 = Config.configure_task("t1", funcs.double, a, b)
    t2 = Config.configure_task("t2", funcs.add, a, b)
    Config.configure_scenario("s", [t1, t2])
    assert has("The tasks 't1' and 't2' both write the data node 'b'")


def test_default_sections_are_not_checked_as_user_sections() -> None:
    Config.set_default_task_configuration(None)
    Config.set_default_scenario_configuration()
    Config.set_default_data_node_configuration("pickle", scope=Scope.GLOBAL, validity_period=dt.timedelta(days=1))
    assert issues().all == []


def test_scope_and_frequency_names_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCOPE", "cycle")
    dn = Config.configure_data_node("a", scope="ENV[SCOPE]")
    assert dn.scope is Scope.CYCLE
    assert Config.configure_scenario("s", frequency="MONTHLY:FREQUENCY").frequency.name == "MONTHLY"
