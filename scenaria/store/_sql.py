"""What the SQL stores (SQLite and PostgreSQL) share: the columns, the ``WHERE`` clause of a filter,
the transaction (``BEGIN``/``COMMIT`` and savepoints) and the write locks.

Each store keeps its own dialect (schema, upsert, list parameters) and imports the rest from here.
"""

from __future__ import annotations

import functools
import json
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from scenaria.exceptions import StoreRecordDamaged
from scenaria.store.base import INDEXED_FIELDS, check_where, encode_record

COLUMNS = ", ".join(f'"{field}"' for field in INDEXED_FIELDS)

# Which filter drives the query when several are given: the most selective kind of value first
# (ids before dates before status names before versions, which every record of a run shares).
# SQLite has no statistics unless ANALYZE ran, so it is told: the other filters are written
# ``+col``, which keeps them from being picked as the index.
_SELECTIVITY = ("task_id", "submit_id", "entity_id", "owner_id", "config_id", "creation_date", "status", "version")
_DRIVER_RANK = {INDEXED_FIELDS.index(field): rank for rank, field in enumerate(_SELECTIVITY)}

_COLUMNS = ", ".join(f'"{field}"' for field in INDEXED_FIELDS)

ListTerm = Callable[[str, list[Any], list[Any]], str]


def _holds_none(value: Any) -> bool:
    return isinstance(value, frozenset) and None in value


def _json_each(column: str, members: list[Any], params: list[Any]) -> str:
    params.append(encode_record(members))
    return f"{column} IN (SELECT value FROM json_each(?))"


def where_clause(
    where: dict[str, Any],
    *,
    placeholder: str = "?",
    list_term: ListTerm = _json_each,
    adapt: Callable[[Any], Any] | None = None,
    hint: bool = True,
    indexes: tuple[str, ...] = INDEXED_FIELDS,
) -> tuple[str, list[Any]] | None:
    """The SQL ``WHERE`` clause and parameters of a filter; None when it can match nothing.

    A list filter is one parameter (``col IN (SELECT value FROM json_each(?))`` here), so a
    filter of any length is one cached statement. None is ``IS NULL``. With ``hint``, only the
    most selective filter on a column in ``indexes`` may use an index (see ``_SELECTIVITY``). ``placeholder``,
    ``list_term`` and ``adapt`` (applied to each scalar parameter) let another SQL dialect say
    it its way.
    """
    checked = []
    for position, value in check_where(where):
        if isinstance(value, frozenset):
            if not value:
                return None
            if len(value) == 1:
                (value,) = value
        checked.append((position, value))
    if not checked:
        return "", []
    driver = None
    if hint:
        # a None (IS NULL, or OR-ed into a list) rarely narrows much: never the driver
        drivers = [
            pos
            for pos, value in checked
            if value is not None and not _holds_none(value) and INDEXED_FIELDS[pos] in indexes
        ]
        driver = min(drivers, key=_DRIVER_RANK.__getitem__) if drivers else None
    terms: list[str] = []
    params: list[Any] = []
    for position, value in checked:
        column = f'"{INDEXED_FIELDS[position]}"'
        if driver is not None and position != driver:
            column = "+" + column
        if isinstance(value, frozenset):
            term = list_term(column, [member for member in value if member is not None], params)
            terms.append(f"({term} OR {column} IS NULL)" if None in value else term)
        elif value is None:
            terms.append(f"{column} IS NULL")
        else:
            terms.append(f"{column} = {placeholder}")
            params.append(value if adapt is None else adapt(value))
    return " WHERE " + " AND ".join(terms), params


_Method = TypeVar("_Method", bound=Callable[..., Any])


def reads(method: _Method) -> _Method:
    """A store method whose damage found on the way (a body that is not JSON; for the back end,
    ``_damage_of``: SQLite's "malformed") is a ``StoreDamaged`` naming the store, and makes the
    store refuse writes."""

    @functools.wraps(method)
    def guarded(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except json.JSONDecodeError as exc:  # a body changed behind scenaria's back
            table = args[0] if args and isinstance(args[0], str) else "meta"
            raise self.found_damaged(
                StoreRecordDamaged(
                    f"{self.location}: a record of the table {table!r} is not JSON ({exc}): restore the store "
                    "from a backup, or run `scenaria doctor` to find it"
                )
            ) from None
        except Exception as exc:
            damage = self._damage_of(exc)
            if damage is None:
                raise
            raise damage from None

    return guarded  # type: ignore[return-value]


def writes(method: _Method) -> _Method:
    """``reads``, and no write into a store found damaged."""
    read = reads(method)

    @functools.wraps(method)
    def guarded(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.refuse_writes_if_damaged()
        return read(self, *args, **kwargs)

    return guarded  # type: ignore[return-value]


class InProcessWriter:
    """The write lock of one process, for a store that allows one writer at a time.

    SQLite lets one connection write at a time; a second one that wants to write waits in
    SQLite's busy handler, which sleeps (1, 2, 5, 10 ms and more) between tries. Between the
    threads of one process (the orchestrator's scheduler, the thread receiving the workers'
    reports, the caller creating scenarios) that sleep would be the latency of every job: so
    they queue on this lock instead, and are woken the moment the writer is done. Other processes
    still meet the busy handler. After a ``fork`` the child gets a fresh lock.
    """

    __slots__ = ("_lock", "_pid")

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._pid = os.getpid()

    def acquire(self) -> None:
        if self._pid != os.getpid():
            self._lock, self._pid = threading.RLock(), os.getpid()
        self._lock.acquire()

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> None:
        self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


class NoWriter:
    """For stores whose server lets several connections write at once (PostgreSQL)."""

    __slots__ = ()

    def acquire(self) -> None:
        pass

    def release(self) -> None:
        pass


class SQLTransaction:
    """``BEGIN`` ... ``COMMIT`` at depth 0, a savepoint deeper, on this thread's connection.

    Shared by the SQL stores: the repository gives ``_threads`` (a ``PerThread``), ``_BEGIN``,
    ``_in_transaction(conn)`` and ``_writer``, a lock held by the outermost transaction (see
    ``InProcessWriter``); ``conn`` is whatever has an ``execute(sql)`` method.
    """

    __slots__ = ("_conn", "_repo")

    def __init__(self, repo: Any) -> None:
        self._repo = repo

    def __enter__(self) -> None:
        repo = self._repo
        threads = repo._threads
        conn = self._conn = threads.get()
        local = threads.local  # (its depth was set by ``get``: no property call)
        depth = local.depth
        if depth == 0:
            repo._writer.acquire()
            try:
                conn.execute(repo._BEGIN)
            except BaseException:
                repo._writer.release()
                raise
        else:
            conn.execute(f"SAVEPOINT s{depth}")
        local.depth = depth + 1

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        repo = self._repo
        local = repo._threads.local
        depth = local.depth - 1
        local.depth = depth
        if depth:
            self._end(exc_type, depth)
            return
        try:
            self._end(exc_type, depth)
        finally:
            repo._writer.release()

    def _end(self, exc_type: type[BaseException] | None, depth: int) -> None:
        repo, conn = self._repo, self._conn
        if exc_type is None:
            if depth:
                conn.execute(f"RELEASE SAVEPOINT s{depth}")
                return
            try:
                conn.execute("COMMIT")
            except BaseException:
                if repo._in_transaction(conn):
                    conn.execute("ROLLBACK")
                raise
        elif repo._in_transaction(conn):  # the database may have rolled back by itself (disk full)
            if depth:
                conn.execute(f"ROLLBACK TO SAVEPOINT s{depth}")
                conn.execute(f"RELEASE SAVEPOINT s{depth}")
            else:
                conn.execute("ROLLBACK")
