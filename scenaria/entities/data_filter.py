"""Filtering and indexing the data of a data node, whatever shape it has.

Works on pandas and polars DataFrames, numpy arrays (conditions on column indexes), lists of
dicts or of objects, and dicts of those (e.g. Excel sheets). pandas, numpy and polars are only
touched when the data already is one of theirs, so nothing here imports them.
"""

from __future__ import annotations

import enum
import operator as op
import sys
from collections.abc import Callable
from typing import Any

from scenaria.exceptions import InvalidFilter


class Operator(enum.Enum):
    EQUAL = 1
    NOT_EQUAL = 2
    LESS_THAN = 3
    LESS_OR_EQUAL = 4
    GREATER_THAN = 5
    GREATER_OR_EQUAL = 6


class JoinOperator(enum.Enum):
    AND = 1
    OR = 2


_COMPARE: dict[Operator, Callable[[Any, Any], Any]] = {
    Operator.EQUAL: op.eq,
    Operator.NOT_EQUAL: op.ne,
    Operator.LESS_THAN: op.lt,
    Operator.LESS_OR_EQUAL: op.le,
    Operator.GREATER_THAN: op.gt,
    Operator.GREATER_OR_EQUAL: op.ge,
}


def checked_conditions(conditions: Any, join: Any = JoinOperator.AND) -> list[tuple[Any, Any, Operator]]:
    """``conditions`` as a list of ``(key, value, Operator)``; ``InvalidFilter`` naming what is wrong."""
    if not isinstance(join, JoinOperator):
        raise InvalidFilter(f"join={join!r} is not a JoinOperator; use JoinOperator.AND or JoinOperator.OR")
    items = [conditions] if isinstance(conditions, tuple) else conditions
    if not isinstance(items, list):
        raise InvalidFilter(f"{conditions!r}: a filter is a (key, value, Operator) tuple or a list of them")
    for item in items:
        if not isinstance(item, (tuple, list)) or len(item) != 3 or not isinstance(item[2], Operator):
            known = ", ".join(f"Operator.{o.name}" for o in Operator)
            raise InvalidFilter(f"{item!r}: a filter condition is (key, value, Operator) with one of {known}")
    return items


def filter_data(data: Any, conditions: Any, join: JoinOperator = JoinOperator.AND) -> Any:
    """The part of ``data`` matching ``(key, value, Operator)`` conditions joined by ``join``."""
    conditions = checked_conditions(conditions, join)
    if data is None:
        return None
    if isinstance(data, dict) and not _is_record(data):
        return {name: filter_data(part, conditions, join) for name, part in data.items()}
    kind = _library(data)
    if kind == "polars":
        return data.filter(polars_expression(sys.modules["polars"], conditions, join))
    if kind in ("pandas", "numpy"):
        masks = [_COMPARE[cond](_column(data, key, kind), value) for key, value, cond in conditions]
        mask = masks[0]
        for other in masks[1:]:
            mask = (mask & other) if join is JoinOperator.AND else (mask | other)
        return data[mask]
    combine = all if join is JoinOperator.AND else any
    return [row for row in data if combine(_matches(_field(row, key), value, cond) for key, value, cond in conditions)]


def polars_expression(pl: Any, conditions: Any, join: JoinOperator = JoinOperator.AND) -> Any:
    """One polars expression for ``(column, value, Operator)`` conditions (for ``filter`` or a lazy scan)."""
    conditions = checked_conditions(conditions, join)
    parts = [_COMPARE[cond](pl.col(str(key)), value) for key, value, cond in conditions]
    combined = parts[0]
    for part in parts[1:]:
        combined = (combined & part) if join is JoinOperator.AND else (combined | part)
    return combined


def get_item(data: Any, key: Any) -> Any:
    """``data[key]`` for a key, an index, a slice, a boolean mask or a list of columns."""
    if isinstance(data, list) and isinstance(key, list) and key and isinstance(key[0], bool):
        return [row for row, keep in zip(data, key, strict=True) if keep]
    if isinstance(data, list) and isinstance(key, (str, list)) and data and not isinstance(data[0], list):
        keys = [key] if isinstance(key, str) else key
        rows = [{k: _field(row, k) for k in keys} for row in data]
        return [row[key] for row in rows] if isinstance(key, str) else rows
    return data[key]


def _is_record(data: dict[str, Any]) -> bool:
    return not any(isinstance(value, (list, dict)) or _library(value) for value in data.values())


def _library(data: Any) -> str | None:
    module = type(data).__module__.split(".", 1)[0]
    return module if module in ("pandas", "numpy", "polars") else None


def _column(data: Any, key: Any, kind: str) -> Any:
    return data[key] if kind == "pandas" else data[:, key]


def _field(row: Any, key: Any) -> Any:
    if isinstance(row, dict):
        return row.get(key)
    if isinstance(row, (list, tuple)):
        return row[key]
    return getattr(row, key, None)


def _matches(actual: Any, expected: Any, condition: Operator) -> bool:
    try:
        return bool(_COMPARE[condition](actual, expected))
    except TypeError:
        return False
