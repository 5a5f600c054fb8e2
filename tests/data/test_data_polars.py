"""The "polars" exposed type beside "pandas", on the same csv, parquet, excel and sql_table data."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from scenaria.data.filter import JoinOperator, Operator
from scenaria.exceptions import ConfigCheckError
from tests.support.data_nodes import make_node

FRAME = pd.DataFrame({"region": ["eu", "us", "eu", "asia"], "amount": [10, 250, 400, 75]})
POLARS_FRAME = pl.DataFrame({"region": ["eu", "us", "eu", "asia"], "amount": [10, 250, 400, 75]})
BIG_EU = [("amount", 100, Operator.GREATER_THAN), ("region", "eu", Operator.EQUAL)]


def pair(storage_type: str, path: str | None = None, **properties):
    """A pandas and a polars data node on the same storage."""
    pandas_dn = make_node(storage_type, **({"default_path": path} if path else {}), **properties)
    polars_dn = make_node(storage_type, default_path=pandas_dn.path, exposed_type="polars", **properties)
    return pandas_dn, polars_dn


@pytest.mark.parametrize("storage_type", ["csv", "parquet"])
def test_files_read_written_and_filtered_beside_pandas(storage_type, tmp_path):
    pandas_dn, polars_dn = pair(storage_type, str(tmp_path / f"sales.{storage_type}"))
    pandas_dn.write(FRAME)
    read = polars_dn.read()
    assert isinstance(read, pl.DataFrame)
    assert_frame_equal(read, POLARS_FRAME)

    polars_dn.write(POLARS_FRAME.with_columns(pl.col("amount") * 2))  # a polars frame is written too
    assert pandas_dn.read()["amount"].tolist() == [20, 500, 800, 150]

    both = polars_dn.filter(BIG_EU)
    assert isinstance(both, pl.DataFrame) and both["amount"].to_list() == [800]
    either = polars_dn.filter([("region", "us", Operator.EQUAL), ("amount", 20, Operator.EQUAL)], JoinOperator.OR)
    assert either["amount"].to_list() == [20, 500]
    assert pandas_dn.filter(BIG_EU)["amount"].tolist() == both["amount"].to_list()
    assert polars_dn["region"].to_list() == ["eu", "us", "eu", "asia"]


def test_csv_polars_honours_separator_header_and_appends(tmp_path):
    pandas_dn, polars_dn = pair("csv", str(tmp_path / "semi.csv"), separator=";")
    polars_dn.write(POLARS_FRAME)
    assert (tmp_path / "semi.csv").read_text().splitlines()[:2] == ["region;amount", "eu;10"]
    polars_dn.append(POLARS_FRAME.head(1))
    assert polars_dn.read().height == 5 and len(pandas_dn.read()) == 5
    assert polars_dn.filter(("amount", 10, Operator.EQUAL)).height == 2

    headless = make_node("csv", has_header=False, exposed_type="polars")
    headless.write(FRAME)
    assert headless.read().row(0) == ("eu", 10)


def test_csv_polars_other_encodings_go_through_pandas(tmp_path):
    dn = make_node("csv", default_path=str(tmp_path / "latin.csv"), encoding="latin-1", exposed_type="polars")
    dn.write(pd.DataFrame({"city": ["Zürich"], "n": [1]}))
    assert dn.read()["city"].to_list() == ["Zürich"]
    assert dn.filter(("n", 1, Operator.EQUAL))["city"].to_list() == ["Zürich"]


def test_parquet_dataset_folder_scanned_lazily(tmp_path):
    folder = tmp_path / "dataset"
    pandas_dn = make_node("parquet", default_path=str(folder))
    pandas_dn.write_with_kwargs(FRAME, partition_cols=["region"])
    polars_dn = make_node("parquet", default_path=str(folder), exposed_type="polars")
    assert sorted(polars_dn.read()["amount"].to_list()) == [10, 75, 250, 400]
    assert polars_dn.filter(BIG_EU)["amount"].to_list() == [400]


def test_excel_sheets_as_polars(tmp_path):
    pandas_dn, polars_dn = pair("excel", str(tmp_path / "book.xlsx"), sheet_name="sales")
    polars_dn.write(POLARS_FRAME)
    assert_frame_equal(polars_dn.read(), POLARS_FRAME)
    pd.testing.assert_frame_equal(pandas_dn.read(), FRAME)
    assert polars_dn.filter(BIG_EU)["amount"].to_list() == [400]
    mixed = make_node("excel", default_path=pandas_dn.path, exposed_type={"sales": "polars"})
    assert isinstance(mixed.read()["sales"], pl.DataFrame)


def test_sql_table_as_polars(db):
    pandas_dn = make_node("sql_table", table_name="sales", **db)
    polars_dn = make_node("sql_table", table_name="sales", exposed_type="polars", **db)
    polars_dn.write(POLARS_FRAME)
    pd.testing.assert_frame_equal(pandas_dn.read(), FRAME)
    assert_frame_equal(polars_dn.read(), POLARS_FRAME)
    filtered = polars_dn.filter(BIG_EU)  # selected by the database, then a polars frame
    assert isinstance(filtered, pl.DataFrame) and filtered["amount"].to_list() == [400]
    assert polars_dn.filter(("amount", 10**6, Operator.GREATER_THAN)).columns == ["region", "amount"]


def test_polars_is_a_valid_exposed_type_for_the_config_check():
    from scenaria import Config

    Config.configure_csv_data_node("sales", exposed_type="polars")
    Config.check()
    Config.configure_csv_data_node("bad", exposed_type="arrow")
    with pytest.raises(ConfigCheckError, match="'pandas', 'numpy' or 'polars'"):
        Config.check()
