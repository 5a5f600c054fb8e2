"""Data stored as a pickle file: any Python object, the default storage type."""

from __future__ import annotations

import pickle
from typing import IO, Any, ClassVar

from scenaria.data.file import FileDataNode
from scenaria.exceptions import DataNodeWritingError


class PickleDataNode(FileDataNode):
    _STORAGE_TYPE: ClassVar[str] = "pickle"
    _EXTENSION: ClassVar[str] = "p"

    def _read(self) -> Any:
        with self._open("rb") as file:
            return pickle.load(file)

    def _write(self, data: Any) -> None:
        try:  # pickled in memory first: data that cannot be pickled leaves the file as it was
            payload = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            raise DataNodeWritingError(
                f"{self._describe()} cannot pickle a {type(data).__name__}: {exc}. Write data that "
                "pickles, or use another storage type for it.") from exc
        with self._atomic_target() as target, self._open_target(target) as file:
            file.write(payload)

    def _open_target(self, target: str) -> IO[bytes]:
        if target == self.path and self._is_remote:
            return self._open("wb")
        return open(target, "wb")
