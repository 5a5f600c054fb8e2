"""The in-memory store: the fast twin of the persistent ones, for tests.

It behaves as the others do, down to the details tests could trip on: records are kept as JSON
text (so a record that would not survive ``json`` fails here too, a tuple comes back as a list,
and the caller's dict is never aliased), queries go through per-field indexes, transactions are
per-thread buffers with savepoints, and a write outside a transaction is applied at once.

It lives and dies with its object: its settings (``{"type": "memory"}``) open a new, empty
store, and it refuses to be pickled, since a copy in another process would silently diverge.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Collection
from contextlib import AbstractContextManager
from typing import Any, NoReturn

from scenaria.store._buffered import BufferedRepository, Pending, Row, Where
from scenaria.store.base import INDEXED_FIELDS, KINDS, matches

_Index = list[dict[Any, set[str]]]  # per indexed field: value -> ids


class MemoryRepository(BufferedRepository):
    """Records in dicts, in insertion order, with an index per indexed field."""

    def __init__(self) -> None:
        super().__init__()
        self.settings: dict[str, Any] = {"type": "memory"}
        self._lock = threading.RLock()
        self._reset()

    def _reset(self) -> None:
        self._tables: dict[str, dict[str, tuple[int, Row]]] = {kind: {} for kind in KINDS}
        self._indexes: dict[str, _Index] = {kind: [{} for _ in INDEXED_FIELDS] for kind in KINDS}
        self._meta: dict[str, str] = {}
        self._seq = itertools.count()

    def __reduce__(self) -> NoReturn:
        raise TypeError(
            "a MemoryRepository cannot cross a process boundary (the copy would be a different store); "
            "use the sqlite or filesystem repository to share records between processes"
        )

    # --- reading --------------------------------------------------------------------------------
    def _base_load(self, kind: str, id: str) -> str | None:
        entry = self._tables[kind].get(id)
        return None if entry is None else entry[1][1]

    def _candidates(self, kind: str, where: Where) -> set[str] | None:
        """Ids that may match: the smallest index hit among the filters (None: no filter)."""
        index = self._indexes[kind]
        best: set[str] | None = None
        for position, wanted in where:
            by_value = index[position]
            if isinstance(wanted, frozenset):
                hit = set().union(*(by_value.get(value, ()) for value in wanted))
            else:
                hit = by_value.get(wanted, set())
            if best is None or len(hit) < len(best):
                best = hit
        return best

    def _base_rows(self, kind: str, where: Where, also: Collection[str]) -> list[Row]:
        with self._lock:
            table = self._tables[kind]
            candidates = self._candidates(kind, where)
            if candidates is None:
                return [row for _, row in table.values()]
            ids = candidates.union(id for id in also if id in table) if also else candidates
            entries = sorted(table[id] for id in ids)
            return [row for _, row in entries if row[0] in also or matches(row[2], where)]

    def _base_count(self, kind: str, where: Where) -> int:
        with self._lock:
            candidates = self._candidates(kind, where)
            if candidates is None:
                return len(self._tables[kind])
            table = self._tables[kind]
            return sum(1 for id in candidates if matches(table[id][1][2], where))

    def _base_get_meta(self, key: str) -> str | None:
        return self._meta.get(key)

    # --- writing ----------------------------------------------------------------------------------
    def _exclusive(self) -> AbstractContextManager[None]:
        return self._lock  # type: ignore[return-value]

    def _apply(self, pending: Pending) -> None:
        with self._lock:
            if pending.cleared:
                self._reset()
            for kind, rows in pending.records.items():
                table = self._tables[kind]
                index = self._indexes[kind]
                moved = pending.moved.get(kind, ())
                for id, row in rows.items():
                    old = table.get(id)
                    if old is not None and (row is None or id in moved):
                        del table[id]
                        _unindex(index, id, old[1][2])
                        old = None
                    if row is None:
                        continue
                    if old is None:
                        table[id] = (next(self._seq), row)
                        _index(index, id, row[2])
                    else:
                        table[id] = (old[0], row)
                        if old[1][2] != row[2]:
                            _unindex(index, id, old[1][2])
                            _index(index, id, row[2])
            for key, body in pending.meta.items():
                if body is None:
                    self._meta.pop(key, None)
                else:
                    self._meta[key] = body

    def close(self) -> None:
        super().close()
        with self._lock:
            self._reset()


def _index(index: _Index, id: str, keys: tuple[Any, ...]) -> None:
    for by_value, value in zip(index, keys, strict=True):
        by_value.setdefault(value, set()).add(id)


def _unindex(index: _Index, id: str, keys: tuple[Any, ...]) -> None:
    for by_value, value in zip(index, keys, strict=True):
        ids = by_value.get(value)
        if ids is not None:
            ids.discard(id)
            if not ids:
                del by_value[value]
