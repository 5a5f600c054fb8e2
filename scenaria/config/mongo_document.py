"""``MongoDefaultDocument``: the document class of a mongo_collection data node given none.

It lives with the configuration, not with the mongo data node, because it is the default value
of the ``custom_document`` property (filled in by ``DataNodeConfig``, as Taipy fills it in), and
the configuration must not import storage types. ``scenaria.data.mongo`` re-exports it.
"""

from __future__ import annotations

from typing import Any


class MongoDefaultDocument:
    """A document whose fields are attributes: ``MongoDefaultDocument(name="a").name == "a"``."""

    def __init__(self, **fields: Any) -> None:
        for name, value in fields.items():
            setattr(self, name, value)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in vars(self).items())
        return f"{type(self).__name__}({fields})"
