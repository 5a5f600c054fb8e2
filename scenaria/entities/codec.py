"""Turning entity fields into JSON-compatible record values and back.

Plain values (str, int, float, bool, None, lists and dicts of them) are stored as they are, so
records stay readable. Everything else a property may hold is stored as a tagged object
``{"__type__": tag, "__value__": ...}``: dates, durations, enums, sets, tuples, functions and
classes by import path when importable. A value with no such form (a lambda, a function of
``__main__``, an object of a user class) is pickled into a file of the storage folder
(``values``), and the record names the file: decoding gives a placeholder that loads it when the
value is used (``loaded``), so reading a record never unpickles anything.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Callable
from typing import Any

from scenaria.config.enums import Frequency, Scope
from scenaria.config.templates import Resolved, resolved_keeping_template
from scenaria.entities import values
from scenaria.exceptions import ConfigError

_ENUMS: dict[str, type[enum.Enum]] = {"Scope": Scope, "Frequency": Frequency}


#: exact types stored as they are: checked first, as most values of a record are of them (a
#: subclass, ``Resolved`` or an enum of ``str``, goes the long way)
_PLAIN = frozenset({str, int, float, bool, type(None)})


def encode(value: Any) -> Any:
    """A JSON-compatible form of ``value``."""
    cls = type(value)
    if cls in _PLAIN:
        return value
    if cls is list:
        return [encode(v) for v in value]
    if cls is dict:
        return {str(k): encode(v) for k, v in value.items()}
    if cls is dt.datetime:  # a job's status dates, at each save of the job
        return {"__type__": "datetime", "__value__": value.isoformat()}
    if isinstance(value, Resolved):  # a secret from the environment: stored as its template
        return {"__type__": "env", "__value__": value.template}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in dict.items(value)}  # Properties: values not loaded stay so
    if isinstance(value, list):
        return [encode(v) for v in value]
    return _tagged(value)


def decode(value: Any) -> Any:
    """The value ``encode`` was given."""
    if isinstance(value, dict):
        if "__type__" in value and "__value__" in value:
            return _untagged(value["__type__"], value["__value__"])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def _tagged(value: Any) -> dict[str, Any]:
    if isinstance(value, dt.datetime):
        return {"__type__": "datetime", "__value__": value.isoformat()}
    if isinstance(value, dt.date):
        return {"__type__": "date", "__value__": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"__type__": "timedelta", "__value__": value.total_seconds()}
    if isinstance(value, enum.Enum) and type(value).__name__ in _ENUMS:
        return {"__type__": type(value).__name__, "__value__": value.name}
    if isinstance(value, (set, frozenset)):
        return {"__type__": "set", "__value__": [encode(v) for v in value]}
    if isinstance(value, values.StoredValue):  # not loaded since it was read: stored as it was
        return value.tag()
    if isinstance(value, tuple):
        return {"__type__": "tuple", "__value__": [encode(v) for v in value]}
    if callable(value):
        return _encode_callable(value)
    return values.store(value).tag()


def _encode_callable(value: Callable[..., Any]) -> dict[str, Any]:
    """By import path, else pickled into a file. A task's function is saved with the task, at
    every save: both the path and the pickle are made once per function (when it is hashable)."""
    try:
        path = _import_path_once(value)
    except TypeError:  # unhashable: not cached
        path = import_path(value)
    if path is not None:
        return {"__type__": "ref", "__value__": path}
    try:
        payload = _pickle_once(value)
    except TypeError:
        payload = None
    return values.store(value, payload).tag()


def _pickle(function: Callable[..., Any]) -> bytes:
    import cloudpickle

    return cloudpickle.dumps(function)  # type: ignore[no-any-return]


_pickle_once = functools.lru_cache(maxsize=1024)(_pickle)


def _env(raw: str) -> Resolved:
    try:
        return resolved_keeping_template(raw)
    except ConfigError:  # not set in this process: the template itself (an error where it is used)
        return Resolved(raw, raw)


# tag -> the value of its raw form; "ref" and "file" give placeholders loaded when used
# ("values"): reading a record neither imports nor unpickles anything
_UNTAG: dict[str, Callable[[Any], Any]] = {
    "datetime": dt.datetime.fromisoformat,
    "date": dt.date.fromisoformat,
    "timedelta": lambda raw: dt.timedelta(seconds=raw),
    "set": lambda raw: {decode(v) for v in raw},
    "tuple": lambda raw: tuple(decode(v) for v in raw),
    "ref": values.Imported,
    "file": lambda raw: values.stored(raw, {"__type__": "file", "__value__": raw}),
    # an inline pickle (stores of earlier versions, or planted): never loaded
    "pickle": lambda raw: values.refused_pickle({"__type__": "pickle", "__value__": raw}),
    "env": _env,
    "live": lambda raw: None,  # a callback that only its own process could hold (see encode_live)
    **{name: enum_type.__getitem__ for name, enum_type in _ENUMS.items()},
}


def _untagged(tag: str, raw: Any) -> Any:
    untag = _UNTAG.get(tag)
    if untag is not None:
        return untag(raw)
    return values.RefusedValue(
        {"__type__": tag, "__value__": raw},
        f"a stored record holds a value tagged {tag!r}, which this scenaria does not know: it was written by a "
        "newer scenaria (upgrade), or changed by hand",
    )


def import_path(obj: Callable[..., Any] | type) -> str | None:
    """``"module:qualname"`` when ``obj`` can be imported back by that path, else None."""
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if not module or not qualname or module == "__main__" or "<" in qualname:
        return None
    try:
        return f"{module}:{qualname}" if resolve(f"{module}:{qualname}") is obj else None
    except (ImportError, AttributeError):
        return None


_import_path_once = functools.lru_cache(maxsize=1024)(import_path)
resolve = values.resolve


def dumps_datetime(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def loads_datetime(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value)


def encode_live(value: Any) -> Any:
    """``encode``, or for a value that will not pickle (a callback holding a lock, an event, a GUI
    state) a marker with its name: the process that holds it keeps calling it, others skip it."""
    try:
        return encode(value)
    except Exception:
        return {"__type__": "live", "__value__": getattr(value, "__qualname__", repr(value))}
