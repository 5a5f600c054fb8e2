"""The records of new entities, from what the entities of one config share, encoded once.

Creating a scenario saves eight new records, and most fields of each hold what every entity of
its config holds: its config id, scope, version, validity, an empty history. Encoding them
field by field, eight times per scenario, was a third of the time Python spent creating one. A
``Slot`` learns the ``Shape`` of one config's entities from the first two it records: the JSON
text of the fields that held the same value in both, and the places of those that differed (id,
owner, parents, properties). The record of the next entity is then the JSON of those few fields
put between the texts kept.

A field counts as shared only when the text kept is what encoding it again would give: its value
is the very object the model held, of an immutable type (a string, a number, None, a date, an
enum member), or an empty container of the same type, or the same function stored by its import
path. Each entity is checked against that before its record is made from the shape; one that
differs (a file that was already there gave it an edit date; another version; a user's change)
is encoded the usual way, and the slot learns its shape again from it and the next one.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import json.encoder
import operator
from collections.abc import Callable
from operator import is_
from typing import Any

from scenaria.entities import codec
from scenaria.entities.base import Entity
from scenaria.entities.data_node import DataNode
from scenaria.entities.registry import revised_record
from scenaria.store.base import Encoded, encode_record

_ATOMS = frozenset({str, int, float, bool, type(None), dt.datetime, dt.date, dt.timedelta})
_CONTAINERS = (list, dict, set, frozenset, tuple)
_STR = frozenset({str})
_PLAIN = frozenset({str, int, float, bool, type(None)})  # the types codec.encode keeps as they are
# a record key that is not a field is a constant of the class: DataNode adds its storage type
_EXTRA_KEYS: dict[Callable[..., Any], tuple[str, ...]] = {Entity._to_record: (), DataNode._to_record: ("storage_type",)}
_string: Callable[[str], str] = json.encoder.encode_basestring  # as the record encoder writes a string
_new_encoded = Encoded.__new__


def _one_shot_encoder() -> Callable[[Any], str]:
    """``encode_record``, without building its C encoder again at each call (what
    ``JSONEncoder.encode`` does: most of the cost of encoding a small value); ``encode_record``
    itself where the C encoder is missing."""
    make = getattr(json.encoder, "c_make_encoder", None)
    settings = getattr(encode_record, "__self__", None)
    if make is None or not isinstance(settings, json.JSONEncoder):
        return encode_record
    chunks = make(
        None,  # no markers: encode_record checks no cycles either
        settings.default,
        _string,
        None,
        settings.key_separator,
        settings.item_separator,
        settings.sort_keys,
        settings.skipkeys,
        settings.allow_nan,
    )
    return lambda value: "".join(chunks(value, 0))


_encode = _one_shot_encoder()


def _dump(value: Any) -> str:
    """``encode_record(value)``, quicker for the values the fields that differ mostly hold."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if value is None:
        return "null"
    if kind is list and _STR.issuperset(map(type, value)):
        return f"[{','.join(map(_string, value))}]"
    return _encode(value)


def _model(entity: Entity, record: dict[str, Any]) -> tuple[type, dict[str, tuple[Any, bool]], dict[str, Any]]:
    """What a shape is learnt from: the entity's class, each field's value (and whether it is an
    empty container) as it was when recorded, and its record."""
    fields = {}
    for attr, _, _ in type(entity)._encoders():
        value = entity.__dict__[attr]
        fields[attr] = (value, isinstance(value, _CONTAINERS) and not value)
    return type(entity), fields, record


def _shared(first: tuple[Any, bool], second: tuple[Any, bool], encoded: Any) -> str | None:
    """How a field whose models held these values is checked: "same" (the very object), "empty"
    (an empty container of that type), or None (it differs, or its text may change)."""
    (a, a_empty), (b, b_empty) = first, second
    if a_empty and b_empty and type(a) is type(b):
        return "empty"
    if a is not b:
        return None
    if type(a) in _ATOMS or isinstance(a, enum.Enum):
        return "same"
    if callable(a) and type(encoded) is dict and encoded.get("__type__") == "ref":
        return "same"  # a function stored by import path: the same text for the same function
    return None


class Shape:
    """The record of an entity of one class whose shared fields hold the models' values."""

    __slots__ = (
        "_base",
        "_cls",
        "_empty_keys",
        "_empty_kinds",
        "_empty_of",
        "_same_of",
        "_same_values",
        "_template",
        "_varying",
    )

    def __init__(self, first: tuple[Any, ...], second: tuple[Any, ...]) -> None:
        cls, first_fields, _ = first
        _, second_fields, record = second
        self._cls = cls
        same: list[tuple[str, Any]] = []
        empty: list[tuple[str, type, str, type]] = []
        self._varying: list[tuple[str, str, Callable[[Any], Any] | None]] = []
        sentinel = dict(record)
        for attr, key, encoder in cls._encoders():
            how = _shared(first_fields[attr], second_fields[attr], record[key])
            if how == "same":
                same.append((attr, second_fields[attr][0]))
            elif how == "empty":
                empty.append((attr, type(second_fields[attr][0]), key, type(record[key])))
            else:
                sentinel[key] = f"\ue000{len(self._varying)}\ue001"
                self._varying.append((attr, key, _quick_encoder(encoder)))
        # checked at each record with one call each: the shared fields' values got at once
        self._same_of = _getter([attr for attr, _ in same])
        self._same_values = tuple(value for _, value in same)
        self._empty_of = _getter([attr for attr, _, _, _ in empty])
        self._empty_kinds = tuple(kind for _, kind, _, _ in empty)
        self._empty_keys = tuple((key, encoded_kind) for _, _, key, encoded_kind in empty)
        sentinel["revision"] = f"\ue000{len(self._varying)}\ue001"
        text = encode_record(sentinel)
        pieces = []
        for number in range(len(self._varying) + 1):
            before, found, text = text.partition(_string(f"\ue000{number}\ue001"))
            if not found:
                raise ValueError("a record's text holds the shape's markers")
            pieces.append(before)
        pieces.append(text)
        # the text kept, with a "%s" where each varying value goes (and the revision, last)
        self._template = "%s".join(piece.replace("%", "%%") for piece in pieces)
        self._base = {key: value for key, value in record.items() if key != "revision"}
        if self._text(record) != encode_record(record):  # a marker was in a value, or _dump differs
            raise ValueError("the shape does not give the record's text")

    def _text(self, record: dict[str, Any]) -> str:
        texts = [_dump(record[key]) for _, key, _ in self._varying]
        texts.append(str(record["revision"]))
        return self._template % tuple(texts)

    @staticmethod
    def learnable(first: tuple[Any, ...], second: tuple[Any, ...]) -> bool:
        """Whether the two models' records are made alike: same class, and any key that is not a
        field a known constant of the class, with the same value in both."""
        cls = first[0]
        if second[0] is not cls or cls._to_record not in _EXTRA_KEYS:
            return False
        fields = {key for _, key, _ in cls._encoders()}
        extra = set(second[2]) - fields - {"revision"}
        return extra == set(_EXTRA_KEYS[cls._to_record]) and all(first[2].get(k) == second[2][k] for k in extra)

    def record(self, entity: Entity) -> Encoded | None:
        """The record ``registry.revised_record`` would make of ``entity`` (its revision not yet taken), or
        None when a shared field of it differs from the models'."""
        if type(entity) is not self._cls:
            return None
        values = entity.__dict__
        if not all(map(is_, self._same_of(values), self._same_values)):
            return None
        empty = self._empty_of(values)
        if any(empty) or not all(map(is_, map(type, empty), self._empty_kinds)):
            return None
        record = _new_encoded(Encoded)  # (Encoded's __init__, a Python call, skipped: the body is set below)
        record.update(self._base)
        for key, encoded_kind in self._empty_keys:  # a fresh container per record, as encoding gives
            record[key] = encoded_kind()
        texts = []
        for attr, key, encoder in self._varying:
            value = values[attr]
            if value is None:
                texts.append("null")
            else:
                if encoder is not None:
                    value = encoder(value)
                texts.append(_string(value) if type(value) is str else _dump(value))
            record[key] = value
        revision = values.get("_revision", 0) + 1
        record["revision"] = revision
        texts.append(str(revision))
        record.body = self._template % tuple(texts)
        return record


def _getter(attrs: list[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """The values of ``attrs`` in an entity's ``__dict__``, as a tuple (whatever their number)."""
    if not attrs:
        return lambda values: ()
    if len(attrs) == 1:
        (attr,) = attrs
        return lambda values: (values[attr],)
    return operator.itemgetter(*attrs)


def _quick_encoder(encoder: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    """``encoder``, or for the generic one (``codec.encode``) one that copies a dict of plain
    values at once (a data node's properties: its path, whether it was generated)."""
    return _encode_flat if encoder is codec.encode else encoder


def _encode_flat(value: Any) -> Any:
    """``codec.encode(value)``, without a call per item for a dict of strings to plain values."""
    if (
        isinstance(value, dict)
        and _STR.issuperset(map(type, dict.keys(value)))
        and _PLAIN.issuperset(map(type, dict.values(value)))
    ):
        return dict(dict.items(value))
    return codec.encode(value)


class Slot:
    """Where the entities one config entry creates (a data node, a task, the scenario) learn
    their shape: the last model seen, then the shape of two."""

    __slots__ = ("_model", "_shape")

    def __init__(self) -> None:
        self._model: tuple[Any, ...] | None = None
        self._shape: Shape | None = None

    def record(self, entity: Entity) -> dict[str, Any]:
        """The record to save of a new ``entity`` (with its next revision), and the entity
        marked as having that revision, as ``registry.revised_record`` does."""
        shape = self._shape
        if shape is not None:
            made = shape.record(entity)
            if made is not None:
                object.__setattr__(entity, "_revision", made["revision"])
                return made
            self._shape = None  # it differs from the models: learn again from it
        record = revised_record(entity)
        model = _model(entity, record)
        if self._model is not None and Shape.learnable(self._model, model):
            try:
                self._shape = Shape(self._model, model)
            except ValueError:
                self._shape = None
        self._model = model
        return record
