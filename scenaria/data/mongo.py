"""Data stored in a MongoDB collection, exposed as a list of documents of a class.

A document read becomes ``custom_document.decode(doc)`` when the class has a ``decode`` class
method, else ``custom_document(**doc)`` (``_id`` included); written objects become
``obj.encode()`` when they have ``encode``, else their attributes (dicts are written as they
are). The default class, ``MongoDefaultDocument``, just holds the fields as attributes.
"""

from __future__ import annotations

import inspect
import threading
from typing import Any, ClassVar

from scenaria.config.mongo_document import MongoDefaultDocument
from scenaria.data.base import DataNode
from scenaria.data.extras import require
from scenaria.exceptions import DataNodeWritingError, InvalidCustomDocument, MissingRequiredProperty

_clients: dict[str, Any] = {}  # connection string -> MongoClient, for this process
_clients_lock = threading.Lock()

#: MongoDB error codes meaning "this server runs no transactions" (a standalone server)
_NO_TRANSACTIONS = {20, 263}


def connection_string(properties: dict[str, Any]) -> str:
    """``mongodb[+driver]://[user:password@]host[:port][/?extra]``, as the reference builds it."""
    import urllib.parse

    user, password = properties.get("db_username") or "", properties.get("db_password") or ""
    auth = f"{urllib.parse.quote_plus(user)}:{urllib.parse.quote_plus(password)}@" if user and password else ""
    driver = properties.get("db_driver") or ""
    url = f"mongodb{'+' + driver if driver else ''}://{auth}{properties.get('db_host') or 'localhost'}"
    if not driver:  # mongodb+srv URLs take no port
        url += f":{properties.get('db_port') or 27017}"
    extra = properties.get("db_extra_args") or {}
    if extra:
        url += "/?" + "&".join(f"{key}={value}" for key, value in extra.items())
    return url


class MongoCollectionDataNode(DataNode):
    """Properties: ``db_name``, ``collection_name``, ``custom_document`` (a class),
    ``db_username``, ``db_password``, ``db_host``, ``db_port``, ``db_driver``, ``db_extra_args``."""

    _STORAGE_TYPE: ClassVar[str] = "mongo_collection"
    _ALWAYS_WRITTEN: ClassVar[bool] = True

    def __post_init__(self) -> None:
        super().__post_init__()
        missing = [key for key in ("db_name", "collection_name") if not self._properties.get(key)]
        if missing:
            raise MissingRequiredProperty(f"{self._describe()} needs the properties {', '.join(missing)}.")
        if not inspect.isclass(self.custom_document):
            raise InvalidCustomDocument(
                f"{self._describe()}: custom_document {self.custom_document!r} is not a class; give a class."
            )

    def _describe(self) -> str:
        return f"{self._STORAGE_TYPE} data node {self.id} (config {self.config_id!r})"

    @property
    def custom_document(self) -> Any:
        return self._properties.get("custom_document") or MongoDefaultDocument

    def _collection(self) -> Any:
        pymongo = require("pymongo", self._describe())
        url = connection_string(self._properties)
        client = _clients.get(url)
        if client is None:
            with _clients_lock:
                client = _clients.setdefault(url, pymongo.MongoClient(url))
        return client[self._properties["db_name"]][self._properties["collection_name"]]

    # --- reading -------------------------------------------------------------------------------------
    def _read(self) -> list[Any]:
        return [self._decode(document) for document in self._collection().find()]

    def filter(self, operators: Any, join_operator: Any = None) -> list[Any]:
        """The documents matching ``(field, value, Operator)`` conditions, selected by the server."""
        conditions = [operators] if isinstance(operators, tuple) else list(operators or [])
        if not conditions:
            return self._read()
        mongo = {
            "EQUAL": "$eq",
            "NOT_EQUAL": "$ne",
            "LESS_THAN": "$lt",
            "LESS_OR_EQUAL": "$lte",
            "GREATER_THAN": "$gt",
            "GREATER_OR_EQUAL": "$gte",
        }
        clauses = [{key: {mongo[getattr(op, "name", str(op))]: value}} for key, value, op in conditions]
        join = "$or" if getattr(join_operator, "name", "AND") == "OR" else "$and"
        return [self._decode(document) for document in self._collection().find({join: clauses})]

    def _decode(self, document: dict[str, Any]) -> Any:
        cls = self.custom_document
        decode = getattr(cls, "decode", None)
        return decode(document) if callable(decode) else cls(**document)

    # --- writing -------------------------------------------------------------------------------------
    def _encode(self, data: Any) -> list[dict[str, Any]]:
        items = data if isinstance(data, list) else [data]
        documents = []
        for item in items:
            encode = getattr(type(item), "encode", None)
            try:
                if isinstance(item, dict):
                    documents.append(dict(item))
                elif callable(encode):
                    documents.append(dict(encode(item)))
                else:
                    documents.append(dict(vars(item)))
            except Exception as exc:
                raise DataNodeWritingError(
                    f"{self._describe()} cannot turn a {type(item).__name__} into a document: {exc}. "
                    "Write dicts, or give the class an encode() method."
                ) from exc
        return documents  # copies: insert_many adds _id to what it is given

    def _write(self, data: Any) -> None:
        """Replace the documents, in a transaction when the server runs them (replica sets)."""
        documents = self._encode(data)
        collection = self._collection()
        errors = require("pymongo.errors", self._describe())
        try:
            with collection.database.client.start_session() as session, session.start_transaction():
                collection.delete_many({}, session=session)
                if documents:
                    collection.insert_many(documents, session=session)
            return
        except errors.OperationFailure as exc:
            if exc.code not in _NO_TRANSACTIONS:
                raise
        collection.delete_many({})
        if documents:
            collection.insert_many(documents)

    def _append(self, data: Any) -> None:
        documents = self._encode(data)
        if documents:
            self._collection().insert_many(documents)
