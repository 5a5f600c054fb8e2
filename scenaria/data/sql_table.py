"""Data stored in one database table: read whole, filtered in the database, replaced or appended to."""

from __future__ import annotations

from typing import Any, ClassVar

from scenaria.data.sql_base import SQLDataNodeBase


class SQLTableDataNode(SQLDataNodeBase):
    """``table_name`` (``"schema.table"`` for another schema) in the database of the ``db_*`` properties.

    Writing replaces every row (delete, then insert, in one transaction); appending inserts. A
    table that does not exist yet is created from the first data written. ``filter`` selects in
    the database, so a filter that keeps 1% of a table reads 1% of it.
    """

    _STORAGE_TYPE: ClassVar[str] = "sql_table"
    _REQUIRED: ClassVar[tuple[str, ...]] = ("table_name",)

    def _names(self) -> tuple[str | None, str]:
        schema, _, name = str(self._properties["table_name"]).rpartition(".")
        return schema or None, name

    def _table_clause(self) -> Any:
        schema, name = self._names()
        return self._sa().table(name, schema=schema)

    def _read(self) -> Any:
        sa = self._sa()
        return self._run_read(sa.select(sa.literal_column("*")).select_from(self._table_clause()))

    def filter(self, operators: Any, join_operator: Any = None) -> Any:
        """The rows matching ``(column, value, Operator)`` conditions, selected by the database."""
        sa = self._sa()
        where = self._where(sa.column, operators, join_operator)
        return self._run_read(sa.select(sa.literal_column("*")).select_from(self._table_clause()).where(where))

    def _write(self, data: Any) -> None:
        self._insert(data, replace=True)

    def _append(self, data: Any) -> None:
        self._insert(data, replace=False)

    def _insert(self, data: Any, replace: bool) -> None:
        frame = self._to_frame(data)  # converted before the transaction: bad data changes nothing
        if frame.isna().to_numpy().any():
            frame = frame.astype(object).where(frame.notna(), None)
        sa = self._sa()
        schema, name = self._names()

        def work(connection: Any) -> None:
            try:
                table = sa.Table(name, sa.MetaData(), schema=schema, autoload_with=connection)
            except sa.exc.NoSuchTableError:
                frame.to_sql(name, connection, schema=schema, index=False)
                return
            rows = frame
            if all(isinstance(label, int) for label in frame.columns):  # an ndarray: columns in table order
                rows = frame.set_axis([column.name for column in table.columns][: len(frame.columns)], axis=1)
            if replace:
                connection.execute(table.delete())
            if len(rows):
                connection.execute(table.insert(), rows.to_dict(orient="records"))

        self._in_transaction(work, f"writing table {self._properties['table_name']!r}")
