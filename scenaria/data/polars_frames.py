"""The ``"polars"`` exposed type: polars DataFrames in and out of tabular data nodes.

csv and parquet data nodes read with polars itself (``pl.read_csv``/``pl.read_parquet``), and
their ``filter`` scans lazily (``pl.scan_csv``/``pl.scan_parquet`` + ``filter``), so polars
pushes the conditions into the scan and only matching rows are materialised. excel and sql
data nodes read as before and hand over a polars DataFrame (sql builds it from the rows the
database returned, after a ``filter`` that already ran in the database).

Writing a polars DataFrame (or LazyFrame) goes through the data node's usual writer after a
conversion to pandas that needs no pyarrow. polars is imported only here, and only when used.
"""

from __future__ import annotations

from typing import Any

from scenaria.data.extras import require
from scenaria.data.filter import JoinOperator, polars_expression

POLARS = "polars"


def polars(purpose: str) -> Any:
    return require("polars", purpose)


def is_polars(data: Any) -> bool:
    """True for a polars DataFrame or LazyFrame (checked by module: polars is not imported for it)."""
    return type(data).__module__.split(".", 1)[0] == "polars" and type(data).__name__ in ("DataFrame", "LazyFrame")


def to_pandas(data: Any, pd: Any) -> Any:
    """A pandas DataFrame with the same columns, without pyarrow (which ``to_pandas`` needs)."""
    frame = data.collect() if type(data).__name__ == "LazyFrame" else data
    return pd.DataFrame(frame.to_dict(as_series=False), columns=frame.columns)


def from_pandas(frame: Any, purpose: str) -> Any:
    return polars(purpose).from_pandas(frame)


def from_rows(columns: list[str], rows: list[Any], purpose: str) -> Any:
    """A polars DataFrame from a database's rows (tuples), with no pandas in between."""
    pl = polars(purpose)
    if not rows:
        return pl.DataFrame({name: [] for name in columns})
    return pl.DataFrame([tuple(row) for row in rows], schema=columns, orient="row")


def expression(conditions: Any, join: Any, purpose: str) -> Any:
    """One polars expression for ``(column, value, Operator)`` conditions joined by ``join``."""
    return polars_expression(polars(purpose), conditions, join or JoinOperator.AND)
