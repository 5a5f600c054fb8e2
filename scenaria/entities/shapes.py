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
import functools
import json.encoder
from collections.abc import Callable
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


def _dump(value: Any) -> str:
    """``encode_record(value)``, quicker for the values the fields that differ mostly hold."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if value is None:
        return "null"
    if kind is list and _STR.issuperset(map(type, value)):
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
    """The record of an entity of one class whose shared fields hold the models' values.

    ``record(values)`` makes it from the entity's ``__dict__``: a function written for this
    shape (``_compiled``), its checks and fields one after the other, since a loop over the
    fields was most of the cost of a record.
    """

    __slots__ = ("cls", "record")

    def __init__(self, first: tuple[Any, ...], second: tuple[Any, ...]) -> None:
        cls, first_fields, _ = first
        _, second_fields, record = second
        self.cls: type = cls
        same: list[tuple[str, Any]] = []
        empty: list[tuple[str, type, str, type]] = []
        varying: list[tuple[str, str, Callable[[Any], Any] | None]] = []
        sentinel = dict(record)
        for attr, key, encoder in cls._encoders():
            how = _shared(first_fields[attr], second_fields[attr], record[key])
            if how == "same":
                same.append((attr, second_fields[attr][0]))
            elif how == "empty":
                empty.append((attr, type(second_fields[attr][0]), key, type(record[key])))
            else:
                sentinel[key] = f"\ue000{len(varying)}\ue001"
                varying.append((attr, key, _quick_encoder(encoder)))
        sentinel["revision"] = f"\ue000{len(varying)}\ue001"
        text = encode_record(sentinel)
        pieces = []
        for number in range(len(varying) + 1):
            before, found, text = text.partition(_string(f"\ue000{number}\ue001"))
            if not found:
                raise ValueError("a record's text holds the shape's markers")
            pieces.append(before)
        pieces.append(text)
        base = {key: value for key, value in record.items() if key != "revision"}
        self.record: Callable[[dict[str, Any]], Encoded | None] = _compiled(same, empty, varying, base, pieces)
        model = {attr: value for attr, (value, _) in second_fields.items()}
        made = self.record({**model, "_revision": record["revision"] - 1})
        if made is None or made != record or made.body != encode_record(record):  # a marker was in a value...
            raise ValueError("the shape does not give the record's text")

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


def _compiled(
    same: list[tuple[str, Any]],
    empty: list[tuple[str, type, str, type]],
    varying: list[tuple[str, str, Callable[[Any], Any] | None]],
    base: dict[str, Any],
    pieces: list[str],
) -> Callable[[dict[str, Any]], Encoded | None]:
    """The function that makes a shape's record from an entity's ``__dict__`` (its revision not
    yet taken), or None when a shared field differs from the models': the very object for
    ``same`` fields, an empty container of that type for ``empty`` ones (a fresh one in the
    record, as encoding gives); ``varying`` ones encoded, their JSON joined with the texts kept
    (``pieces``; the revision's, last: a join copies, where a %-format scans its template).
    The source names attributes and keys by their ``repr`` only; every value is a parameter."""
    names: dict[str, Any] = {"base": base, "new": _new_encoded, "Encoded": Encoded}
    names |= {f"p{n}": piece for n, piece in enumerate(pieces)}
    names |= {"string": _string, "dump": _dump, "strings": _STR.issuperset, "encode": encode_record}
    checks = []
    for n, (attr, value) in enumerate(same):
        names[f"s{n}"] = value
        checks.append(f"v[{attr!r}] is not s{n}")
    for n, (attr, kind, _, encoded_kind) in enumerate(empty):
        names[f"k{n}"], names[f"ek{n}"] = kind, encoded_kind
        checks.append(f"type(v[{attr!r}]) is not k{n} or v[{attr!r}]")
    body = [f"if {' or '.join(f'({check})' for check in checks)}:", "    return None"] if checks else []
    for n, (attr, _, encoder) in enumerate(varying):
        body.append(f"x{n} = v[{attr!r}]")
        if encoder is not None:
            names[f"e{n}"] = encoder
            body += [f"if x{n} is not None:", f"    x{n} = e{n}(x{n})"]
    body += ["revision = v.get('_revision', 0) + 1", "r = new(Encoded)", "r.update(base)"]
    body += [f"r[{key!r}] = ek{n}()" for n, (_, _, key, _) in enumerate(empty)]
    body += [f"r[{key!r}] = x{n}" for n, (_, key, _) in enumerate(varying)]
    texts = [_text_of(f"x{n}", base[key]) for n, (_, key, _) in enumerate(varying)]
    texts.append("str(revision)")
    joined = ", ".join(part for n, text in enumerate(texts) for part in (f"p{n}", text))
    body += ["r['revision'] = revision", f"r.body = ''.join(({joined}, p{len(texts)}))", "return r"]
    source = "\n".join([f"def make({', '.join(names)}):", "    def record(v):", *(f"        {line}" for line in body)])
    namespace: dict[str, Any] = {}
    exec(_code(source + "\n    return record\n"), namespace)  # the source is ours: names, and reprs of keys
    return namespace["make"](**names)  # type: ignore[no-any-return]


def _text_of(name: str, model: Any) -> str:
    """The expression of the JSON text of the varying value ``name`` (``_dump``), with the case
    the model's value is of first, inline: an id (or None), a list of ids."""
    if model is None or type(model) is str:
        return f"('null' if {name} is None else string({name}) if type({name}) is str else dump({name}))"
    if type(model) is list:
        joined = f"'[' + ','.join(map(string, {name})) + ']'"
        return f"({joined} if type({name}) is list and strings(map(type, {name})) else dump({name}))"
    if type(model) is dict:
        return f"encode({name})"  # what ``_dump`` does with a dict, one call fewer
    return f"dump({name})"


@functools.lru_cache(maxsize=256)
def _code(source: str) -> Any:
    """The compiled source of a shape's function: compiled once for a shape learnt again (a slot
    whose entities changed), its values given anew."""
    return compile(source, "<entities.shapes>", "exec")


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

    @staticmethod
    def records(fresh: list[tuple[Entity, Slot]]) -> list[tuple[Entity, dict[str, Any]]]:
        """Each new entity with its ``record``: those of a known shape made here, without a call
        of ``record`` each (a scenario's creation records eight)."""
        made_all: list[tuple[Entity, dict[str, Any]]] = []
        for entity, slot in fresh:
            shape = slot._shape
            if shape is not None and type(entity) is shape.cls:
                made = shape.record(entity.__dict__)
                if made is not None:
                    entity.__dict__["_revision"] = made["revision"]  # (as object.__setattr__ would)
                    made_all.append((entity, made))
                    continue
            made_all.append((entity, slot.record(entity)))
        return made_all

    def record(self, entity: Entity) -> dict[str, Any]:
        """The record to save of a new ``entity`` (with its next revision), and the entity
        marked as having that revision, as ``registry.revised_record`` does."""
        shape = self._shape
        if shape is not None:
            made = shape.record(entity.__dict__) if type(entity) is shape.cls else None
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
