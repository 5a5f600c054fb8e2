"""Data stored as one object of an S3 bucket (AWS, or any S3-compatible server).

The object's bytes are the data: a read returns ``bytes``, a write takes ``bytes``, ``str`` or a
binary file object. To keep a DataFrame or any Python object on S3, use a csv, parquet, json
or pickle data node whose path is an ``s3://`` URL instead.
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from scenaria.data.base import DataNode
from scenaria.data.extras import require
from scenaria.exceptions import DataNodeReadingError, DataNodeWritingError, MissingRequiredProperty

REQUIRED = ("aws_access_key", "aws_secret_access_key", "aws_s3_bucket_name", "aws_s3_object_key")

_clients: dict[tuple[Any, ...], Any] = {}  # client settings -> boto3 client, for this process
_clients_lock = threading.Lock()


class S3ObjectDataNode(DataNode):
    """Properties: ``aws_access_key``, ``aws_secret_access_key``, ``aws_s3_bucket_name``,
    ``aws_s3_object_key``, ``aws_region``; ``aws_s3_client_parameters`` (a dict of arguments of
    ``boto3.client``, e.g. ``{"endpoint_url": "http://localhost:9000"}`` for MinIO or another
    S3-compatible server); ``aws_s3_put_object_parameters`` (Taipy 4.2's name) or
    ``aws_s3_object_parameters`` (Taipy 4.1's), dicts of extra arguments of ``put_object``, e.g.
    ``ContentType`` (both may be given: the 4.2 one wins key by key);
    ``aws_s3_get_object_parameters`` (extra arguments of ``get_object``)."""

    _STORAGE_TYPE: ClassVar[str] = "s3_object"
    _ALWAYS_WRITTEN: ClassVar[bool] = True

    def __post_init__(self) -> None:
        super().__post_init__()
        missing = [key for key in REQUIRED if not self._properties.get(key)]
        if missing:
            raise MissingRequiredProperty(f"{self._describe()} needs the properties {', '.join(missing)}.")

    def _describe(self) -> str:
        return f"{self._STORAGE_TYPE} data node {self.id} (config {self.config_id!r})"

    def _location(self) -> str:
        return f"s3://{self._properties['aws_s3_bucket_name']}/{self._properties['aws_s3_object_key']}"

    def _client(self) -> Any:
        properties = self._properties
        extra = dict(properties.get("aws_s3_client_parameters") or {})
        key = (
            properties["aws_access_key"],
            properties["aws_secret_access_key"],
            properties.get("aws_region"),
            repr(sorted(extra.items())),
        )
        client = _clients.get(key)
        if client is None:
            boto3 = require("boto3", self._describe())
            with _clients_lock:
                client = _clients.get(key)
                if client is None:
                    client = boto3.client(
                        "s3",
                        aws_access_key_id=properties["aws_access_key"],
                        aws_secret_access_key=properties["aws_secret_access_key"],
                        region_name=properties.get("aws_region"),
                        **extra,
                    )
                    _clients[key] = client
        return client

    def _read(self) -> bytes:
        botocore = require("botocore.exceptions", self._describe())
        try:
            response = self._client().get_object(
                Bucket=self._properties["aws_s3_bucket_name"],
                Key=self._properties["aws_s3_object_key"],
                **(self._properties.get("aws_s3_get_object_parameters") or {}),
            )
            return response["Body"].read()
        except botocore.ClientError as exc:
            raise DataNodeReadingError(f"{self._describe()} cannot read {self._location()}: {exc}") from exc

    def _write(self, data: Any) -> None:
        if not isinstance(data, (bytes, bytearray, str)) and not hasattr(data, "read"):
            raise DataNodeWritingError(
                f"{self._describe()} stores bytes: it cannot write a {type(data).__name__}. Encode it first, "
                "or use a csv, parquet, json or pickle data node with an s3:// path."
            )
        botocore = require("botocore.exceptions", self._describe())
        try:
            self._client().put_object(
                Bucket=self._properties["aws_s3_bucket_name"],
                Key=self._properties["aws_s3_object_key"],
                Body=data,
                **self._put_parameters(),
            )
        except botocore.ClientError as exc:
            raise DataNodeWritingError(f"{self._describe()} cannot write {self._location()}: {exc}") from exc

    def _put_parameters(self) -> dict[str, Any]:
        """Extra ``put_object`` arguments: Taipy 4.1's ``aws_s3_object_parameters``, then 4.2's name over them."""
        return {
            **(self._properties.get("aws_s3_object_parameters") or {}),
            **(self._properties.get("aws_s3_put_object_parameters") or {}),
        }
