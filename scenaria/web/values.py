"""Reading and writing a data node's value as JSON.

A read is paged: a DataFrame gives one page of records with its columns and their types, a list
one slice, a long text one chunk; each names the next page. A write takes plain JSON and checks it
against the node's exposed type (records for a DataFrame node, a list for a numpy one, the kind of
the current value otherwise) before anything is written.
"""

from __future__ import annotations

from typing import Any

from scenaria.web.serialize import jsonable

__all__ = ["MAX_TEXT", "BadValue", "converted", "page_of"]

#: The longest text returned in one read; longer texts are cut and continue on the next page.
MAX_TEXT = 100_000


class BadValue(Exception):
    """A body that does not fit the data node: the field at fault and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _next(path: str, offset: int, limit: int, total: int) -> str | None:
    return f"{path}?offset={offset + limit}&limit={limit}" if offset + limit < total else None


def page_of(value: Any, offset: int, limit: int, path: str) -> dict[str, Any]:
    """One page of ``value`` as JSON, with ``next`` the address of the following page (or None)."""
    if _is_frame(value):
        total = len(value)
        rows = value.iloc[offset : offset + limit]
        return {
            "data": jsonable(rows.to_dict(orient="records")),
            "columns": [str(name) for name in value.columns],
            "types": {str(name): str(kind) for name, kind in value.dtypes.items()},
            "total": total,
            "offset": offset,
            "limit": limit,
            "next": _next(path, offset, limit, total),
        }
    if isinstance(value, list | tuple) or _is_array(value):
        total = len(value)
        return {
            "data": jsonable(list(value[offset : offset + limit])),
            "total": total,
            "offset": offset,
            "limit": limit,
            "next": _next(path, offset, limit, total),
        }
    if isinstance(value, str) and len(value) > MAX_TEXT:
        total = len(value)
        return {
            "data": value[offset : offset + MAX_TEXT],
            "truncated": True,
            "total": total,
            "offset": offset,
            "limit": MAX_TEXT,
            "next": _next(path, offset, MAX_TEXT, total),
        }
    return {"data": jsonable(value)}


def _is_frame(value: Any) -> bool:
    return type(value).__name__ == "DataFrame" and hasattr(value, "iloc")


def _is_array(value: Any) -> bool:
    return type(value).__name__ == "ndarray" and getattr(value, "ndim", 0) >= 1


_KINDS: list[tuple[type | tuple[type, ...], str]] = [
    (bool, "a boolean"),
    ((int, float), "a number"),
    (str, "a string"),
    ((list, tuple), "a list"),
    (dict, "an object"),
]


def _kind(value: Any) -> str | None:
    for types, name in _KINDS:
        if isinstance(value, types):
            return name
    return None


def converted(exposed_type: Any, current: Any, body: Any) -> Any:
    """The value to write for JSON ``body``; `BadValue` when it does not fit the node."""
    if exposed_type == "pandas" or _is_frame(current):
        if not isinstance(body, list) or not all(isinstance(row, dict) for row in body):
            raise BadValue("value", "expected a list of records (objects mapping column to value) for a DataFrame")
        import pandas as pd

        return pd.DataFrame.from_records(body)
    if exposed_type == "numpy" or _is_array(current):
        if not isinstance(body, list):
            raise BadValue("value", "expected a list (of rows) for a numpy array")
        import numpy as np

        return np.array(body)
    expected = _kind(current)
    actual = _kind(body)
    if current is not None and body is not None and expected is not None and expected != actual:
        raise BadValue("value", f"expected {expected} like the node's current value, got {actual or 'null'}")
    return body
