"""Data stored as a pickle file: any Python object, the default storage type."""

from __future__ import annotations

import pickle
from typing import Any, ClassVar

from scenaria.data.file import FileDataNode
from scenaria.exceptions import DataNodeWritingError


class PickleDataNode(FileDataNode):
    _STORAGE_TYPE: ClassVar[str] = "pickle"
    _EXTENSION: ClassVar[str] = "p"

    def _read(self) -> Any:
        with self._open("rb") as file:
            return pickle.load(file)

    def _write(self, data: Any) -> None:
        # Pickled straight into a temporary file that replaces the old one only once complete:
        # data that cannot be pickled, or a job killed mid-write, leaves the file as it was, and a
        # big value is never copied in memory first.
        try:
            if self._is_remote:  # an object store keeps whatever is written: pickle it whole first
                payload = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
                with self._open("wb") as file:
                    file.write(payload)
                return
            with self._atomic_target() as target, open(target, "wb") as file:
                pickle.dump(data, file, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            raise DataNodeWritingError(
                f"{self._describe()} cannot pickle a {type(data).__name__}: {exc}. Write data that "
                "pickles, or use another storage type for it."
            ) from exc
