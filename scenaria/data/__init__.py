"""Data nodes: the base class and one module per storage type, imported only when used."""

from __future__ import annotations

import importlib
from typing import Any

from scenaria.entities.data_node import DataNode
from scenaria.entities.storage_types import STORAGE_TYPES, data_node_class

# class name -> "module:class", for ``from scenaria.data import CSVDataNode`` (and Taipy's paths)
_CLASSES = {target.partition(":")[2]: target for target in STORAGE_TYPES.values()}
_CLASSES["MongoDefaultDocument"] = "scenaria.data.mongo:MongoDefaultDocument"


def __getattr__(name: str) -> Any:
    target = _CLASSES.get(name)
    if target is None:
        raise AttributeError(f"module 'scenaria.data' has no attribute {name!r}")
    module_name, _, class_name = target.partition(":")
    return getattr(importlib.import_module(module_name), class_name)


__all__ = ["STORAGE_TYPES", "DataNode", "data_node_class", *sorted(_CLASSES)]
