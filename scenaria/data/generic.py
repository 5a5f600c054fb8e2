"""Data read and written by user functions (``read_fct``, ``write_fct``)."""

from __future__ import annotations

from typing import Any, ClassVar

from scenaria.data.base import DataNode
from scenaria.exceptions import MissingReadFunction, MissingWriteFunction


class GenericDataNode(DataNode):
    """``read_fct(*read_fct_args)`` reads the data; ``write_fct(data, *write_fct_args)`` writes it."""

    _STORAGE_TYPE: ClassVar[str] = "generic"
    _ALWAYS_WRITTEN: ClassVar[bool] = True

    def _read(self) -> Any:
        read_fct = self._properties.get("read_fct")
        if read_fct is None:
            raise MissingReadFunction(
                f"Data node {self.id} (config {self.config_id!r}) has no read_fct; "
                "give one in configure_generic_data_node(read_fct=...)."
            )
        return read_fct(*(self._properties.get("read_fct_args") or []))

    def _write(self, data: Any) -> None:
        write_fct = self._properties.get("write_fct")
        if write_fct is None:
            raise MissingWriteFunction(
                f"Data node {self.id} (config {self.config_id!r}) has no write_fct; "
                "give one in configure_generic_data_node(write_fct=...)."
            )
        write_fct(data, *(self._properties.get("write_fct_args") or []))
