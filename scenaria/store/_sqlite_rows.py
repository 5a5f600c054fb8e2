"""The rows of records to save in SQLite, without a NULL parameter.

A None bound to a statement costs ``sqlite3`` about as much as four strings: it looks for an
adapter of ``NoneType`` in its registry, then on the protocol, then on the value, at each value.
A scenario's eight new records bind forty of them (the indexed fields a data node or a task has
not: status, dates, a submission...), a tenth of the instructions of its creation. Their
statement writes NULL instead: one statement per set of indexed fields the records have, and a
run of records with the same set is one ``executemany``, in the records' order (new rows take
their ``seq``, hence their place in listings, in that order).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import compress
from operator import is_not
from typing import Any

from scenaria.store.base import INDEXED_FIELDS, Encoded, Record, body_of, indexed_values, record_id

#: which of ``INDEXED_FIELDS`` a record has (not None), in their order
Present = tuple[bool, ...]

ALL: Present = (True,) * len(INDEXED_FIELDS)
_NONES = (None,) * len(INDEXED_FIELDS)
_STRING_OR_NONE = frozenset({str, type(None)})


def runs(records: Iterable[Record]) -> list[tuple[Present, list[tuple[Any, ...]]]]:
    """The records' rows (id, the indexed values they have, body), in runs of the same ``Present``.

    What ``record_id``, ``indexed_values`` and ``body_of`` do, inline for the records entities
    make (a string id, strings or None, an ``Encoded`` body): three calls fewer per record of a
    creation. Any other record goes through them, and their checks."""
    found: list[tuple[Present, list[tuple[Any, ...]]]] = []
    last: Present | None = None
    rows: list[tuple[Any, ...]] = []
    get = dict.get
    for record in records:
        if type(record) is Encoded and type(key := get(record, "id")) is str and key:
            values = tuple(map(record.get, INDEXED_FIELDS))
            if not _STRING_OR_NONE.issuperset(map(type, values)):
                values = indexed_values(record)
            body = record.body
        else:
            key, values, body = record_id(record), indexed_values(record), body_of(record)
        present = tuple(map(is_not, values, _NONES))
        if present != last:
            rows = []
            found.append((present, rows))
            last = present
        rows.append((key, *compress(values, present), body))
    return found


def values_clause(present: Present) -> str:
    """The ``VALUES`` of a row of ``runs``: a parameter for its id, its indexed values and body,
    NULL for the indexed fields it has not."""
    return ", ".join(["?", *("?" if has else "NULL" for has in present), "?"])
