"""What file-based data nodes share: a path (given, or generated in the storage folder)."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any, ClassVar

from scenaria.data.base import DataNode


class FileDataNode(DataNode):
    """A data node stored in one file (or a folder of files) at ``path``.

    The path is ``default_path`` when the config gives one, else a generated file
    ``<storage_folder>/<storage type>s/<id>.<extension>`` that is removed with the data node.
    A change made to the file by something else than scenaria counts as an edit: the last edit
    date is the file's modification time when that is newer.
    """

    _EXTENSION: ClassVar[str] = ""

    @property
    def path(self) -> str:
        return self._properties["path"]

    @path.setter
    def path(self, value: str) -> None:
        with self:
            self._properties["path"] = value
            self._properties["is_generated"] = False

    @property
    def is_generated(self) -> bool:
        return bool(self._properties.get("is_generated"))

    def _build_path(self, storage_folder: str) -> None:
        """Choose the path at creation (called once by the creating code)."""
        given = self._properties.get("path") or self._properties.get("default_path")
        if given:
            self._properties.update(path=str(given), is_generated=False)
        else:
            folder = os.path.join(storage_folder, f"{self._STORAGE_TYPE}s")
            self._properties.update(path=os.path.join(folder, f"{self.id}.{self._EXTENSION}"),
                                    is_generated=True)

    @property
    def last_edit_date(self) -> dt.datetime | None:
        stored = self._last_edit_date
        modified = self._file_mtime()
        if modified is not None and (stored is None or modified > stored):
            return modified
        return stored

    @last_edit_date.setter
    def last_edit_date(self, value: dt.datetime | None) -> None:
        DataNode.last_edit_date.fset(self, value)  # type: ignore[attr-defined]

    def _file_mtime(self) -> dt.datetime | None:
        try:
            stat = os.stat(self._properties.get("path", ""))
        except (OSError, ValueError):
            return None
        return dt.datetime.fromtimestamp(stat.st_mtime)

    def _edit_timestamp(self) -> dt.datetime:
        return max(filter(None, (self._file_mtime(), super()._edit_timestamp())))

    def _ensure_folder(self) -> None:
        folder = os.path.dirname(self.path)
        if folder:
            os.makedirs(folder, exist_ok=True)

    def _delete_generated(self) -> None:
        if self.is_generated and os.path.isfile(self.path):
            os.remove(self.path)

    def _initial_write(self, default_data: Any) -> None:
        """Write ``default_data`` when the file does not exist yet; an existing file counts as written."""
        if os.path.exists(self.path):
            self._last_edit_date = self._file_mtime()
        elif default_data is not None:
            self._write(default_data)
            self._add_edit({"editor_id": "scenaria", "comment": "Default data written."})
