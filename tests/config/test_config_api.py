"""The Python API of Config: configure_* calls, accessors, defaults, layering and blocking."""

from __future__ import annotations

import datetime as dt
import inspect
import pickle

import pytest

from scenaria.config import (
    Config,
    CoreSection,
    DataNodeConfig,
    Frequency,
    GlobalAppConfig,
    JobConfig,
    ScenarioConfig,
    Scope,
    TaskConfig,
)
from scenaria.exceptions import ConfigError, ConfigurationUpdateBlocked, InvalidConfigurationId
from tests.config import config_fixture_funcs as funcs

# Parameter names and defaults of Taipy 4.1.1 (from inspect.signature), which user code relies on, with
# Taipy 4.2's additions: csv separator, the aws_s3_*_parameters, sql read_query/write_query_builder optional.
SIGNATURES = {
    "configure_job_executions": "(mode=None, max_nb_of_workers=None, **properties)",
    "configure_core": "(root_folder=None, storage_folder=None, taipy_storage_folder=None, repository_type=None, "
    "repository_properties=None, read_entity_retry=None, mode=None, version_number=None, force=None, "
    "**properties)",
    "configure_global_app": "(**properties)",
    "configure_data_node": "(id, storage_type=None, scope=None, validity_period=None, **properties)",
    "configure_data_node_from": "(source_configuration, id, **properties)",
    "set_default_data_node_configuration": "(storage_type, scope=None, validity_period=None, **properties)",
    "configure_pickle_data_node": "(id, default_path=None, default_data=None, scope=None, validity_period=None, "
    "**properties)",
    "configure_csv_data_node": "(id, default_path=None, encoding=None, has_header=None, exposed_type=None, "
    "scope=None, validity_period=None, separator=None, **properties)",
    "configure_excel_data_node": "(id, default_path=None, has_header=None, sheet_name=None, exposed_type=None, "
    "scope=None, validity_period=None, **properties)",
    "configure_json_data_node": "(id, default_path=None, encoding=None, encoder=None, decoder=None, scope=None, "
    "validity_period=None, **properties)",
    "configure_parquet_data_node": "(id, default_path=None, engine=None, compression=None, read_kwargs=None, "
    "write_kwargs=None, exposed_type=None, scope=None, validity_period=None, **properties)",
    "configure_sql_table_data_node": "(id, db_name, db_engine, table_name, db_username=None, db_password=None, "
    "db_host=None, db_port=None, db_driver=None, sqlite_folder_path=None, sqlite_file_extension=None, "
    "db_extra_args=None, exposed_type=None, scope=None, validity_period=None, **properties)",
    "configure_sql_data_node": "(id, db_name, db_engine, read_query=None, write_query_builder=None, "
    "append_query_builder=None, db_username=None, db_password=None, db_host=None, db_port=None, "
    "db_driver=None, sqlite_folder_path=None, sqlite_file_extension=None, db_extra_args=None, "
    "exposed_type=None, scope=None, validity_period=None, **properties)",
    "configure_mongo_collection_data_node": "(id, db_name, collection_name, custom_document=None, "
    "db_username=None, db_password=None, db_host=None, db_port=None, db_driver=None, db_extra_args=None, "
    "scope=None, validity_period=None, **properties)",
    "configure_in_memory_data_node": "(id, default_data=None, scope=None, validity_period=None, **properties)",
    "configure_generic_data_node": "(id, read_fct=None, write_fct=None, read_fct_args=None, write_fct_args=None, "
    "scope=None, validity_period=None, **properties)",
    "configure_s3_object_data_node": "(id, aws_access_key, aws_secret_access_key, aws_s3_bucket_name, "
    "aws_s3_object_key, aws_region=None, aws_s3_object_parameters=None, scope=None, validity_period=None, "
    "aws_s3_client_parameters=None, aws_s3_get_object_parameters=None, aws_s3_put_object_parameters=None, "
    "**properties)",
    "configure_task": "(id, function, input=None, output=None, skippable=False, **properties)",
    "set_default_task_configuration": "(function, input=None, output=None, skippable=False, **properties)",
    "configure_scenario": "(id, task_configs=None, additional_data_node_configs=None, frequency=None, "
    "comparators=None, sequences=None, **properties)",
    "set_default_scenario_configuration": "(task_configs=None, additional_data_node_configs=None, "
    "frequency=None, comparators=None, sequences=None, **properties)",
}


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_signatures_match_the_reference(name: str) -> None:
    signature = inspect.signature(getattr(Config, name))
    plain = signature.replace(
        parameters=[p.replace(annotation=inspect.Parameter.empty) for p in signature.parameters.values()],
        return_annotation=inspect.Signature.empty,
    )
    assert str(plain) == SIGNATURES[name]


def seed_config() -> ScenarioConfig:
    Config.configure_job_executions(mode="standalone", max_nb_of_workers=2)
    input_cfg = Config.configure_data_node("my_input", default_data=21)
    intermediate_cfg = Config.configure_data_node("intermediate", default_data=21)
    output_cfg = Config.configure_data_node("my_output")
    first = Config.configure_task("double", funcs.double, input_cfg, intermediate_cfg)
    second = Config.configure_task("add", funcs.add, intermediate_cfg, output_cfg)
    return Config.configure_scenario(id="my_scenario", task_configs=[first, second])


def test_seed_configuration() -> None:
    scenario = seed_config()
    assert Config.scenarios["my_scenario"] is scenario
    assert [t.id for t in scenario.tasks] == ["double", "add"]
    assert [d.id for d in scenario.data_nodes] == ["my_input", "intermediate", "my_output"]
    assert scenario.tasks[0].inputs[0] is Config.data_nodes["my_input"]
    assert Config.data_nodes["my_input"].default_data == 21
    assert Config.job_config.is_standalone and Config.job_config.max_nb_of_workers == 2
    assert set(Config.data_nodes) == {"default", "my_input", "intermediate", "my_output"}
    assert set(Config.tasks) == {"default", "double", "add"}
    assert set(Config.scenarios) == {"default", "my_scenario"}
    assert set(Config.sections) == {"DATA_NODE", "TASK", "SCENARIO", "SCHEDULE"}
    assert set(Config.unique_sections) == {"TAIPY", "JOB", "CORE"}
    assert Config.check().errors == []


def test_defaults() -> None:
    dn = Config.configure_data_node("x")
    assert (dn.storage_type, dn.scope, dn.validity_period, dn.properties) == ("pickle", Scope.SCENARIO, None, {})
    assert dn.not_a_property is None
    job = Config.job_config
    assert (job.mode, job.max_nb_of_workers, job.nb_of_workers, job.is_development) == ("development", 1, 1, True)
    core = Config.core
    assert isinstance(core, CoreSection)
    assert core.repository_type == "sqlite" and core.store_kind == "sqlite"
    assert (core.storage_folder, core.taipy_storage_folder, core.root_folder) == ("user_data/", ".taipy/", "./taipy/")
    assert (core.read_entity_retry, core.mode, core.version_number, core.force) == (1, "development", "", False)
    assert core.core_version.startswith("4.") and core.repository_properties == {}
    assert isinstance(Config.global_config, GlobalAppConfig)
    task = Config.configure_task("t", funcs.double)
    assert (task.inputs, task.outputs, task.skippable, task.scope) == ([], [], False, Scope.GLOBAL)


def test_typed_data_node_variants_store_their_storage_type_and_optional_defaults() -> None:
    csv = Config.configure_csv_data_node("c", default_path="in.csv")
    assert csv.storage_type == "csv"
    assert csv.properties == {
        "default_path": "in.csv",
        "encoding": "utf-8",
        "has_header": True,
        "exposed_type": "pandas",
    }
    assert Config.configure_json_data_node("j").encoding == "utf-8"
    assert Config.configure_parquet_data_node("p").compression == "snappy"
    sql = Config.configure_sql_table_data_node("s", db_name="d", db_engine="sqlite", table_name="t")
    assert (sql.db_port, sql.db_host, sql.table_name) == (1433, "localhost", "t")
    mongo = Config.configure_mongo_collection_data_node("m", db_name="d", collection_name="c")
    assert mongo.db_port == 27017
    generic = Config.configure_generic_data_node("g", read_fct=funcs.read_data, read_fct_args=[1])
    assert generic.read_fct is funcs.read_data and generic.write_fct is None
    mem = Config.configure_in_memory_data_node("mem", default_data=5, scope=Scope.GLOBAL)
    assert (mem.storage_type, mem.scope, mem.default_data) == ("in_memory", Scope.GLOBAL, 5)
    s3 = Config.configure_s3_object_data_node("s3", "k", "secret", "bucket", "key")
    assert s3.aws_s3_bucket_name == "bucket"
    excel = Config.configure_excel_data_node("e", sheet_name=["a", "b"])
    assert excel.sheet_name == ["a", "b"] and excel.has_header is True
    pickle_dn = Config.configure_pickle_data_node("pk", default_data=[1])
    assert pickle_dn.default_data == [1]


def test_modin_exposed_type_is_deprecated() -> None:
    with pytest.warns(DeprecationWarning, match="modin"):
        dn = Config.configure_csv_data_node("c", exposed_type="modin")
    assert dn.exposed_type == "pandas"


def test_configure_data_node_from() -> None:
    source = Config.configure_csv_data_node(
        "src", default_path="a.csv", scope=Scope.CYCLE, validity_period=dt.timedelta(days=1)
    )
    copy = Config.configure_data_node_from(source, "dst", default_path="b.csv")
    assert (copy.storage_type, copy.scope, copy.validity_period) == ("csv", Scope.CYCLE, dt.timedelta(days=1))
    assert copy.default_path == "b.csv" and source.default_path == "a.csv"


@pytest.mark.parametrize("bad", ["1x", "for", "my-id", "my_SCENARIO", "TASK_a", "", 3])
def test_invalid_ids(bad: object) -> None:
    with pytest.raises(InvalidConfigurationId):
        Config.configure_data_node(bad)  # type: ignore[arg-type]


def test_job_worker_count_has_two_names() -> None:
    assert Config.configure_job_executions(mode="standalone", nb_of_workers=8).max_nb_of_workers == 8
    Config._reset()
    job = Config.configure_job_executions(mode="standalone", max_nb_of_workers="3")
    assert job.max_nb_of_workers == 3 and job.nb_of_workers == 3 and "nb_of_workers" not in job.properties
    job.nb_of_workers = 5
    assert Config.job_config.max_nb_of_workers == 5
    with pytest.raises(ConfigError, match="two names of one setting"):
        Config.configure_job_executions(max_nb_of_workers=2, nb_of_workers=3)


def test_dask_mode_with_address() -> None:
    job = Config.configure_job_executions(mode="dask", address="tcp://scheduler:8786")
    assert job.is_dask and not job.is_standalone and job.address == "tcp://scheduler:8786"
    # workers elsewhere: a relative folder is refused, an absolute one must be declared shared
    Config.configure_core(storage_folder="/srv/shared/scenaria", shared_storage=True)
    assert Config.check().errors == []


def test_unique_section_calls_add_up() -> None:
    Config.configure_job_executions(mode="standalone")
    Config.configure_job_executions(max_nb_of_workers=4)
    assert (Config.job_config.mode, Config.job_config.max_nb_of_workers) == ("standalone", 4)
    Config.configure_global_app(app="a")
    Config.configure_global_app(debug=True)
    assert (Config.global_config.app, Config.global_config.debug) == ("a", True)


def test_core_settings() -> None:
    core = Config.configure_core(
        repository_type="sql",
        repository_properties={"db_location": "x.db"},
        storage_folder="data/",
        mode="experiment",
        version_number="1.0",
        force=True,
    )
    assert core.repository_type == "sql" and core.store_kind == "sqlite"
    assert core.repository_properties == {"db_location": "x.db"}
    assert (core.storage_folder, core.mode, core.version_number, core.force) == ("data/", "experiment", "1.0", True)
    assert Config.check().errors == []


def test_task_and_scenario_interface() -> None:
    a = Config.configure_data_node("a", scope=Scope.GLOBAL)
    b = Config.configure_data_node("b", scope=Scope.CYCLE)
    c = Config.configure_data_node("c")
    t1 = Config.configure_task("t1", funcs.double, [a], b, skippable=True, timeout=3, max_retries=2)
    t2 = Config.configure_task("t2", funcs.add, b, [c])
    assert t1.input_configs == [a] and t1.output_configs == [b] and t1.skippable
    assert (t1.timeout, t1.max_retries, t1.retry_delay) == (3, 2, None)
    assert t1.scope == Scope.CYCLE and t2.scope == Scope.SCENARIO
    extra = Config.configure_data_node("extra")
    s = Config.configure_scenario(
        "s",
        [t1, t2],
        [extra],
        Frequency.DAILY,
        comparators={"c": funcs.compare_fn},
        sequences={"first": [t1]},
        owner="me",
    )
    assert s.task_configs == [t1, t2] and s.additional_data_node_configs == [extra]
    assert [d.id for d in s.data_node_configs] == ["a", "b", "c", "extra"]
    assert s.frequency is Frequency.DAILY and s.owner == "me"
    assert s.comparators == {"c": [funcs.compare_fn]}
    s.add_comparator("a", funcs.compare_fn)
    s.add_comparator("c", funcs.double)
    assert Config.scenarios["s"].comparators == {"c": [funcs.compare_fn, funcs.double], "a": [funcs.compare_fn]}
    s.delete_comparator("c")
    assert list(s.comparators) == ["a"]
    s.add_sequences({"second": [t2], "both": [t1, t2]})
    assert list(s.sequences) == ["first", "second", "both"]
    s.remove_sequences(["first", "both"])
    assert s.sequences == {"second": [t2]}
    Config.configure_data_node("unrelated")  # a recompilation keeps the changes
    assert Config.scenarios["s"].sequences == {"second": [t2]} and list(s.comparators) == ["a"]


def test_sections_are_stable_objects_across_recompilation() -> None:
    dn = Config.configure_data_node("x", default_data=1)
    Config.configure_data_node("y")
    Config.configure_job_executions(mode="standalone")
    assert Config.data_nodes["x"] is dn and dn.default_data == 1


def test_setting_an_applied_section_sticks() -> None:
    dn = Config.configure_data_node("x")
    dn.default_path = "a.pkl"
    dn.storage_type = "csv"
    Config.configure_data_node("y")
    assert (Config.data_nodes["x"].default_path, Config.data_nodes["x"].storage_type) == ("a.pkl", "csv")
    assert Config.data_nodes["x"].encoding == "utf-8"  # csv optional defaults now apply
    del dn.default_path
    assert dn.default_path is None


def test_default_sections_are_inherited_on_every_recompilation() -> None:
    # Taipy 4.1.1 loses the inheritance at the next change ([QUIRK] of reference §1.1).
    Config.set_default_data_node_configuration("csv", scope=Scope.CYCLE, has_header=False)
    b = Config.configure_data_node("b")
    assert (b.storage_type, b.scope, b.has_header) == ("csv", Scope.CYCLE, False)
    Config.configure_data_node("other")
    Config.configure_job_executions(mode="standalone")
    assert (b.storage_type, b.scope, b.has_header) == ("csv", Scope.CYCLE, False)
    pickle_dn = Config.configure_data_node("p", storage_type="pickle")
    assert pickle_dn.scope == Scope.SCENARIO and pickle_dn.has_header is None


def test_default_task_and_scenario_properties_are_inherited() -> None:
    Config.set_default_task_configuration(None, skippable=True, owner="ops")
    Config.set_default_scenario_configuration(frequency=Frequency.WEEKLY, team="a")
    task = Config.configure_task("t", funcs.double)
    scenario = Config.configure_scenario("s", [task], team="b")
    assert task.owner == "ops" and not task.skippable  # skippable=False was given explicitly
    assert scenario.frequency is Frequency.WEEKLY and scenario.team == "b"


def test_env_templates_resolve_on_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DN_PATH", "/data/x.csv")
    monkeypatch.setenv("WORKERS", "6")
    dn = Config.configure_csv_data_node("x", default_path="ENV[DN_PATH]")
    job = Config.configure_job_executions(mode="standalone", max_nb_of_workers="ENV[WORKERS]:int")
    assert dn.default_path == "/data/x.csv" and dn.properties["default_path"] == "ENV[DN_PATH]"
    assert job.max_nb_of_workers == 6
    monkeypatch.setenv("WORKERS", "7")
    assert job.max_nb_of_workers == 7


def test_block_update() -> None:
    dn = Config.configure_data_node("x")
    Config.block_update()
    assert Config.is_blocked()
    for change in (
        lambda: Config.configure_data_node("y"),
        lambda: Config.configure_job_executions(mode="standalone"),
        lambda: Config.set_default_task_configuration(None),
        lambda: setattr(dn, "default_path", "p"),
        lambda: Config.load("x.toml"),
        lambda: Config.override("x.toml"),
        lambda: Config.restore("x.toml"),
    ):
        with pytest.raises(ConfigurationUpdateBlocked, match=r"Orchestrator\(\)\.stop\(\)"):
            change()
    assert dn.default_path is None
    Config.unblock_update()
    dn.default_path = "p"
    assert Config.data_nodes["x"].default_path == "p"


def test_reset_gives_a_fresh_configuration() -> None:
    seed_config()
    Config.block_update()
    Config._reset()
    assert not Config.is_blocked()
    assert list(Config.data_nodes) == ["default"] and Config.job_config.mode == "development"


def test_sections_pickle_without_their_link_to_config() -> None:
    scenario = seed_config()
    copy = pickle.loads(pickle.dumps(scenario))
    assert copy.id == "my_scenario" and [t.id for t in copy.tasks] == ["double", "add"]
    copy.owner = "someone"  # does not write into this process's Config
    assert Config.scenarios["my_scenario"].owner is None


def test_standalone_sections_work_without_config() -> None:
    dn = DataNodeConfig("x", "csv", default_path="a.csv")
    task = TaskConfig("t", funcs.double, dn, [])
    scenario = ScenarioConfig("s", [task])
    assert scenario.data_nodes == [dn] and task.inputs == [dn] and dn.storage_type == "csv"
    assert JobConfig(mode="standalone", nb_of_workers="2").max_nb_of_workers == 2
