"""Typed strings: how values that TOML cannot hold natively are written and read.

A value is written as ``"<text>:<type>"``, e.g. ``"21:int"``, ``"True:bool"``, ``"1.5:float"``,
``"2024-05-17T12:30:00:datetime"``, ``"1d2h0m0s:timedelta"``, ``"pkg.mod.fn:function"``,
``"pkg.mod.Class:class"``, ``"SCENARIO:SCOPE"``, ``"DAILY:FREQUENCY"`` and ``"my_id:SECTION"`` (a
reference to another section). Strings are written unchanged, unless they would read back as
something else: those get a ``:str`` suffix. Lists, tuples and sets become lists; dicts become
TOML tables.
"""

from __future__ import annotations

import datetime as dt
import enum
import importlib
import re
import types
from collections.abc import Callable, Iterator
from typing import Any

from scenaria.config.enums import Frequency, Scope
from scenaria.config.templates import is_template
from scenaria.exceptions import ConfigError

TYPES = (
    "bool",
    "str",
    "int",
    "float",
    "datetime",
    "timedelta",
    "function",
    "class",
    "SCOPE",
    "FREQUENCY",
    "SECTION",
)
_TYPED = re.compile(r"^(?P<text>.+):(?P<type>[A-Za-z_]\w*)$", re.S)
# Suffixes that look like a mistyped type name: reading them as plain text would hide the mistake.
_LOOKS_LIKE_A_TYPE = {t.lower() for t in TYPES} | {
    "integer",
    "boolean",
    "string",
    "double",
    "number",
    "date",
    "time",
    "dict",
    "list",
    "tuple",
    "set",
    "none",
    "null",
    "callable",
    "func",
    "method",
    "enum",
    "json",
    "bytes",
    "decimal",
    "duration",
    "obj",
    "object",
    "type",
    "frozenset",
}
_TIMEDELTA = re.compile(
    r"^(?P<sign>-)?(?:(?P<d>\d+(?:\.\d*)?)d)? *(?:(?P<h>\d+(?:\.\d*)?)h)? *"
    r"(?:(?P<m>\d+(?:\.\d*)?)m)? *(?:(?P<s>\d+(?:\.\d*)?)s)?$"
)


class TypedValueError(ValueError):
    """A typed string that cannot be read; the message shows the expected form."""


class Referable:
    """What TOML holds as a reference to it, ``"<id>:SECTION"``: a section.

    ``Section`` (in ``section``, which builds on this module) derives from it, so writing a value
    needs no import of the sections.
    """

    __slots__ = ()

    @property
    def id(self) -> str:
        raise NotImplementedError


class SectionRef:
    """A reference ``"id:SECTION"`` read from a file, replaced by the section when compiled."""

    __slots__ = ("id", "kind")

    def __init__(self, id: str, kind: str | None = None) -> None:
        self.id = id
        self.kind = kind

    def __repr__(self) -> str:
        return f"SectionRef({self.id!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SectionRef) and other.id == self.id

    def __hash__(self) -> int:
        return hash(("SectionRef", self.id))


class ImportRef:
    """A ``"module.name:function"`` or ``":class"`` reference that could not be imported yet.

    Kept so that the configuration still loads (and writes back unchanged); :func:`resolve_refs`
    tries again when the value is read, and the checker reports it if it still fails.
    """

    __slots__ = ("kind", "path", "reason")

    def __init__(self, path: str, kind: str, reason: str) -> None:
        self.path = path
        self.kind = kind
        self.reason = reason

    def __repr__(self) -> str:
        return f"ImportRef({self.path!r}:{self.kind})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ImportRef) and (other.path, other.kind) == (self.path, self.kind)

    def __hash__(self) -> int:
        return hash((self.path, self.kind))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        target = try_import(self.path, self.kind)
        if isinstance(target, ImportRef):
            raise ImportError(target.reason)
        return target(*args, **kwargs)


# --- timedelta -----------------------------------------------------------------------------------
def timedelta_to_str(value: dt.timedelta) -> str:
    """``1d2h0m0s``; fractional seconds keep their microseconds; negative values get a ``-``."""
    if value < dt.timedelta(0):
        return "-" + timedelta_to_str(-value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    secs = str(seconds) if not value.microseconds else f"{seconds}.{value.microseconds:06d}".rstrip("0")
    return f"{value.days}d{hours}h{minutes}m{secs}s"


def str_to_timedelta(text: str) -> dt.timedelta:
    match = _TIMEDELTA.fullmatch(text.strip())
    if match is None or not any(match.group(k) for k in "dhms"):
        raise TypedValueError(f"{text!r} is not a duration; write it like '1d2h30m0s:timedelta'")
    parts = {k: float(match.group(k) or 0) for k in "dhms"}
    value = dt.timedelta(days=parts["d"], hours=parts["h"], minutes=parts["m"], seconds=parts["s"])
    return -value if match.group("sign") else value


# --- functions and classes -----------------------------------------------------------------------
def reference_of(obj: Callable[..., Any] | type) -> str:
    """The ``module.qualname`` path under which ``obj`` can be imported again."""
    module = getattr(obj, "__module__", None) or "builtins"
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or repr(obj)
    return f"{module}.{name}"


def try_import(path: str, kind: str = "function") -> Any:
    """Import ``pkg.module.attr.sub``; return an :class:`ImportRef` carrying the reason if it fails."""
    parts = path.split(".")
    reason = f"{path!r} is not of the form 'module.attribute'"
    for cut in range(len(parts) - 1, 0, -1):
        module_name, attrs = ".".join(parts[:cut]), parts[cut:]
        try:
            target: Any = importlib.import_module(module_name)
        except ImportError as exc:
            reason = f"cannot import module {module_name!r} (for attribute {'.'.join(attrs)!r}): {exc}"
            continue
        try:
            for attr in attrs:
                target = getattr(target, attr)
        except AttributeError:
            reason = f"module {module_name!r} has no attribute {'.'.join(attrs)!r}"
            if module_name == "__main__":  # written by Config.export() in a script, read elsewhere
                reason += (
                    ": the configuration names a function of the script that exported it, which only "
                    "that script has; move the function to a module of its own and export again"
                )
            break
        if kind == "class" and not isinstance(target, type):
            reason = f"{module_name}.{'.'.join(attrs)} is not a class"
            break
        if kind == "function" and not callable(target):
            reason = f"{module_name}.{'.'.join(attrs)} is not callable"
            break
        return target
    return ImportRef(path, kind, reason)


def iter_refs(value: Any, kinds: tuple[type, ...] = (SectionRef, ImportRef)) -> Iterator[Any]:
    """The references of those kinds in a value, looking into lists and dicts."""
    if isinstance(value, kinds):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from iter_refs(item, kinds)
    elif isinstance(value, dict):
        for item in value.values():
            yield from iter_refs(item, kinds)


def resolve_refs(value: Any) -> Any:
    """Try again to import the :class:`ImportRef` objects in ``value``."""
    if isinstance(value, ImportRef):
        return try_import(value.path, value.kind)
    if isinstance(value, list):
        return [resolve_refs(v) for v in value]
    if isinstance(value, dict):
        return {k: resolve_refs(v) for k, v in value.items()}
    return value


# --- reading -------------------------------------------------------------------------------------
def _to_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered not in ("true", "false"):
        raise TypedValueError(f"{text!r} is not a boolean; write 'True:bool' or 'False:bool'")
    return lowered == "true"


def _enum_member(enum_cls: type[enum.Enum], text: str, suffix: str) -> Any:
    try:
        return enum_cls[text.strip()]
    except KeyError:
        names = ", ".join(f"'{m.name}:{suffix}'" for m in enum_cls)
        raise TypedValueError(f"{text!r} is not a {enum_cls.__name__}; expected one of {names}") from None


def enum_from_text(enum_cls: type[enum.Enum], value: Any, where: str, suffix: str) -> Any:
    """An enum member from a name such as ``"GLOBAL"`` or ``"GLOBAL:SCOPE"`` (e.g. read from ``ENV[...]``)."""
    if not isinstance(value, str):
        return value
    name = value.strip()
    if name.upper().endswith(f":{suffix}"):
        name = name[: -len(suffix) - 1]
    try:
        return enum_cls[name.upper()]
    except KeyError:
        names = ", ".join(m.name for m in enum_cls)
        raise ConfigError(f"{where}{value!r} is not a {enum_cls.__name__}; expected one of {names}") from None


# How each type suffix reads its text; a ValueError means the text is not of that type.
_READERS: dict[str, Callable[[str], Any]] = {
    "str": lambda text: text,
    "bool": _to_bool,
    "int": int,
    "float": float,
    "datetime": dt.datetime.fromisoformat,
    "timedelta": str_to_timedelta,
    "function": lambda text: try_import(text, "function"),
    "class": lambda text: try_import(text, "class"),
    "SCOPE": lambda text: _enum_member(Scope, text, "SCOPE"),
    "FREQUENCY": lambda text: _enum_member(Frequency, text, "FREQUENCY"),
    "SECTION": lambda text: SectionRef(text),
}
_EXAMPLES = {"int": "'21:int'", "float": "'1.5:float'", "datetime": "'2024-05-17T12:30:00:datetime'"}


def parse_typed(text: str) -> Any:
    """Read one string as written in a TOML file (see the module docstring)."""
    if is_template(text):
        return text
    match = _TYPED.fullmatch(text)
    if match is None:
        return text
    value, kind = match.group("text"), match.group("type")
    if kind not in TYPES:
        if kind.lower() in _LOOKS_LIKE_A_TYPE:
            known = ", ".join(f":{t}" for t in TYPES)
            raise TypedValueError(
                f"unknown type suffix ':{kind}' in {text!r}; known suffixes are {known} "
                f"(to keep the text as it is, write '{text}:str')"
            )
        return text  # e.g. "tcp://host:8786": a colon that is not a type suffix
    try:
        return _READERS[kind](value)
    except TypedValueError:
        raise
    except ValueError:
        raise TypedValueError(f"{value!r} is not a valid {kind}; write it like {_EXAMPLES[kind]}") from None


def pythonify(value: Any) -> Any:
    """Read a TOML value: typed strings inside strings, lists and tables."""
    if isinstance(value, str):
        return parse_typed(value)
    if isinstance(value, list):
        return [pythonify(v) for v in value]
    if isinstance(value, dict):
        return {str(k): pythonify(v) for k, v in value.items()}
    return value


# --- writing -------------------------------------------------------------------------------------
def _needs_str_suffix(text: str) -> bool:
    """True when ``text`` would not read back as itself (it ends with something like ``:int``)."""
    if is_template(text):
        return False
    match = _TYPED.fullmatch(text)
    return match is not None and match.group("type").lower() in _LOOKS_LIKE_A_TYPE


def _scalar_text(value: Any) -> str | None:
    """The typed string of a scalar value (``"21:int"``, ``"GLOBAL:SCOPE"``...); None for other values."""
    if isinstance(value, ImportRef):
        return f"{value.path}:{value.kind}"
    if isinstance(value, (Scope, Frequency)):
        return f"{value.name}:{type(value).__name__.upper()}"
    if isinstance(value, bool):
        return f"{value}:bool"
    if isinstance(value, int) and not isinstance(value, enum.Enum):
        return f"{value}:int"
    if isinstance(value, float):
        return f"{value!r}:float"
    if isinstance(value, dt.datetime):
        return f"{value.isoformat()}:datetime"
    if isinstance(value, dt.timedelta):
        return f"{timedelta_to_str(value)}:timedelta"
    if isinstance(value, str):
        return f"{value}:str" if _needs_str_suffix(value) else value
    return None


def _reference_text(value: Any) -> str | None:
    """The typed string of a section, class or function (what the TOML file names); None otherwise."""
    if isinstance(value, (Referable, SectionRef)):
        return f"{value.id}:SECTION"
    if isinstance(value, type):
        return f"{reference_of(value)}:class"
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)) or (
        callable(value) and hasattr(value, "__qualname__")
    ):
        return f"{reference_of(value)}:function"
    return None


def stringify(value: Any, strict: bool = True) -> Any:
    """Turn a Python value into what TOML can hold (see the module docstring).

    ``strict=False`` writes values that have no TOML form as a descriptive string instead of raising
    (used for the configuration stored with a version, which must always be writable).
    """
    text = _scalar_text(value)
    if text is None:
        text = _reference_text(value)
    if text is not None:
        return text
    if isinstance(value, dict):
        return {str(k): stringify(v, strict) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [stringify(v, strict) for v in items]
    if isinstance(value, (dt.date, dt.time)):
        return value  # TOML has native local dates and times
    if strict:
        raise TypedValueError(
            f"a value of type {type(value).__module__}.{type(value).__qualname__} has no TOML form; "
            "use a str, bool, int, float, datetime, timedelta, Scope, Frequency, function, class, "
            "section, list or dict"
        )
    return f"<{type(value).__module__}.{type(value).__qualname__}>"
