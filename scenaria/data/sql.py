"""Data read by a SQL query and written by statements that user functions build."""

from __future__ import annotations

from typing import Any, ClassVar

from scenaria.data.sql_base import SQLDataNodeBase
from scenaria.exceptions import (
    DataNodeReadingError,
    DataNodeWritingError,
    MissingAppendQueryBuilder,
    MissingRequiredProperty,
)


class SQLDataNode(SQLDataNodeBase):
    """``read_query`` reads the data; ``write_query_builder(data)`` and ``append_query_builder(data)``
    return the statements that write it.

    A builder returns a statement or a list of them; a statement is a SQL string, a
    ``(sql, parameters)`` pair (a dict, or a list of dicts to run it once per dict) or a
    SQLAlchemy executable. They all run in one transaction, rolled back if one fails. ``filter``
    runs in the database around the read query (``SELECT * FROM (<read_query>) WHERE ...``).

    As in Taipy 4.2, one of the two may be missing: a data node with only ``read_query`` is
    read-only (writing raises ``DataNodeWritingError``), one with only ``write_query_builder`` is
    write-only (reading raises ``DataNodeReadingError``).
    """

    _STORAGE_TYPE: ClassVar[str] = "sql"

    def __post_init__(self) -> None:
        super().__post_init__()
        builder = dict.get(self._properties, "write_query_builder")  # a stored function: not loaded until used
        if self._properties.get("read_query") in (None, "") and builder is None:
            raise MissingRequiredProperty(
                f"{self._describe()} needs a read_query (to be read), a write_query_builder (to be written) or both."
            )

    def _query_text(self) -> str:
        query = self._properties.get("read_query")
        if query in (None, ""):
            raise DataNodeReadingError(
                f"{self._describe()} is write-only: it has no read_query. Give it a read_query to read it."
            )
        return str(query).strip().rstrip(";")

    def _read(self) -> Any:
        return self._run_read(self._sa().text(self._query_text()))

    def filter(self, operators: Any, join_operator: Any = None) -> Any:
        """The rows of the read query matching ``(column, value, Operator)`` conditions, selected by the database."""
        sa = self._sa()
        conditions = [operators] if isinstance(operators, tuple) else list(operators or [])
        keys = list(dict.fromkeys(key for key, _, _ in conditions))
        query = sa.text(self._query_text()).columns(*(sa.column(key) for key in keys)).subquery("scenaria_query")
        where = self._where(lambda key: query.c[key], conditions, join_operator)
        return self._run_read(sa.select(sa.literal_column("*")).select_from(query).where(where))

    def _write(self, data: Any) -> None:
        builder = self._properties.get("write_query_builder")
        if builder is None:
            raise DataNodeWritingError(
                f"{self._describe()} is read-only: it has no write_query_builder. Give it one to write it."
            )
        self._execute(builder, data, "write_query_builder")

    def _append(self, data: Any) -> None:
        builder = self._properties.get("append_query_builder")
        if builder is None:
            raise MissingAppendQueryBuilder(
                f"{self._describe()} has no append_query_builder; give one in configure_sql_data_node to append to it."
            )
        self._execute(builder, data, "append_query_builder")

    def _execute(self, builder: Any, data: Any, name: str) -> None:
        try:
            statements = builder(data)
        except Exception as exc:
            raise DataNodeWritingError(f"{self._describe()}: its {name} raised {type(exc).__name__}: {exc}") from exc
        if not isinstance(statements, list):
            statements = [statements]
        sa = self._sa()

        def work(connection: Any) -> None:
            for statement in statements:
                if isinstance(statement, str):
                    connection.execute(sa.text(statement))
                elif isinstance(statement, tuple):
                    sql, parameters = statement
                    connection.execute(sa.text(sql) if isinstance(sql, str) else sql, parameters)
                else:
                    connection.execute(statement)

        self._in_transaction(work, f"running the statements of {name}")
