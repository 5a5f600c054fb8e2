"""Typed strings: each type read and written, and round trips found by hypothesis."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scenaria.config import Config, Frequency, Scope
from scenaria.config.templates import is_template
from scenaria.config.values import (
    ImportRef,
    SectionRef,
    TypedValueError,
    parse_typed,
    pythonify,
    str_to_timedelta,
    stringify,
    timedelta_to_str,
)
from tests.config import config_fixture_funcs as funcs


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("21:int", 21),
        ("-3:int", -3),
        ("True:bool", True),
        ("false:bool", False),
        ("1.5:float", 1.5),
        ("2024-05-17T12:30:00:datetime", dt.datetime(2024, 5, 17, 12, 30)),
        ("1d2h0m0s:timedelta", dt.timedelta(days=1, hours=2)),
        ("0d0h0m1.5s:timedelta", dt.timedelta(seconds=1.5)),
        ("SCENARIO:SCOPE", Scope.SCENARIO),
        ("DAILY:FREQUENCY", Frequency.DAILY),
        ("my_input:SECTION", SectionRef("my_input")),
        ("21:int:str", "21:int"),
        ("plain", "plain"),
        ("tcp://scheduler:8786", "tcp://scheduler:8786"),
        ("postgresql://user:pw@host/db", "postgresql://user:pw@host/db"),
        ("ENV[NB]:int", "ENV[NB]:int"),
    ],
)
def test_parse_typed(text: str, value: object) -> None:
    assert parse_typed(text) == value


def test_functions_and_classes_are_imported() -> None:
    assert parse_typed("tests.config.config_fixture_funcs.double:function") is funcs.double
    assert parse_typed("tests.config.config_fixture_funcs.Outer.Inner:class") is funcs.Outer.Inner
    assert parse_typed("builtins.print:function") is print


def test_a_reference_that_cannot_be_imported_is_kept_with_the_reason() -> None:
    ref = parse_typed("no_such_module_xyz.fn:function")
    assert isinstance(ref, ImportRef)
    assert "no_such_module_xyz" in ref.reason and "fn" in ref.reason
    missing_attr = parse_typed("tests.config.config_fixture_funcs.nope:function")
    assert "config_fixture_funcs" in missing_attr.reason and "nope" in missing_attr.reason
    assert stringify(ref) == "no_such_module_xyz.fn:function"
    with pytest.raises(ImportError, match="no_such_module_xyz"):
        ref()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21:integer", "unknown type suffix ':integer'"),
        ("21:Int", "unknown type suffix ':Int'"),
        ("x:dict", "unknown type suffix ':dict'"),
        ("abc:int", "'abc' is not a valid int"),
        ("yes:bool", "'True:bool' or 'False:bool'"),
        ("3 days:timedelta", "1d2h30m0s:timedelta"),
        ("MONTHLYISH:FREQUENCY", "'MONTHLY:FREQUENCY'"),
        ("WORLD:SCOPE", "'GLOBAL:SCOPE'"),
        ("2024-13-45:datetime", "valid datetime"),
    ],
)
def test_bad_typed_strings_say_the_expected_form(text: str, expected: str) -> None:
    with pytest.raises(TypedValueError, match=expected.replace("(", r"\(")):
        parse_typed(text)


def test_stringify_every_type() -> None:
    value = {
        "i": 21,
        "b": True,
        "f": 1.5,
        "d": dt.datetime(2024, 5, 17, 12, 30),
        "td": dt.timedelta(hours=3),
        "scope": Scope.CYCLE,
        "freq": Frequency.WEEKLY,
        "fn": funcs.double,
        "cls": funcs.Outer.Inner,
        "lst": (1, "a"),
        "nested": {"x": 1},
        "s": "21:int",
    }
    assert stringify(value) == {
        "i": "21:int",
        "b": "True:bool",
        "f": "1.5:float",
        "d": "2024-05-17T12:30:00:datetime",
        "td": "0d3h0m0s:timedelta",
        "scope": "CYCLE:SCOPE",
        "freq": "WEEKLY:FREQUENCY",
        "fn": "tests.config.config_fixture_funcs.double:function",
        "cls": "tests.config.config_fixture_funcs.Outer.Inner:class",
        "lst": ["1:int", "a"],
        "nested": {"x": "1:int"},
        "s": "21:int:str",
    }


def test_stringify_refuses_values_without_a_toml_form() -> None:
    with pytest.raises(TypedValueError, match="has no TOML form"):
        stringify(object())
    assert stringify(object(), strict=False) == "<builtins.object>"


def test_negative_and_fractional_timedeltas() -> None:
    for value in (dt.timedelta(days=-1, microseconds=5), dt.timedelta(microseconds=1), dt.timedelta(0)):
        assert str_to_timedelta(timedelta_to_str(value)) == value


# --- property-based round trips ------------------------------------------------------------------
scalars = st.one_of(
    st.integers(),
    st.booleans(),
    st.floats(allow_nan=False),
    st.text(),
    st.datetimes(),
    st.datetimes(timezones=st.just(dt.timezone.utc)),
    st.timedeltas(),
    st.sampled_from(list(Scope)),
    st.sampled_from(list(Frequency)),
    st.sampled_from([funcs.double, funcs.add, print, funcs.MyEncoder, funcs.Outer.Inner]),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(min_size=1, max_size=5), children, max_size=4),
    ),
    max_leaves=12,
)


@given(values)
def test_every_value_reads_back_as_written(value: object) -> None:
    assert pythonify(stringify(value)) == value


@given(st.timedeltas())
def test_timedelta_text_round_trip(value: dt.timedelta) -> None:
    assert str_to_timedelta(timedelta_to_str(value)) == value


@given(st.text())
def test_any_string_survives(text: str) -> None:
    written = stringify(text)
    if text.startswith("ENV[") and written == text:
        return  # an ENV template stays a template
    assert parse_typed(written) == text


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(values)
def test_every_value_survives_export_and_load(value: object) -> None:
    assume(not any(is_template(text) for text in _strings(value)))
    Config._reset()
    Config.configure_data_node("x", value=value, inside={"key": value}, listed=[value])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.toml"
        Config.export(path)
        Config._reset()
        Config.load(path)
    dn = Config.data_nodes["x"]
    assert (dn.value, dn.inside, dn.listed) == (value, {"key": value}, [value])


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []
