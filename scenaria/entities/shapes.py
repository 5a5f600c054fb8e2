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
import json.encoder
from collections.abc import Callable
from typing import Any

from scenaria.entities.base import Entity
from scenaria.entities.data_node import DataNode
from scenaria.entities.registry import revised_record
from scenaria.store.base import Encoded, encode_record

_ATOMS = frozenset({str, int, float, bool, type(None), dt.datetime, dt.date, dt.timedelta})
_CONTAINERS = (list, dict, set, frozenset, tuple)
# a record key that is not a field is a constant of the class: DataNode adds its storage type
_EXTRA_KEYS: dict[Callable[..., Any], tuple[str, ...]] = {Entity._to_record: (), DataNode._to_record: ("storage_type",)}
_string: Callable[[str], str] = json.encoder.encode_basestring  # as the record encoder writes a string


def _dump(value: Any) -> str:
    """``encode_record(value)``, quicker for the values the fields that differ mostly hold."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if value is None:
        return "null"
    if kind is list and all(type(item) is str for item in value):
        return f"[{','.join(map(_string, value))}]"
    return encode_record(value)


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

    __slots__ = ("_base", "_cls", "_empty", "_pieces", "_same", "_varying")

    def __init__(self, first: tuple[Any, ...], second: tuple[Any, ...]) -> None:
        cls, first_fields, _ = first
        _, second_fields, record = second
        self._cls = cls
        self._same: list[tuple[str, Any]] = []
        self._empty: list[tuple[str, type, str, type]] = []
        self._varying: list[tuple[str, str, Callable[[Any], Any] | None]] = []
        sentinel = dict(record)
        for attr, key, encoder in cls._encoders():
            how = _shared(first_fields[attr], second_fields[attr], record[key])
            if how == "same":
                self._same.append((attr, second_fields[attr][0]))
            elif how == "empty":
                self._empty.append((attr, type(second_fields[attr][0]), key, type(record[key])))
            else:
                sentinel[key] = f"\ue000{len(self._varying)}\ue001"
                self._varying.append((attr, key, encoder))
        sentinel["revision"] = f"\ue000{len(self._varying)}\ue001"
        text = encode_record(sentinel)
        pieces = []
        for number in range(len(self._varying) + 1):
            before, found, text = text.partition(_string(f"\ue000{number}\ue001"))
            if not found:
                raise ValueError("a record's text holds the shape's markers")
            pieces.append(before)
        pieces.append(text)
        self._pieces = tuple(pieces)
        self._base = {key: value for key, value in record.items() if key != "revision"}
        if self._text(record) != encode_record(record):  # a marker was in a value, or _dump differs
            raise ValueError("the shape does not give the record's text")

    def _text(self, record: dict[str, Any]) -> str:
        pieces = self._pieces
        text = [pieces[0]]
        for number, (_, key, _) in enumerate(self._varying, 1):
            text.append(_dump(record[key]))
            text.append(pieces[number])
        text.append(str(record["revision"]))
        text.append(pieces[-1])
        return "".join(text)

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
        for attr, expected in self._same:
            if values[attr] is not expected:
                return None
        for attr, kind, _, _ in self._empty:
            value = values[attr]
            if type(value) is not kind or value:
                return None
        record = Encoded(self._base, "")
        for _, _, key, encoded_kind in self._empty:  # a fresh container per record, as encoding gives
            record[key] = encoded_kind()
        for attr, key, encoder in self._varying:
            value = values[attr]
            record[key] = value if value is None or encoder is None else encoder(value)
        record["revision"] = values.get("_revision", 0) + 1
        record.body = self._text(record)
        return record


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
