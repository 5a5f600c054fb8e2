"""The PostgreSQL store: the store of several hosts (Dask workers, several app servers).

The same shape as the SQLite store, which it mirrors statement for statement:

- a table per kind in its own schema (``scenaria`` unless told, so the tables never mix with an
  application's), the indexed fields as ``jsonb`` columns with partial indexes, the record as
  JSON text in ``body`` (text, not ``jsonb``: it keeps the record as written, key order and
  all), and a ``BIGSERIAL`` ``seq`` for the insertion order; a save is ``INSERT ... ON
  CONFLICT (id) DO UPDATE``, so a replaced record keeps its place;
- ``jsonb`` for the indexed values because they are JSON scalars: ``"1"`` and ``1`` stay
  different, as they are in every other store;
- one connection per thread (``psycopg2``, autocommit, explicit ``BEGIN``), nested
  transactions as savepoints, writers of several processes and hosts waiting on row locks
  (PostgreSQL's default read-committed isolation);
- the schema created once, under an advisory lock, so that processes starting together do
  not trip over each other.

Needs ``pip install 'scenaria[postgresql]'`` (psycopg2).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from typing import Any

from scenaria.exceptions import DependencyNotInstalled, StoreDamaged
from scenaria.store._sql import COLUMNS, NoWriter, SQLTransaction, reads, where_clause, writes
from scenaria.store._threads import PerThread
from scenaria.store.base import (
    INDEXED_FIELDS,
    KINDS,
    Record,
    Repository,
    body_of,
    check_ids,
    check_kind,
    check_page,
    closed_error,
    decode_record,
    decode_rows,
    encode_record,
    indexed_values,
    record_id,
)

SCHEMA_VERSION = 1
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


def _psycopg2() -> Any:
    try:
        import psycopg2
        import psycopg2.extensions
    except ImportError as exc:
        raise DependencyNotInstalled("the postgresql store needs psycopg2: pip install 'scenaria[postgresql]'") from exc
    return psycopg2


def _any_of(column: str, members: list[Any], params: list[Any]) -> str:
    params.append([encode_record(member) for member in members])
    return f"{column} = ANY(%s::jsonb[])"


def _indexed_params(record: Record) -> list[Any]:
    return [None if value is None else encode_record(value) for value in indexed_values(record)]


class PostgreSQLRepository(Repository):
    """Records in the tables of ``schema`` in the database at ``url``.

    ``url`` is a libpq connection string or URL (``postgresql://user:password@host:5432/db``).
    """

    _BEGIN = "BEGIN"

    def __init__(self, url: str, *, schema: str = "scenaria") -> None:
        if not isinstance(schema, str) or not _IDENTIFIER.fullmatch(schema):
            raise ValueError(f"a PostgreSQL schema name is a plain identifier (letters, digits, _), got {schema!r}")
        self._pg = _psycopg2()
        self.url = url
        self.schema = schema
        self.settings: dict[str, Any] = {"type": "postgresql", "url": url}
        if schema != "scenaria":
            self.settings["schema"] = schema
        self._tables = {kind: f'"{schema}"."{kind}"' for kind in KINDS}
        self._meta = f'"{schema}".meta'
        self._save_sql = {kind: self._upsert_sql(kind) for kind in KINDS}
        self._threads: PerThread[Any] = PerThread(self._connect, _close_cursor, lambda: closed_error(self))
        self._writer = NoWriter()  # the server serialises conflicting writes itself
        self._create_schema()

    # --- connections ------------------------------------------------------------------------------
    def _connect(self) -> Any:
        """A cursor on a new autocommit connection (transactions are explicit ``BEGIN``\\ s)."""
        conn = self._pg.connect(self.url)
        try:
            conn.autocommit = True
            return conn.cursor()
        except BaseException:
            conn.close()
            raise

    def _in_transaction(self, cursor: Any) -> bool:
        return cursor.connection.info.transaction_status != self._pg.extensions.TRANSACTION_STATUS_IDLE

    def _execute(self, sql: str, params: Iterable[Any] = ()) -> Any:
        cursor = self._threads.get()
        cursor.execute(sql, tuple(params) if params else None)
        return cursor

    def _upsert_sql(self, kind: str) -> str:
        values = ", ".join(["%s", *(["%s::jsonb"] * len(INDEXED_FIELDS)), "%s"])
        updates = ", ".join(f'"{field}" = EXCLUDED."{field}"' for field in (*INDEXED_FIELDS, "body"))
        return (
            f"INSERT INTO {self._tables[kind]} (id, {COLUMNS}, body) VALUES ({values}) "
            f"ON CONFLICT (id) DO UPDATE SET {updates}"
        )

    def _schema_made(self) -> bool:
        # pg_tables read by a query sees what committed before it began (to_regclass reads a
        # cache that an advisory lock does not refresh)
        sql = "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = %s AND tablename = 'schema_version'"
        return bool(self._execute(sql, [self.schema]).fetchone()[0])

    def _create_schema(self) -> None:
        if self._schema_made():
            self._check_version()
            return
        with self.transaction():
            # processes starting together: one creates, the others wait and find it done
            lock = zlib.crc32(f"scenaria:{self.schema}".encode())
            self._execute("SELECT pg_advisory_xact_lock(%s)", [lock])
            if self._schema_made():  # made meanwhile: no DDL, even IF NOT EXISTS, now that others
                self._check_version()  # write (its table locks would deadlock with their writes)
                return
            self._execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            for kind, table in self._tables.items():
                columns = ", ".join(f'"{field}" JSONB' for field in INDEXED_FIELDS)
                self._execute(
                    f"CREATE TABLE IF NOT EXISTS {table} "
                    f"(seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, {columns}, body TEXT NOT NULL)"
                )
                for field in INDEXED_FIELDS:
                    self._execute(
                        f'CREATE INDEX IF NOT EXISTS "{kind}_{field}" ON {table} ("{field}") '
                        f'WHERE "{field}" IS NOT NULL'
                    )
            self._execute(f"CREATE TABLE IF NOT EXISTS {self._meta} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            self._execute(f'CREATE TABLE IF NOT EXISTS "{self.schema}".schema_version (version INTEGER NOT NULL)')
            if self._execute(f'SELECT count(*) FROM "{self.schema}".schema_version').fetchone()[0] == 0:
                self._execute(f'INSERT INTO "{self.schema}".schema_version VALUES (%s)', [SCHEMA_VERSION])
        self._check_version()

    def _check_version(self) -> None:
        row = self._execute(f'SELECT max(version) FROM "{self.schema}".schema_version').fetchone()
        if row[0] is not None and row[0] > SCHEMA_VERSION:
            raise ValueError(
                f"schema {self.schema!r} was written by a newer scenaria "
                f"(schema {row[0]}, this one reads {SCHEMA_VERSION}): upgrade scenaria"
            )

    def close(self) -> None:
        """Close every connection of every thread. Using the repository afterwards is an error."""
        self._threads.close()

    # --- the contract -----------------------------------------------------------------------------
    def transaction(self) -> SQLTransaction:
        self.refuse_writes_if_damaged()
        return SQLTransaction(self)

    def _table(self, kind: str) -> str:
        try:
            return self._tables[kind]
        except KeyError:
            check_kind(kind)
            raise

    def _where(self, where: dict[str, Any]) -> tuple[str, list[Any]] | None:
        return where_clause(where, placeholder="%s::jsonb", list_term=_any_of, adapt=encode_record, hint=False)

    @property
    def location(self) -> str:
        return f"the PostgreSQL schema {self.schema!r}"

    def _damage_of(self, exc: BaseException) -> StoreDamaged | None:
        return None  # the server keeps its files whole; only bodies changed by hand are damage

    @writes
    def save(self, kind: str, record: Record) -> None:
        self._table(kind)  # checks the kind
        self._execute(self._save_sql[kind], [record_id(record), *_indexed_params(record), body_of(record)])

    @writes
    def save_many(self, kind: str, records: Iterable[Record]) -> None:
        self._table(kind)
        rows = [(record_id(r), *_indexed_params(r), body_of(r)) for r in records]
        if not rows:
            return
        with self.transaction():
            self._threads.get().executemany(self._save_sql[kind], rows)

    @reads
    def load(self, kind: str, id: str) -> Record | None:
        row = self._execute(f"SELECT body FROM {self._table(kind)} WHERE id = %s", [id]).fetchone()
        return None if row is None else decode_record(row[0])

    @reads
    def load_many(self, kind: str, ids: Iterable[str]) -> list[Record]:
        table = self._table(kind)
        ids = check_ids(ids)
        if not ids:
            return []
        bodies = dict(self._execute(f"SELECT id, body FROM {table} WHERE id = ANY(%s)", [ids]).fetchall())
        return decode_rows([(bodies[id],) for id in ids if id in bodies])

    @reads
    def exists(self, kind: str, id: str) -> bool:
        return self._execute(f"SELECT 1 FROM {self._table(kind)} WHERE id = %s", [id]).fetchone() is not None

    @reads
    def find(self, kind: str, *, limit: int | None = None, offset: int = 0, **where: Any) -> list[Record]:
        table = self._table(kind)
        paged = check_page(limit, offset)
        clause = self._where(where)
        if clause is None:
            return []
        sql, params = clause
        if paged:  # LIMIT NULL is no limit in PostgreSQL
            sql, params = f"{sql} ORDER BY seq LIMIT %s OFFSET %s", [*params, limit, offset]
        else:
            sql = f"{sql} ORDER BY seq"
        return decode_rows(self._execute(f"SELECT body FROM {table}{sql}", params).fetchall())

    @reads
    def count(self, kind: str, **where: Any) -> int:
        table = self._table(kind)
        clause = self._where(where)
        if clause is None:
            return 0
        sql, params = clause
        return self._execute(f"SELECT count(*) FROM {table}{sql}", params).fetchone()[0]

    @writes
    def delete(self, kind: str, ids: Iterable[str]) -> None:
        table = self._table(kind)
        ids = check_ids(ids)
        if ids:
            self._execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [ids])

    @writes
    def delete_where(self, kind: str, **where: Any) -> None:
        table = self._table(kind)
        clause = self._where(where)
        if clause is not None:
            sql, params = clause
            self._execute(f"DELETE FROM {table}{sql}", params)

    @reads
    def get_meta(self, key: str) -> Any:
        row = self._execute(f"SELECT value FROM {self._meta} WHERE key = %s", [key]).fetchone()
        return None if row is None else decode_record(row[0])

    def lock_meta(self, key: str) -> Any:
        # read-committed transactions would both read the old value: an advisory lock on the
        # key, released at commit, makes them take turns (it also covers a key not yet there)
        self._execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [self._meta + key])
        return self.get_meta(key)

    @writes
    def set_meta(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise TypeError(f"a meta key is a string, got {key!r}")
        if value is None:
            self._execute(f"DELETE FROM {self._meta} WHERE key = %s", [key])
        else:
            self._execute(
                f"INSERT INTO {self._meta} (key, value) VALUES (%s, %s) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                [key, encode_record(value)],
            )

    @writes
    def clear(self) -> None:
        with self.transaction():
            for table in self._tables.values():
                self._execute(f"DELETE FROM {table}")
            self._execute(f"DELETE FROM {self._meta}")


def _close_cursor(cursor: Any) -> None:
    cursor.connection.close()
