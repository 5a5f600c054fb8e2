"""The repository contract: where every entity and every job state is kept.

A repository holds *records*: JSON-compatible dicts, each with a non-empty string ``"id"``,
grouped by *kind* (``"version"``, ``"cycle"``, ``"scenario"``, ``"task"``, ``"data_node"``,
``"job"``, ``"submission"``). It knows nothing of entity classes: entities turn themselves into
records and back (``scenaria.entities``), so one store serves every entity and a new store is a
few methods.

Queries are equality filters on a fixed set of indexed fields (``INDEXED_FIELDS``), which every
back end indexes so that the public API never scans the whole store. Indexed values are JSON
scalars (in practice strings: ids, iso dates, status names) or None; a record that lacks an
indexed field has it as None, so ``find("data_node", owner_id=None)`` finds the global data nodes.
(A filter whose only values are None may read every record of its kind: the SQL back ends index
only the values that are there. Give another filter beside it, such as ``config_id``.)

Every record returned is a new dict: changing it changes nothing in the store, and changing a
dict after saving it does not change what was saved.

Back ends: ``memory`` (tests), ``sqlite`` (the default: one file, WAL), ``filesystem`` (one
JSON file per entity, Taipy's layout), ``postgresql`` (several hosts). ``open_repository(settings)``
builds one from plain settings, which is also how a repository travels to another process: as
its settings, never as a live connection.
"""

from __future__ import annotations

import abc
import gc
import json
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any

from scenaria.exceptions import StoreDamaged, StoreWritesRefused

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

_KIND_SET = frozenset(KINDS)
_FIELD_SET = frozenset(INDEXED_FIELDS)
_SCALARS = (str, int, float, bool, type(None))
_MANY = (list, tuple, set, frozenset)
_STRING_OR_NONE = frozenset({str, type(None)})


class Repository(abc.ABC):
    """Persistent storage of records, by kind and id.

    Writes made inside ``with repo.transaction():`` are committed together (or not at all if
    the block raises); outside a transaction every write commits on its own. Transactions nest:
    an inner block that raises undoes its own writes only (a savepoint), and only the outermost
    block commits. A transaction belongs to the thread that opened it: its writes are seen by
    that thread's reads at once, by other threads and processes once it commits. A repository
    may be used from several threads of one process, and (except ``memory``) from several
    processes at once; each back end's module says what it guarantees between processes.

    A repository is a context manager that closes it.
    """

    #: settings that rebuild this repository with ``open_repository`` (JSON-compatible)
    settings: dict[str, Any]
    #: what this object found damaged (a message), and the file to look at again: writes are
    #: refused until that file reads well (see ``refuse_writes_if_damaged``)
    _damage: tuple[str, str | None] | None = None

    @abc.abstractmethod
    def save(self, kind: str, record: Record) -> None:
        """Insert or replace the record with ``record["id"]``.

        A new record goes after every record of its kind; a replaced record keeps its place.
        """

    def save_many(self, kind: str, records: Iterable[Record]) -> None:
        """Insert or replace several records in one transaction."""
        with self.transaction():
            for record in records:
                self.save(kind, record)

    def save_kinds(self, groups: Iterable[tuple[str, Iterable[Record]]]) -> None:
        """``save_many`` of each (kind, records), in order: what a registry's commit writes, inside
        the transaction it commits (a back end may do it with less than a call per kind)."""
        for kind, records in groups:
            self.save_many(kind, records)

    @abc.abstractmethod
    def load(self, kind: str, id: str) -> Record | None:
        """The record with that id, or None."""

    def load_many(self, kind: str, ids: Iterable[str]) -> list[Record]:
        """The records with those ids that exist, in the order of ``ids``."""
        found = (self.load(kind, id) for id in check_ids(ids))
        return [record for record in found if record is not None]

    @abc.abstractmethod
    def find(self, kind: str, *, limit: int | None = None, offset: int = 0, **where: Any) -> list[Record]:
        """Records of a kind whose indexed fields equal the values given.

        A value that is a list, tuple or set matches any of its members (an empty one matches
        nothing); None matches records where the field is None or missing. With no filter,
        every record of the kind. Records come in insertion order (first saved first; replacing
        a record keeps its place; a record deleted and saved again goes last). A field that is
        not in ``INDEXED_FIELDS`` is a ``ValueError``: queries never scan.

        ``offset`` and ``limit`` (None: no limit) select one page of that order: the matches
        after the first ``offset``, at most ``limit`` of them. Only the page is decoded (and, in
        the SQL stores, read), so a listing's first page costs the same over any number of records.
        """

    @abc.abstractmethod
    def count(self, kind: str, **where: Any) -> int:
        """How many records ``find`` would return."""

    def exists(self, kind: str, id: str) -> bool:
        return self.load(kind, id) is not None

    def revision(self, kind: str, id: str) -> int | None:
        """The ``revision`` of the record with that id (0 when it has none), or None when there is
        no such record: how a holder of the entity tells, without decoding it, whether it is current."""
        record = self.load(kind, id)
        return None if record is None else int(record.get("revision", 0))

    @abc.abstractmethod
    def delete(self, kind: str, ids: Iterable[str]) -> None:
        """Delete the records with those ids; ids that do not exist are ignored.

        ``ids`` is an iterable of ids, never a single id string (a ``TypeError``).
        """

    @abc.abstractmethod
    def delete_where(self, kind: str, **where: Any) -> None:
        """Delete the records ``find(kind, **where)`` would return (all of the kind without a filter)."""

    @abc.abstractmethod
    def get_meta(self, key: str) -> Any:
        """A small JSON-compatible value kept beside the records (e.g. the latest version), or None."""

    @abc.abstractmethod
    def set_meta(self, key: str, value: Any) -> None:
        """Set (or with None, remove) a meta value. Part of the current transaction, if any."""

    def lock_meta(self, key: str) -> Any:
        """``get_meta`` inside a transaction, holding the key until the transaction ends.

        Two transactions that lock the same key run one after the other, so a read-decide-write
        on a meta value (the orchestrator's lease), or on records under a key's name (one cycle
        per period), is atomic. Here: back ends whose transactions already exclude each other
        (SQLite's ``BEGIN IMMEDIATE``); the buffered stores hold their write lock until the
        transaction ends, PostgreSQL an advisory lock.
        """
        return self.get_meta(key)

    @abc.abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """Group the writes of a ``with`` block into one atomic commit."""

    @abc.abstractmethod
    def clear(self) -> None:
        """Delete every record and meta value."""

    def close(self) -> None:  # noqa: B027 (optional: a store holding nothing has nothing to release)
        """Release connections and files. The repository must not be used afterwards."""

    def __enter__(self) -> Repository:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.settings!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # A repository crosses a process boundary as its settings: the other side opens its own.
        # Its settings besides "type" are the keyword arguments of its class.
        options = {key: value for key, value in self.settings.items() if key != "type"}
        return (_reopen, (type(self), options))

    # --- damage ---------------------------------------------------------------------------------
    def found_damaged(self, error: StoreDamaged, path: str | None = None) -> StoreDamaged:
        """Remember ``error`` (writes are refused from now on) and return it, to be raised."""
        self._damage = (str(error), path)
        return error

    def refuse_writes_if_damaged(self) -> None:
        """Raise ``StoreWritesRefused`` if this object found the store damaged: writing into a
        damaged store could spread the damage, or bury it under new records. A damaged file that
        was repaired since (moved aside by ``scenaria doctor --repair``, restored) is forgiven."""
        damage = self._damage
        if damage is None:
            return
        message, path = damage
        if path is not None and self._repaired(path):
            self._damage = None
            return
        raise StoreWritesRefused(
            f"writes to this store are refused, as it was found damaged: {message}. After the repair, "
            "open the store again (restart the application)"
        )

    def _repaired(self, path: str) -> bool:
        """Whether the damaged file ``path`` reads well now (a back end with files says)."""
        return False


def _reopen(cls: type[Repository], options: dict[str, Any]) -> Repository:
    return cls(**options)


# --- helpers shared by the back ends --------------------------------------------------------------
def check_kind(kind: str) -> None:
    if kind not in _KIND_SET:
        raise ValueError(f"unknown record kind {kind!r}; expected one of {', '.join(KINDS)}")


def record_id(record: Record) -> str:
    """The id of a record to save, checked: a missing or non-string id is a clear error, not a
    row that can never be loaded again."""
    try:
        id = record["id"]
    except (KeyError, TypeError):
        raise ValueError(f"a record is a dict with an 'id' key, got {record!r:.200}") from None
    if not isinstance(id, str) or not id:
        raise ValueError(f"a record's id is a non-empty string, got {id!r}")
    return id


def indexed_values(record: Record) -> tuple[Any, ...]:
    """The record's values of ``INDEXED_FIELDS``, in that order (None when missing)."""
    values = tuple(map(record.get, INDEXED_FIELDS))
    if _STRING_OR_NONE.issuperset(map(type, values)):
        return values  # what every entity's record holds: the check below is for other records
    for field, value in zip(INDEXED_FIELDS, values, strict=True):
        if not isinstance(value, _SCALARS):
            raise TypeError(
                f"indexed field {field!r} of record {record.get('id')!r} must be a string or None "
                f"(a JSON scalar), got {type(value).__name__}"
            )
    return values


def check_where(where: dict[str, Any]) -> list[tuple[int, Any]]:
    """The filter as (position in ``INDEXED_FIELDS``, value) pairs, with collections turned
    into frozensets. Unknown fields and unhashable values are rejected before any query runs."""
    checked: list[tuple[int, Any]] = []
    for field, value in where.items():
        if field not in _FIELD_SET:
            raise ValueError(f"cannot filter on {field!r}: queries use the indexed fields {', '.join(INDEXED_FIELDS)}")
        if isinstance(value, _MANY):
            members = frozenset(value)
            for member in members:
                if not isinstance(member, _SCALARS):
                    raise TypeError(f"filter {field}= holds {member!r}; values are strings or None")
            checked.append((INDEXED_FIELDS.index(field), members))
        elif isinstance(value, _SCALARS):
            checked.append((INDEXED_FIELDS.index(field), value))
        else:
            raise TypeError(f"filter {field}={value!r}: a value is a string, None, or a list of them")
    return checked


def matches(values: tuple[Any, ...], checked: list[tuple[int, Any]]) -> bool:
    """Whether indexed values (from ``indexed_values``) pass a filter (from ``check_where``)."""
    for position, wanted in checked:
        value = values[position]
        if isinstance(wanted, frozenset):
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True


def check_page(limit: int | None, offset: int) -> bool:
    """Whether ``find`` was asked for a page; a negative or non-integer bound is a ``ValueError``."""
    for name, value in (("limit", limit), ("offset", offset)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ValueError(f"find(..., {name}={value!r}): {name} is a whole number >= 0")
    return limit is not None or offset > 0


def check_ids(ids: Iterable[str]) -> list[str]:
    """``ids`` as a list, refusing a lone string (which would iterate as characters)."""
    if isinstance(ids, str):
        raise TypeError(f"expected an iterable of ids, got the string {ids!r}; wrap it in a list")
    return list(ids)


def closed_error(repository: Repository) -> ValueError:
    return ValueError(f"{type(repository).__name__} is closed; open a new one from its settings")


# --- JSON bodies ------------------------------------------------------------------------------------
def _record_encoder() -> Callable[[Any], str]:
    """Compact UTF-8 JSON, with no check for cycles (a record is a tree of fresh containers built
    by ``entities.codec``). ``JSONEncoder.encode`` builds its C encoder again at every call, most
    of the cost of encoding a small record: this one is built once (where C is missing, the
    encoder's ``encode``)."""
    settings = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return settings.encode
    chunks = make(None, settings.default, json.encoder.encode_basestring, None, ":", ",", False, False, True)
    join = "".join

    def encode(value: Any) -> str:
        return join(chunks(value, 0))

    return encode


encode_record = _record_encoder()
decode_record = json.loads


class Encoded(dict):  # type: ignore[type-arg]
    """A record that carries its JSON text (``body``), which a store writes as it is instead of
    encoding the dict again: an entity whose record holds a long history (a data node's edits)
    builds that text from pieces it keeps encoded, so a save costs the JSON of what changed."""

    __slots__ = ("body",)

    def __init__(self, record: Record, body: str) -> None:
        super().__init__(record)
        self.body = body


def with_text_last(record: Record, key: str, text: str) -> Encoded:
    """``record`` carrying its JSON text, with ``key`` last and ``text`` (kept encoded by its
    entity) as its value: the rest is encoded, that part is not."""
    rest = encode_record({name: value for name, value in record.items() if name != key})
    return Encoded(record, f'{rest[:-1]},"{key}":{text}}}')


def body_of(record: Record) -> str:
    """The JSON text of a record to save: its own when it carries one (``Encoded``)."""
    return record.body if type(record) is Encoded else encode_record(record)


# Decoding many records creates many containers at once, which makes CPython's cyclic GC run
# full collections over every live object again and again (4x the decoding time with 100k
# records alive). JSON cannot hold cycles, so the collector is paused for big batches.
_GC_PAUSE_ABOVE = 1000


def decode_rows(rows: list[tuple[Any, ...]], column: int = 0) -> list[Record]:
    """The records whose JSON bodies are in ``column`` of ``rows``."""
    if len(rows) <= _GC_PAUSE_ABOVE or not gc.isenabled():
        return [decode_record(row[column]) for row in rows]
    gc.disable()
    try:
        return [decode_record(row[column]) for row in rows]
    finally:
        gc.enable()
