"""Data stored as Parquet: one file, or a folder of files (a dataset).

pandas reads and writes it with the data node's ``engine`` and ``compression`` plus
``read_kwargs``/``write_kwargs``, the same call a user would make, so a data node costs no more
than pandas. Appending adds a file to a folder dataset (nothing existing is rewritten); to a
single file it rewrites the file whole, atomically, with the old and new rows.
"""

from __future__ import annotations

import os
import uuid
from typing import Any, ClassVar

from scenaria.data import polars_frames
from scenaria.data.extras import require
from scenaria.data.file import FileDataNode
from scenaria.data.polars_frames import POLARS
from scenaria.data.tabular import TabularMixin
from scenaria.exceptions import DataNodeWritingError, UnknownCompressionAlgorithm, UnknownParquetEngine

ENGINES = ("pyarrow", "fastparquet")
COMPRESSIONS = ("snappy", "gzip", "brotli", "lz4", "zstd", "none", None)


class ParquetDataNode(TabularMixin, FileDataNode):
    """Properties: ``engine`` ("pyarrow" or "fastparquet"), ``compression`` ("snappy", "gzip",
    "brotli", "lz4", "zstd" or "none"), ``read_kwargs``, ``write_kwargs`` (dicts of extra
    arguments of ``pandas.read_parquet``/``to_parquet``), ``exposed_type`` ("pandas")."""

    _STORAGE_TYPE: ClassVar[str] = "parquet"
    _EXTENSION: ClassVar[str] = "parquet"

    def __post_init__(self) -> None:
        super().__post_init__()
        self._check_exposed_type()
        if self._engine not in ENGINES:
            raise UnknownParquetEngine(
                f"{self._describe()}: unknown parquet engine {self._engine!r}; use one of {', '.join(ENGINES)}."
            )
        compression = self._properties.get("compression", "snappy")
        if compression not in COMPRESSIONS:
            raise UnknownCompressionAlgorithm(
                f"{self._describe()}: unknown compression {compression!r}; use one of "
                f"{', '.join(c for c in COMPRESSIONS if c)}."
            )

    @property
    def _engine(self) -> str:
        return self._properties.get("engine") or "pyarrow"

    @property
    def _compression(self) -> str | None:
        value = self._properties.get("compression", "snappy")
        return None if value in (None, "none") else value

    # --- reading -------------------------------------------------------------------------------------
    def _read(self) -> Any:
        return self._read_with({})

    def read_with_kwargs(self, **read_kwargs: Any) -> Any:
        """The data, read with extra ``pandas.read_parquet`` arguments (``columns``, ``filters``...)."""
        return self._read_with(read_kwargs)

    def _read_with(self, extra: dict[str, Any]) -> Any:
        if self._exposed_type == POLARS and not self._is_remote:
            return self._read_polars(extra)
        pd = self._pd()
        require(self._engine, self._describe())
        options = {**self._read_options(), **extra}
        try:
            frame = pd.read_parquet(self._local_path, **options)
        except FileNotFoundError as exc:
            raise self._missing_file() from exc
        return self._from_frame(frame, where=self.path)

    # --- polars: read, and filter in a lazy scan -----------------------------------------------------------
    def _polars_kwargs(self, extra: dict[str, Any]) -> dict[str, Any]:
        """``read_kwargs`` go to polars with this exposed type (pandas' ``engine`` does not apply)."""
        return {**(self._properties.get("read_kwargs") or {}), **extra}

    def _read_polars(self, extra: dict[str, Any]) -> Any:
        pl = polars_frames.polars(self._describe())
        try:
            return pl.read_parquet(self._local_path, **self._polars_kwargs(extra))
        except FileNotFoundError as exc:
            raise self._missing_file() from exc

    def filter(self, operators: Any, join_operator: Any = None) -> Any:
        """The matching rows; with the ``"polars"`` exposed type, ``pl.scan_parquet`` pushes the
        conditions into the scan (row groups whose statistics exclude them are skipped)."""
        if self._exposed_type != POLARS or self._is_remote or not self._is_written():
            return super().filter(operators, join_operator)
        pl = polars_frames.polars(self._describe())
        scan = pl.scan_parquet(self._local_path, **self._polars_kwargs({}))
        try:
            return scan.filter(polars_frames.expression(operators, join_operator, self._describe())).collect()
        except FileNotFoundError as exc:
            raise self._missing_file() from exc

    # --- writing -------------------------------------------------------------------------------------
    def _write(self, data: Any) -> None:
        self._write_frame(self._to_frame(data), {})

    def write_with_kwargs(self, data: Any, job_id: str | None = None, **write_kwargs: Any) -> None:
        """Write with extra ``pandas.to_parquet`` arguments (e.g. ``partition_cols``) and record the edit."""
        self._write_frame(self._to_frame(data), write_kwargs)
        self._record_write(job_id, {}, self._version_of(data))

    _write_with_kwargs = write_with_kwargs  # the reference's name

    def _write_frame(self, frame: Any, extra: dict[str, Any], target: str | None = None) -> None:
        require(self._engine, self._describe())
        options = self._write_options(extra)
        try:
            if target is not None:
                frame.to_parquet(target, **options)
            elif self._is_remote or "partition_cols" in options or os.path.isdir(self._local_path):
                self._ensure_folder()
                frame.to_parquet(self._local_path, **options)  # a dataset folder, or an object store
            else:
                with self._atomic_target() as temporary:
                    frame.to_parquet(temporary, **options)
        except (OSError, ValueError, TypeError) as exc:
            raise DataNodeWritingError(f"{self._describe()} could not write {self.path}: {exc}") from exc
        except Exception as exc:  # pyarrow's own errors (e.g. ArrowInvalid for a mixed-type column)
            if type(exc).__module__.startswith(("pyarrow", "fastparquet")):
                raise DataNodeWritingError(
                    f"{self._describe()} could not write {self.path}: {type(exc).__name__}: {exc}"
                ) from exc
            raise

    def _write_options(self, extra: dict[str, Any]) -> dict[str, Any]:
        options: dict[str, Any] = {"engine": self._engine, "compression": self._compression}
        if self._is_remote:
            options["storage_options"] = self._storage_options
        options.update(self._properties.get("write_kwargs") or {})
        options.update(extra)
        return options

    def _append(self, data: Any) -> None:
        """Add rows: a new file in a folder dataset, or the file rewritten whole with the new rows."""
        frame = self._to_frame(data)
        if not self._exists():
            self._write_frame(frame, {})
        elif not self._is_remote and os.path.isdir(self._local_path):
            part = os.path.join(self._local_path, f"part-{uuid.uuid4().hex}.parquet")
            self._write_frame(frame, {}, target=part)
        else:
            pd = self._pd()
            current = pd.read_parquet(self._local_path, **self._read_options())
            self._write_frame(pd.concat([current, frame], ignore_index=True), {})

    def _read_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"engine": self._engine, **(self._properties.get("read_kwargs") or {})}
        if self._is_remote:
            options["storage_options"] = self._storage_options
        return options
