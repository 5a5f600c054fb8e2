"""Every setting's bad values are refused by Config.check() (or by the configure_* call or the
loader), as a scenaria error naming the section and the key, never a raw exception; a fuzz of
Config.load and of the configure_* functions finds only scenaria errors."""

from __future__ import annotations

import datetime as dt
import os
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scenaria as tp
from scenaria.config import Config
from scenaria.config.check_base import SCENARIO_ATTRIBUTES, SCENARIO_METHODS, TASK_ATTRIBUTES, TASK_METHODS
from scenaria.entities.scenario import Scenario
from scenaria.entities.task import Task
from scenaria.exceptions import ConfigCheckError, ScenariaError
from tests.config import config_fixture_funcs as funcs


def task(**settings: Any) -> None:
    settings.setdefault("input", Config.configure_data_node("a"))
    settings.setdefault("output", Config.configure_data_node("b"))
    Config.configure_task("t", funcs.double, **settings)


def data_node(**settings: Any) -> None:
    Config.configure_data_node("d", **settings)


def pickle_node(**settings: Any) -> None:
    Config.configure_pickle_data_node("d", **settings)


def job(**settings: Any) -> None:
    Config.configure_job_executions(**settings)


def core(**settings: Any) -> None:
    Config.configure_core(**settings)


# resources of a task, or capacities of [JOB]: not a table, a name that is no name, an amount that is no amount
BAD_AMOUNTS = ([1], "gpu", 2, {"gpu": -1}, {"gpu": "x"}, {"": 1}, {3: 1}, {"gpu": True}, {"gpu": float("inf")})

# (the configure function, the setting, a bad value, the section and key the error must name)
BAD = [
    *[(task, "timeout", bad, "TASK.t", "timeout") for bad in ("abc", 0, -1, float("nan"), float("inf"), True, [1])],
    *[(task, "max_retries", bad, "TASK.t", "max_retries") for bad in ("many", -1, 1.5, float("nan"), {})],
    *[(task, "retry_delay", bad, "TASK.t", "retry_delay") for bad in ("soon", -0.5, float("nan"), [1])],
    *[(task, "skippable", bad, "TASK.t", "skippable") for bad in ("no", "yes", 1, 0.0)],
    *[(task, "workers", bad, "TASK.t", "workers") for bad in (3, "", ["gpu-1", 2], {"gpu-1": 1})],
    *[(task, near, 1, "TASK.t", near) for near in ("timout", "max_retry", "retry_delays", "worker")],
    *[(task, "priority", bad, "TASK.t", "priority") for bad in ("high", 1.5, True, float("nan"), [1], {})],
    *[(task, "resources", bad, "TASK.t", "resources") for bad in BAD_AMOUNTS],
    *[(job, "resources", bad, "JOB", "resources") for bad in BAD_AMOUNTS],
    (task, "input", 3, "TASK.t", "inputs"),
    (task, "output", "x", "TASK.t", "outputs"),
    *[(data_node, "validity_period", bad, "DATA_NODE.d", "validity_period") for bad in (-5, "1d", dt.timedelta(-1))],
    (data_node, "validity_period", dt.timedelta(0), "DATA_NODE.d", "validity_period"),
    (data_node, "storage_type", "nosuch", "DATA_NODE.d", "storage_type"),
    (data_node, "scope", "everywhere", "DATA_NODE.d", "scope"),
    (pickle_node, "default_path", "a\x00b", "DATA_NODE.d", "default_path"),
    (pickle_node, "default_path", 42, "DATA_NODE.d", "default_path"),
    *[(job, "max_nb_of_workers", bad, "JOB", "max_nb_of_workers") for bad in (0, -2, 10**6, "two", 2.5, True)],
    (job, "mode", "turbo", "JOB", "mode"),
    *[(job, "no_worker_timeout", bad, "JOB", "no_worker_timeout") for bad in (-1, "soon", True)],
    (core, "repository_type", "nosuch", "CORE", "repository_type"),
    (core, "read_entity_retry", -1, "CORE", "read_entity_retry"),
    (core, "repository_properties", [1], "CORE", "repository_properties"),
    (core, "storage_folder", "a\x00b", "CORE", "storage_folder"),
    (core, "mode", "sometimes", "CORE", "mode"),
]


@pytest.mark.parametrize(("configure", "key", "value", "section", "field"), BAD)
def test_every_bad_setting_is_a_check_error_naming_the_section_and_the_key(configure, key, value, section, field):
    configure(**{key: value})
    with pytest.raises(ConfigCheckError) as error:
        Config.check()
    assert any(issue.section == section and issue.field == field for issue in error.value.issues.errors), str(
        error.value
    )


def test_a_misspelt_task_setting_is_refused_with_the_known_ones_and_a_property_of_ones_own_is_not():
    task(timout=30, owner="ops", workers=["gpu-1", "gpu-2"])
    with pytest.raises(ConfigCheckError) as error:
        Config.check()
    (issue,) = error.value.issues.errors
    assert issue.field == "timout"
    assert "did you mean 'timeout'?" in issue.message
    assert "timeout, max_retries, retry_delay, priority, resources, workers, code_version, reuse" in issue.message


def test_a_bad_task_setting_never_reaches_a_job():
    task(timeout="abc")
    Config.configure_scenario("s", [Config.sections["TASK"]["t"]])
    with pytest.raises(ConfigCheckError, match=r"\[TASK.t\] timeout"):
        tp.create_scenario(Config.sections["SCENARIO"]["s"])
    assert tp.get_scenarios() == [] and tp.get_jobs() == []


def test_unknown_repository_properties_and_a_sqlite_store_that_is_a_folder(tmp_path):
    Config.configure_core(repository_type="sqlite", repository_properties={"db_location": "x.db", "bogus": 1})
    with pytest.raises(ConfigCheckError, match=r"does not take the setting\(s\) \['bogus'\]"):
        Config.check()
    Config.configure_core(repository_type="sqlite", repository_properties={"db_location": str(tmp_path)})
    with pytest.raises(ConfigCheckError, match="is a folder; a SQLite store is a file"):
        Config.check()


@pytest.mark.parametrize("name", ["submit", "subscribe", "get_inputs", "is_deletable"])
def test_a_data_node_named_like_a_method_is_refused(name):
    Config.configure_data_node(name)
    with pytest.raises(ConfigCheckError, match=f"'{name}' is also an attribute of a"):
        Config.check()


def test_the_names_lists_match_the_entity_classes():
    for cls, attributes, methods in (
        (Task, TASK_ATTRIBUTES, TASK_METHODS),
        (Scenario, SCENARIO_ATTRIBUTES, SCENARIO_METHODS),
    ):
        public = {name for name in dir(cls) if not name.startswith("_")}
        assert {name for name in public if callable(getattr(cls, name))} == methods
        assert methods.isdisjoint(attributes)


def test_a_config_id_too_long_for_file_names_is_refused():
    Config.configure_data_node("a" * 300)
    with pytest.raises(ConfigCheckError, match="300 characters long"):
        Config.check()


def test_core_version_given_to_configure_core():
    with pytest.raises(ScenariaError, match="core_version '9'"):
        Config.configure_core(core_version="9")
    Config.configure_core(core_version="4.1.1")  # this version: accepted
    Config.check()


@pytest.mark.parametrize("bad", [None, 3, b"x.toml", "", "a\x00b"])
def test_load_refuses_what_is_no_path(bad):
    with pytest.raises(ScenariaError):
        Config.load(bad)


def test_load_refuses_a_fifo_a_device_and_a_folder_without_blocking(tmp_path):
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero"), tmp_path):
        with pytest.raises(ScenariaError, match="not a regular file"):
            Config.load(path)


def test_load_refuses_a_file_too_large(tmp_path):
    from scenaria.config import toml_io

    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (toml_io.MAX_FILE_SIZE + 1))
    with pytest.raises(ScenariaError, match="more than a configuration file may hold"):
        Config.load(big)


def test_an_id_key_in_a_toml_section_is_refused(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[DATA_NODE.a]\nid = "b"\n')
    with pytest.raises(ScenariaError, match=r"line 2.*remove the id key"):
        Config.load(path)


# --- fuzz -------------------------------------------------------------------------------------------
KINDS = ["DATA_NODE", "TASK", "SCENARIO", "CORE", "JOB", "TAIPY"]
KEYS = [
    "storage_type",
    "scope",
    "validity_period",
    "function",
    "inputs",
    "outputs",
    "skippable",
    "timeout",
    "max_retries",
    "retry_delay",
    "tasks",
    "sequences",
    "frequency",
    "mode",
    "max_nb_of_workers",
    "repository_type",
    "repository_properties",
    "core_version",
    "id",
    "default_path",
    "default_data",
]
SCALARS = st.one_of(
    st.integers(-10, 10**7),
    st.floats(allow_nan=True),
    st.booleans(),
    st.text(max_size=20),
    st.sampled_from(
        [
            "1d:timedelta",
            "SCENARIO:SCOPE",
            "x:SECTION",
            "os:system:function",
            "True:bool",
            "ENV[NOPE]",
            "4.1.1",
            "9.0",
            "a:int",
            "[]:list",
        ]
    ),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3), max_leaves=5)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if value == value and abs(value) != float("inf") else '"nan"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return '"' + "".join(c if c in string.printable and c not in '"\\\n\r\t\x0b\x0c' else "_" for c in value) + '"'


@st.composite
def toml_documents(draw: Any) -> str:
    lines = []
    for kind in draw(st.lists(st.sampled_from(KINDS), max_size=4)):
        name = kind if kind in ("CORE", "JOB", "TAIPY") else f"{kind}.{draw(st.sampled_from(['a', 'b', 'default']))}"
        lines.append(f"[{name}]")
        for key in draw(st.lists(st.sampled_from(KEYS), max_size=4, unique=True)):
            lines.append(f"{key} = {toml_value(draw(VALUES))}")
    return "\n".join(lines) + "\n"


def only_scenaria_errors(action: Any) -> None:
    try:
        action()
        Config.check()
    except ScenariaError:
        pass
    finally:
        Config._reset()


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(text=toml_documents())
def test_fuzz_load_of_toml_documents(tmp_path, text):
    path = tmp_path / "fuzz.toml"
    path.write_text(text)
    only_scenaria_errors(lambda: Config.load(path))


@FUZZ
@given(data=st.binary(max_size=200))
def test_fuzz_load_of_random_bytes(tmp_path, data):
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data)
    only_scenaria_errors(lambda: Config.load(path))


CONFIGURE = {
    "configure_data_node": ["storage_type", "scope", "validity_period", "default_path", "default_data"],
    "configure_task": ["skippable", "timeout", "max_retries", "retry_delay", "input", "output"],
    "configure_job_executions": ["mode", "max_nb_of_workers"],
    "configure_core": ["repository_type", "repository_properties", "read_entity_retry", "mode", "storage_folder"],
}


@FUZZ
@given(function=st.sampled_from(sorted(CONFIGURE)), data=st.data())
def test_fuzz_configure_functions(function, data):
    arguments = {
        key: data.draw(VALUES | st.dictionaries(st.text(max_size=5), SCALARS, max_size=2), label=key)
        for key in data.draw(st.lists(st.sampled_from(CONFIGURE[function]), unique=True, max_size=3))
    }
    positional: list[Any] = []
    if function == "configure_data_node":
        positional = [data.draw(st.sampled_from(["a", "b_1", "x" * 200]))]
    elif function == "configure_task":
        positional = ["t", funcs.double]
    only_scenaria_errors(lambda: getattr(Config, function)(*positional, **arguments))


# --- bad arguments of the API -----------------------------------------------------------------------
@pytest.mark.parametrize("bad", [123, None, 1.5, object()])
def test_exists_and_delete_of_something_that_is_no_id(bad):
    with pytest.raises(ScenariaError, match="neither an entity nor an entity id"):
        tp.exists(bad)


@pytest.mark.parametrize("condition", [("a", 1, "LIKE"), ("a", 1, 99), ("a", 1), "a == 1"])
def test_an_unknown_filter_operator_is_a_scenaria_error(condition):
    from scenaria.exceptions import InvalidFilter

    node = Config.configure_data_node("d", storage_type="in_memory", default_data=[{"a": 1}])
    scenario = tp.create_scenario(Config.configure_scenario("s", [], additional_data_node_configs=[node]))
    with pytest.raises(InvalidFilter, match="Operator"):
        scenario.d.filter(condition)
    assert scenario.d.filter(("a", 1, tp.Operator.EQUAL)) == [{"a": 1}]
