"""Data nodes: the base class and one module per storage type, imported only when used."""

from __future__ import annotations

import importlib
from typing import Any

from scenaria.data.base import DataNode
from scenaria.exceptions import InvalidDataNodeType

# storage type -> "module:class"; a module is imported the first time its type is used, so that
# `import scenaria` never pulls in pandas, SQLAlchemy, pymongo or boto3.
STORAGE_TYPES: dict[str, str] = {
    "pickle": "scenaria.data.pickle:PickleDataNode",
    "in_memory": "scenaria.data.in_memory:InMemoryDataNode",
    "generic": "scenaria.data.generic:GenericDataNode",
    "csv": "scenaria.data.csv:CSVDataNode",
    "excel": "scenaria.data.excel:ExcelDataNode",
    "json": "scenaria.data.json:JSONDataNode",
    "parquet": "scenaria.data.parquet:ParquetDataNode",
    "sql_table": "scenaria.data.sql_table:SQLTableDataNode",
    "sql": "scenaria.data.sql:SQLDataNode",
    "mongo_collection": "scenaria.data.mongo:MongoCollectionDataNode",
    "s3_object": "scenaria.data.s3:S3ObjectDataNode",
}


def data_node_class(storage_type: str) -> type[DataNode]:
    """The data node class of a storage type."""
    target = STORAGE_TYPES.get(storage_type)
    if target is None:
        raise InvalidDataNodeType(
            f"Unknown storage type {storage_type!r}; use one of {', '.join(sorted(STORAGE_TYPES))}."
        )
    module_name, _, class_name = target.partition(":")
    return getattr(importlib.import_module(module_name), class_name)  # type: ignore[no-any-return]


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
