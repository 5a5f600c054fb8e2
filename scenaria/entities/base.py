"""What every persisted entity shares: identity, records, saving, labels and change events.

Entities are plain dataclasses. Their record (what the store keeps) is derived from their
fields: a field ``_x`` is stored under ``"x"``, and a field's ``metadata["codec"]`` says how
to turn it into a JSON-compatible value and back when it is not one already.

An entity is *live*: in the orchestrating process there is one object per id (see
``registry``), changed in place by the orchestrator, so reading an attribute never touches the
disk. Changing a public attribute saves the entity and publishes an UPDATE event; ``with
entity:`` groups several changes into one save.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import os
import pickle
import time
import weakref
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from scenaria.entities import codec, values
from scenaria.entities.notify import publish
from scenaria.entities.registry import register_class, registry
from scenaria.events.notifier import Notifier
from scenaria.exceptions import EntityError

# --- field codecs ----------------------------------------------------------------------------------
Codec = tuple[Callable[[Any], Any], Callable[[Any], Any]]
DATETIME: Codec = (codec.dumps_datetime, codec.loads_datetime)
ANY: Codec = (codec.encode, codec.decode)
STRSET: Codec = (sorted, set)


def enum_codec(enum_type: type[enum.Enum]) -> Codec:
    return (
        lambda member: None if member is None else member.name,
        lambda name: None if name is None else enum_type[name],
    )


def field(
    default: Any = dataclasses.MISSING, *, codec: Codec | None = None, default_factory: Any = dataclasses.MISSING
) -> Any:
    """A dataclass field with an optional record codec."""
    metadata = {"codec": codec} if codec else {}
    return dataclasses.field(default=default, default_factory=default_factory, metadata=metadata)


def new_id(prefix: str, config_id: str | None = None) -> str:
    return id_prefix(prefix, config_id) + ordered_uuid()


def id_prefix(prefix: str, config_id: str | None = None) -> str:
    """What the ids of one kind and config start with (``new_id``): ``PREFIX_config_``."""
    return f"{prefix}_{config_id}_" if config_id else f"{prefix}_"


def ordered_uuid() -> str:
    """A random UUID whose first bits are the time (the layout of UUID version 7).

    Ids keep the reference's shape, ``PREFIX_config_<uuid>``, but ids made one after another
    sort one after another: a store's id index then grows at its end instead of at a random
    place, which halves the cost of a commit in SQLite, and listing ids sorts them by age.

    A scenario's creation makes eight, so the text is made of pieces written ahead: the random
    end of 512 ids at once (``_refill``), the text of each count of microseconds, and that of the
    current millisecond (once per millisecond). Formatting a 128-bit number was most of its cost.
    """
    milliseconds, microseconds = divmod(time.time_ns() // 1000, 1000)
    stamp = _stamp
    if stamp[0] != milliseconds:
        stamp = _new_stamp(milliseconds)
    digits, ends = _random
    try:
        at = next(ends)
    except StopIteration:
        digits, ends = _refill()
        at = next(ends)
    return f"{stamp[1]}{_MICROSECONDS[microseconds]}-{digits[at : at + 4]}-{digits[at + 4 : at + 16]}"


def _new_stamp(milliseconds: int) -> tuple[int, str]:
    """The text of the millisecond's 48 bits, then the version (7)."""
    global _stamp
    _stamp = (milliseconds, f"{milliseconds >> 16:08x}-{milliseconds & 0xFFFF:04x}-7")
    return _stamp


def _refill() -> tuple[str, Iterator[int]]:
    """The random ends of the next 512 ids, read at once (one system call instead of one per id):
    16 hex digits each, the variant (0b10) then 62 random bits, and where each starts (``next``
    on that iterator is atomic, so two threads never take the same one)."""
    global _random
    bits = bytearray(os.urandom(4096))
    bits[::8] = bits[::8].translate(_VARIANT)
    _random = (bits.hex(), iter(range(0, 8192, 16)))
    return _random


_MICROSECONDS = tuple(f"{n:03x}" for n in range(1000))
_VARIANT = bytes(0x80 | (n & 0x3F) for n in range(256))  # a byte's first two bits made 0b10
_stamp: tuple[int, str] = (-1, "")
_random: tuple[str, Iterator[int]] = ("", iter(()))
os.register_at_fork(after_in_child=_refill)  # a child never reuses its parent's bits


def random_uuid() -> str:
    """The text of a random UUID (version 4), as ``str(uuid.uuid4())``."""
    value = int.from_bytes(os.urandom(16), "big")
    value = (value & ~(0xF << 76) & ~(0b11 << 62)) | (0x4 << 76) | (0b10 << 62)
    return uuid_text(value)


def uuid_text(value: int) -> str:
    """The text of ``uuid.UUID(int=value)``, without importing ``uuid`` (slow) at start."""
    digits = f"{value:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def now() -> dt.datetime:
    return dt.datetime.now()


class Entity:
    """Base of the persisted entities (a dataclass subclass supplies the fields)."""

    _KIND: ClassVar[str]  # record kind in the store
    _ID_PREFIX: ClassVar[str]  # first part of the ids of this kind
    _EVENT_TYPE: ClassVar[str]  # EventEntityType member name
    _RECORD_FIELDS: ClassVar[tuple[tuple[str, str, Codec | None], ...]]
    # What ``_after_refresh`` derives for an entity just built by the creating code, beside its
    # properties: (attribute, factory) pairs, declared by the class that defines ``_after_refresh``
    # (``create._Fresh`` then builds it without a call of ``__post_init__``). Here: nothing.
    _FRESH_DERIVED: ClassVar[tuple[tuple[str, Callable[[], Any]], ...]] = ()

    id: str

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._RECORD_FIELDS = ()  # filled lazily: the dataclass decorator runs after this hook
        if "_ID_PREFIX" in cls.__dict__:  # a kind of its own (not a storage type of DataNode)
            register_class(cls)

    # --- records -------------------------------------------------------------------------------
    @classmethod
    def _fields(cls) -> tuple[tuple[str, str, Codec | None], ...]:
        if not cls._RECORD_FIELDS:
            cls._RECORD_FIELDS = tuple(
                (f.name, f.name.lstrip("_"), f.metadata.get("codec"))
                for f in dataclasses.fields(cls)  # type: ignore[arg-type]
                if f.init
            )
        return cls._RECORD_FIELDS

    @classmethod
    def _encoders(cls) -> tuple[tuple[str, str, Callable[[Any], Any] | None], ...]:
        """(attribute, record key, encoder or None) of each field, computed once per class."""
        cached = cls.__dict__.get("_ENCODERS")
        if cached is None:
            cached = tuple(
                (attr, key, field_codec[0] if field_codec else None) for attr, key, field_codec in cls._fields()
            )
            cls._ENCODERS = cached  # type: ignore[attr-defined]
        return cached  # type: ignore[no-any-return]

    def _to_record(self) -> dict[str, Any]:
        # one comprehension over the instance's dict: saving is the hot path of creating and running
        values = self.__dict__
        try:
            return {
                key: value if (value := values[attr]) is None or encoder is None else encoder(value)
                for attr, key, encoder in self._encoders()
            }
        except (TypeError, pickle.PicklingError) as exc:
            raise self._unstorable(exc) from exc

    def _unstorable(self, exc: Exception) -> Exception:
        """The error of a record that cannot be made, naming the field at fault (a value kept by
        cloudpickle that will not pickle), or ``exc`` itself."""
        for attr, key, encoder in self._encoders():
            value = getattr(self, attr)
            try:
                if encoder is not None and value is not None:
                    encoder(value)
            except (TypeError, pickle.PicklingError) as error:
                return EntityError(
                    f"{type(self).__name__} {self.id} (config {getattr(self, 'config_id', None)!r}) cannot be "
                    f"stored: its {key} {getattr(value, '__qualname__', type(value).__name__)} does not pickle "
                    f"({error}). Use a function importable by module and name, or one whose closure and "
                    "defaults hold only values that pickle."
                )
        return exc

    def _encoded(self, record: dict[str, Any]) -> dict[str, Any]:
        """The record to save, with its JSON text when this entity builds it more cheaply than the
        store would (``store.base.Encoded``): here, the record as it is."""
        return record

    @classmethod
    def _from_record(cls, record: dict[str, Any]) -> Any:
        """The entity a record describes, built without ``__init__`` (whose attribute guards
        are for users, not for loading): defaults first, then the record's values."""
        entity = cls.__new__(cls)
        entity._init_fields(cls._decoded(record))
        return entity

    @classmethod
    def _build(cls, **values: Any) -> Any:
        """A new entity from field values (``id=``, ``_owner_id=``...), built without ``__init__``
        too: the creating code has checked the configuration it comes from."""
        entity = cls.__new__(cls)
        entity._init_fields(values)
        return entity

    def _init_fields(self, values: dict[str, Any]) -> None:
        """Every field's default, then ``values``, then what is derived from them."""
        own = self.__dict__
        defaults, factories = type(self).__dict__.get("_DEFAULTS") or self._defaults()
        own.update(defaults)
        for attr, factory in factories:
            if attr not in values:  # (a new scenario gives its tasks, properties, sequences)
                own[attr] = factory()
        own.update(values)
        self.__post_init__()

    @classmethod
    def _defaults(cls) -> tuple[dict[str, Any], tuple[tuple[str, Any], ...]]:
        """The plain default of each field, and (attribute, factory) of those made by a factory
        (a fresh list or set per entity), computed once per class."""
        cached = cls.__dict__.get("_DEFAULTS")
        if cached is None:
            fields = dataclasses.fields(cls)  # type: ignore[arg-type]
            cached = (
                {f.name: None if f.default is dataclasses.MISSING else f.default for f in fields},
                tuple((f.name, f.default_factory) for f in fields if f.default_factory is not dataclasses.MISSING),
            )
            cls._DEFAULTS = cached  # type: ignore[attr-defined]
        return cached  # type: ignore[no-any-return]

    @classmethod
    def _decoded(cls, record: dict[str, Any]) -> dict[str, Any]:
        values = {}
        for attr, key, field_codec in cls._fields():
            if key in record:
                value = record[key]
                values[attr] = field_codec[1](value) if field_codec and value is not None else value
        return values

    def _refresh(self, record: dict[str, Any]) -> None:
        """Take the values of a record read from the store, when another process saved it since.

        Each save stores the entity's ``revision`` (see ``registry``). A record whose revision is
        not newer than this object's holds nothing new: it may even be older than this object
        (read by another thread while a transaction of this process is not committed yet), and
        taking it would undo what the orchestrator just did.
        """
        revision = record.get("revision", 0)
        if getattr(self, "_batch_depth", 0) or revision <= self.__dict__.get("_revision", 0):
            return
        for attr, value in self._decoded(record).items():
            object.__setattr__(self, attr, value)
        object.__setattr__(self, "_revision", revision)
        self._after_refresh()

    def __post_init__(self) -> None:
        self._after_refresh()

    def _after_refresh(self) -> None:
        """Derive what is not stored: properties that save their entity when changed."""
        if "_properties" in self.__dict__:
            self.__dict__["_properties"] = own_properties(self, self.__dict__["_properties"])

    # --- attributes most entities share ----------------------------------------------------------
    @property
    def properties(self) -> dict[str, Any]:
        return self._properties  # type: ignore[attr-defined,no-any-return]

    @property
    def creation_date(self) -> dt.datetime | None:
        return self._creation_date  # type: ignore[attr-defined,no-any-return]

    # --- saving and events ---------------------------------------------------------------------
    def _save(self) -> None:
        if getattr(self, "_batch_depth", 0):
            object.__setattr__(self, "_batch_dirty", True)
            return
        registry().save(self)

    def _changed(self, attribute: str, value: Any = None) -> None:
        """Save after a change of ``attribute`` and tell the subscribers."""
        self._save()
        self._publish("UPDATE", attribute, value)

    def _publish(self, operation: str, attribute: str | None = None, value: Any = None) -> None:
        if Notifier.listens_to(self._EVENT_TYPE):  # metadata is only built for someone
            publish(self._EVENT_TYPE, operation, self.id, attribute, value, self._event_metadata())

    def _event_metadata(self) -> dict[str, Any]:
        if "config_id" in self.__dict__:
            return {"config_id": self.__dict__["config_id"], "version": self.__dict__.get("version")}
        return {}

    def __enter__(self) -> Any:
        object.__setattr__(self, "_batch_depth", getattr(self, "_batch_depth", 0) + 1)
        return self

    def __exit__(self, *exc: object) -> None:
        depth = self.__dict__["_batch_depth"] - 1
        object.__setattr__(self, "_batch_depth", depth)
        if depth == 0 and getattr(self, "_batch_dirty", False):
            object.__setattr__(self, "_batch_dirty", False)
            self._save()

    # --- identity and labels ---------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Entity) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.id!r})"

    @property
    def name(self) -> str | None:
        return getattr(self, "_properties", {}).get("name")

    @name.setter
    def name(self, value: str | None) -> None:
        self.properties["name"] = value  # type: ignore[attr-defined]

    def get_simple_label(self) -> str:
        """The entity's own label: its ``label`` or ``name`` property, else its config id or id."""
        properties = getattr(self, "_properties", {})
        return properties.get("label") or self.name or getattr(self, "config_id", None) or self.id

    def get_label(self) -> str:
        """The label with its owners' in front (``"cycle > scenario > name"``)."""
        owner_id = getattr(self, "_owner_id", None) or getattr(self, "owner_id", None)
        if owner_id:
            owner: Any = registry().cached(owner_id)
            if owner is not None:
                return f"{owner.get_label()} > {self.get_simple_label()}"
        return self.get_simple_label()


class Properties(dict):
    """An entity's ``properties``: changing a key saves the entity and publishes an UPDATE.

    Values read from the store that are kept as files or import paths (``values``) are loaded
    when their key is read, not when the record is: ``_deferred`` names those keys.
    """

    __slots__ = ("_deferred", "_owner")  # (no attribute dict for each of thousands of entities)

    def __init__(self, owner: Entity | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # weakly: a strong reference back would make every entity a reference cycle, which only
        # the cyclic collector frees, late (a long-running orchestrator's memory then grows)
        self._owner = None if owner is None else weakref.ref(owner)
        self._deferred = _deferred_keys(self)

    def __getitem__(self, key: str) -> Any:
        if self._deferred and key in self._deferred:
            self._load(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __iter__(self) -> Iterator[str]:  # a Python __iter__ makes dict(p) and {**p} go through __getitem__
        return super().__iter__()

    def items(self) -> Any:
        self._load_all()
        return super().items()

    def values(self) -> Any:
        self._load_all()
        return super().values()

    def copy(self) -> dict[str, Any]:
        self._load_all()
        return dict(super().items())

    def __eq__(self, other: object) -> bool:
        self._load_all()
        return super().__eq__(other)

    def _load(self, key: str) -> None:
        super().__setitem__(key, values.loaded(super().__getitem__(key)))
        self._forget(key)

    def _load_all(self) -> None:
        for key in list(self._deferred or ()):
            self._load(key)

    def _forget(self, key: str) -> None:
        if self._deferred:
            self._deferred.discard(key)

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self._forget(key)
        self._notify()

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._forget(key)
        self._notify()

    def update(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        super().update(*args, **kwargs)
        self._deferred = _deferred_keys(self)
        self._notify()

    def pop(self, key: str, *default: Any) -> Any:  # type: ignore[override]
        if self._deferred and key in self._deferred:
            self._load(key)
        value = super().pop(key, *default)
        self._notify()
        return value

    def _notify(self) -> None:
        owner = None if self._owner is None else self._owner()
        if owner is not None:
            owner._changed("properties")

    def __reduce__(self) -> Any:  # travels as a plain dict (e.g. to a worker), its values loaded
        return (dict, (self.copy(),))


def _deferred_keys(properties: dict[str, Any]) -> set[str] | None:
    """The keys whose values are not loaded yet; None when there are none (most entities: no set
    kept for each of thousands of entities)."""
    if not properties:
        return None
    return {key for key, value in dict.items(properties) if values.has_stored(value)} or None


def own_properties(entity: Entity, values: dict[str, Any] | None) -> Properties:
    """``Properties(entity, values)``, built without its ``__init__`` (each entity built or
    refreshed makes one)."""
    properties = _new_properties(Properties)
    if values:
        dict.update(properties, values)
        properties._deferred = _deferred_keys(properties)
    else:
        properties._deferred = None
    properties._owner = weakref.ref(entity)
    return properties


_new_properties = dict.__new__


def iter_ids(entities: Any) -> Iterator[str]:
    """Ids of entities given as objects or ids."""
    for item in entities:
        yield item if isinstance(item, str) else item.id


class Owned:
    """Entities that belong to an owner and list their parents (data nodes and tasks)."""

    _owner_id: str | None
    _parent_ids: set[str]

    @property
    def owner_id(self) -> str | None:
        return self._owner_id

    @property
    def parent_ids(self) -> set[str]:
        return self._parent_ids
