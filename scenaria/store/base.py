"""The repository contract: where every entity and every job state is kept.

A repository holds *records*: JSON-compatible dicts, each with a string ``"id"``, grouped by
*kind* (``"version"``, ``"cycle"``, ``"scenario"``, ``"task"``, ``"data_node"``, ``"job"``,
``"submission"``). It knows nothing of entity classes: entities turn themselves into records
and back (``scenaria.entities``), so one store serves every entity and a new store is a few
methods.

Queries are equality filters on a fixed set of indexed fields (``INDEXED_FIELDS``), which every
back end indexes so that the public API never scans the whole store. A record may lack an
indexed field; it then never matches a filter on that field.

Back ends: ``memory`` (tests), ``sqlite`` (the default: one file, WAL), ``filesystem`` (one
JSON file per entity, Taipy's layout). ``open_repository(settings)`` builds one from plain
settings, which is also how a repository travels to another process: as its settings, never as
a live connection.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import Any

Record = dict[str, Any]

KINDS: tuple[str, ...] = ("version", "cycle", "scenario", "task", "data_node", "job", "submission")

# Fields every back end indexes. Values are strings (ids, iso dates, status names) or None.
INDEXED_FIELDS: tuple[str, ...] = (
    "version",
    "config_id",
    "owner_id",
    "creation_date",
    "task_id",
    "submit_id",
    "status",
    "entity_id",
)


class Repository(abc.ABC):
    """Persistent storage of records, by kind and id.

    Writes made inside ``with repo.transaction():`` are committed together (or not at all if
    the block raises); outside a transaction every write commits on its own. Transactions nest:
    only the outermost one commits. A repository may be used from several threads of one
    process.
    """

    #: settings that rebuild this repository with ``open_repository`` (JSON-compatible)
    settings: dict[str, Any]

    @abc.abstractmethod
    def save(self, kind: str, record: Record) -> None:
        """Insert or replace the record with ``record["id"]``."""

    def save_many(self, kind: str, records: Iterable[Record]) -> None:
        """Insert or replace several records in one transaction."""
        with self.transaction():
            for record in records:
                self.save(kind, record)

    @abc.abstractmethod
    def load(self, kind: str, id: str) -> Record | None:
        """The record with that id, or None."""

    def load_many(self, kind: str, ids: Iterable[str]) -> list[Record]:
        """The records with those ids that exist, in the order of ``ids``."""
        found = (self.load(kind, id) for id in ids)
        return [record for record in found if record is not None]

    @abc.abstractmethod
    def find(self, kind: str, **where: Any) -> list[Record]:
        """Records of a kind whose indexed fields equal the values given.

        A value that is a list, tuple or set matches any of its members. With no filter, every
        record of the kind. Records come in insertion order (first saved first; replacing a
        record keeps its place).
        """

    @abc.abstractmethod
    def count(self, kind: str, **where: Any) -> int:
        """How many records ``find`` would return."""

    def exists(self, kind: str, id: str) -> bool:
        return self.load(kind, id) is not None

    @abc.abstractmethod
    def delete(self, kind: str, ids: Iterable[str]) -> None:
        """Delete the records with those ids; ids that do not exist are ignored."""

    @abc.abstractmethod
    def delete_where(self, kind: str, **where: Any) -> None:
        """Delete the records ``find(kind, **where)`` would return (all of the kind without a filter)."""

    @abc.abstractmethod
    def get_meta(self, key: str) -> Any:
        """A small JSON-compatible value kept beside the records (e.g. the latest version), or None."""

    @abc.abstractmethod
    def set_meta(self, key: str, value: Any) -> None:
        """Set (or with None, remove) a meta value."""

    @abc.abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """Group the writes of a ``with`` block into one atomic commit."""

    @abc.abstractmethod
    def clear(self) -> None:
        """Delete every record and meta value."""

    def close(self) -> None:
        """Release connections and files. The repository must not be used afterwards."""


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown record kind {kind!r}; expected one of {', '.join(KINDS)}")
