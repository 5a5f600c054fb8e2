"""csv, excel, json and parquet data nodes on real files: round trips, appends, errors, paths."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import scenaria as tp
from scenaria.config import Scope
from scenaria.data.csv import CSVDataNode
from scenaria.data.filter import JoinOperator, Operator
from scenaria.exceptions import (
    ConfigCheckError,
    DataFileNotFound,
    DataNodeReadingError,
    DataNodeWritingError,
    ExposedTypeLengthMismatch,
    InvalidExposedType,
    NonExistingExcelSheet,
    SheetNameLengthMismatch,
    UnknownCompressionAlgorithm,
    UnknownParquetEngine,
)
from tests.support.data_nodes import NeedsThree, Person, Point, make_node

FRAME = pd.DataFrame({"name": ["ann", "bob", "cid"], "age": [31, 42, 53]})


# --- csv ---------------------------------------------------------------------------------------------
def test_csv_round_trip_in_a_generated_file():
    dn = make_node("csv")
    assert dn.is_generated and dn.path == os.path.join("user_data", "csvs", f"{dn.id}.csv")
    assert dn.read() is None  # never written
    dn.write(FRAME)
    pd.testing.assert_frame_equal(dn.read(), FRAME)
    with open(dn.path, encoding="utf-8") as file:
        assert file.read().splitlines() == ["name,age", "ann,31", "bob,42", "cid,53"]
    assert dn.is_valid and dn.last_edit_date is not None


def test_csv_numpy_and_objects():
    numbers = make_node("csv", exposed_type="numpy")
    numbers.write(np.array([[1, 2], [3, 4]]))
    np.testing.assert_array_equal(numbers.read(), np.array([[1, 2], [3, 4]]))

    people = make_node("csv", exposed_type=Person)
    people.write([Person("ann", 31), Person("bob", 42)])
    assert people.read() == [Person("ann", "31"), Person("bob", "42")]  # a CSV file holds text
    people.write(FRAME)  # a DataFrame is fine too
    assert people.read()[2] == Person("cid", "53")

    points = make_node("csv", exposed_type=Point)  # decode() builds the objects
    points.write([Point(1, 2), Point(3, 4)])
    assert points.read() == [Point(1, 2), Point(3, 4)]


def test_csv_without_header():
    dn = make_node("csv", has_header=False)
    dn.write(FRAME)
    with open(dn.path, encoding="utf-8") as file:
        assert file.readline().strip() == "ann,31"
    frame = dn.read()
    assert list(frame.columns) == [0, 1] and frame[0].tolist() == ["ann", "bob", "cid"]
    positional = make_node("csv", has_header=False, exposed_type=Person, default_path=dn.path)
    assert positional.read()[0] == Person("ann", "31")


def test_csv_append_write_with_column_names_and_read_with_kwargs():
    dn = make_node("csv")
    dn.append(FRAME.iloc[:1])  # a new file gets its header
    dn.append(FRAME.iloc[1:])
    pd.testing.assert_frame_equal(dn.read(), FRAME)
    assert len(dn.edits) == 2

    dn.write_with_column_names([[1, 2], [3, 4]], columns=["x", "y"], job_id="JOB_1")
    assert dn.read().to_dict("list") == {"x": [1, 3], "y": [2, 4]}
    assert dn.job_ids == ["JOB_1"]
    assert dn.read_with_kwargs(usecols=["y"]).columns.tolist() == ["y"]

    objects = make_node("csv", exposed_type=Person)
    objects.append([Person("ann", 1)])
    objects.append([Person("bob", 2)])
    assert objects.read() == [Person("ann", "1"), Person("bob", "2")]


def test_csv_encoding_and_kwargs_properties():
    dn = make_node("csv", encoding="latin-1", write_kwargs={"sep": ";"}, read_kwargs={"sep": ";"})
    dn.write(pd.DataFrame({"city": ["Zürich", "Tromsø"]}))
    with open(dn.path, "rb") as file:
        assert "Zürich".encode("latin-1") in file.read()
    assert dn.read()["city"].tolist() == ["Zürich", "Tromsø"]


def test_csv_filter_and_getitem_for_each_exposed_type():
    frame = make_node("csv")
    frame.write(FRAME)
    assert frame.filter(("age", 40, Operator.GREATER_THAN))["name"].tolist() == ["bob", "cid"]
    either = frame.filter([("name", "ann", Operator.EQUAL), ("age", 53, Operator.EQUAL)], JoinOperator.OR)
    assert either["name"].tolist() == ["ann", "cid"]
    assert frame["name"].tolist() == ["ann", "bob", "cid"]
    assert len(frame[frame["age"] > 40]) == 2

    array = make_node("csv", exposed_type="numpy")
    array.write(np.array([[1, 10], [2, 20], [3, 30]]))
    assert array.filter((1, 20, Operator.GREATER_OR_EQUAL)).tolist() == [[2, 20], [3, 30]]
    assert array[0].tolist() == [1, 10]

    points = make_node("csv", exposed_type=Point)
    points.write([Point(1, 2), Point(3, 4)])
    assert points.filter(("x", 1, Operator.NOT_EQUAL)) == [Point(3, 4)]
    assert points["y"] == [2, 4]


def test_csv_existing_file_default_path_and_default_data(tmp_path):
    given = tmp_path / "given.csv"
    given.write_text("a,b\n1,2\n", encoding="utf-8")
    dn = make_node("csv", default_path=str(given))
    assert not dn.is_generated and dn.path == str(given)
    assert dn.is_ready_for_reading  # an existing file counts as written
    assert dn.read().to_dict("list") == {"a": [1], "b": [2]}

    seeded = make_node("csv", default_data=FRAME)
    pd.testing.assert_frame_equal(seeded.read(), FRAME)
    assert seeded.get_last_edit()["comment"] == "Default data written."

    dn.path = str(tmp_path / "other.csv")
    assert dn.path.endswith("other.csv") and not dn.is_generated


def test_csv_external_edit_is_detected_through_the_modification_time():
    dn = make_node("csv")
    dn.write(FRAME)
    written = dn.last_edit_date
    later = time.time() + 3600
    with open(dn.path, "a", encoding="utf-8") as file:
        file.write("dan,64\n")
    os.utime(dn.path, (later, later))
    assert dn.last_edit_date > written
    assert dn.last_edit_date == dt.datetime.fromtimestamp(later)
    assert dn.read()["name"].tolist()[-1] == "dan"


def test_generated_file_is_removed_with_its_data_node_but_a_given_one_stays(tmp_path):
    generated = make_node("csv")
    generated.write(FRAME)
    given = make_node("csv", default_path=str(tmp_path / "keep.csv"))
    given.write(FRAME)
    tp.delete(generated.id)
    tp.delete(given.id)
    assert not os.path.exists(generated.path)
    assert os.path.exists(given.path)


def test_csv_errors_name_the_data_node_and_leave_the_file_whole():
    dn = make_node("csv")
    dn.write(FRAME)
    before = Path(dn.path).read_text(encoding="utf-8")
    with pytest.raises(DataNodeWritingError, match=dn.id):
        dn.write(object())
    with pytest.raises(DataNodeWritingError, match="3 columns"):
        dn.write_with_column_names(FRAME.assign(x=1), columns=["a", "b"])
    assert Path(dn.path).read_text(encoding="utf-8") == before
    assert not [name for name in os.listdir(os.path.dirname(dn.path)) if name.startswith(".tmp")]

    os.remove(dn.path)
    with pytest.raises(DataFileNotFound, match=f"{dn.id}.*does not exist") as caught:
        dn.read()
    assert isinstance(caught.value, FileNotFoundError)

    wrong = make_node("csv", exposed_type=NeedsThree)
    wrong.write(FRAME)
    with pytest.raises(InvalidExposedType, match=rf"{wrong.id}.*row 1.*NeedsThree.*TypeError"):
        wrong.read()

    with pytest.raises(ConfigCheckError, match="exposed_type"):  # the config check sees it first
        make_node("csv", exposed_type="modern")
    with pytest.raises(InvalidExposedType, match="'modern'"):  # and the data node itself refuses it
        CSVDataNode("x", Scope.SCENARIO, properties={"exposed_type": "modern"})


def test_empty_csv_reads_as_an_empty_frame(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    assert make_node("csv", default_path=str(path)).read().empty


def test_csv_on_fsspec_urls(tmp_path):
    memory = make_node("csv", default_path="memory://scenaria-tests/data.csv")
    memory.write(FRAME)
    pd.testing.assert_frame_equal(memory.read(), FRAME)
    memory.append(FRAME)
    assert len(memory.read()) == 6
    assert not os.path.exists("memory:")  # no local folder named after the scheme

    local = make_node("csv", default_path=f"file://{tmp_path}/local.csv")
    local.write(FRAME)
    assert os.path.exists(tmp_path / "local.csv")
    assert local.last_edit_date == dt.datetime.fromtimestamp(
        os.path.getmtime(tmp_path / "local.csv")
    ) or local.last_edit_date >= dt.datetime.fromtimestamp(os.path.getmtime(tmp_path / "local.csv"))

    objects = make_node("csv", default_path="memory://scenaria-tests/points.csv", exposed_type=Point)
    objects.write([Point(5, 6)])
    assert objects.read() == [Point(5, 6)]


# --- excel -------------------------------------------------------------------------------------------
def test_excel_single_sheet_several_sheets_and_all_sheets():
    single = make_node("excel", sheet_name="people")
    assert single.path.endswith(f"{single.id}.xlsx")
    single.write(FRAME)
    pd.testing.assert_frame_equal(single.read(), FRAME)

    several = make_node("excel", sheet_name=["a", "b"])
    several.write({"a": FRAME, "b": FRAME.head(1), "c": FRAME})
    sheets = several.read()
    assert list(sheets) == ["a", "b"] and len(sheets["b"]) == 1

    every = make_node("excel", default_path=several.path)
    assert list(every.read()) == ["a", "b", "c"]

    default = make_node("excel")
    default.write(FRAME)
    assert list(default.read()) == ["Sheet1"]


def test_excel_exposed_types_per_sheet():
    dn = make_node("excel", sheet_name=["people", "grid"], exposed_type=[Person, "numpy"])
    dn.write({"people": [Person("ann", 31)], "grid": np.array([[1, 2], [3, 4]])})
    data = dn.read()
    assert data["people"] == [Person("ann", 31)]  # Excel keeps numbers as numbers
    np.testing.assert_array_equal(data["grid"], np.array([[1, 2], [3, 4]]))

    by_name = make_node("excel", default_path=dn.path, exposed_type={"grid": "numpy"})
    assert isinstance(by_name.read()["people"], pd.DataFrame)
    assert isinstance(by_name.read()["grid"], np.ndarray)

    mismatch = make_node("excel", default_path=dn.path, exposed_type=["numpy"])
    with pytest.raises(ExposedTypeLengthMismatch, match="1 exposed types for 2 sheets"):
        mismatch.read()

    points = make_node("excel", sheet_name="p", exposed_type=Point)
    points.write([Point(1, 2)])
    assert points.read() == [Point(1, 2)]


def test_excel_without_header_append_and_column_names():
    raw = make_node("excel", has_header=False, sheet_name="s")
    raw.write(FRAME)
    assert raw.read()[0].tolist() == ["ann", "bob", "cid"]

    dn = make_node("excel", sheet_name="s")
    dn.write(FRAME.head(1))
    dn.append(FRAME.iloc[1:])
    pd.testing.assert_frame_equal(dn.read(), FRAME)

    book = make_node("excel")
    book.write({"a": FRAME})
    book.append({"a": FRAME.head(1), "new": FRAME})
    sheets = book.read()
    assert len(sheets["a"]) == 4 and list(sheets["new"].columns) == ["name", "age"]

    named = make_node("excel", sheet_name="s")
    named.write_with_column_names([[1, 2]], columns=["x", "y"])
    assert named.read().columns.tolist() == ["x", "y"]


def test_excel_errors():
    dn = make_node("excel", sheet_name=["a", "missing"])
    writer = make_node("excel", sheet_name="a", default_path=dn.path)
    writer.write(FRAME)
    with pytest.raises(NonExistingExcelSheet, match=rf"{dn.id}.*'missing' does not exist.*'a'"):
        dn.read()
    with pytest.raises(SheetNameLengthMismatch, match="2 sheet names"):
        dn.write(FRAME)
    pd.testing.assert_frame_equal(writer.read(), FRAME)  # the failed write changed nothing


# --- json --------------------------------------------------------------------------------------------
class Color(enum.Enum):
    RED = 1


@dataclasses.dataclass
class Box:
    size: int


def test_json_round_trip_with_the_default_encoder():
    dn = make_node("json")
    assert dn.path.endswith(f"{dn.id}.json")
    data = {
        "when": dt.datetime(2024, 5, 6, 7, 8),
        "day": dt.date(2024, 1, 2),
        "color": Color.RED,
        "box": Box(3),
        "items": [1, "two", None],
    }
    dn.write(data)
    back = dn.read()
    assert back["when"] == dt.datetime(2024, 5, 6, 7, 8) and back["color"] is Color.RED
    assert back["box"] == Box(3) and back["items"] == [1, "two", None]
    with open(dn.path, encoding="utf-8") as file:
        raw = json.load(file)
    assert raw["when"] == {"__type__": "Datetime", "__value__": "2024-05-06T07:08:00"}
    assert raw["color"]["__type__"] == f"Enum-{__name__}-Color-RED"


class Upper(json.JSONEncoder):
    def default(self, o):
        return {"set": sorted(o)} if isinstance(o, set) else super().default(o)


class Lower(json.JSONDecoder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, object_hook=lambda obj: set(obj["set"]) if "set" in obj else obj, **kwargs)


def test_json_custom_encoder_decoder_append_and_errors():
    dn = make_node("json", encoder=Upper, decoder=Lower)
    dn.write([{1, 2}])
    assert dn.read() == [{1, 2}]
    dn.append({3})
    dn.append([{4}])
    assert dn.read() == [{1, 2}, {3}, {4}]

    mapping = make_node("json")
    mapping.write({"a": 1})
    mapping.append({"b": 2})
    assert mapping.read() == {"a": 1, "b": 2}
    with pytest.raises(DataNodeWritingError, match="dict"):
        mapping.append([1])
    with pytest.raises(DataNodeWritingError, match=rf"{mapping.id}.*encoder"):
        mapping.write({"x": object()})
    assert mapping.read() == {"a": 1, "b": 2}  # nothing half-written

    with open(mapping.path, "w", encoding="utf-8") as file:
        file.write("{not json")
    with pytest.raises(DataNodeReadingError, match=mapping.id):
        mapping.read()


def test_json_on_a_memory_url():
    dn = make_node("json", default_path="memory://scenaria-tests/x.json")
    dn.write({"a": [1, 2]})
    dn.append({"b": 3})
    assert dn.read() == {"a": [1, 2], "b": 3}


# --- parquet -----------------------------------------------------------------------------------------
def test_parquet_round_trips():
    dn = make_node("parquet")
    assert dn.path.endswith(f"{dn.id}.parquet")
    dn.write(FRAME)
    pd.testing.assert_frame_equal(dn.read(), FRAME)

    array = make_node("parquet", exposed_type="numpy")
    array.write(np.array([[1.5, 2.5], [3.5, 4.5]]))
    np.testing.assert_array_equal(array.read(), np.array([[1.5, 2.5], [3.5, 4.5]]))

    people = make_node("parquet", exposed_type=Person)
    people.write([Person("ann", 31), Person("bob", 42)])
    assert people.read() == [Person("ann", 31), Person("bob", 42)]


@pytest.mark.parametrize("compression", ["snappy", "gzip", "brotli", "zstd", "none"])
def test_parquet_compressions(compression):
    dn = make_node("parquet", compression=compression)
    dn.write(FRAME)
    pd.testing.assert_frame_equal(dn.read(), FRAME)


def test_parquet_kwargs_append_and_folder_datasets(tmp_path):
    dn = make_node("parquet", read_kwargs={"columns": ["age"]})
    dn.write(FRAME)
    assert dn.read().columns.tolist() == ["age"]
    assert dn.read_with_kwargs(columns=["name"]).columns.tolist() == ["name"]
    dn.append(FRAME)
    assert dn.read()["age"].tolist() == [31, 42, 53, 31, 42, 53]

    folder = make_node("parquet", default_path=str(tmp_path / "dataset"))
    folder.write_with_kwargs(FRAME, job_id="JOB_9", partition_cols=["name"])
    assert sorted(os.listdir(tmp_path / "dataset")) == ["name=ann", "name=bob", "name=cid"]
    assert folder.job_ids == ["JOB_9"]
    assert sorted(folder.read()["age"].tolist()) == [31, 42, 53]

    flat = make_node("parquet", default_path=str(tmp_path / "flat"))
    os.makedirs(tmp_path / "flat")
    flat.append(FRAME)  # a folder: the append is one more file
    flat.append(FRAME)
    assert len(os.listdir(tmp_path / "flat")) == 2
    assert len(flat.read()) == 6

    memory = make_node("parquet", default_path="memory://scenaria-tests/x.parquet")
    memory.write(FRAME)
    memory.append(FRAME.head(1))
    assert len(memory.read()) == 4


def test_parquet_errors():
    with pytest.raises(UnknownParquetEngine, match="'arrow'"):
        make_node("parquet", engine="arrow")
    with pytest.raises(UnknownCompressionAlgorithm, match="'zip'"):
        make_node("parquet", compression="zip")
    dn = make_node("parquet")
    dn.write(FRAME)
    with pytest.raises(DataNodeWritingError, match=dn.id):
        dn.write(pd.DataFrame({"mixed": [1, "a", 2.5]}))
    pd.testing.assert_frame_equal(dn.read(), FRAME)


# --- what a task returns -----------------------------------------------------------------------------
@pytest.mark.parametrize("storage_type", ["csv", "excel"])
def test_a_list_of_numpy_scalars_is_written_as_one_column(storage_type):
    """Taipy 4.1.1 writes such a list as one column named 0 (read back as "0" from a file's header)."""
    dn = make_node(storage_type, sheet_name="Sheet1") if storage_type == "excel" else make_node(storage_type)
    dn.write([np.int64(1), np.float64(2.5), np.int64(3)])
    frame = dn.read()
    assert list(frame.columns) == ([0] if storage_type == "excel" else ["0"])
    assert frame.iloc[:, 0].tolist() == [1.0, 2.5, 3.0]
    dn.write([1, 2, 3])  # plain Python values too
    assert dn.read().iloc[:, 0].tolist() == [1, 2, 3]


def test_csv_separator_reads_and_writes_with_it(tmp_path):
    """Taipy 4.2's ``separator`` (default ","), for pandas and for class exposed types."""
    path = tmp_path / "semi.csv"
    cfg = tp.Config.configure_csv_data_node("semi", default_path=str(path), separator=";", scope=tp.Scope.GLOBAL)
    assert cfg.separator == ";"
    dn = tp.create_global_data_node(cfg)
    dn.write(FRAME)
    assert path.read_text().splitlines() == ["name;age", "ann;31", "bob;42", "cid;53"]
    pd.testing.assert_frame_equal(dn.read(), FRAME)
    dn.append(FRAME.iloc[:1])
    assert path.read_text().splitlines()[-1] == "ann;31"
    people = make_node("csv", default_path=str(path), separator=";", exposed_type=Person)
    assert people.read()[0] == Person("ann", "31")
    people.write([Person("dan", 64)])
    assert path.read_text().splitlines() == ["name;age", "dan;64"]
    assert make_node("csv", default_path=str(path)).read().columns.tolist() == ["name;age"]  # "," by default
