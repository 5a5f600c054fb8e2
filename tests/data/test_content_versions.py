"""Content versions: what each write of a data node records (docs/execution.md)."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import scenaria as tp
from scenaria import Config, Scope
from scenaria.entities.content import file_version, version_of
from scenaria.exceptions import ConfigCheckError


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "x": np.arange(1000, dtype="float64"),
            "i": np.arange(1000),
            "when": pd.date_range("2024-01-01", periods=1000, freq="h"),
            "label": [f"row {i % 7}" for i in range(1000)],
        }
    )


VALUES = {
    "pandas frame": frame,
    "pandas frame of objects": lambda: frame().astype({"label": object}),
    "pandas categorical": lambda: frame().astype({"label": "category"}),
    "pandas series": lambda: frame()["x"],
    "polars frame": lambda: pl.from_pandas(frame()),
    "arrow table": lambda: pa.Table.from_pandas(frame()),
    "numpy array": lambda: np.arange(12).reshape(3, 4),
    "numpy datetimes": lambda: np.array(["2024-01-01", "2024-02-01"], dtype="datetime64[D]"),
    "bytes": lambda: b"\x00\x01 some bytes",
    "str": lambda: "some text",
    "dict": lambda: {"a": [1, 2], "b": (3.5, None)},
}


@pytest.mark.parametrize("make", VALUES.values(), ids=VALUES.keys())
def test_equal_values_have_equal_versions_and_a_change_shows(make):
    value, again = make(), make()
    assert version_of(value) == version_of(again) and version_of(value) is not None
    changed = make()
    if isinstance(changed, pd.DataFrame):
        changed.iloc[3, 1] = -1
    elif isinstance(changed, pd.Series):
        changed.iloc[3] = -1.0
    elif isinstance(changed, pl.DataFrame):
        changed = changed.with_columns(pl.when(pl.col("i") == 3).then(-1).otherwise(pl.col("i")).alias("i"))
    elif isinstance(changed, pa.Table):
        changed = changed.slice(1)
    elif isinstance(changed, np.ndarray):
        changed = changed[::-1].copy()
    elif isinstance(changed, dict):
        changed["b"] = (3.5, 0)
    else:
        changed = changed[:-1]
    assert version_of(changed) != version_of(value)


def test_frames_are_hashed_by_their_memory_not_their_pickle():
    data = frame()
    assert version_of(data) != version_of(data[::-1]) != version_of(data.rename(columns={"x": "y"}))
    assert version_of(data[:10]) != version_of(data[10:20])
    assert version_of(data.set_index("i")) != version_of(data)
    assert version_of(lambda: 1) is None  # not picklable: no version, the edit date stands in


def test_writes_record_versions_given_or_hashed_and_appends_chain(tmp_path):
    node = tp.create_global_data_node(Config.configure_csv_data_node("rows", scope=Scope.GLOBAL))
    node.write(frame())
    assert node.content_version == version_of(frame())
    node.write(frame(), version="release-7")
    assert node.content_version == "release-7"
    node.append(frame()[:2])
    assert node.content_version == version_of(frame()[:2], "release-7")
    assert tp.get(node.id).content_version == node.content_version  # stored with the data node
    node.track_edit(comment="changed elsewhere")  # an edit that says nothing of the content
    assert node._content_version is None


def test_default_data_has_the_same_version_in_every_scenario():
    number = Config.configure_data_node("number", default_data=21)
    config = Config.configure_scenario("s", task_configs=[Config.configure_task("t", print, number, [])])
    first, second = tp.create_scenario(config), tp.create_scenario(config)
    assert first.number.content_version == second.number.content_version == version_of(21)


def test_hashing_can_be_turned_off_per_data_node():
    node = tp.create_global_data_node(Config.configure_data_node("raw", scope=Scope.GLOBAL, hash_content=False))
    node.write(b"big")
    assert node.content_version is None
    node.write(b"big", version="v2")
    assert node.content_version == "v2"


def test_a_file_written_outside_scenaria_is_versioned_by_its_bytes(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("a\n1\n")
    node = tp.create_global_data_node(
        Config.configure_csv_data_node("table", default_path=str(path), scope=Scope.GLOBAL)
    )
    assert node.content_version == file_version(str(path))  # there before scenaria: its file's hash
    node.write(pd.DataFrame({"a": [1]}))
    written = node.content_version
    assert written == version_of(pd.DataFrame({"a": [1]}))
    stat = path.stat()
    path.write_text("a\n2\n")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert node.content_version == file_version(str(path)) != written
    assert file_version(str(tmp_path / "missing.csv")) is None


def test_a_folder_is_versioned_by_its_files_and_their_names(tmp_path):
    folder = tmp_path / "dataset"
    folder.mkdir()
    (folder / "part-0").write_bytes(b"one")
    before = file_version(str(folder))
    (folder / "part-0").rename(folder / "part-1")
    assert file_version(str(folder)) != before


def test_a_bad_hash_content_setting_is_reported():
    Config.configure_data_node("raw", hash_content="no")
    with pytest.raises(ConfigCheckError, match=r"hash_content must be True or False \(in TOML: \"False:bool\"\)"):
        Config.check()


def test_without_xxhash_versions_are_blake2b_and_say_so(monkeypatch):
    import sys

    from scenaria.entities import content

    monkeypatch.setitem(sys.modules, "xxhash", None)  # as if not installed
    monkeypatch.setattr(content, "_algorithm", None)
    fallback = version_of(frame())
    assert fallback is not None and fallback.startswith("b2:") and fallback == version_of(frame())
    monkeypatch.setattr(content, "_algorithm", None)
    monkeypatch.undo()
    content._algorithm = None
    assert version_of(frame()).startswith("x3:")
