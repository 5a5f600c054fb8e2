"""Data stored as a pickle file: any Python object, the default storage type."""

from __future__ import annotations

import pickle
from typing import Any, ClassVar

from scenaria.data.file import FileDataNode


class PickleDataNode(FileDataNode):
    _STORAGE_TYPE: ClassVar[str] = "pickle"
    _EXTENSION: ClassVar[str] = "p"

    def _read(self) -> Any:
        with open(self.path, "rb") as file:
            return pickle.load(file)

    def _write(self, data: Any) -> None:
        self._ensure_folder()
        with open(self.path, "wb") as file:
            pickle.dump(data, file, protocol=pickle.HIGHEST_PROTOCOL)
