"""Data stored in an Excel workbook (.xlsx): one sheet, several, or all of them.

``sheet_name`` chooses what a read returns: a name gives that sheet's data, a list gives a dict
``{sheet: data}``, nothing gives a dict of every sheet of the file. ``exposed_type`` may differ
per sheet (a list in the order of ``sheet_name``, or a dict by sheet name). Writing a dict
writes one sheet per key. openpyxl reads and writes the files; pandas builds the tables.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any, ClassVar

from scenaria.data.extras import require
from scenaria.data.file import FileDataNode
from scenaria.data.tabular import PANDAS, TabularMixin
from scenaria.exceptions import (
    DataNodeWritingError,
    ExposedTypeLengthMismatch,
    NonExistingExcelSheet,
    SheetNameLengthMismatch,
)
from scenaria.store.replacing import replace_file

DEFAULT_SHEET = "Sheet1"


class ExcelDataNode(TabularMixin, FileDataNode):
    """Properties: ``sheet_name`` (str, list or None for all), ``has_header`` (True),
    ``exposed_type`` ("pandas", "numpy", a class, or a list/dict of those per sheet),
    ``read_kwargs``/``write_kwargs`` (extra arguments of ``pandas.read_excel``/``to_excel``)."""

    _STORAGE_TYPE: ClassVar[str] = "excel"
    _EXTENSION: ClassVar[str] = "xlsx"

    def __post_init__(self) -> None:
        super().__post_init__()
        self._check_exposed_type()

    @property
    def _has_header(self) -> bool:
        value = self._properties.get("has_header")
        return True if value is None else bool(value)

    def _openpyxl(self) -> Any:
        return require("openpyxl", self._describe())

    # --- reading -------------------------------------------------------------------------------------
    def _read(self) -> Any:
        requested = self._properties.get("sheet_name")
        with self._open("rb") as file:
            workbook = self._openpyxl().load_workbook(file, read_only=True, data_only=True)
            try:
                available = list(workbook.sheetnames)
                names = self._sheet_names(requested, available)
                exposed = self._sheet_exposed_types(names)
                result: dict[str, Any] = {}
                for name in names:
                    if not isinstance(exposed[name], str):
                        rows = workbook[name].iter_rows(values_only=True)
                        result[name] = self._objects_from_rows(exposed[name], rows, name)
            finally:
                workbook.close()
        tables = [name for name in names if isinstance(exposed[name], str)]
        if tables:
            frames = self._read_frames(tables)
            for name in tables:
                result[name] = self._from_frame(frames[name], exposed[name], where=f"sheet {name!r}")
        ordered = {name: result[name] for name in names}
        return ordered[requested] if isinstance(requested, str) else ordered

    def _sheet_names(self, requested: Any, available: list[str]) -> list[str]:
        if requested is None:
            return available
        names = [requested] if isinstance(requested, str) else list(requested)
        for name in names:
            if name not in available:
                raise NonExistingExcelSheet(
                    f"{self._describe()}: sheet {name!r} does not exist in {self.path}; its sheets are "
                    f"{', '.join(map(repr, available))}. Fix the data node's sheet_name."
                )
        return names

    def _sheet_exposed_types(self, names: list[str]) -> dict[str, Any]:
        exposed = self._exposed_type
        if isinstance(exposed, list):
            if len(exposed) != len(names):
                raise ExposedTypeLengthMismatch(
                    f"{self._describe()}: {len(exposed)} exposed types for {len(names)} sheets "
                    f"({', '.join(names)}); give one per sheet, or a dict by sheet name."
                )
            return dict(zip(names, exposed, strict=True))
        if isinstance(exposed, dict):
            return {name: exposed.get(name, PANDAS) for name in names}
        return dict.fromkeys(names, exposed)

    def _objects_from_rows(self, cls: Any, rows: Iterator[tuple[Any, ...]], sheet: str) -> list[Any]:
        if not self._has_header:
            return self._build_objects(cls, rows, with_header=False, where=f"sheet {sheet!r}")
        header = next(rows, None)
        if header is None:
            return []
        records = (dict(zip(header, row, strict=False)) for row in rows)
        return self._build_objects(cls, records, with_header=True, where=f"sheet {sheet!r}")

    def _read_frames(self, names: list[str]) -> dict[str, Any]:
        pd = self._pd()
        options: dict[str, Any] = {"sheet_name": names, "engine": "openpyxl"}
        if not self._has_header:
            options["header"] = None
        options.update(self._properties.get("read_kwargs") or {})
        with self._open("rb") as file:
            return pd.read_excel(file, **options)

    # --- writing -------------------------------------------------------------------------------------
    def _write(self, data: Any, columns: list[str] | None = None) -> None:
        sheets = self._sheets_to_write(data, columns)
        with self._atomic_target() as target, self._writer(target, mode="w") as writer:
            for name, frame in sheets.items():
                frame.to_excel(
                    writer,
                    sheet_name=name,
                    index=False,
                    header=self._has_header,
                    **(self._properties.get("write_kwargs") or {}),
                )

    def write_with_column_names(self, data: Any, columns: list[str] | None = None, job_id: str | None = None) -> None:
        """Write ``data`` under the column names ``columns`` and record the edit."""
        self._write(data, columns)
        self._record_write(job_id, {}, self._version_of(data))

    def _append(self, data: Any) -> None:
        """Add rows under the last row of each sheet written (a new sheet gets a header)."""
        sheets = self._sheets_to_write(data, None)
        if not self._exists():
            self._write(data)
            return
        with self._local_copy() as copy, self._writer(copy, mode="a") as writer:
            for name, frame in sheets.items():
                sheet = writer.sheets.get(name)
                if sheet is None:
                    frame.to_excel(writer, sheet_name=name, index=False, header=self._has_header)
                    continue
                empty = sheet.max_row == 1 and sheet.cell(1, 1).value is None
                frame.to_excel(
                    writer,
                    sheet_name=name,
                    index=False,
                    header=empty and self._has_header,
                    startrow=0 if empty else sheet.max_row,
                )

    def _sheets_to_write(self, data: Any, columns: list[str] | None) -> dict[str, Any]:
        """``{sheet: DataFrame}``, converted before any file is touched."""
        if isinstance(data, dict):  # a dict is always {sheet: data}
            return {str(name): self._to_frame(part, columns) for name, part in data.items()}
        return {self._single_sheet_name(): self._to_frame(data, columns)}

    def _single_sheet_name(self) -> str:
        requested = self._properties.get("sheet_name")
        if requested is None:
            return DEFAULT_SHEET
        if isinstance(requested, str):
            return requested
        if len(requested) != 1:
            raise SheetNameLengthMismatch(
                f"{self._describe()} has {len(requested)} sheet names; to write one table it needs one. "
                "Write a dict {sheet: data} to write several sheets."
            )
        return requested[0]

    @contextlib.contextmanager
    def _writer(self, target: str, mode: str) -> Iterator[Any]:
        pd = self._pd()
        self._openpyxl()
        options: dict[str, Any] = {"engine": "openpyxl", "mode": mode}
        if mode == "a":
            options["if_sheet_exists"] = "overlay"
        if self._is_remote and target == self.path:
            options["storage_options"] = self._storage_options
        try:
            with pd.ExcelWriter(target, **options) as writer:
                yield writer
        except (OSError, ValueError) as exc:
            raise DataNodeWritingError(f"{self._describe()} could not write {self.path}: {exc}") from exc

    @contextlib.contextmanager
    def _local_copy(self) -> Iterator[str]:
        """A local copy of the file to modify; it replaces the file only if the block succeeds."""
        folder = None if self._is_remote else os.path.dirname(os.path.abspath(self._local_path))
        handle, copy = tempfile.mkstemp(suffix=".xlsx", prefix=f".tmp-{os.getpid()}-", dir=folder)  # see litter
        os.close(handle)
        try:
            with self._open("rb") as source, open(copy, "wb") as destination:
                shutil.copyfileobj(source, destination)
            yield copy
            if self._is_remote:
                with open(copy, "rb") as source, self._open("wb") as destination:
                    shutil.copyfileobj(source, destination)
            else:
                replace_file(copy, self._local_path)
        finally:
            if os.path.exists(copy):
                os.remove(copy)
