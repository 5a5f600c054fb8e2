"""The default store: one SQLite file, in WAL mode, through the standard library's ``sqlite3``.

Why this shape:

- **One table per kind**, the indexed fields as real indexed columns beside the JSON body, and
  an ``INTEGER PRIMARY KEY`` ``seq`` that gives the insertion order (an explicit one, so that
  ``VACUUM`` never renumbers it). A save is ``INSERT ... ON CONFLICT(id) DO UPDATE``: a
  replaced record keeps its row, hence its place; the update leaves the columns with an index
  alone while their values stay (``_sparing_save_sql``). Loading by id and filtering are index
  lookups, so their cost does not grow with the store.
- **Partial indexes** (``WHERE col IS NOT NULL``): a record has a few of the eight indexed
  fields (a job has no ``config_id``, a task no ``status``), and a NULL costs no index entry, so
  a save touches only the indexes of the fields it has. That makes a commit of a scenario's
  seven records ~30% cheaper than full indexes. The price: a filter that is only ``None``
  (``find("data_node", owner_id=None)``) reads the whole table of its kind; with any other
  filter beside it (``config_id=...``), that other filter's index is used.
- **WAL, ``synchronous=NORMAL``**: readers never block the writer nor each other, and a commit
  costs no fsync (a power cut may lose the last commits, never corrupt the file).
- **Checkpoints off the commit**: a thread of the store's process copies the log back into the
  file every 32 commits (``_checkpoint``), so that no commit pays for the hundreds before it.
- **One connection per thread** (``sqlite3`` connections must not be shared by threads mid
  statement), all closed by ``close()``; connections of threads that ended are closed when the
  next thread connects. After a ``fork`` the child opens its own.
- **Waiting, not failing, on contention**: several processes may open the file (the
  orchestrator writes job states while another process creates scenarios). Every connection has
  a busy timeout, and a transaction starts with ``BEGIN IMMEDIATE``, which takes the write lock
  up front, so a writer waits its turn instead of failing with "database is locked" half way.
  The flip side: a thread inside a transaction holds the write lock, so it must not wait for
  another thread or process that wants to write the store.
- **Nested transactions are savepoints**: an inner block that raises undoes its own writes.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterable
from typing import Any

from scenaria.exceptions import StoreDamaged, StoreError, StoreSchemaTooNew
from scenaria.store import _config_ids, _sqlite_rows
from scenaria.store._checkpoint import Checkpointer
from scenaria.store._sql import COLUMNS, InProcessWriter, SQLTransaction, reads, writes
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

# 2: scenarios, tasks and data nodes are found by config id through their id index (``_config_ids``)
SCHEMA_VERSION = 2
_SQLITE_CORRUPT, _SQLITE_NOTADB = 11, 26  # SQLite's result codes (sqlite3 names them from Python 3.11)
_CACHE_KIB = 8192  # page cache per connection (SQLite's default is 2 MiB)
# The writers' own checkpoint, for when the checkpointing thread (``_checkpoint``) falls behind.
# While writers keep committing, that thread's checkpoints copy what is there but the log cannot
# start over (a commit came in meanwhile): it grows until a writer checkpoints the few pages left
# and restarts it, at this size (a WAL of 64 MB at most). At 4,000 pages a burst of scenario
# creations (~26 pages a commit then) paid that every ~150 commits; at 16,000, every ~600.
_CHECKPOINT_PAGES = 16000

# The columns worth an index, by kind: those the public API looks records up by. Every record of
# a run shares its version, most share a status, and nothing looks a task or a data node up by
# owner: an index on those would not narrow a query (SQLite scans as fast) but every commit
# would write one more page for each (a commit costs about its number of pages). Scenarios, tasks
# and data nodes are looked up by config id through their id index instead (``_config_ids``).
_INDEXES: dict[str, tuple[str, ...]] = {
    "scenario": ("owner_id",),
    "job": ("task_id", "submit_id"),
    "submission": ("entity_id",),
}

# The kinds whose records a creation saves (a scenario's data nodes, tasks, itself): saved with
# rows that bind no NULL (``_sqlite_rows``). Jobs and submissions keep one statement per kind.
_CREATED = frozenset(_config_ids.PREFIXES)


def _schema() -> list[str]:
    statements = []
    for kind in KINDS:
        statements.append(
            f'CREATE TABLE IF NOT EXISTS "{kind}" (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, '
            f"{COLUMNS}, body TEXT NOT NULL)"
        )
        statements.extend(
            f'CREATE INDEX IF NOT EXISTS "{kind}_{field}" ON "{kind}" ("{field}") WHERE "{field}" IS NOT NULL'
            for field in _INDEXES.get(kind, ())
        )
        if kind in _config_ids.PREFIXES:
            statements.append(_config_ids.other_ids_index(kind))
    statements.append("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
    return statements


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    """Whether SQLite says the file is damaged or not a database (not: locked, full, read-only)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    return type(exc) is sqlite3.DatabaseError


class _GuardedTransaction(SQLTransaction):
    """A commit that finds the file damaged raises ``StoreDamaged``."""

    __slots__ = ()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        try:
            super().__exit__(exc_type, exc, tb)
        except sqlite3.DatabaseError as error:
            if not _is_damage(error):
                raise
            raise self._repo._damaged(error) from None
        if exc_type is None and not self._repo._threads.depth:
            self._repo._checkpointer.committed()


def _create_tables(conn: sqlite3.Connection) -> None:
    """The current schema, in a store of an older one (or none): what is missing is created, and
    the config id indexes of schema 1 are dropped (``_config_ids``)."""
    for statement in _schema():
        conn.execute(statement)
    for kind in _config_ids.PREFIXES:
        conn.execute(f'DROP INDEX IF EXISTS "{kind}_config_id"')
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


def _write_new_store(path: str) -> None:
    """Write an empty store of the current schema at ``path``, which no other connection sees:
    without a journal or syncs while it is written (a crash leaves a temporary file, never a
    store), then synced whole once. WAL mode comes last: it is written in the file's header."""
    descriptor = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_RDWR, 0o600)
    try:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=OFF")
            conn.execute("PRAGMA synchronous=OFF")
            conn.executescript("BEGIN;" + ";".join(_schema()) + f";PRAGMA user_version={SCHEMA_VERSION};COMMIT")
            conn.execute("PRAGMA journal_mode=WAL")
        finally:
            conn.close()
        os.fsync(descriptor)
    finally:
        os.close(descriptor)  # before the file is the store (see ``_create_file``)


def _union(kind: str, columns: str, parts: list[tuple[str, list[Any]]]) -> tuple[str, list[Any]]:
    """One ``SELECT`` of ``columns`` over the rows of the disjoint ``WHERE`` clauses ``parts``."""
    sql = " UNION ALL ".join(f'SELECT {columns} FROM "{kind}"{clause}' for clause, _ in parts)
    return sql, [param for _, params in parts for param in params]


def _save_sql(kind: str, present: _sqlite_rows.Present = _sqlite_rows.ALL) -> str:
    """The upsert of a row with the indexed values ``present`` says (``_sqlite_rows``)."""
    values = _sqlite_rows.values_clause(present)
    updates = ", ".join(f'"{field}" = excluded."{field}"' for field in (*INDEXED_FIELDS, "body"))
    return f'INSERT INTO "{kind}" (id, {COLUMNS}, body) VALUES ({values}) ON CONFLICT(id) DO UPDATE SET {updates}'


def _sparing_save_sql(kind: str, present: _sqlite_rows.Present = _sqlite_rows.ALL) -> str:
    """The upsert of a record whose columns with an index keep their values (what entities do:
    a job's task and submission never change): SQLite rewrites the index entries of every column
    an ``UPDATE`` sets, equal or not, so these are not set, and the update is done only when they
    are equal (``WHERE``). A row it leaves alone counts no change: ``_save_rows`` then saves the
    rows again with the full upsert. A job's save writes one page instead of three."""
    indexed = _INDEXES.get(kind, ())
    values = _sqlite_rows.values_clause(present)
    kept = [field for field in INDEXED_FIELDS if field not in indexed]
    updates = ", ".join(f'"{field}" = excluded."{field}"' for field in (*kept, "body"))
    same = " AND ".join(f'"{field}" IS excluded."{field}"' for field in indexed)
    return f'INSERT INTO "{kind}" (id, {COLUMNS}, body) VALUES ({values}) ON CONFLICT(id) DO UPDATE SET {updates}' + (
        f" WHERE {same}" if same else ""
    )


class SQLiteRepository(Repository):
    """Records in one SQLite file at ``path`` (created, with its folder, when missing).

    ``timeout`` is how long a write waits for another connection's write lock before
    ``sqlite3.OperationalError: database is locked``.
    """

    _BEGIN = "BEGIN IMMEDIATE"  # take the write lock now, or wait for it (busy timeout)

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 30.0) -> None:
        path = os.fspath(path)
        if path == ":memory:" or path.startswith("file:") or not path:
            raise ValueError(
                f"SQLiteRepository needs a file path, got {path!r}: every thread has its own connection, "
                "so an in-memory database would be a different one per thread; use MemoryRepository"
            )
        self.path = os.path.abspath(path)
        self.timeout = float(timeout)
        self.settings: dict[str, Any] = {"type": "sqlite", "path": self.path}
        if self.timeout != 30.0:
            self.settings["timeout"] = self.timeout
        self._threads: PerThread[sqlite3.Connection] = PerThread(
            self._connect, sqlite3.Connection.close, lambda: closed_error(self)
        )
        self._save_sql = {kind: _save_sql(kind) for kind in KINDS}
        self._sparing_sql = {kind: _sparing_save_sql(kind) for kind in KINDS}
        # (kind, the indexed fields its rows have) -> (sparing, full) upserts (``_save_rows``)
        self._statements: dict[tuple[str, _sqlite_rows.Present], tuple[str, str]] = {}
        self._writer = InProcessWriter()
        self._checkpointer = Checkpointer(self._conn)
        # only its owner reads the store (records name files and hold data node settings); SQLite
        # gives its -wal and -shm files the mode of the database file
        if os.path.isdir(self.path):
            raise StoreError(f"{self.path} is a folder; a SQLite store is a file: give a file path in that folder")
        os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
        if not os.path.exists(self.path):
            self._create_file()
        elif os.path.getsize(self.path) == 0:
            # SQLite reads an empty file as an empty database: a store truncated by a full disk or
            # a bad copy would open as a store without records, and be written over
            raise StoreDamaged(
                f"{self.path} is an empty file, not a SQLite store (scenaria creates a store whole): restore "
                "it from a backup, or delete it to start an empty store"
            )
        try:
            self._create_schema(self._conn())
        except sqlite3.DatabaseError as exc:
            if not _is_damage(exc):  # locked, busy, ...: not damage
                raise
            raise self._damaged(exc) from None

    def _create_file(self) -> None:
        """Create the store whole, beside its path, then link it into place: no process ever sees
        a store that scenaria is creating as an empty file (another one may open it meanwhile).

        (Never a second descriptor on a store in use: closing it would drop the POSIX locks that
        SQLite holds on the file through its own.)
        """
        folder, name = os.path.split(self.path)
        temporary = os.path.join(folder, f".tmp-{os.getpid()}-{threading.get_ident()}-{name}")
        try:
            _write_new_store(temporary)
            try:
                os.link(temporary, self.path)
            except FileExistsError:  # another process created it first: that one is the store
                pass
            except OSError:  # a file system without hard links
                if not os.path.exists(self.path):
                    os.replace(temporary, self.path)
        finally:
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(temporary + suffix)

    @property
    def location(self) -> str:
        return self.path

    def _damage_of(self, exc: BaseException) -> StoreDamaged | None:
        if isinstance(exc, sqlite3.DatabaseError) and _is_damage(exc):
            return self._damaged(exc)
        return None

    def _damaged(self, exc: sqlite3.DatabaseError) -> StoreDamaged:
        return self.found_damaged(
            StoreDamaged(
                f"{self.path} is not a readable SQLite store ({exc}): restore it from a backup (run "
                "`scenaria doctor` to check it), or move it away to start an empty store"
            )
        )

    # --- connections ------------------------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        return self._threads.get()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path,
            timeout=self.timeout,
            isolation_level=None,  # no implicit BEGIN: transactions are ours
            check_same_thread=False,  # only close() touches another thread's connection
            cached_statements=256,
        )
        try:
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
            conn.execute(f"PRAGMA wal_autocheckpoint={_CHECKPOINT_PAGES}")
        except BaseException:
            conn.close()
            raise
        return conn

    @staticmethod
    def _in_transaction(conn: sqlite3.Connection) -> bool:
        return conn.in_transaction

    def _create_schema(self, conn: sqlite3.Connection) -> None:
        """Create the tables of a new store; check the header and the schema version of a store."""
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise StoreSchemaTooNew(
                f"{self.path} was written by a newer scenaria "
                f"(schema {version}, this one reads {SCHEMA_VERSION}): upgrade scenaria"
            )
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode=WAL")
        if version == SCHEMA_VERSION:
            return
        with self.transaction():
            _create_tables(conn)

    def close(self) -> None:
        """Close every connection of every thread. Using the repository afterwards is an error."""
        self._checkpointer.stop()
        self._threads.close()

    # --- the contract -----------------------------------------------------------------------------
    def transaction(self) -> SQLTransaction:
        self.refuse_writes_if_damaged()
        return _GuardedTransaction(self)

    @writes
    def save(self, kind: str, record: Record) -> None:
        if kind not in self._save_sql:
            check_kind(kind)
        with self._writer:
            self._save_rows(kind, [(record_id(record), *indexed_values(record), body_of(record))])

    @writes
    def save_many(self, kind: str, records: Iterable[Record]) -> None:
        """Every row is made before any is written, so that inside a transaction (a registry's
        commit) no savepoint is needed: what fails part way then is SQLite, which fails the whole.
        The records a creation saves bind no NULL (``_sqlite_rows``)."""
        self._save_kinds(((kind, records),))

    @writes
    def save_kinds(self, groups: Iterable[tuple[str, Iterable[Record]]]) -> None:
        """``save_many`` of each kind, with one guarded call and one connection look-up for all:
        a registry's commit of a new scenario saves three kinds."""
        self._save_kinds(groups)

    def _save_kinds(self, groups: Iterable[tuple[str, Iterable[Record]]]) -> None:
        if not self._threads.depth:
            with self.transaction():
                self._save_kinds(groups)
            return
        conn = self._conn()
        for kind, records in groups:
            check_kind(kind)
            if kind in _CREATED:
                runs = _sqlite_rows.runs(records)
            else:
                runs = [(_sqlite_rows.ALL, [(record_id(r), *indexed_values(r), body_of(r)) for r in records])]
            for present, rows in runs:
                self._save_rows(kind, rows, present, conn)

    def _save_rows(
        self,
        kind: str,
        rows: list[tuple[Any, ...]],
        present: _sqlite_rows.Present = _sqlite_rows.ALL,
        conn: sqlite3.Connection | None = None,
    ) -> None:
        """Upsert ``rows`` (the caller holds the write lock), which have the indexed values
        ``present`` says: first sparing the unchanged index entries (``_sparing_save_sql``); if a
        row changes an indexed value, all with the full upsert."""
        if present is _sqlite_rows.ALL:
            sparing, full = self._sparing_sql[kind], self._save_sql[kind]
        else:
            statements = self._statements.get((kind, present))
            if statements is None:
                statements = self._statements[kind, present] = (
                    _sparing_save_sql(kind, present),
                    _save_sql(kind, present),
                )
            sparing, full = statements
        conn = conn or self._conn()
        before = conn.total_changes
        conn.executemany(sparing, rows)
        if conn.total_changes - before != len(rows):  # a row moved in an index: it was left as it was
            conn.executemany(full, rows)

    @reads
    def load(self, kind: str, id: str) -> Record | None:
        check_kind(kind)
        row = self._conn().execute(f'SELECT body FROM "{kind}" WHERE id = ?', (id,)).fetchone()
        return None if row is None else decode_record(row[0])

    @reads
    def revision(self, kind: str, id: str) -> int | None:
        check_kind(kind)
        sql = f"SELECT coalesce(json_extract(body, '$.revision'), 0) FROM \"{kind}\" WHERE id = ?"
        row = self._conn().execute(sql, (id,)).fetchone()
        return None if row is None else int(row[0])

    @reads
    def load_many(self, kind: str, ids: Iterable[str]) -> list[Record]:
        check_kind(kind)
        ids = check_ids(ids)
        if not ids:
            return []
        sql = f'SELECT id, body FROM "{kind}" WHERE id IN (SELECT value FROM json_each(?))'
        rows = self._conn().execute(sql, (encode_record(ids),)).fetchall()
        bodies = dict(rows)
        return decode_rows([(bodies[id],) for id in ids if id in bodies])

    @reads
    def exists(self, kind: str, id: str) -> bool:
        check_kind(kind)
        return self._conn().execute(f'SELECT 1 FROM "{kind}" WHERE id = ?', (id,)).fetchone() is not None

    @reads
    def find(self, kind: str, *, limit: int | None = None, offset: int = 0, **where: Any) -> list[Record]:
        check_kind(kind)
        paged = check_page(limit, offset)
        parts = _config_ids.split(kind, where, _INDEXES.get(kind, ()))
        if parts is None:
            return []
        sql, params = _union(kind, "seq, body", parts)
        if paged:  # LIMIT -1 is no limit in SQLite
            sql, params = f"{sql} ORDER BY seq LIMIT ? OFFSET ?", [*params, -1 if limit is None else limit, offset]
        else:
            sql = f"{sql} ORDER BY seq"
        return decode_rows(self._conn().execute(sql, params).fetchall(), column=1)

    @reads
    def count(self, kind: str, **where: Any) -> int:
        check_kind(kind)
        parts = _config_ids.split(kind, where, _INDEXES.get(kind, ()))
        if parts is None:
            return 0
        sql = " + ".join(f'(SELECT count(*) FROM "{kind}"{clause})' for clause, _ in parts)
        return self._conn().execute(f"SELECT {sql}", [p for _, params in parts for p in params]).fetchone()[0]

    @writes
    def delete(self, kind: str, ids: Iterable[str]) -> None:
        check_kind(kind)
        ids = check_ids(ids)
        if ids:
            with self._writer:
                self._conn().execute(
                    f'DELETE FROM "{kind}" WHERE id IN (SELECT value FROM json_each(?))', (encode_record(ids),)
                )

    @writes
    def delete_where(self, kind: str, **where: Any) -> None:
        check_kind(kind)
        parts = _config_ids.split(kind, where, _INDEXES.get(kind, ()))
        if parts is not None:
            sql, params = _union(kind, "seq", parts)
            with self._writer:
                self._conn().execute(f'DELETE FROM "{kind}" WHERE seq IN ({sql})', params)

    @reads
    def get_meta(self, key: str) -> Any:
        row = self._conn().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else decode_record(row[0])

    @writes
    def set_meta(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise TypeError(f"a meta key is a string, got {key!r}")
        with self._writer:
            if value is None:
                self._conn().execute("DELETE FROM meta WHERE key = ?", (key,))
            else:
                self._conn().execute(
                    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (key, encode_record(value)),
                )

    @writes
    def clear(self) -> None:
        with self.transaction():
            conn = self._conn()
            for kind in KINDS:
                conn.execute(f'DELETE FROM "{kind}"')
            conn.execute("DELETE FROM meta")
