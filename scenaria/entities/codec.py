"""Turning entity fields into JSON-compatible record values and back.

Plain values (str, int, float, bool, None, lists and dicts of them) are stored as they are, so
records stay readable. Everything else a property may hold is stored as a tagged object
``{"__type__": tag, "__value__": ...}``: dates, durations, enums, sets, tuples, functions and
classes (by import path when importable, by value with cloudpickle otherwise: a lambda or a
function of ``__main__`` survives a restart).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import enum
import functools
import importlib
import weakref
from collections.abc import Callable
from typing import Any

from scenaria.config.enums import Frequency, Scope
from scenaria.config.templates import Resolved, resolved_keeping_template
from scenaria.exceptions import ConfigError

_ENUMS: dict[str, type[enum.Enum]] = {"Scope": Scope, "Frequency": Frequency}


def encode(value: Any) -> Any:
    """A JSON-compatible form of ``value``."""
    if isinstance(value, Resolved):  # a secret from the environment: stored as its template
        return {"__type__": "env", "__value__": value.template}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
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
    if isinstance(value, tuple):
        return {"__type__": "tuple", "__value__": [encode(v) for v in value]}
    if callable(value):
        try:
            return _encoded_callable(value)
        except TypeError:  # unhashable: not cached
            return _encode_callable(value)
    return _pickled(value)


def _encode_callable(value: Callable[..., Any]) -> dict[str, Any]:
    path = import_path(value)
    return {"__type__": "ref", "__value__": path} if path is not None else _pickled(value)


# A task's function is saved with the task, at every save: encode each function once.
_encoded_callable = functools.lru_cache(maxsize=1024)(_encode_callable)


def _pickled(value: Any) -> dict[str, Any]:
    import cloudpickle

    payload = base64.b64encode(cloudpickle.dumps(value)).decode()
    _remember(payload, value)
    return {"__type__": "pickle", "__value__": payload}


# Objects stored by value, by their stored form: decoding a record this process wrote gives back
# the very object (a lambda callback whose closure holds the caller's state), not a copy.
_by_value: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()


def _remember(payload: str, value: Any) -> None:
    with contextlib.suppress(TypeError):  # an object without weak references is decoded as a copy
        _by_value[payload] = value


def _untagged(tag: str, raw: Any) -> Any:
    if tag == "datetime":
        return dt.datetime.fromisoformat(raw)
    if tag == "date":
        return dt.date.fromisoformat(raw)
    if tag == "timedelta":
        return dt.timedelta(seconds=raw)
    if tag in _ENUMS:
        return _ENUMS[tag][raw]
    if tag == "set":
        return {decode(v) for v in raw}
    if tag == "tuple":
        return tuple(decode(v) for v in raw)
    if tag == "ref":
        return resolve(raw)
    if tag == "pickle":
        import pickle

        known = _by_value.get(raw)
        return known if known is not None else pickle.loads(base64.b64decode(raw))
    if tag == "env":
        try:
            return resolved_keeping_template(raw)
        except ConfigError:  # not set in this process: the template itself (an error where it is used)
            return Resolved(raw, raw)
    if tag == "live":
        return None  # a callback that only its own process could hold (see encode_live)
    raise ValueError(f"unknown tagged value {tag!r} in a stored record")


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


def resolve(path: str) -> Any:
    """The object at ``"module:qualname"``."""
    module_name, _, qualname = path.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


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
