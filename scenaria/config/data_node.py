"""``DataNodeConfig``: how to build a data node (``[DATA_NODE.<id>]``)."""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any, ClassVar

from scenaria.config.enums import Scope
from scenaria.config.mongo_document import MongoDefaultDocument
from scenaria.config.section import Section, copy_value
from scenaria.config.values import enum_from_text


class DataNodeConfig(Section):
    """A data node's storage type, scope, validity period and storage properties.

    ``storage_type`` defaults to ``"pickle"`` and ``scope`` to ``Scope.SCENARIO``. Every other
    setting (``default_path``, ``default_data``, ``read_fct``, ``db_name``...) is a property, read as
    an attribute.
    """

    _KIND = "DATA_NODE"
    _FIELDS = ("storage_type", "scope", "validity_period")

    STORAGE_TYPES: ClassVar[tuple[str, ...]] = (
        "pickle",
        "sql_table",
        "sql",
        "mongo_collection",
        "csv",
        "excel",
        "in_memory",
        "generic",
        "json",
        "parquet",
        "s3_object",
    )
    _PROPERTIES = (
        *("default_data", "default_path", "path", "exposed_type", "encoding", "has_header", "hash_content"),
        *("separator", "sheet_name", "engine", "compression", "read_kwargs", "write_kwargs", "storage_options"),
        *("read_fct", "write_fct", "read_fct_args", "write_fct_args", "encoder", "decoder", "custom_document"),
        *("db_name", "db_engine", "db_username", "db_password", "db_host", "db_port", "db_driver", "db_extra_args"),
        *("table_name", "read_query", "write_query_builder", "append_query_builder", "collection_name"),
        *("sqlite_folder_path", "sqlite_file_extension", "aws_access_key", "aws_secret_access_key", "aws_region"),
        *("aws_s3_bucket_name", "aws_s3_object_key", "aws_s3_client_parameters", "aws_s3_get_object_parameters"),
        *("aws_s3_put_object_parameters", "aws_s3_object_parameters", "authorized_tags", "label", "name"),
    )
    DEFAULT_STORAGE_TYPE: ClassVar[str] = "pickle"
    DEFAULT_SCOPE: ClassVar[Scope] = Scope.SCENARIO
    EXPOSED_TYPES: ClassVar[tuple[str, ...]] = ("pandas", "numpy", "polars")
    REQUIRED_PROPERTIES: ClassVar[dict[str, tuple[str, ...]]] = {
        "sql_table": ("db_name", "db_engine", "table_name"),
        "sql": ("db_name", "db_engine"),  # and read_query, write_query_builder or both (checks.py)
        "mongo_collection": ("db_name", "collection_name"),
        "s3_object": ("aws_access_key", "aws_secret_access_key", "aws_s3_bucket_name", "aws_s3_object_key"),
    }
    OPTIONAL_PROPERTIES: ClassVar[dict[str, dict[str, Any]]] = {
        "csv": {"encoding": "utf-8", "has_header": True, "exposed_type": "pandas"},
        "excel": {"has_header": True, "exposed_type": "pandas"},
        "sql": {
            "db_host": "localhost",
            "db_port": 1433,
            "db_driver": "",
            "sqlite_file_extension": ".db",
            "exposed_type": "pandas",
        },
        "sql_table": {
            "db_host": "localhost",
            "db_port": 1433,
            "db_driver": "",
            "sqlite_file_extension": ".db",
            "exposed_type": "pandas",
        },
        "mongo_collection": {
            "custom_document": MongoDefaultDocument,
            "db_username": "",
            "db_password": "",
            "db_host": "localhost",
            "db_port": 27017,
            "db_driver": "",
        },
        "json": {"encoding": "utf-8"},
        "parquet": {"engine": "pyarrow", "compression": "snappy", "exposed_type": "pandas"},
    }

    def __init__(
        self,
        id: str,
        storage_type: str | None = None,
        scope: Scope | None = None,
        validity_period: dt.timedelta | None = None,
        **properties: Any,
    ) -> None:
        if properties.get("exposed_type") == "modin":
            warnings.warn(
                f"data node config {id!r}: exposed_type 'modin' is deprecated; 'pandas' is used instead",
                DeprecationWarning,
                stacklevel=3,
            )
            properties["exposed_type"] = "pandas"
        super().__init__(id, **properties)
        self._values.update(storage_type=storage_type, scope=scope, validity_period=validity_period)

    @property
    def storage_type(self) -> str:
        value = self._get("storage_type")
        return self.DEFAULT_STORAGE_TYPE if value is None else value

    @property
    def scope(self) -> Scope:
        value = self._get("scope")
        if value is None:
            return self.DEFAULT_SCOPE
        return enum_from_text(Scope, value, self._where("scope"), "SCOPE")

    @property
    def validity_period(self) -> dt.timedelta | None:
        return self._get("validity_period")

    def _inherit(self, default: Section) -> None:
        own_type = self._values["storage_type"]
        default_type = default._values["storage_type"]
        same_type = own_type is None or own_type == default_type
        if own_type is None:
            self._values["storage_type"] = default_type
        if self._values["validity_period"] is None:
            self._values["validity_period"] = copy_value(default._values["validity_period"])
        if same_type:
            if self._values["scope"] is None:
                self._values["scope"] = default._values["scope"]
            self._properties = {**copy_value(default._properties), **self._properties}

    def _fill_defaults(self) -> None:
        if self._values["storage_type"] is None:
            self._values["storage_type"] = self.DEFAULT_STORAGE_TYPE
        if self._values["scope"] is None:
            self._values["scope"] = self.DEFAULT_SCOPE
        storage_type = self._values["storage_type"]
        if isinstance(storage_type, str):
            for key, value in self.OPTIONAL_PROPERTIES.get(storage_type, {}).items():
                self._properties.setdefault(key, value)
