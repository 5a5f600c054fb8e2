"""What tabular storage types share: the exposed type, and turning data into tables and back.

csv, excel, parquet, sql_table and sql data nodes hand their data to user code as one of three
shapes, the ``exposed_type`` property:

- ``"pandas"`` (the default): a ``DataFrame``;
- ``"numpy"``: a 2-D ``ndarray`` (``DataFrame.to_numpy()``);
- ``"polars"``: a polars ``DataFrame`` (see `scenaria.data.polars_frames`; install polars);
- a class: a list of instances, one per row. A row becomes ``cls.decode(row)`` when the class
  has a ``decode`` method, else ``cls(**row)`` (``cls(*row)`` for files without a header).
  Writing does the reverse: ``obj.encode()`` when the class has ``encode``, else ``vars(obj)``.

Whatever the exposed type, writing accepts a DataFrame, an ndarray, a list of objects or of
dicts, a list of plain values (numbers, text, numpy scalars: one column named ``0``, as Taipy
writes it), or anything ``pandas.DataFrame()`` accepts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from scenaria.data import polars_frames
from scenaria.data.extras import pandas
from scenaria.data.polars_frames import POLARS
from scenaria.entities.values import has_stored
from scenaria.exceptions import DataNodeWritingError, InvalidExposedType

PANDAS = "pandas"
NUMPY = "numpy"
STRING_EXPOSED_TYPES = (PANDAS, NUMPY, POLARS)


#: plain Python values: a list of them (or of numpy scalars) is one column, named 0
SCALARS: tuple[type, ...] = (bool, int, float, complex, str, bytes, type(None))


def is_scalar(value: Any) -> bool:
    """True for a plain value (number, text, None, numpy scalar)."""
    return isinstance(value, SCALARS) or _is_numpy_scalar(value)


def _is_numpy_scalar(value: Any) -> bool:
    return type(value).__module__ == "numpy" and hasattr(value, "dtype") and getattr(value, "ndim", 1) == 0


class TabularMixin:
    """Exposed-type handling for a ``DataNode`` subclass (uses ``_properties``, ``id``, ``config_id``)."""

    if TYPE_CHECKING:  # provided by the DataNode it is mixed into
        _properties: Any
        id: str
        config_id: str
        _STORAGE_TYPE: ClassVar[str]

    def _describe(self) -> str:
        return f"{self._STORAGE_TYPE} data node {self.id} (config {self.config_id!r})"

    @property
    def _exposed_type(self) -> Any:
        value = self._properties.get("exposed_type") or PANDAS
        return PANDAS if value == "modin" else value

    def _check_exposed_type(self, value: Any = None) -> None:
        """Refuse, at creation, an exposed type that no read could build."""
        if value is None and has_stored(dict.get(self._properties, "exposed_type")):
            return  # a class read from a record, imported when used (checked when it was created)
        values = value if value is not None else self._exposed_type
        if isinstance(values, dict):
            values = list(values.values())
        elif not isinstance(values, list):
            values = [values]
        for one in values:
            if isinstance(one, str) and one not in STRING_EXPOSED_TYPES:
                raise InvalidExposedType(
                    f"{self._describe()}: exposed_type {one!r} is not valid; "
                    "use 'pandas', 'numpy', 'polars' or a class."
                )
            if not isinstance(one, str) and not callable(one):
                raise InvalidExposedType(
                    f"{self._describe()}: exposed_type {one!r} is neither 'pandas', 'numpy', 'polars' nor a class."
                )

    def _pd(self) -> Any:
        return pandas(self._describe())

    # --- data -> DataFrame -----------------------------------------------------------------------------
    def _to_frame(self, data: Any, columns: list[str] | None = None) -> Any:
        """``data`` as a DataFrame, ready to be written; a clear error when it cannot be one."""
        pd = self._pd()
        try:
            if isinstance(data, pd.DataFrame):
                frame = data
            elif isinstance(data, pd.Series):
                frame = data.to_frame()
            elif polars_frames.is_polars(data):
                frame = polars_frames.to_pandas(data, pd)
            elif type(data).__module__ == "numpy" and type(data).__name__ == "ndarray":
                frame = pd.DataFrame(data)
            elif (
                isinstance(data, list)
                and data
                and not isinstance(data[0], (dict, list, tuple))
                and not is_scalar(data[0])
            ):
                frame = pd.DataFrame.from_records([self._encode_row(row) for row in data])
            else:
                frame = pd.DataFrame(data)
        except DataNodeWritingError:
            raise
        except Exception as exc:
            raise DataNodeWritingError(
                f"{self._describe()} cannot write a {type(data).__name__} as a table: "
                f"{type(exc).__name__}: {exc}. Write a DataFrame, an ndarray, or a list of dicts or objects."
            ) from exc
        if columns is not None:
            if len(columns) != len(frame.columns):
                raise DataNodeWritingError(
                    f"{self._describe()}: {len(columns)} column names given for {len(frame.columns)} columns."
                )
            frame = frame.set_axis(pd.Index(columns, dtype="object"), axis=1)
        return frame

    def _encode_row(self, row: Any) -> dict[str, Any]:
        encode = getattr(type(row), "encode", None)
        if callable(encode) and not isinstance(row, (str, bytes)):
            return encode(row)
        if dataclasses.is_dataclass(row) and not isinstance(row, type):
            return dataclasses.asdict(row)
        try:
            return dict(vars(row))
        except TypeError as exc:
            raise DataNodeWritingError(
                f"{self._describe()} cannot turn a {type(row).__name__} into a row: it has no attributes; "
                "give its class an encode() method, or write dicts."
            ) from exc

    # --- DataFrame / rows -> exposed type ------------------------------------------------------------
    def _from_frame(self, frame: Any, exposed_type: Any = None, where: str = "") -> Any:
        exposed = exposed_type if exposed_type is not None else self._exposed_type
        if exposed == PANDAS:
            return frame
        if exposed == NUMPY:
            return frame.to_numpy()
        if exposed == POLARS:
            return polars_frames.from_pandas(frame, self._describe())
        return self._build_objects(exposed, frame.to_dict(orient="records"), with_header=True, where=where)

    def _build_objects(self, cls: Any, rows: Iterable[Any], with_header: bool, where: str = "") -> list[Any]:
        """One ``cls`` per row; an error naming the data node, the row and the cause when one fails."""
        decode = getattr(cls, "decode", None)
        built = []
        for number, row in enumerate(rows, start=1):
            try:
                if callable(decode):
                    built.append(decode(row))
                elif with_header:
                    built.append(cls(**row))
                else:
                    built.append(cls(*row))
            except Exception as exc:
                raise InvalidExposedType(
                    f"{self._describe()}: row {number}{' of ' + where if where else ''} cannot be turned into "
                    f"its exposed type {getattr(cls, '__qualname__', cls)!r}: {type(exc).__name__}: {exc}. "
                    "Give the class the row's fields as parameters, or a decode() class method."
                ) from exc
        return built
