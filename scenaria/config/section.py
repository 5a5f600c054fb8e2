"""The section base classes: a config id, a few typed fields and free properties.

A section keeps its values as they were given (``ENV[...]`` templates included). Reading a field
or a property through an attribute resolves templates; ``section.properties`` shows the raw
values. A section that is part of the applied configuration reports every change to ``Config``
(which records it and recompiles), so ``Config.data_nodes["x"].default_path = "..."`` sticks.
"""

from __future__ import annotations

import copy
import keyword
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from scenaria.config.templates import resolve
from scenaria.config.values import ImportRef, Referable, SectionRef, resolve_refs
from scenaria.exceptions import InvalidConfigurationId

_RESTRICTED_ID_TERMS = ("CYCLE", "SCENARIO", "SEQUENCE", "TASK", "DATANODE")


def validate_id(config_id: object) -> str:
    """Return ``config_id`` if it can name a section, else raise :class:`InvalidConfigurationId`."""
    if not isinstance(config_id, str):
        raise InvalidConfigurationId(f"a config id must be a string, not {type(config_id).__name__}")
    for term in _RESTRICTED_ID_TERMS:
        if term in config_id:
            raise InvalidConfigurationId(
                f"{config_id!r} is not a valid config id: it contains {term!r}, which scenaria reserves "
                "for entity ids; choose another name"
            )
    if not config_id.isidentifier() or keyword.iskeyword(config_id):
        raise InvalidConfigurationId(
            f"{config_id!r} is not a valid config id: use a Python identifier (letters, digits and "
            "underscores, not starting with a digit) that is not a keyword"
        )
    return config_id


def copy_value(value: Any) -> Any:
    """Copy containers, share leaves (sections, functions, data)."""
    if isinstance(value, list):
        return [copy_value(v) for v in value]
    if isinstance(value, dict):
        return {k: copy_value(v) for k, v in value.items()}
    return value


# Set by Config on the sections of the applied configuration: hook(section, key, value_or_None).
ChangeHook = Callable[["Section", "str | None"], None]


class Section(Referable):
    """A named part of a configuration: ``[KIND.id]`` in TOML.

    Subclasses list their typed ``_FIELDS``; everything else is a free property.
    """

    _KIND: ClassVar[str] = ""
    _FIELDS: ClassVar[tuple[str, ...]] = ()
    _ALIASES: ClassVar[dict[str, str]] = {}
    #: the free properties the engine reads: a property named almost like one of them (or like a
    #: field) is most likely a misspelling, which ``Config.check()`` reports (``check_misspelt``)
    _PROPERTIES: ClassVar[tuple[str, ...]] = ()
    DEFAULT_ID: ClassVar[str] = "default"

    _id: str
    _values: dict[str, Any]
    _properties: dict[str, Any]
    _hook: ChangeHook | None

    def __init__(self, id: str, **properties: Any) -> None:
        object.__setattr__(self, "_id", validate_id(id))
        object.__setattr__(self, "_values", dict.fromkeys(self._FIELDS))
        object.__setattr__(self, "_properties", dict(properties))
        object.__setattr__(self, "_hook", None)

    # --- identity --------------------------------------------------------------------------------
    @property
    def id(self) -> str:
        return self._id

    @property
    def properties(self) -> dict[str, Any]:
        """The free properties as given (templates unresolved)."""
        return self._properties

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._id!r})"

    def _where(self, key: str | None = None) -> str:
        name = f"[{self._KIND}]" if self._id == self._KIND else f"[{self._KIND}.{self._id}]"
        return f"{name} key '{key}': " if key else f"{name}: "

    # --- reading ---------------------------------------------------------------------------------
    def _get(self, field: str) -> Any:
        """A field's value with templates resolved and pending imports retried (None if unset)."""
        return self._read(self._values.get(field), field)

    def _read(self, raw: Any, key: str) -> Any:
        value = resolve(raw, self._where(key))
        return resolve_refs(value) if _has_import_ref(value) else value

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: free properties, resolved; unknown names give None.
        if name.startswith("_"):
            raise AttributeError(name)
        properties = self.__dict__.get("_properties")
        if properties is None:
            raise AttributeError(name)
        if name in properties:
            return self._read(properties[name], name)
        return None

    # --- writing ---------------------------------------------------------------------------------
    def _normalize(self, field: str, value: Any) -> Any:
        """Subclasses turn a field value into its stored form (e.g. one section into a list)."""
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        if name == "id":
            raise AttributeError("a section's id cannot change; configure a new section instead")
        self._assign(name, value)

    def _assign(self, name: str, value: Any) -> None:
        """Set a field (by its name or an alias) or a property, then report the change."""
        key = self._ALIASES.get(name, name)
        self._before_change()
        if key in self._FIELDS:
            self._values[key] = self._normalize(key, value)
        elif key == "properties":
            object.__setattr__(self, "_properties", dict(value))
        else:
            self._properties[key] = value
        self._changed(key)

    def __delattr__(self, name: str) -> None:
        if name in self._properties:
            self._before_change()
            del self._properties[name]
            self._changed(name, deleted=True)
        else:
            object.__delattr__(self, name)

    def _before_change(self) -> None:
        hook = self._hook
        if hook is not None:
            hook(self, None)  # the hook refuses when the configuration is blocked

    def _changed(self, key: str, deleted: bool = False) -> None:
        hook = self._hook
        if hook is not None:
            hook(self, f"-{key}" if deleted else key)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_hook"] = None  # a copy, or a section in another process, is not the applied one
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)

    # --- used by the layering --------------------------------------------------------------------
    def _raw(self, key: str) -> Any:
        """The stored value of a field or property (None if unset)."""
        if key in self._FIELDS:
            return self._values[key]
        return self._properties.get(key)

    def _set_raw(self, key: str, value: Any) -> None:
        if key in self._FIELDS:
            self._values[key] = value
        elif value is None:
            self._properties.pop(key, None)
        else:
            self._properties[key] = value

    def _clone(self) -> Section:
        clone = copy.copy(self)
        object.__setattr__(clone, "_values", copy_value(self._values))
        object.__setattr__(clone, "_properties", copy_value(self._properties))
        object.__setattr__(clone, "_hook", None)
        return clone

    def _update(self, other: Section) -> None:
        """Take every value ``other`` sets (later layers win)."""
        for key, value in other._values.items():
            if value is not None:
                self._values[key] = copy_value(value)
        self._properties.update(copy_value(other._properties))

    def _inherit(self, default: Section) -> None:
        """Fill what this section leaves unset from the ``default`` section of its kind."""
        for key, value in default._values.items():
            if self._values[key] is None and value is not None:
                self._values[key] = copy_value(value)
        self._properties = {**copy_value(default._properties), **self._properties}

    def _fill_defaults(self) -> None:
        """Set the built-in default of every field still unset."""

    def _to_dict(self) -> dict[str, Any]:
        """Fields then properties, unset values left out (the order written to TOML)."""
        out = {k: v for k, v in self._values.items() if v is not None}
        out.update((k, v) for k, v in self._properties.items() if v is not None)
        return out

    def _iter_values(self) -> Iterator[tuple[str, Any]]:
        yield from self._values.items()
        yield from self._properties.items()

    def _repoint(self, lookup: Callable[[str | None, str], Section | None]) -> None:
        """Replace section objects and references by the sections of the applied configuration."""

        def swap(value: Any, kind: str | None) -> Any:
            if isinstance(value, Section) and not isinstance(value, UniqueSection):
                return lookup(value._KIND, value.id) or value
            if isinstance(value, SectionRef):
                return lookup(value.kind, value.id) or value
            if isinstance(value, list):
                return [swap(v, kind) for v in value]
            if isinstance(value, dict):
                return {k: swap(v, kind) for k, v in value.items()}
            return value

        self._values = {k: swap(v, None) for k, v in self._values.items()}
        self._properties = {k: swap(v, None) for k, v in self._properties.items()}


class UniqueSection(Section):
    """A section that exists once per configuration: ``[TAIPY]``, ``[JOB]``, ``[CORE]``."""

    def __init__(self, **properties: Any) -> None:
        super().__init__(self._KIND, **properties)

    def _where(self, key: str | None = None) -> str:
        return f"[{self._KIND}] key '{key}': " if key else f"[{self._KIND}]: "


def _has_import_ref(value: Any) -> bool:
    if isinstance(value, ImportRef):
        return True
    if isinstance(value, list):
        return any(_has_import_ref(v) for v in value)
    if isinstance(value, dict):
        return any(_has_import_ref(v) for v in value.values())
    return False
