"""Values that have no JSON form, kept in files beside the data and loaded only when used.

A record holds JSON only. A property, a subscriber or a task function that JSON cannot hold (a
lambda, an object of a user class) is pickled (cloudpickle) into
``<storage_folder>/values/<sha256>.pickle`` and the record holds ``{"__type__": "file",
"__value__": "<sha256>"}``. Decoding such a record gives a ``StoredValue``, a placeholder that
unpickles its file when the value is used (``loaded``), never when the record is read: listing
scenarios runs no code from anywhere.

Why files, and why there: unpickling runs code, so a pickle is exactly as trusted as the folder
it is in. The storage folder already holds the pickle data nodes' files, which are unpickled
when read; whoever can write it can run code with or without these files. Records, on the other
hand, may come from a database that more people can write (PostgreSQL) or from an archive; an
inline pickle there (``{"__type__": "pickle", ...}``, the form of earlier stores) is refused:
using it raises ``UntrustedStoredValue``, and reading its record still works.

Files are named by the SHA-256 of their content: saving an unchanged value writes nothing, two
records holding the same value share a file, and a file cannot be swapped for another value
under a record's name without the digest telling (checked when loaded).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
import re
import weakref
from typing import Any

from scenaria.exceptions import StoreDamaged, UntrustedStoredValue

FOLDER = "values"
SUFFIX = ".pickle"
_DIGEST = re.compile(r"[0-9a-f]{64}")

# Objects stored by value, by digest: using a value this process stored gives back the very
# object (a lambda callback whose closure holds the caller's state), not a copy.
_by_digest: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()


def folder() -> str:
    """This application's folder of stored values (inside ``Config.core.storage_folder``)."""
    from scenaria.config import Config

    return os.path.abspath(os.path.join(Config.core.storage_folder, FOLDER))


def path_of(digest: str) -> str:
    return os.path.join(folder(), digest + SUFFIX)


class StoredValue:
    """A value kept in a file of the values folder, not loaded yet (see the module docstring)."""

    __slots__ = ("digest",)

    def __init__(self, digest: str) -> None:
        self.digest = digest

    def tag(self) -> dict[str, Any]:
        return {"__type__": "file", "__value__": self.digest}

    def load(self) -> Any:
        known = _by_digest.get(self.digest)
        if known is not None:
            return known
        path = path_of(self.digest)
        try:
            with open(path, "rb") as file:
                payload = file.read()
        except FileNotFoundError:
            raise StoreDamaged(
                f"{path}, a value a stored record refers to, is missing: restore the storage folder's "
                "values/ from a backup, or run `scenaria doctor` to list the records that refer to it"
            ) from None
        if _digest(payload) != self.digest:
            raise StoreDamaged(
                f"{path} does not hold the value its name says (its SHA-256 differs): it was changed or "
                "damaged; restore it from a backup"
            )
        value = pickle.loads(payload)
        _remember(self.digest, value)
        return value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StoredValue) and other.digest == self.digest

    def __hash__(self) -> int:
        return hash(self.digest)

    def __repr__(self) -> str:
        return f"StoredValue({self.digest[:12]}..., not loaded)"


class RefusedValue(StoredValue):
    """A tagged value that scenaria will not load (an inline pickle, a bad file name): kept as it
    was in its record, so that saving the record again does not lose it; using it raises."""

    __slots__ = ("raw", "reason")

    def __init__(self, raw: dict[str, Any], reason: str) -> None:
        super().__init__("")
        self.raw = raw
        self.reason = reason

    def tag(self) -> dict[str, Any]:
        return self.raw

    def load(self) -> Any:
        raise UntrustedStoredValue(self.reason)

    def __repr__(self) -> str:
        return f"RefusedValue({self.raw.get('__type__')!r})"


def refused_pickle(raw: dict[str, Any]) -> RefusedValue:
    return RefusedValue(
        raw,
        "a stored record holds an inline pickle, which scenaria does not load (a record must not be able "
        "to run code; docs/store.md, 'Trust'): save the value again from the application that set it "
        "(it then goes to the storage folder's values/), or remove it from the record",
    )


def stored(digest: Any, raw: dict[str, Any]) -> StoredValue:
    """The placeholder for a ``file`` tag; a digest that is not one is refused (it names a file)."""
    if isinstance(digest, str) and _DIGEST.fullmatch(digest):
        return StoredValue(digest)
    return RefusedValue(raw, f"a stored record refers to the value file {digest!r}, which is not a SHA-256 name")


def store(value: Any, payload: bytes | None = None) -> StoredValue:
    """Pickle ``value`` (or take its ``payload``) into the values folder; its placeholder."""
    if payload is None:
        import cloudpickle

        payload = cloudpickle.dumps(value)
    digest = _digest(payload)
    write(digest, payload)
    _remember(digest, value)
    return StoredValue(digest)


def write(digest: str, payload: bytes) -> None:
    """Write a value file, unless it is there already (its name is its content's digest)."""
    target = path_of(digest)
    if os.path.exists(target):
        return
    directory = os.path.dirname(target)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    # owned by this process until renamed: the next start removes it if this process dies first
    temporary = os.path.join(directory, f".tmp-{os.getpid()}-{digest[:16]}")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "wb") as file:
            file.write(payload)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise


def _remember(digest: str, value: Any) -> None:
    with contextlib.suppress(TypeError):  # an object without weak references is loaded as a copy
        _by_digest[digest] = value


def loaded(value: Any) -> Any:
    """``value`` with every placeholder in it loaded (the value as it was before it was stored)."""
    if isinstance(value, StoredValue):
        return value.load()
    if isinstance(value, dict) and has_stored(value):
        return {key: loaded(item) for key, item in value.items()}
    if isinstance(value, list) and has_stored(value):
        return [loaded(item) for item in value]
    if isinstance(value, tuple) and has_stored(value):
        return tuple(loaded(item) for item in value)
    if isinstance(value, (set, frozenset)) and has_stored(value):
        return type(value)(loaded(item) for item in value)
    return value


_PLAIN = (str, int, float, bool, type(None))


def has_stored(value: Any) -> bool:
    """Whether ``value`` holds a placeholder (cheap for plain values)."""
    if isinstance(value, _PLAIN):
        return False
    if isinstance(value, StoredValue):
        return True
    if isinstance(value, dict):
        return any(has_stored(item) for item in value.values())
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(has_stored(item) for item in value)
    return False


def digests(record: Any) -> set[str]:
    """The digests of the value files a JSON record refers to."""
    found: set[str] = set()
    _collect(record, found)
    return found


def _collect(value: Any, found: set[str]) -> None:
    if isinstance(value, dict):
        if value.get("__type__") == "file" and isinstance(value.get("__value__"), str):
            if _DIGEST.fullmatch(value["__value__"]):
                found.add(value["__value__"])
            return
        for item in value.values():
            _collect(item, found)
    elif isinstance(value, list):
        for item in value:
            _collect(item, found)


class Imported(StoredValue):
    """A function or class stored by import path, imported when used: reading a record imports
    no module (importing runs the module's code)."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        super().__init__("")
        self.path = path

    def tag(self) -> dict[str, Any]:
        return {"__type__": "ref", "__value__": self.path}

    def load(self) -> Any:
        return resolve(self.path)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Imported) and other.path == self.path

    def __hash__(self) -> int:
        return hash(self.path)

    def __repr__(self) -> str:
        return f"Imported({self.path!r}, not imported yet)"


def resolve(path: str) -> Any:
    """The object at ``"module:qualname"``."""
    module_name, _, qualname = path.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def _digest(payload: bytes) -> str:
    import hashlib  # here: most processes never store a value this way, and hashlib is slow to import

    return hashlib.sha256(payload).hexdigest()
