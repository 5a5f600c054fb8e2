"""Data kept in the memory of the orchestrating process (development mode only)."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from scenaria.data.base import DataNode

#: data by data node id; lives as long as the process
in_memory_storage: dict[str, Any] = {}


class InMemoryDataNode(DataNode):
    _STORAGE_TYPE: ClassVar[str] = "in_memory"

    def _read(self) -> Any:
        return in_memory_storage.get(self.id)

    def _write(self, data: Any) -> None:
        in_memory_storage[self.id] = data

    def _initial_write(self, default_data: Any) -> None:
        if default_data is not None and self.id not in in_memory_storage:
            self._write(default_data)
            self._add_default_data_edit(default_data)

    def _duplicate_from(self, original: DataNode, storage_folder: str, copy_data: bool) -> None:
        if copy_data and original.id in in_memory_storage:
            in_memory_storage[self.id] = copy.deepcopy(in_memory_storage[original.id])
            self._take_history(original)

    def _has_data(self) -> bool:
        """False in a process that did not write it (the record says written, the memory is empty)."""
        return self.id in in_memory_storage

    def _delete_generated(self) -> None:
        in_memory_storage.pop(self.id, None)
