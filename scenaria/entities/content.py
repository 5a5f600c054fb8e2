"""Content versions: a short, fast hash of a data node's value, recorded with each write.

Skipping a job by content (``orchestrator/skipping.py``) compares these versions, not edit
dates: rewriting an input with the same value changes nothing downstream. The hash is xxHash's
XXH3-128 when ``xxhash`` is installed (``pip install "scenaria[hash]"``, in the pandas and
parquet extras too), else BLAKE2b; the prefix of a version names the algorithm, so versions of
the two never compare equal by accident.

Values are hashed by their memory, never by a round trip through a format: numpy arrays by
their buffer, pandas columns by their numpy or Arrow buffers (``pandas.util.hash_array`` for
Python objects), polars frames and Arrow tables by their Arrow buffers, bytes as they are, and
anything else by its pickle. A value that cannot be hashed has no version (None): the skipping
then falls back on the edit date, as before content versions existed.
"""

from __future__ import annotations

import functools
import os
import pickle
from typing import Any

_CHUNK = 1 << 20  # file hashing reads this much at a time


class ContentVersions:
    """What a data node says of its content versions (a mixin of ``DataNode``, whose fields
    ``_content_version`` and ``_properties`` it reads)."""

    _content_version: str | None
    _properties: dict[str, Any]

    @property
    def content_version(self) -> str | None:
        """The version of the data as last written (a hash of the value, or the version its
        writer gave), None when unknown: never written, hashing turned off (``hash_content``),
        or written before scenaria recorded versions."""
        return self._content_version

    def _version_of(self, data: Any, previous: str | None = None) -> str | None:
        """The content version of ``data``, unless the node's ``hash_content`` setting is False."""
        if self._properties.get("hash_content") is False:
            return None
        return version_of(data, previous)

    def _has_data(self) -> bool:
        """Whether the data last written is still there (file types check their file)."""
        return True


_algorithm: tuple[Any, str] | None = None  # (new hasher, version prefix), chosen on first use


def _hasher() -> tuple[Any, str]:
    global _algorithm
    if _algorithm is None:
        try:
            import xxhash
        except ImportError:
            import hashlib  # here: hashlib is slow to import, and only this fallback needs it

            _algorithm = (functools.partial(hashlib.blake2b, digest_size=16), "b2")
        else:
            _algorithm = (xxhash.xxh3_128, "x3")
    new, prefix = _algorithm
    return new(), prefix


def version_of(value: Any, previous: str | None = None) -> str | None:
    """The content version of ``value`` (chained after ``previous`` for an append), or None
    when it cannot be hashed."""
    hasher, prefix = _hasher()
    if previous is not None:
        hasher.update(previous.encode())
    try:
        _feed(hasher, value)
    except Exception:  # an unpicklable value, an exotic array: no version, the edit date decides
        return None
    return f"{prefix}:{hasher.hexdigest()}"


def combine(parts: list[str]) -> str:
    """One version standing for several strings (a fingerprint's parts), in order."""
    hasher, prefix = _hasher()
    for part in parts:
        hasher.update(part.encode())
        hasher.update(b"\x00")
    return f"{prefix}:{hasher.hexdigest()}"


def file_version(path: str) -> str | None:
    """The content version of a local file, or of a folder (a partitioned dataset): its bytes,
    with the relative names of a folder's files; None when it does not exist."""
    hasher, prefix = _hasher()
    if os.path.isdir(path):
        for folder, names, files in os.walk(path):
            names.sort()
            for name in sorted(files):
                full = os.path.join(folder, name)
                hasher.update(os.path.relpath(full, path).encode() + b"\x00")
                _feed_file(hasher, full)
    elif os.path.isfile(path):
        _feed_file(hasher, path)
    else:
        return None
    return f"{prefix}:{hasher.hexdigest()}"


def _feed_file(hasher: Any, path: str) -> None:
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            hasher.update(chunk)


def _feed(hasher: Any, value: Any) -> None:
    if isinstance(value, (bytes, bytearray, memoryview)):
        hasher.update(b"B")
        hasher.update(value)
        return
    if isinstance(value, str):
        hasher.update(b"S")
        hasher.update(value.encode("utf-8", "surrogatepass"))
        return
    module = type(value).__module__.partition(".")[0]
    feeder = _FEEDERS.get(module)
    if feeder is None or not feeder(hasher, value):
        hasher.update(b"P")
        hasher.update(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def _feed_numpy(hasher: Any, value: Any) -> bool:
    import numpy as np

    if not isinstance(value, np.ndarray) or value.dtype.hasobject:
        return False
    hasher.update(f"N{value.dtype.str}{value.shape}".encode())
    hasher.update(np.ascontiguousarray(value).reshape(-1).view(np.uint8))
    return True


def _feed_pandas(hasher: Any, value: Any) -> bool:
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        hasher.update(f"D{value.shape}".encode())
        _feed_index(hasher, value.columns)
        _feed_index(hasher, value.index)
        for _, column in value.items():
            _feed_column(hasher, column)
        return True
    if isinstance(value, pd.Series):
        hasher.update(f"R{value.name!r}".encode())
        _feed_index(hasher, value.index)
        _feed_column(hasher, value)
        return True
    return False


def _feed_index(hasher: Any, index: Any) -> None:
    import pandas as pd

    if isinstance(index, pd.RangeIndex):
        hasher.update(f"I{index.start},{index.stop},{index.step},{index.name!r}".encode())
    else:
        hasher.update(f"I{index.names!r}".encode())
        _feed_column(hasher, index)


def _feed_column(hasher: Any, column: Any) -> None:
    """A pandas column (or index) by its memory: numpy or Arrow buffers, else pandas' hash of
    its values (Python objects, categories...)."""
    import numpy as np
    import pandas as pd

    dtype = column.dtype
    hasher.update(str(dtype).encode())
    if isinstance(dtype, np.dtype) and not dtype.hasobject:
        _feed_numpy(hasher, column.to_numpy())
        return
    if isinstance(dtype, pd.CategoricalDtype):
        _feed_numpy(hasher, column.cat.codes.to_numpy() if hasattr(column, "cat") else column.codes)
        _feed_index(hasher, dtype.categories)
        return
    array = column.array
    if hasattr(array, "__arrow_array__") and type(array).__name__.startswith("Arrow"):
        import pyarrow as pa

        _feed_arrow(hasher, pa.array(array))
        return
    hasher.update(pd.util.hash_array(np.asarray(column, dtype=object)).view(np.uint8))


def _feed_arrow(hasher: Any, value: Any) -> None:
    """An Arrow array, chunked array, record batch or table, by its buffers (with offsets and
    lengths, since a slice shares its parent's buffers)."""
    columns = getattr(value, "columns", None)
    if columns is not None:  # a table or a record batch
        hasher.update(f"T{value.schema}".encode())
        for column in columns:
            _feed_arrow(hasher, column)
        return
    for chunk in getattr(value, "chunks", [value]):
        hasher.update(f"A{chunk.type}|{chunk.offset}|{len(chunk)}|{chunk.null_count}".encode())
        for buffer in chunk.buffers():
            if buffer is not None:
                hasher.update(buffer)
        dictionary = getattr(chunk, "dictionary", None)
        if dictionary is not None:
            _feed_arrow(hasher, dictionary)


def _feed_pyarrow(hasher: Any, value: Any) -> bool:
    if not hasattr(value, "buffers") and not hasattr(value, "columns") and not hasattr(value, "chunks"):
        return False
    _feed_arrow(hasher, value)
    return True


def _feed_polars(hasher: Any, value: Any) -> bool:
    import polars as pl

    if isinstance(value, pl.DataFrame):
        _feed_arrow(hasher, value.to_arrow())
        return True
    if isinstance(value, pl.Series):
        hasher.update(f"R{value.name!r}".encode())
        _feed_arrow(hasher, value.to_arrow())
        return True
    return False


# The module a value's type comes from -> how to hash it without pickling (False: pickle it).
_FEEDERS = {"numpy": _feed_numpy, "pandas": _feed_pandas, "pyarrow": _feed_pyarrow, "polars": _feed_polars}
