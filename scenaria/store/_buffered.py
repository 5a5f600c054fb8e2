"""Transactions for stores whose medium has none: a per-thread buffer applied at the outermost exit.

The memory and filesystem stores share this. Inside ``transaction()``, writes go to a buffer of
the calling thread (so other threads never see them before the commit, and a rollback is
forgetting the buffer); reads of that thread look at the buffer first, so a transaction sees its
own writes. A nested block snapshots the buffer when it starts and puts the snapshot back if it
raises, which is a savepoint. At the outermost exit the subclass applies the buffer in one go
(``_apply``), under its own lock.

Outside a transaction a write is a buffer of one write, applied at once: one code path for both.

Rows travel as ``(id, body, keys)``: the JSON text (so a caller changing its dict after a save
changes nothing) and the indexed values (so filters never re-parse the body).
"""

from __future__ import annotations

import abc
import threading
from collections.abc import Collection, Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any

from scenaria.exceptions import StoreDamaged, StoreRecordDamaged
from scenaria.store.base import (
    Record,
    Repository,
    body_of,
    check_ids,
    check_kind,
    check_page,
    check_where,
    closed_error,
    decode_record,
    decode_rows,
    encode_record,
    indexed_values,
    matches,
    record_id,
)

Row = tuple[str, str, tuple[Any, ...]]  # (id, JSON body, indexed values)
Where = list[tuple[int, Any]]  # a filter checked by check_where


class Pending:
    """The writes of a transaction not yet applied."""

    __slots__ = ("cleared", "meta", "moved", "records")

    def __init__(self) -> None:
        self.cleared = False  # clear() ran: nothing older than this buffer exists
        self.records: dict[str, dict[str, Row | None]] = {}  # kind -> id -> row, None when deleted
        self.moved: dict[str, set[str]] = {}  # kind -> ids deleted here: they lose their old place
        self.meta: dict[str, str | None] = {}  # key -> JSON text, None when removed

    def copy(self) -> Pending:
        other = Pending()
        other.cleared = self.cleared
        other.records = {kind: dict(rows) for kind, rows in self.records.items()}
        other.moved = {kind: set(ids) for kind, ids in self.moved.items()}
        other.meta = dict(self.meta)
        return other

    def put(self, kind: str, row: Row) -> None:
        rows = self.records.setdefault(kind, {})
        id = row[0]
        if id in rows and rows[id] is None:
            del rows[id]  # saved again after a delete: it goes last
        rows[id] = row

    def delete(self, kind: str, id: str) -> None:
        self.records.setdefault(kind, {})[id] = None
        self.moved.setdefault(kind, set()).add(id)

    def clear(self) -> None:
        self.cleared = True
        self.records = {}
        self.moved = {}
        self.meta = {}


class BufferedRepository(Repository):
    """A repository whose transactions are per-thread write buffers (see the module docstring).

    Subclasses give the committed state through ``_base_*`` methods and write a buffer with
    ``_apply``.
    """

    def __init__(self) -> None:
        self._local = threading.local()
        self._closed = False

    # --- what a subclass provides -----------------------------------------------------------------
    def _encode(self, record: Record) -> str:
        return body_of(record)

    @abc.abstractmethod
    def _base_load(self, kind: str, id: str) -> str | None:
        """The committed JSON body of a record, or None."""

    @abc.abstractmethod
    def _base_rows(self, kind: str, where: Where, also: Collection[str]) -> list[Row]:
        """Committed rows that match ``where`` or whose id is in ``also``, in insertion order."""

    @abc.abstractmethod
    def _base_count(self, kind: str, where: Where) -> int:
        """How many committed rows match ``where``."""

    @abc.abstractmethod
    def _base_get_meta(self, key: str) -> str | None:
        """The committed JSON text of a meta value, or None."""

    @abc.abstractmethod
    def _apply(self, pending: Pending) -> None:
        """Commit a buffer: ``cleared`` first, then every record write in buffer order (a new id
        goes last, an id in ``moved`` goes last, any other keeps its place), then the meta."""

    @abc.abstractmethod
    def _exclusive(self) -> AbstractContextManager[None]:
        """The lock ``_apply`` takes (re-entrant in the thread that holds it), for ``lock_meta``."""

    def _damaged_record(self, kind: str, id: str, problem: str) -> StoreDamaged:
        """The error for a committed record that cannot be read (a back end names its file)."""
        return StoreRecordDamaged(
            f"the {kind} record {id!r} of {type(self).__name__} cannot be read ({problem}): restore the store "
            "from a backup, or run `scenaria doctor --repair`"
        )

    def _decode(self, kind: str, id: str, body: str) -> Record:
        """A committed record's body as a record; a damaged one raises (and refuses writes)."""
        try:
            record = decode_record(body)
        except ValueError as exc:
            raise self._damaged_record(kind, id, f"not JSON: {exc}") from None
        if not isinstance(record, dict):
            raise self._damaged_record(kind, id, f"a JSON {type(record).__name__}, not an object")
        return record

    def _decode_rows(self, kind: str, rows: list[Row]) -> list[Record]:
        try:
            records = decode_rows(rows, 1)
        except ValueError:
            records = []
        if len(records) == len(rows) and all(type(record) is dict for record in records):
            return records
        return [self._decode(kind, row[0], row[1]) for row in rows]  # finds the damaged one

    # --- the buffer ---------------------------------------------------------------------------------
    def _pending(self) -> Pending | None:
        if self._closed:
            raise closed_error(self)
        return getattr(self._local, "pending", None)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Buffer the block's writes; apply them when the outermost block exits without error."""
        local = self._local
        outer = self._pending()
        if outer is None:
            local.pending = Pending()
            try:
                try:
                    yield
                except BaseException:
                    local.pending = None
                    raise
                pending, local.pending = local.pending, None
                self._apply(pending)
            finally:
                held, local.held = getattr(local, "held", None), None
                if held is not None:
                    held.close()
        else:
            snapshot = outer.copy()
            try:
                yield
            except BaseException:
                local.pending = snapshot  # undo this block's writes only
                raise

    def _write(self, pending: Pending | None) -> tuple[Pending, bool]:
        """The buffer to write into, and whether to apply it at once (no transaction open)."""
        return (Pending(), True) if pending is None else (pending, False)

    def _rows(self, kind: str, where: Where) -> list[Row]:
        """Rows as this thread sees them: the committed state overlaid with its buffer."""
        pending = self._pending()
        buffered = pending.records.get(kind) if pending is not None else None
        if not buffered:
            if pending is not None and pending.cleared:
                return []
            return self._base_rows(kind, where, ())
        assert pending is not None
        moved = pending.moved.get(kind, ())
        base = [] if pending.cleared else self._base_rows(kind, where, buffered.keys())
        rows: list[Row] = []
        kept_place: set[str] = set()
        for row in base:
            id = row[0]
            if id not in buffered:
                rows.append(row)
            elif id not in moved:
                kept_place.add(id)
                new = buffered[id]
                if new is not None and matches(new[2], where):
                    rows.append(new)
        for id, new in buffered.items():
            if new is not None and id not in kept_place and matches(new[2], where):
                rows.append(new)
        return rows

    # --- the contract ---------------------------------------------------------------------------------
    def save(self, kind: str, record: Record) -> None:
        check_kind(kind)
        row = (self._check_id(record_id(record)), self._encode(record), indexed_values(record))
        pending, now = self._write(self._pending())
        pending.put(kind, row)
        if now:
            self._apply(pending)

    def load(self, kind: str, id: str) -> Record | None:
        check_kind(kind)
        pending = self._pending()
        if pending is not None:
            buffered = pending.records.get(kind)
            if buffered and id in buffered:
                row = buffered[id]
                return None if row is None else decode_record(row[1])
            if pending.cleared:
                return None
        body = self._base_load(kind, id)
        return None if body is None else self._decode(kind, id, body)

    def find(self, kind: str, *, limit: int | None = None, offset: int = 0, **where: Any) -> list[Record]:
        check_kind(kind)
        rows = self._rows(kind, check_where(where))
        if check_page(limit, offset):  # the rows hold JSON text: only the page is decoded
            rows = rows[offset : None if limit is None else offset + limit]
        return self._decode_rows(kind, rows)

    def count(self, kind: str, **where: Any) -> int:
        check_kind(kind)
        checked = check_where(where)
        pending = self._pending()
        if pending is None or not (pending.cleared or pending.records.get(kind)):
            return self._base_count(kind, checked)
        return len(self._rows(kind, checked))

    def delete(self, kind: str, ids: Iterable[str]) -> None:
        check_kind(kind)
        ids = check_ids(ids)
        pending, now = self._write(self._pending())
        for id in ids:
            pending.delete(kind, id)
        if now:
            self._apply(pending)

    def delete_where(self, kind: str, **where: Any) -> None:
        check_kind(kind)
        checked = check_where(where)
        with self.transaction():
            self.delete(kind, [row[0] for row in self._rows(kind, checked)])

    def get_meta(self, key: str) -> Any:
        pending = self._pending()
        if pending is not None:
            if key in pending.meta:
                body = pending.meta[key]
                return None if body is None else decode_record(body)
            if pending.cleared:
                return None
        body = self._base_get_meta(key)
        return None if body is None else decode_record(body)

    def lock_meta(self, key: str) -> Any:
        """``get_meta``, holding the store's write lock (``_exclusive``) from now until the
        transaction ends: a buffer is written only at commit, so the lock must be taken here for
        another transaction's read-decide-write on the same key to wait for this one's commit."""
        local = self._local
        if self._pending() is not None and getattr(local, "held", None) is None:
            held = ExitStack()
            held.enter_context(self._exclusive())
            local.held = held
        return self.get_meta(key)

    def set_meta(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise TypeError(f"a meta key is a string, got {key!r}")
        body = None if value is None else encode_record(value)
        pending, now = self._write(self._pending())
        pending.meta[key] = body
        if now:
            self._apply(pending)

    def clear(self) -> None:
        pending, now = self._write(self._pending())
        pending.clear()
        if now:
            self._apply(pending)

    def close(self) -> None:
        self._closed = True

    def _check_id(self, id: str) -> str:
        """Hook: a back end may refuse ids it cannot store (the filesystem: path separators)."""
        return id
