"""Where entities and job states are kept: the ``Repository`` contract and its back ends.

``open_repository(settings)`` builds a repository from plain, JSON-compatible settings; every
repository's ``.settings`` rebuild it, which is how a store reaches another process::

    {"type": "sqlite", "path": ".taipy/scenaria.db"}        the default (``"sql"`` is an alias)
    {"type": "filesystem", "root": ".taipy/"}               Taipy's layout, one JSON file a record
    {"type": "postgresql", "url": "postgresql://..."}       several hosts (``"postgres"`` is an alias)
    {"type": "memory"}                                      tests: a new, empty store each time

The back ends load on first use, so importing this package imports none of them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from scenaria.exceptions import ConfigError, UnknownRepositoryType
from scenaria.store.base import INDEXED_FIELDS, KINDS, Record, Repository

if TYPE_CHECKING:
    from scenaria.store.filesystem import FilesystemRepository
    from scenaria.store.memory import MemoryRepository
    from scenaria.store.postgresql import PostgreSQLRepository
    from scenaria.store.sqlite import SQLiteRepository

__all__ = [
    "INDEXED_FIELDS",
    "KINDS",
    "REPOSITORY_TYPES",
    "FilesystemRepository",
    "MemoryRepository",
    "PostgreSQLRepository",
    "Record",
    "Repository",
    "SQLiteRepository",
    "canonical_type",
    "open_repository",
    "setting_names",
]

# name -> (module, class, the setting passed positionally (None: none), its aliases, keyword settings)
_BACKENDS: dict[str, tuple[str, str, str | None, tuple[str, ...], tuple[str, ...]]] = {
    "sqlite": ("sqlite", "SQLiteRepository", "path", ("db_location",), ("timeout",)),
    "filesystem": ("filesystem", "FilesystemRepository", "root", (), ("durable",)),
    "postgresql": ("postgresql", "PostgreSQLRepository", "url", ("dsn",), ("schema",)),
    "memory": ("memory", "MemoryRepository", None, (), ()),
}
_ALIASES = {"sql": "sqlite", "postgres": "postgresql"}
_CLASSES = {entry[1]: entry[0] for entry in _BACKENDS.values()}
REPOSITORY_TYPES: tuple[str, ...] = (*_BACKENDS, *_ALIASES)  # every accepted name, aliases last


def canonical_type(kind: str) -> str:
    """The repository type that ``kind`` names (an alias is read as its type; others unchanged)."""
    return _ALIASES.get(kind, kind)


def setting_names(kind: str) -> tuple[str, ...]:
    """The settings a repository of type ``kind`` (an alias allowed) takes; () for an unknown type."""
    entry = _BACKENDS.get(canonical_type(kind))
    if entry is None:
        return ()
    _, _, main, aliases, options = entry
    return (*((main,) if main else ()), *aliases, *options)


def open_repository(settings: dict[str, Any]) -> Repository:
    """The repository that ``settings`` describe (see the module docstring).

    An unknown type, an unknown setting or a missing one is an ``UnknownRepositoryType`` or a
    ``ConfigError`` that lists what is accepted, before anything is opened.
    """
    settings = dict(settings)
    kind = settings.pop("type", None)
    name = canonical_type(kind) if isinstance(kind, str) else None
    if name not in _BACKENDS:
        accepted = ", ".join(repr(name) for name in REPOSITORY_TYPES)
        raise UnknownRepositoryType(
            f"unknown repository type {kind!r}; the accepted types are {accepted} "
            "(e.g. Config.configure_core(repository_type='sqlite'))"
        )
    module, class_name, main, aliases, options = _BACKENDS[name]
    arguments = []
    if main is not None:
        given = [key for key in (main, *aliases) if key in settings]
        if not given:
            raise ConfigError(
                f"a {name} repository needs the setting {main!r}"
                + (f" (or {', '.join(map(repr, aliases))})" if aliases else "")
                + f"; got {sorted(settings)}"
            )
        if len(given) > 1:
            raise ConfigError(f"a {name} repository takes one of {given}, not several")
        arguments.append(settings.pop(given[0]))
    unknown = sorted(set(settings) - set(options))
    if unknown:
        allowed = [key for key in (main, *aliases, *options) if key]
        raise UnknownRepositoryType(
            f"a {name} repository does not take the setting(s) {unknown}; it takes {allowed or 'none'}"
        )
    cls = getattr(importlib.import_module(f"scenaria.store.{module}"), class_name)
    return cls(*arguments, **settings)


def __getattr__(name: str) -> Any:
    """The back-end classes, imported when first named (``import scenaria`` stays lean)."""
    module = _CLASSES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"scenaria.store.{module}"), name)
