"""TOML both ways: load, override, export, backup, restore, the layering, Taipy's files, bad input."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from scenaria.config import Config, Frequency, Scope
from scenaria.exceptions import (
    ConfigCoreVersionMismatched,
    InconsistentEnvVariableError,
    InvalidConfigurationId,
    LoadingError,
    MissingEnvVariableError,
)
from tests.config import config_fixture_funcs as funcs

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rich_config() -> None:
    """Every value type, default sections, sequences, comparators, frequency, validity_period."""
    Config.configure_global_app(app_name="demo", debug=True)
    Config.configure_job_executions(mode="development", max_nb_of_workers=3, extra="x")
    Config.configure_core(storage_folder="data/", read_entity_retry=2, force=True)
    Config.set_default_data_node_configuration(
        "csv", scope=Scope.CYCLE, validity_period=dt.timedelta(days=1, hours=2), has_header=False
    )
    Config.set_default_task_configuration(None, skippable=True, owner="ops")
    Config.set_default_scenario_configuration(frequency=Frequency.WEEKLY, team="a")
    a = Config.configure_data_node(
        "a",
        "pickle",
        Scope.GLOBAL,
        dt.timedelta(minutes=5, seconds=3, microseconds=250),
        default_data=[1, 2.5, "s", True],
        start=dt.datetime(2024, 5, 17, 12, 30),
        nested={"k": 1, "sub": {"x": dt.timedelta(hours=3)}},
        ratio=0.25,
        flag=False,
        name="plain",
        tricky="7:int",
        url="tcp://host:8786",
        day=dt.date(2024, 1, 2),
    )
    b = Config.configure_csv_data_node("b", default_path="in.csv")
    c = Config.configure_json_data_node(
        "c", default_path="c.json", encoder=funcs.MyEncoder, decoder=funcs.MyDecoder, klass=funcs.Outer.Inner
    )
    g = Config.configure_generic_data_node(
        "g", read_fct=funcs.read_data, write_fct=funcs.write_data, read_fct_args=["p", 1], write_fct_args=["p"]
    )
    m = Config.configure_pickle_data_node("m", default_data=5)
    t1 = Config.configure_task("t1", funcs.double, [a], [b, c], skippable=True, timeout=10)
    t2 = Config.configure_task("t2", funcs.add, [b, c], g)
    t3 = Config.configure_task("t3", print, g, [])
    Config.configure_scenario(
        "s",
        [t1, t2, t3],
        [m],
        Frequency.DAILY,
        comparators={"b": [funcs.compare_fn], "g": funcs.compare_fn},
        sequences={"seq1": [t1, t2], "seq2": [t3]},
        owner="me",
        ref=a,
    )


def snapshot() -> dict[str, object]:
    """The applied configuration as a TOML document (key order aside)."""
    return tomllib.loads(Config._serialize_applied())


# --- round trips ---------------------------------------------------------------------------------
def test_export_then_load_gives_the_same_configuration(tmp_path: Path) -> None:
    rich_config()
    before = snapshot()
    Config.export(tmp_path / "export.toml")
    Config._reset()
    Config.load(tmp_path / "export.toml")
    assert snapshot() == before
    a = Config.data_nodes["a"]
    assert a.validity_period == dt.timedelta(minutes=5, seconds=3, microseconds=250)
    assert a.nested == {"k": 1, "sub": {"x": dt.timedelta(hours=3)}}
    assert (a.tricky, a.url, a.day, a.start) == (
        "7:int",
        "tcp://host:8786",
        dt.date(2024, 1, 2),
        dt.datetime(2024, 5, 17, 12, 30),
    )
    assert Config.data_nodes["c"].klass is funcs.Outer.Inner
    assert Config.tasks["t3"].function is print
    s = Config.scenarios["s"]
    assert s.ref is a and s.comparators == {"b": [funcs.compare_fn], "g": [funcs.compare_fn]}
    assert s.sequences == {"seq1": [Config.tasks["t1"], Config.tasks["t2"]], "seq2": [Config.tasks["t3"]]}
    assert Config.data_nodes["b"].scope is Scope.CYCLE and Config.data_nodes["b"].has_header is False


def test_backup_then_restore_gives_the_same_configuration(tmp_path: Path) -> None:
    rich_config()
    before = snapshot()
    Config.backup(tmp_path / "backup.toml")
    Config._reset()
    Config.restore(tmp_path / "backup.toml")
    assert snapshot() == before
    assert Config.core.core_version.startswith("4.")


def test_export_writes_only_what_was_set(tmp_path: Path) -> None:
    Config.configure_job_executions(mode="standalone", nb_of_workers=2)
    Config.configure_data_node("x", default_data=21)
    Config.export(tmp_path / "c.toml")
    document = tomllib.loads((tmp_path / "c.toml").read_text())
    assert document == {
        "JOB": {"mode": "standalone", "max_nb_of_workers": "2:int"},
        "DATA_NODE": {"x": {"default_data": "21:int"}},
    }


def test_backup_writes_defaults(tmp_path: Path) -> None:
    Config.configure_data_node("x")
    Config.backup(tmp_path / "b.toml")
    document = tomllib.loads((tmp_path / "b.toml").read_text())
    assert document["DATA_NODE"]["x"] == {"storage_type": "pickle", "scope": "SCENARIO:SCOPE"}
    assert document["JOB"] == {"mode": "development", "max_nb_of_workers": "1:int"}
    assert document["CORE"]["repository_type"] == "sqlite"
    assert set(document["TASK"]) == {"default"}


# --- the seed's forms ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("job", "workers"),
    [
        ('mode = "standalone"\nnb_of_workers = "8:int"', 8),
        ('mode = "standalone"\nmax_nb_of_workers = "2:int"', 2),
        ('mode = "standalone"\nmax_nb_of_workers = 4', 4),
        ('mode = "standalone"\nnb_of_workers = "3"', 3),
        ('mode = "standalone"', 1),
    ],
)
def test_job_section_forms(tmp_path: Path, job: str, workers: int) -> None:
    Config.load(write(tmp_path, f"[JOB]\n{job}\n"))
    assert Config.job_config.is_standalone
    assert Config.job_config.max_nb_of_workers == workers == Config.job_config.nb_of_workers
    Config.export(tmp_path / "out.toml")
    if workers != 1:
        assert f'max_nb_of_workers = "{workers}:int"' in (tmp_path / "out.toml").read_text()


def test_development_mode_in_toml(tmp_path: Path) -> None:
    Config.load(write(tmp_path, '[JOB]\nmode = "development"\n'))
    assert Config.job_config.is_development


# --- Taipy's files -------------------------------------------------------------------------------
def test_loads_the_seed_file_exported_by_taipy(fixtures: Path) -> None:
    Config.load(fixtures / "taipy_seed_export.toml")
    scenario = Config.scenarios["my_scenario"]
    assert [t.id for t in scenario.tasks] == ["double", "add"]
    assert Config.tasks["double"].function is funcs.double
    assert Config.tasks["double"].inputs == [Config.data_nodes["my_input"]]
    assert Config.tasks["add"].outputs == [Config.data_nodes["my_output"]]
    assert Config.data_nodes["intermediate"].default_data == 21
    assert Config.job_config.is_standalone and Config.job_config.max_nb_of_workers == 2
    assert Config.check().errors == []


@pytest.mark.parametrize("name", ["taipy_rich_export.toml", "taipy_rich_backup.toml"])
def test_loads_the_rich_files_written_by_taipy(fixtures: Path, name: str) -> None:
    Config.load(fixtures / name)
    a, c = Config.data_nodes["a"], Config.data_nodes["c"]
    assert (a.scope, a.validity_period) == (Scope.GLOBAL, dt.timedelta(minutes=5, seconds=3))
    assert a.default_data == [1, 2.5, "s", True] and a.tup == [1, 2] and a.flag is False
    assert a.nested == {"k": 1, "sub": {"x": dt.timedelta(hours=3)}}
    assert (c.encoder, c.klass) == (funcs.MyEncoder, funcs.Outer.Inner)
    assert Config.data_nodes["g"].read_fct is funcs.read_data
    assert Config.tasks["t1"].timeout == 10 and Config.tasks["t1"].skippable
    assert Config.tasks["t3"].function is print and Config.tasks["t3"].outputs == []
    s = Config.scenarios["s"]
    assert s.frequency is Frequency.DAILY and s.additional_data_nodes == [Config.data_nodes["m"]]
    assert s.comparators == {"b": [funcs.compare_fn], "g": [funcs.compare_fn]}
    assert [t.id for t in s.sequences["seq1"]] == ["t1", "t2"]
    assert Config.scenarios["default"].frequency is Frequency.WEEKLY
    assert Config.tasks["t2"].owner == "ops"  # inherited from [TASK.default]
    assert (Config.global_config.app_name, Config.global_config.debug) == ("demo", True)
    assert Config.core.read_entity_retry == 2 and Config.core.force is True
    assert Config.job_config.extra == "x"


def test_scenaria_export_matches_the_committed_file(fixtures: Path, tmp_path: Path) -> None:
    # fixtures/config/scenaria_rich_export.toml was loaded by hand in Taipy 4.1.1 (see the docs).
    rich_config()
    Config.export(tmp_path / "export.toml")
    assert (tmp_path / "export.toml").read_text("utf-8") == (fixtures / "scenaria_rich_export.toml").read_text("utf-8")


# --- layering ------------------------------------------------------------------------------------
def test_override_file_wins_and_keeps_what_it_does_not_set(tmp_path: Path) -> None:
    a = Config.configure_data_node("a")
    b = Config.configure_data_node("b")
    Config.configure_task("t", funcs.double, a, b, timeout=5)
    Config.override(write(tmp_path, '[TASK.t]\ntimeout = "9:int"\n[JOB]\nmode = "standalone"\n'))
    task = Config.tasks["t"]
    assert task.timeout == 9 and task.inputs == [a] and task.outputs == [b]  # Taipy wipes them ([QUIRK])
    assert task.function is funcs.double and Config.job_config.is_standalone
    Config.configure_data_node("c")  # the override stays applied after further changes
    assert Config.tasks["t"].timeout == 9
    task.timeout = 1  # a change made afterwards is not hidden by the override
    Config.configure_data_node("d")
    assert Config.tasks["t"].timeout == 1


def test_override_can_reference_python_sections(tmp_path: Path) -> None:
    Config.configure_data_node("a")
    Config.override(
        write(
            tmp_path,
            '[TASK.t]\nfunction = "tests.config.config_fixture_funcs.double:function"\ninputs = ["a:SECTION"]\n',
        )
    )
    assert Config.tasks["t"].inputs == [Config.data_nodes["a"]]


@pytest.mark.parametrize("variable", ["SCENARIA_CONFIG_PATH", "TAIPY_CONFIG_PATH"])
def test_env_file_overrides_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    Config.configure_job_executions(mode="standalone", max_nb_of_workers=2)
    Config.override(write(tmp_path, '[JOB]\nmax_nb_of_workers = "3:int"\n', "override.toml"))
    env_file = write(tmp_path, '[JOB]\nmax_nb_of_workers = "5:int"\n', "env.toml")
    monkeypatch.setenv(variable, str(env_file))
    Config.configure_data_node("x")
    assert Config.job_config.max_nb_of_workers == 5 and Config.job_config.is_standalone
    env_file.write_text('[JOB]\nmax_nb_of_workers = "6:int"\n')
    Config.configure_data_node("y")  # the file is read again on every change
    assert Config.job_config.max_nb_of_workers == 6


def test_env_file_that_does_not_exist_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCENARIA_CONFIG_PATH", str(tmp_path / "missing.toml"))
    with pytest.raises(LoadingError, match=r"missing\.toml"):
        Config.configure_data_node("x")


def test_load_replaces_the_python_configuration(tmp_path: Path) -> None:
    Config.configure_data_node("old")
    Config.load(write(tmp_path, "[DATA_NODE.new]\n"))
    assert set(Config.data_nodes) == {"default", "new"}


def test_env_templates_in_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NB", "4")
    monkeypatch.setenv("FLAG", "TRUE")
    Config.load(
        write(
            tmp_path,
            '[JOB]\nmode = "standalone"\nmax_nb_of_workers = "ENV[NB]:int"\n'
            '[DATA_NODE.x]\nflag = "ENV[FLAG]:bool"\nratio = "ENV[NB]:float"\n',
        )
    )
    assert Config.job_config.max_nb_of_workers == 4
    assert (Config.data_nodes["x"].flag, Config.data_nodes["x"].ratio) == (True, 4.0)
    Config.export(tmp_path / "out.toml")
    assert 'max_nb_of_workers = "ENV[NB]:int"' in (tmp_path / "out.toml").read_text()


# --- bad input -----------------------------------------------------------------------------------
def test_malformed_toml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[JOB]\nmode = "standalone"\nmax_nb_of_workers = = 2\n', "broken.toml")
    with pytest.raises(LoadingError, match=r"broken\.toml, line 3, column \d+: invalid TOML"):
        Config.load(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LoadingError, match="no such configuration file"):
        Config.load(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[DATA_NODE.x]\ndefault_data = "21:integer"\n',
            r"line 2: \[DATA_NODE\.x\] key 'default_data': unknown type suffix ':integer'",
        ),
        (
            "[DATA_NODE.x]\nvalidity_period = 5\n",
            r"line 2: \[DATA_NODE\.x\] key 'validity_period': found 5; expected a duration like \"1d0h0m0s:timedelta\"",
        ),
        ('[DATA_NODE.x]\nscope = "SCENARIO"\n', r"\[DATA_NODE\.x\] key 'scope': .*\"SCENARIO:SCOPE\""),
        ('[DATA_NODE.x]\nscope = "BOTH:SCOPE"\n', r"key 'scope': 'BOTH' is not a Scope"),
        ("[DATA_NODE.x]\nstorage_type = 3\n", r"key 'storage_type': found 3; expected a string"),
        (
            '[TASK.t]\ninputs = ["ghost:SECTION"]\n',
            r"line 2: \[TASK\.t\] key 'inputs': 'ghost:SECTION' refers to \[DATA_NODE\.ghost\]",
        ),
        ('[SCENARIO.s]\ntasks = ["ghost:SECTION"]\n', r"\[SCENARIO\.s\] key 'tasks': .*\[TASK\.ghost\]"),
        ('[DATA_NODE.x]\nother = "ghost:SECTION"\n', r"key 'other': 'ghost:SECTION' refers to a section"),
        ('[TASK.t]\nskippable = "maybe"\n', r"key 'skippable': found 'maybe'; expected \"True:bool\""),
        ("[TASK.t]\ninputs = [3]\n", r"key 'inputs': found 3; expected a list of references"),
        ('[TASK.t]\nfunction = "7:int"\n', r"key 'function': found 7; expected a function"),
        ('[SCENARIO.s]\nfrequency = "DAILY"\n', r"key 'frequency': .*\"DAILY:FREQUENCY\""),
        ("[SCENARIO.s]\ncomparators = 3\n", r"key 'comparators': .*table"),
        ('[JOB]\nmax_nb_of_workers = "two"\n', r"\[JOB\] key 'max_nb_of_workers': found 'two'; expected a whole"),
        ("[JOB]\nmax_nb_of_workers = 2\nnb_of_workers = 3\n", r"\[JOB\]: .*two names of one setting"),
        ('[CORE]\nforce = "yes"\n', r"\[CORE\] key 'force'"),
        ('[CORE]\nread_entity_retry = "x"\n', r"\[CORE\] key 'read_entity_retry'"),
        ("DATA_NODE = 3\n", r"expected tables like \[DATA_NODE\.my_id\]"),
        ("[DATA_NODE]\nx = 3\n", r"\[DATA_NODE\.x\]: expected a table"),
    ],
)
def test_bad_values_name_section_key_and_expected_form(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(LoadingError, match=expected):
        Config.load(write(tmp_path, text))


def test_bad_section_id_in_a_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidConfigurationId, match=r"config\.toml, line 1: \[DATA_NODE\.my_TASK\]"):
        Config.load(write(tmp_path, "[DATA_NODE.my_TASK]\n"))


def test_core_version_of_another_major_version(tmp_path: Path) -> None:
    with pytest.raises(ConfigCoreVersionMismatched, match=r"'3\.1\.0'"):
        Config.load(write(tmp_path, '[CORE]\ncore_version = "3.1.0"\n'))
    Config.load(write(tmp_path, '[CORE]\ncore_version = "4.0.2"\n'))
    assert Config.core.core_version == "4.0.2"


def test_missing_env_variable(tmp_path: Path) -> None:
    Config.load(write(tmp_path, '[DATA_NODE.x]\ndefault_path = "ENV[SCENARIA_TEST_UNSET]"\n'))
    with pytest.raises(MissingEnvVariableError, match=r"\[DATA_NODE\.x\] key 'default_path'.*SCENARIA_TEST_UNSET"):
        _ = Config.data_nodes["x"].default_path


def test_inconsistent_env_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NB", "many")
    Config.load(write(tmp_path, '[JOB]\nmax_nb_of_workers = "ENV[NB]:int"\n[DATA_NODE.x]\nf = "ENV[NB]:bool"\n'))
    with pytest.raises(InconsistentEnvVariableError, match=r"\[JOB\] key 'max_nb_of_workers'.*'many'.*int"):
        _ = Config.job_config.max_nb_of_workers
    with pytest.raises(InconsistentEnvVariableError, match="true or false"):
        _ = Config.data_nodes["x"].f


def test_unknown_top_level_section_is_reported(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    Config.load(write(tmp_path, '[AUTHENTICATION]\nprotocol = "ldap"\n[DATA_NODE.x]\n'))
    assert "AUTHENTICATION" in caplog.text and "ignored" in caplog.text
    assert "x" in Config.data_nodes


def test_unimportable_function_loads_and_is_reported_by_the_checker(tmp_path: Path) -> None:
    Config.load(
        write(tmp_path, '[DATA_NODE.a]\n[TASK.t]\nfunction = "not_a_module_xyz.fn:function"\noutputs = ["a:SECTION"]\n')
    )
    Config.export(tmp_path / "again.toml")
    assert 'function = "not_a_module_xyz.fn:function"' in (tmp_path / "again.toml").read_text()
