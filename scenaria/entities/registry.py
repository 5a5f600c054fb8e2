"""The identity map: one live object per entity id, over the repository.

Every entity the API returns comes from here, so an object the orchestrator updates is the very
object the user holds (``job.status`` read again shows the new status) and no attribute read
goes to the disk. Getting an entity by id (or listing entities) re-reads its record, so a change
made by another process shows when the entity is got again; the object keeps its identity.

Memory stays flat in a long-running process: the map holds entities weakly, so it keeps only
those something else holds (the user's variables, the orchestrator's unfinished jobs and
submissions, other entities), plus the ``RECENT`` entities used last, held strongly so that
reading the same entities again and again does not rebuild them.
"""

from __future__ import annotations

import gc
import operator
import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, ClassVar, Protocol, TypeVar

from scenaria.exceptions import ModelNotFound
from scenaria.store import canonical_type
from scenaria.store.base import Repository


class Stored(Protocol):
    """What the registry needs of an entity: ``entities.base.Entity`` is one.

    Described here rather than imported, so that entities may use the registry (to resolve the
    ids they hold) while the registry knows no entity module.
    """

    _KIND: ClassVar[str]  # record kind in the store
    _ID_PREFIX: ClassVar[str]  # first part of the ids of this kind
    id: str

    def _to_record(self) -> dict[str, Any]: ...

    def _encoded(self, record: dict[str, Any]) -> dict[str, Any]: ...

    @classmethod
    def _from_record(cls, record: dict[str, Any]) -> Any: ...

    def _refresh(self, record: dict[str, Any]) -> None: ...


E = TypeVar("E", bound=Stored)

#: how many recently used entities the registry holds strongly
RECENT = 1000


class Registry:
    """Live entities of one repository."""

    def __init__(self, repository: Repository) -> None:
        self.repository = repository
        self._objects = _Live()
        self._recent: OrderedDict[str, Stored] = OrderedDict()
        #: called inside each transaction that writes a job, before it commits (the lease's fencing)
        self.fence: Callable[[], None] | None = None
        self._lock = threading.RLock()
        self._local = threading.local()  # this thread's transaction: depth, entities to save
        self.version: str = ""  # the version new entities get and queries filter on
        self.prepared_for: object | None = None  # the configuration that version was chosen for

    # --- reading ---------------------------------------------------------------------------------
    def get(self, entity_id: str) -> Stored | None:
        """The live entity with that id, or None; ``ModelNotFound`` for an id of no known kind."""
        cls = entity_class(entity_id)
        unsaved = getattr(self._local, "unsaved", None)
        if unsaved and entity_id in unsaved:
            return unsaved[entity_id]
        record = self.repository.load(cls._KIND, entity_id)
        return None if record is None else self._adopt(cls, record)

    def refresh(self, entity: Stored) -> bool:
        """Bring ``entity`` up to date with its stored record, as ``get`` would; False when the store
        has no record of it (deleted). Only the record's revision is read while nothing newer is
        stored (the usual case: the object is this process's own), so no record is decoded."""
        unsaved = getattr(self._local, "unsaved", None)
        if unsaved and entity.id in unsaved:
            return True
        revision = self.repository.revision(entity._KIND, entity.id)
        if revision is None:
            return False
        if revision > entity.__dict__.get("_revision", 0):  # another process saved it since
            return self.get(entity.id) is not None
        return True

    def cached(self, entity_id: str) -> Stored | None:
        """The live entity if this process holds it, without reading the store."""
        obj = self._objects.get(entity_id)
        return obj if obj is not None else self.get(entity_id)

    def take(self, record: dict[str, Any]) -> Stored:
        """The live entity of a record another process sent, as if read from the store (where that
        process committed it before sending it): no store read."""
        return self._adopt(entity_class(record["id"]), record)

    def find(
        self, cls: type[E], all_versions: bool = False, *, limit: int | None = None, offset: int = 0, **where: Any
    ) -> list[E]:
        """Entities of a class whose indexed fields match, of the current version unless told.

        Before this process chose its version (nothing created or run yet), the current version
        is the latest one recorded in the store, as in the reference. ``offset`` and ``limit``
        select one page (``Repository.find``): only its records are read and built.
        """
        where = self._versioned(cls, all_versions, where)
        records = self.repository.find(cls._KIND, limit=limit, offset=offset, **where)
        with _collector_paused():  # building many objects at once: see _collector_paused
            return [self._adopt(cls, record) for record in records]

    def count(self, cls: type[Stored], all_versions: bool = False, **where: Any) -> int:
        """How many entities ``find`` would return without a page."""
        return self.repository.count(cls._KIND, **self._versioned(cls, all_versions, where))

    def _versioned(self, cls: type[Stored], all_versions: bool, where: dict[str, Any]) -> dict[str, Any]:
        if not all_versions and "version" not in where and cls._KIND not in _UNVERSIONED:
            version = self.version or self.repository.get_meta("latest_version")
            if version:
                where["version"] = version
        return where

    def get_many(self, cls: type[E], ids: Iterable[str]) -> list[E]:
        """Live entities for ids, in order; ids this process already holds are not re-read."""
        ids = list(ids)
        found: dict[str, Stored] = {}
        for i in ids:
            obj = self._objects.get(i)
            if obj is not None:
                found[i] = obj
        missing = [i for i in ids if i not in found]
        if missing:
            for record in self.repository.load_many(cls._KIND, missing):
                found[record["id"]] = self._adopt(cls, record)
        return [found[i] for i in ids if i in found]  # type: ignore[misc]

    def _adopt(self, cls: type[E], record: dict[str, Any]) -> E:
        obj = self._objects.get(record["id"])
        if obj is None:
            with self._lock:
                obj = self._objects.get(record["id"])
                if obj is None:
                    obj = cls._from_record(record)
                    object.__setattr__(obj, "_revision", record.get("revision", 0))
                    self._keep(obj)
                    return obj  # type: ignore[return-value]
        obj._refresh(record)
        self._keep(obj)
        return obj  # type: ignore[return-value]

    def _keep(self, *entities: Stored) -> None:
        with self._lock:
            objects, recent = self._objects, self._recent
            refs = objects.refs
            for entity in entities:
                key = entity.id
                refs[key] = _ref(entity)
                recent[key] = entity
                recent.move_to_end(key)
            while len(recent) > RECENT:
                recent.popitem(last=False)
            if len(refs) > objects.purge_at:
                objects.purge()

    # --- writing ---------------------------------------------------------------------------------
    def add(self, entity: Stored) -> None:
        """Keep a new entity and save it."""
        self._keep(entity)
        self.save(entity)

    def save(self, entity: Stored) -> None:
        """Save an entity now, or inside a transaction when it commits (once, however many
        times it changed meanwhile: a job's PENDING, RUNNING and its submission's status in one
        batch of reports are one write each)."""
        if self._objects.get(entity.id) is None:
            self._keep(entity)
        local = self._local
        unsaved = getattr(local, "unsaved", None)
        if unsaved is not None:
            unsaved[entity.id] = entity
            if local.made:  # changed since its record was made (``save_new``): made again at commit
                local.made.pop(entity.id, None)
        elif self.fence is not None and entity._KIND == "job":
            with self.transaction():
                unsaved = self._local.unsaved
                unsaved[entity.id] = entity
        else:
            self.repository.save(entity._KIND, revised_record(entity))

    def save_new(self, entities: Iterable[tuple[Stored, dict[str, Any]]]) -> None:
        """Keep new entities and save them with the records already made of them (with their
        revision: ``entities.shapes``), inside a transaction when it commits: an entity saved
        again before that is written as it is then."""
        local = self._local
        unsaved = getattr(local, "unsaved", None)
        if unsaved is None:
            with self.transaction():
                self.save_new(entities)
            return
        made = local.made
        with self._lock:  # what ``_keep`` does, in the same loop
            objects, recent = self._objects, self._recent
            refs = objects.refs
            for entity, record in entities:
                key = entity.id
                refs[key] = _ref(entity)
                recent[key] = unsaved[key] = entity
                recent.move_to_end(key)
                made[key] = record
            while len(recent) > RECENT:
                recent.popitem(last=False)
            if len(refs) > objects.purge_at:
                objects.purge()

    def delete(self, entities: Iterable[Stored]) -> None:
        by_kind: dict[str, list[str]] = {}
        unsaved = getattr(self._local, "unsaved", None) or {}
        made = getattr(self._local, "made", None) or {}
        for entity in entities:
            by_kind.setdefault(entity._KIND, []).append(entity.id)
            unsaved.pop(entity.id, None)
            made.pop(entity.id, None)
        with self.repository.transaction():
            for kind, ids in by_kind.items():
                self.repository.delete(kind, ids)
        for ids in by_kind.values():
            for entity_id in ids:
                self._objects.pop(entity_id, None)
                self._recent.pop(entity_id, None)

    def forget(self, version: str | None = None) -> None:
        """Drop the live objects (of one version when given): they are re-read when asked for."""
        if version is None:
            self._objects.clear()
            self._recent.clear()
            return
        for entity_id, entity in list(self._objects.items()):
            if getattr(entity, "version", None) == version:
                self._objects.pop(entity_id, None)
                self._recent.pop(entity_id, None)

    def transaction(self) -> AbstractContextManager[None]:
        """Group saves: each entity saved in the block is written once, all in one commit (a nested
        block joins the outermost one: it is a no-op, and what it raises rolls the outermost back).

        A job's handling opens a dozen nested blocks, so a nested one costs no generator: one
        shared context manager that does nothing."""
        if getattr(self._local, "unsaved", None) is not None:
            return _JOINED
        return self._outermost()

    @contextmanager
    def _outermost(self) -> Iterator[None]:
        local = self._local
        unsaved: dict[str, Stored] = {}  # id -> entity to write at commit
        local.unsaved = unsaved
        made: dict[str, dict[str, Any]] = {}  # id -> its record, made already (``save_new``)
        local.made = made
        after: list[Callable[[], None]] = []
        local.after = after
        before: list[Callable[[], None]] = []
        local.before = before
        aborted: list[Callable[[], None]] = []
        local.aborted = aborted
        try:
            with self.repository.transaction():
                yield
                for action in before:
                    action()
                if self.fence is not None and "job" in map(_kind_of, unsaved.values()):  # (no Python frame)
                    self.fence()
                by_kind: dict[str, list[dict[str, Any]]] = {}  # one statement per kind, its rows in order
                for entity_id, entity in unsaved.items():
                    record = made.get(entity_id) if made else None
                    by_kind.setdefault(entity._KIND, []).append(record or revised_record(entity))
                self.repository.save_kinds(by_kind.items())
        except BaseException:
            for action in aborted:
                action()
            raise
        finally:
            local.unsaved = local.made = local.after = local.before = local.aborted = None
        for action in after:
            action()

    def in_transaction(self) -> bool:
        """Whether this thread is inside ``transaction()`` (its saves are written at its commit)."""
        return getattr(self._local, "unsaved", None) is not None

    def before_commit(self, action: Callable[[], None]) -> None:
        """Run ``action`` at the end of this thread's transaction, in it, before its saves (at once
        outside one): for a write that sums up what the transaction did (one, not one per change)."""
        before = getattr(self._local, "before", None)
        if before is None:
            action()
        elif action not in before:  # the same action (an equal bound method) runs once
            before.append(action)

    def on_abort(self, action: Callable[[], None]) -> None:
        """Run ``action`` if this thread's transaction fails (never outside one): to forget what
        was prepared for a commit that did not happen."""
        aborted = getattr(self._local, "aborted", None)
        if aborted is not None:
            aborted.append(action)

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run ``action`` once this thread's transaction has committed (at once outside one).

        For what must not happen before the state it follows is stored: deleting the staged
        writes of a job whose end is not recorded yet would lose them for its roll-forward.
        Nothing runs when the transaction fails.
        """
        after = getattr(self._local, "after", None)
        if after is None:
            action()
        else:
            after.append(action)

    def close(self) -> None:
        self._objects.clear()
        self._recent.clear()
        self.repository.close()


_UNVERSIONED = frozenset({"cycle", "version"})
_ref = weakref.ref
_kind_of = operator.attrgetter("_KIND")


class _Live:
    """id -> live entity, held weakly: what ``weakref.WeakValueDictionary`` does, cheaper.

    That dictionary makes a ``KeyedRef`` per entity in Python and runs a Python callback when one
    dies: a quarter of what keeping a new scenario's eight entities cost. Here a plain weak
    reference is kept, and the references of entities that died are dropped at once when there
    are four times as many as there were live ones at the last purge: the map stays within four
    times the live entities (whose number ``RECENT`` and the user bound, not the store's size),
    each purge (a check of each reference) paid for by the three times as many insertions since
    the last. Insertions and purges happen under the registry's lock (``Registry._keep``)."""

    __slots__ = ("purge_at", "refs")

    _SMALLEST = 64  # no purge below this many references

    def __init__(self) -> None:
        self.refs: dict[str, weakref.ref[Any]] = {}
        self.purge_at = self._SMALLEST

    def get(self, key: str) -> Any:
        ref = self.refs.get(key)
        return None if ref is None else ref()

    def pop(self, key: str, default: Any = None) -> Any:
        ref = self.refs.pop(key, None)
        entity = None if ref is None else ref()
        return default if entity is None else entity

    def items(self) -> list[tuple[str, Any]]:
        """The live ones."""
        return [(key, entity) for key, ref in list(self.refs.items()) if (entity := ref()) is not None]

    def clear(self) -> None:
        self.refs.clear()

    def purge(self) -> None:
        """Drop the references of dead entities, in place (another thread may ``pop`` meanwhile)."""
        refs = self.refs
        for key, ref in list(refs.items()):
            if ref() is None:
                refs.pop(key, None)
        self.purge_at = max(4 * len(refs), self._SMALLEST)

    def __len__(self) -> int:
        """How many are alive."""
        return sum(1 for ref in list(self.refs.values()) if ref() is not None)


#: a nested ``Registry.transaction()``: it joins the outermost block, so it has nothing to do
_JOINED: AbstractContextManager[None] = nullcontext()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector while a query builds its entities.

    Creating a hundred thousand objects makes the collector scan every live object again and
    again (listing 100,000 scenarios took twice as long); what a query builds is kept anyway.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def revised_record(entity: Stored) -> dict[str, Any]:
    """The entity's record with its next revision: how a reader tells a newer record from its own."""
    revision = entity.__dict__.get("_revision", 0) + 1
    object.__setattr__(entity, "_revision", revision)
    record = entity._to_record()
    record["revision"] = revision
    return entity._encoded(record)


#: id prefix -> class of the entities of that kind. Each entity class registers itself when it is
#: defined (``Entity.__init_subclass__``); importing any module of ``scenaria.entities`` first runs
#: the package's ``__init__``, which defines them all.
_CLASSES: dict[str, type[Stored]] = {}


def register_class(cls: type[Stored]) -> None:
    """Make ids starting with ``cls._ID_PREFIX`` load as ``cls``."""
    _CLASSES[cls._ID_PREFIX] = cls


def entity_class(entity_id: str) -> type[Stored]:
    """The entity class for an id, from its prefix."""
    classes = _CLASSES
    prefix = entity_id.split("_", 1)[0] if isinstance(entity_id, str) else ""
    cls = classes.get(prefix)
    if cls is None:
        raise ModelNotFound(
            f"{entity_id!r} is not an entity id: ids start with one of {', '.join(sorted(classes))} followed by '_'."
        )
    return cls


# --- the process's registry ----------------------------------------------------------------------
_current: Registry | None = None
_current_lock = threading.Lock()


def registry() -> Registry:
    """The registry of the configured store, opened on first use."""
    global _current
    if _current is None:
        with _current_lock:
            if _current is None:
                from scenaria.store import open_repository

                _current = Registry(open_repository(repository_settings()))
    return _current


def reset_registry() -> None:
    """Close the store and forget every live entity (tests; a new configuration)."""
    global _current
    with _current_lock:
        if _current is not None:
            _current.close()
        _current = None


def repository_settings() -> dict[str, Any]:
    """The repository settings that ``Config.core`` describes."""
    from scenaria.config import Config

    core = Config.core
    kind = canonical_type((core.repository_type or "sqlite").lower())
    properties = dict(core.repository_properties or {})
    folder = core.taipy_storage_folder or ".taipy/"
    if kind == "sqlite":  # every setting Config.check() accepts is used
        path = properties.pop("db_location", None) or properties.pop("path", None)
        return {"type": "sqlite", **properties, "path": path or os.path.join(folder, "scenaria.db")}
    if kind == "filesystem":
        return {"type": "filesystem", **properties, "root": properties.pop("root", None) or folder}
    if kind == "postgresql":
        return {"type": "postgresql", **properties}
    return {"type": kind, **properties}
