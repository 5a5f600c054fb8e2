"""Data stored in a CSV file, exposed as a DataFrame (pandas or polars), an ndarray or a list of objects.

pandas reads and writes the file for the ``"pandas"`` and ``"numpy"`` exposed types, with the
same arguments a user would give ``read_csv``/``to_csv``, so a data node costs no more than
pandas itself. A class as exposed type goes through the standard ``csv`` module (values are
strings, as in the file): such a data node works without pandas installed. With ``"polars"``,
polars reads local UTF-8 files itself, and ``filter`` scans lazily (``pl.scan_csv`` + ``filter``).
"""

from __future__ import annotations

import csv
from typing import Any, ClassVar

from scenaria.data import polars_frames
from scenaria.data.file import FileDataNode
from scenaria.data.polars_frames import POLARS
from scenaria.data.tabular import TabularMixin, is_scalar
from scenaria.exceptions import DataNodeWritingError


class CSVDataNode(TabularMixin, FileDataNode):
    """Properties: ``encoding`` ("utf-8"), ``has_header`` (True), ``exposed_type`` ("pandas"),
    ``separator`` (","; Taipy 4.2), ``read_kwargs``/``write_kwargs`` (extra arguments of
    ``pandas.read_csv``/``to_csv``, over the others)."""

    _STORAGE_TYPE: ClassVar[str] = "csv"
    _EXTENSION: ClassVar[str] = "csv"

    def __post_init__(self) -> None:
        super().__post_init__()
        self._check_exposed_type()

    @property
    def _encoding(self) -> str:
        return self._properties.get("encoding") or "utf-8"

    @property
    def _separator(self) -> str:
        return self._properties.get("separator") or ","

    @property
    def _has_header(self) -> bool:
        value = self._properties.get("has_header")
        return True if value is None else bool(value)

    # --- reading -------------------------------------------------------------------------------------
    def _read(self) -> Any:
        return self._read_with(self._properties.get("read_kwargs") or {})

    def read_with_kwargs(self, **read_kwargs: Any) -> Any:
        """The data, read with extra ``pandas.read_csv`` arguments (e.g. ``usecols``, ``dtype``)."""
        return self._read_with({**(self._properties.get("read_kwargs") or {}), **read_kwargs})

    def _read_with(self, kwargs: dict[str, Any]) -> Any:
        exposed = self._exposed_type
        if exposed == POLARS and self._polars_reads():
            return self._read_polars(kwargs)
        if isinstance(exposed, str):
            return self._from_frame(self._read_frame(kwargs), where=self.path)
        with self._open("r", encoding=self._encoding, newline="") as file:
            sep = self._separator
            rows = csv.DictReader(file, delimiter=sep) if self._has_header else csv.reader(file, delimiter=sep)
            return self._build_objects(exposed, rows, with_header=self._has_header, where=self.path)

    # --- polars ----------------------------------------------------------------------------------------
    def _polars_reads(self) -> bool:
        """polars reads local UTF-8 files itself; other files go through pandas, then polars."""
        return not self._is_remote and self._encoding.lower().replace("-", "") == "utf8"

    def _polars_options(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        return {"separator": self._separator, "has_header": self._has_header, **kwargs}

    def _read_polars(self, kwargs: dict[str, Any]) -> Any:
        pl = polars_frames.polars(self._describe())
        try:
            return pl.read_csv(self._local_path, **self._polars_options(kwargs))
        except pl.exceptions.NoDataError:
            return pl.DataFrame()
        except FileNotFoundError as exc:
            raise self._missing_file() from exc

    def filter(self, operators: Any, join_operator: Any = None) -> Any:
        """The matching rows; with the ``"polars"`` exposed type, a lazy scan filters while it reads."""
        if self._exposed_type != POLARS or not self._polars_reads() or not self._is_written():
            return super().filter(operators, join_operator)
        pl = polars_frames.polars(self._describe())
        scan = pl.scan_csv(self._local_path, **self._polars_options(self._properties.get("read_kwargs") or {}))
        try:
            return scan.filter(polars_frames.expression(operators, join_operator, self._describe())).collect()
        except FileNotFoundError as exc:
            raise self._missing_file() from exc

    def _read_frame(self, kwargs: dict[str, Any]) -> Any:
        pd = self._pd()
        options: dict[str, Any] = {"encoding": self._encoding, "sep": self._separator}
        if not self._has_header:
            options["header"] = None
        if self._is_remote:
            options["storage_options"] = self._storage_options
        options.update(kwargs)
        try:
            return pd.read_csv(self._local_path, **options)
        except pd.errors.EmptyDataError:
            return pd.DataFrame()
        except FileNotFoundError as exc:
            raise self._missing_file() from exc

    # --- writing -------------------------------------------------------------------------------------
    def _write(self, data: Any, columns: list[str] | None = None) -> None:
        if self._writes_objects(data) and columns is None:
            rows = [self._encode_row(row) for row in data]
            with self._atomic_target() as target, self._open_target(target, "w") as file:
                self._write_rows(file, rows, header=self._has_header)
            return
        frame = self._to_frame(data, columns)
        with self._atomic_target() as target:
            self._frame_to_csv(frame, target, mode="w", header=self._has_header)

    def write_with_column_names(self, data: Any, columns: list[str] | None = None, job_id: str | None = None) -> None:
        """Write ``data`` under the column names ``columns`` and record the edit."""
        self._write(data, columns)
        self._record_write(job_id, {}, self._version_of(data))

    def _append(self, data: Any) -> None:
        """Add rows at the end of the file (with a header first when the file is new)."""
        header = self._has_header and not self._exists()
        if self._writes_objects(data):
            rows = [self._encode_row(row) for row in data]
            self._ensure_folder()
            with self._open_target(self.path, "a") as file:
                self._write_rows(file, rows, header=header)
            return
        frame = self._to_frame(data)  # converted before the file is touched: a bad value changes nothing
        self._ensure_folder()
        self._frame_to_csv(frame, self._local_path, mode="a", header=header)

    def _writes_objects(self, data: Any) -> bool:
        """True when the stdlib writes the data: objects of a class exposed type (no pandas needed)."""
        return (
            not isinstance(self._exposed_type, str)
            and isinstance(data, list)
            and all(not isinstance(row, (list, tuple)) and not is_scalar(row) for row in data)
        )

    def _frame_to_csv(self, frame: Any, target: str, mode: str, header: bool) -> None:
        options: dict[str, Any] = {
            "index": False,
            "encoding": self._encoding,
            "header": header,
            "mode": mode,
            "sep": self._separator,
        }
        if self._is_remote:
            options["storage_options"] = self._storage_options
        options.update(self._properties.get("write_kwargs") or {})
        try:
            frame.to_csv(target, **options)
        except (OSError, ValueError, TypeError) as exc:
            raise DataNodeWritingError(f"{self._describe()} could not write {self.path}: {exc}") from exc

    def _open_target(self, target: str, mode: str) -> Any:
        if self._is_remote:
            return self._open(mode, encoding=self._encoding, newline="")
        return open(target, mode, encoding=self._encoding, newline="")

    def _write_rows(self, file: Any, rows: list[dict[str, Any]], header: bool) -> None:
        fields: dict[str, None] = {}
        for row in rows:
            fields.update(dict.fromkeys(row))
        writer = csv.DictWriter(file, fieldnames=list(fields), delimiter=self._separator)
        if header:
            writer.writeheader()
        writer.writerows(rows)
