"""What the two SQL storage types share: the engine URL, the connection, transactions, filters.

``sql_table`` and ``sql`` data nodes reach their database through SQLAlchemy. The engine URL
is built from the data node's properties as the reference builds it (so the same config
reaches the same database), and engines are cached per process by URL: a data node itself
holds no connection, so it pickles to a worker as plain properties, and a worker that runs a
thousand jobs on the same database opens one pool.

Every write runs in one transaction: when a statement fails, the transaction is rolled back and
the table is as it was before the write. Filters run in the database, as a ``WHERE`` clause
whose values are bound parameters (never pasted into the SQL text) and whose column names are
quoted identifiers.
"""

from __future__ import annotations

import os
import re
import threading
import urllib.parse
from collections.abc import Callable
from typing import Any, ClassVar

from scenaria.data import polars_frames
from scenaria.data.base import DataNode
from scenaria.data.extras import missing_message, require
from scenaria.data.polars_frames import POLARS
from scenaria.data.tabular import TabularMixin
from scenaria.exceptions import (
    DependencyNotInstalled,
    MissingRequiredProperty,
    SQLQueryCannotBeExecuted,
    UnknownDatabaseEngine,
)

#: db_engine -> (SQLAlchemy dialect+driver, properties it needs)
DIALECTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "mssql": ("mssql+pyodbc", ("db_username", "db_password", "db_name")),
    "mysql": ("mysql+pymysql", ("db_username", "db_password", "db_name")),
    "postgresql": ("postgresql+psycopg2", ("db_username", "db_password", "db_name")),
    "sqlite": ("sqlite", ("db_name",)),
}

_SPACES = re.compile(r"\s+")
_engines: dict[str, Any] = {}  # engine URL -> Engine, for this process
_engines_lock = threading.Lock()


def engine_url(properties: dict[str, Any]) -> str:
    """The SQLAlchemy URL of a data node's database (the reference's layout, credentials quoted).

    sqlite: ``sqlite:///<sqlite_folder_path>/<db_name><sqlite_file_extension>``; others:
    ``<dialect+driver>://<user>:<password>@<host>:<port>/<db_name>?<db_extra_args>``, with
    ``db_driver`` added to the query as ``driver=...``.
    """
    engine = properties.get("db_engine")
    if engine not in DIALECTS:
        raise UnknownDatabaseEngine(f"Unknown database engine {engine!r}; use one of {', '.join(DIALECTS)}.")
    dialect = DIALECTS[engine][0]
    if engine == "sqlite":
        folder = properties.get("sqlite_folder_path") or ""
        extension = properties.get("sqlite_file_extension")
        extension = ".db" if extension is None else extension
        return "sqlite:///" + os.path.join(folder, f"{properties['db_name']}{extension}")
    quote = urllib.parse.quote_plus
    user, password = quote(str(properties["db_username"])), quote(str(properties["db_password"]))
    host = properties.get("db_host") or "localhost"
    port = properties.get("db_port") or 1433
    query = dict(properties.get("db_extra_args") or {})
    if properties.get("db_driver"):
        query["driver"] = properties["db_driver"]
    extra = "&".join(f"{key}={_SPACES.sub('+', str(value))}" for key, value in query.items())
    return f"{dialect}://{user}:{password}@{host}:{port}/{quote(str(properties['db_name']))}?{extra}"


def get_engine(url: str, purpose: str) -> Any:
    """The process's engine for ``url``; a missing database driver names the package to install."""
    engine = _engines.get(url)
    if engine is not None:
        return engine
    sqlalchemy = require("sqlalchemy", purpose)
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            try:
                engine = sqlalchemy.create_engine(url)
            except ImportError as exc:
                module = getattr(exc, "name", None) or url.split("+", 1)[-1].split(":", 1)[0]
                raise DependencyNotInstalled(missing_message(module, purpose)) from exc
            _engines[url] = engine
    return engine


def dispose_engines() -> None:
    """Close every cached engine (tests, and processes that fork)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


_COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "EQUAL": lambda column, value: column.is_(None) if value is None else column == value,
    "NOT_EQUAL": lambda column, value: column.is_not(None) if value is None else column != value,
    "LESS_THAN": lambda column, value: column < value,
    "LESS_OR_EQUAL": lambda column, value: column <= value,
    "GREATER_THAN": lambda column, value: column > value,
    "GREATER_OR_EQUAL": lambda column, value: column >= value,
}


class SQLDataNodeBase(TabularMixin, DataNode):
    """Connection properties: ``db_engine`` (sqlite, postgresql, mysql, mssql), ``db_name``,
    ``db_username``, ``db_password``, ``db_host``, ``db_port``, ``db_driver``, ``db_extra_args``,
    ``sqlite_folder_path``, ``sqlite_file_extension``; and ``exposed_type``."""

    _ALWAYS_WRITTEN: ClassVar[bool] = True
    _REQUIRED: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        self._check_exposed_type()
        engine = self._properties.get("db_engine")
        if engine not in DIALECTS:
            raise UnknownDatabaseEngine(
                f"{self._describe()}: unknown db_engine {engine!r}; use one of {', '.join(DIALECTS)}."
            )
        missing = [key for key in (*DIALECTS[engine][1], *self._REQUIRED) if self._properties.get(key) in (None, "")]
        if missing:
            raise MissingRequiredProperty(
                f"{self._describe()} needs the properties {', '.join(missing)} (db_engine {engine!r}); "
                "give them in its configure_*_data_node call."
            )

    # --- connection ---------------------------------------------------------------------------------
    def _engine(self) -> Any:
        return get_engine(engine_url(self._properties), self._describe())

    def _sa(self) -> Any:
        return require("sqlalchemy", self._describe())

    def _run_read(self, statement: Any, parameters: Any = None) -> Any:
        """Run a query and return its rows as the exposed type."""
        sa = self._sa()
        try:
            with self._engine().connect() as connection:
                result = connection.execute(statement, parameters) if parameters else connection.execute(statement)
                columns = list(result.keys())
                # The driver's own rows (tuples): SQLAlchemy has no type to apply to "SELECT *" or a
                # text query, and wrapping a million rows in Row objects triples the read time.
                cursor = getattr(result, "cursor", None)
                rows = cursor.fetchall() if cursor is not None else result.fetchall()
                result.close()
        except sa.exc.SQLAlchemyError as exc:
            raise SQLQueryCannotBeExecuted(f"{self._describe()}: the read query failed: {_short(exc)}") from exc
        return self._rows_to_exposed(columns, rows)

    def _rows_to_exposed(self, columns: list[str], rows: list[Any]) -> Any:
        exposed = self._exposed_type
        if exposed == POLARS:  # straight from the rows: no pandas in between
            return polars_frames.from_rows(columns, rows, self._describe())
        if isinstance(exposed, str):
            frame = self._pd().DataFrame.from_records(rows, columns=columns)
            return self._from_frame(frame)
        return self._build_objects(exposed, (dict(zip(columns, row, strict=True)) for row in rows), with_header=True)

    def _in_transaction(self, work: Callable[[Any], None], what: str) -> None:
        """Run ``work(connection)`` in one transaction; on failure roll back and say so."""
        sa = self._sa()
        try:
            with self._engine().begin() as connection:
                work(connection)
        except sa.exc.SQLAlchemyError as exc:
            raise SQLQueryCannotBeExecuted(
                f"{self._describe()}: {what} failed and was rolled back, nothing was written: {_short(exc)}"
            ) from exc

    # --- filters in the database ----------------------------------------------------------------------
    def _where(self, column_of: Callable[[str], Any], operators: Any, join_operator: Any) -> Any:
        sa = self._sa()
        conditions = [operators] if isinstance(operators, tuple) else list(operators or [])
        clauses = []
        for key, value, operator in conditions:
            name = getattr(operator, "name", str(operator))
            if name not in _COMPARISONS:
                raise ValueError(f"{self._describe()}: unknown filter operator {operator!r}")
            clauses.append(_COMPARISONS[name](column_of(key), value))
        join = getattr(join_operator, "name", "AND")
        return sa.or_(*clauses) if join == "OR" else sa.and_(*clauses)


def _short(exc: Exception) -> str:
    """The database's message without SQLAlchemy's background link."""
    text = str(getattr(exc, "orig", None) or exc)
    statement = getattr(exc, "statement", None)
    return f"{type(getattr(exc, 'orig', None) or exc).__name__}: {text}" + (f" [SQL: {statement}]" if statement else "")
