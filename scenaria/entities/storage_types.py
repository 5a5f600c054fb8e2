"""The storage types' table, and what is checked or prepared for a data node of one type.

Apart from ``data_node`` (the base class) so that both stay small; the table sits below the
storage types (``scenaria.data``), which the entities never import: loading a record picks its
class from it, importing the type's module on first use.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
from typing import TYPE_CHECKING, Any

from scenaria.config.enums import Scope
from scenaria.exceptions import (
    InvalidDataNodeProperty,
    InvalidDataNodeType,
    InvalidExposedType,
    MissingRequiredProperty,
)

if TYPE_CHECKING:
    from scenaria.entities.data_node import DataNode

# storage type -> "module:class"; a module is imported the first time its type is used, so that
# `import scenaria` never pulls in pandas, SQLAlchemy, pymongo or boto3. The table sits here, with
# the base class: loading a record picks its class from it, and the storage types (which build
# on this module) are never imported by the entities.
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


@dataclasses.dataclass
class Staged:
    """A job's write to one data node, prepared but not visible yet: ``location`` is where the
    storage type put it (a hidden file, say), or None when ``value`` is kept to write at commit."""

    data_node_id: str
    location: str | None
    value: Any = None
    version: str | None = None  # the content version of what was written (``content.version_of``)


def checked_properties(
    storage_type: str,
    config_id: str,
    scope: Scope,
    validity_period: dt.timedelta | None,
    properties: dict[str, Any] | None,
) -> tuple[dict[str, Any], Any, str]:
    """(properties, default data, storage folder) of a data node built directly, checked as the
    configuration checker checks a data node config, with the same defaults filled in."""
    from scenaria.config import Config, DataNodeConfig
    from scenaria.config.checks import data_node_issues

    given = dict(properties or {})
    section = DataNodeConfig(config_id, storage_type or None, scope, validity_period, **given)
    section._fill_defaults()
    errors = data_node_issues(section).errors
    if errors:
        lines = "; ".join(f"{issue.field}: {issue.message} (value: {issue.value!r})" for issue in errors)
        what = f"The {storage_type or 'data'} data node {config_id!r}"
        missing = [issue.field for issue in errors if issue.value is None and issue.field not in given]
        if missing and len(missing) == len(errors):
            raise MissingRequiredProperty(f"{what} needs the properties {', '.join(missing)}: {lines}")
        if any(issue.field == "exposed_type" for issue in errors):
            raise InvalidExposedType(f"{what} has invalid properties: {lines}")
        raise InvalidDataNodeProperty(f"{what} has invalid properties: {lines}")
    values = {key: getattr(section, key) for key in section.properties if key != "default_data"}
    return values, getattr(section, "default_data", None), Config.core.storage_folder


def data_node_class(storage_type: str) -> type[DataNode]:
    """The data node class of a storage type."""
    target = STORAGE_TYPES.get(storage_type)
    if target is None:
        raise InvalidDataNodeType(
            f"Unknown storage type {storage_type!r}; use one of {', '.join(sorted(STORAGE_TYPES))}."
        )
    module_name, _, class_name = target.partition(":")
    return getattr(importlib.import_module(module_name), class_name)  # type: ignore[no-any-return]
