"""Reading and writing configuration layers as TOML files in Taipy's format.

Reading is strict: a file that is not TOML, a typed string that cannot be read, a field of the
wrong type or a reference to a section that does not exist raises an error naming the file, the
line, the section and the key, with the form expected.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import stat
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import tomli_w

from scenaria.config.core import check_core_version
from scenaria.config.enums import Frequency, Scope
from scenaria.config.job import merge_worker_aliases, worker_count
from scenaria.config.layer import SECTION_KINDS, UNIQUE_KINDS, ConfigLayer
from scenaria.config.section import Section, validate_id
from scenaria.config.templates import is_template
from scenaria.config.values import ImportRef, SectionRef, TypedValueError, iter_refs, pythonify, stringify
from scenaria.exceptions import (
    ConfigCoreVersionMismatched,
    ConfigError,
    InvalidConfigurationId,
    LoadingError,
)

logger = logging.getLogger("scenaria")

# Fields holding references to other sections, and the kind they refer to.
_REFERENCE_FIELDS = {
    ("TASK", "inputs"): "DATA_NODE",
    ("TASK", "outputs"): "DATA_NODE",
    ("SCENARIO", "tasks"): "TASK",
    ("SCENARIO", "additional_data_nodes"): "DATA_NODE",
}


class _Source:
    """Where values come from, to write error messages that point at the right line."""

    def __init__(self, name: str, text: str | None) -> None:
        self.name = name
        self.lines = text.splitlines() if text is not None else []

    def line_of(self, table: str, key: str | None = None) -> int | None:
        header = re.compile(r"^\s*\[\s*" + r"\s*\.\s*".join(map(re.escape, table.split("."))) + r"\s*\]")
        key_re = re.compile(r"^\s*\"?" + re.escape(key) + r"\"?\s*=") if key else None
        start = None
        for number, line in enumerate(self.lines, 1):
            if start is None:
                if header.match(line):
                    start = number
                    if key_re is None:
                        return number
            elif line.lstrip().startswith("["):
                break
            elif key_re is not None and key_re.match(line):
                return number
        return start

    def where(self, table: str, key: str | None = None) -> str:
        line = self.line_of(table, key)
        place = f"{self.name}, line {line}" if line else self.name
        return f"{place}: [{table}]" + (f" key '{key}'" if key else "")

    def error(self, table: str, key: str | None, message: str) -> LoadingError:
        return LoadingError(f"{self.where(table, key)}: {message}")


# --- reading -------------------------------------------------------------------------------------
#: the largest configuration file read (a real one is a few kB; this stops /dev/zero and the like)
MAX_FILE_SIZE = 16 * 1024 * 1024


def read_file(path: str | Path) -> ConfigLayer:
    """Read a TOML configuration file into a layer: a regular file of at most ``MAX_FILE_SIZE``
    bytes (a FIFO would block, a device could be endless)."""
    if not isinstance(path, (str, Path)) or (isinstance(path, str) and not path.strip()):
        raise LoadingError(f"{path!r}: a configuration file is given by its path, a str or a pathlib.Path")
    name = str(path)
    if "\x00" in name:
        raise LoadingError(f"{name!r}: a file path cannot hold a NUL character")
    try:
        info = Path(path).stat()
        if not stat.S_ISREG(info.st_mode):
            raise LoadingError(f"{name}: not a regular file; give the path of a TOML configuration file")
        with open(path, "rb") as file:
            raw = file.read(MAX_FILE_SIZE + 1)
        if len(raw) > MAX_FILE_SIZE:
            raise LoadingError(f"{name}: more than a configuration file may hold ({MAX_FILE_SIZE} bytes)")
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise LoadingError(f"{name}: no such configuration file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadingError(f"{name}: cannot read the configuration file: {exc}") from exc
    return read_text(text, name)


def read_text(text: str, name: str = "<string>") -> ConfigLayer:
    """Read TOML text into a layer; ``name`` is used in error messages."""
    if sys.version_info >= (3, 11):  # imported here: most runs read no TOML
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column (\d+)\)", message)
        where = f"{name}, line {match.group(1)}, column {match.group(2)}" if match else name
        detail = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        raise LoadingError(f"{where}: invalid TOML: {detail}") from None
    return layer_from_dict(data, _Source(name, text))


def layer_from_dict(data: dict[str, Any], source: _Source | None = None) -> ConfigLayer:
    """Build a layer from a parsed TOML document."""
    source = source or _Source("<dict>", None)
    layer = ConfigLayer()
    for name, table in data.items():
        if name in UNIQUE_KINDS:
            if not isinstance(table, dict):
                raise source.error(name, None, f"expected a table [{name}]")
            layer.add(_build(name, name, table, source))
        elif name in SECTION_KINDS:
            if not isinstance(table, dict):
                raise source.error(name, None, f"expected tables like [{name}.my_id]")
            for section_id, body in table.items():
                if not isinstance(body, dict):
                    raise source.error(
                        f"{name}.{section_id}", None, f"expected a table [{name}.{section_id}], found a value"
                    )
                try:
                    validate_id(section_id)
                except InvalidConfigurationId as exc:
                    raise InvalidConfigurationId(f"{source.where(f'{name}.{section_id}')}: {exc}") from None
                layer.add(_build(name, section_id, body, source))
        else:
            logger.warning(
                "%s: section [%s] is not a scenaria configuration section; it is ignored (known sections: %s)",
                source.name,
                name,
                ", ".join([*UNIQUE_KINDS, *SECTION_KINDS]),
            )
    return layer


def _build(kind: str, section_id: str, table: dict[str, Any], source: _Source) -> Section:
    table_name = kind if kind in UNIQUE_KINDS else f"{kind}.{section_id}"

    def fail(key: str, message: str) -> LoadingError:
        return source.error(table_name, key, message)

    if "id" in table:
        where = f"[{kind}]" if kind in UNIQUE_KINDS else f"its table name ([{kind}.my_id])"
        raise fail("id", f"the id of this section is {where}; remove the id key")
    values: dict[str, Any] = {}
    for key, raw in table.items():
        try:
            values[key] = pythonify(raw)
        except TypedValueError as exc:
            raise fail(key, str(exc)) from None
    _check_fields(kind, values, fail)
    if kind == "TASK":
        values.setdefault("skippable", None)  # unset, so the default task can provide it
    try:
        if kind in UNIQUE_KINDS:
            if kind == "JOB":
                values["max_nb_of_workers"] = merge_worker_aliases(values.pop("max_nb_of_workers", None), values, "")
            return UNIQUE_KINDS[kind](**values)
        return SECTION_KINDS[kind](section_id, **values)
    except ConfigCoreVersionMismatched as exc:
        raise ConfigCoreVersionMismatched(f"{source.where(table_name, 'core_version')}: {exc}") from None
    except ConfigError as exc:
        raise LoadingError(f"{source.where(table_name)}: {exc}") from None


def _is(value: Any, *types: type) -> bool:
    return is_template(value) or isinstance(value, types)


class _Fields:
    """The values of one table being read, with the checks that name the faulty key."""

    def __init__(self, values: dict[str, Any], fail: Callable[[str, str], LoadingError]) -> None:
        self.values = values
        self.fail = fail

    def need(self, key: str, ok: bool, expected: str) -> None:
        if key in self.values and not ok:
            raise self.fail(key, f"found {self.values[key]!r}; expected {expected}")

    def need_type(self, key: str, kind: type, expected: str) -> None:
        self.need(key, _is(self.values.get(key), kind), expected)

    def refs(self, key: str, target: str) -> None:
        if key in self.values:
            _refs_in(self.values, key, target, self.fail)

    def functions(self, key: str, value: Any) -> None:
        for item in value if isinstance(value, list) else [value]:
            if not (callable(item) or isinstance(item, ImportRef)):
                raise self.fail(key, f'found {item!r}; expected functions like ["my_module.my_fn:function"]')


def _check_data_node_fields(fields: _Fields) -> None:
    fields.need_type("storage_type", str, 'a string like "csv"')
    fields.need_type("scope", Scope, 'a scope like "SCENARIO:SCOPE"')
    fields.need_type("validity_period", dt.timedelta, 'a duration like "1d0h0m0s:timedelta"')


def _check_task_fields(fields: _Fields) -> None:
    fn = fields.values.get("function")
    fields.need(
        "function",
        fn is None or callable(fn) or _is(fn, ImportRef),
        'a function like "my_module.my_fn:function"',
    )
    fields.refs("inputs", "DATA_NODE")
    fields.refs("outputs", "DATA_NODE")
    fields.need_type("skippable", bool, '"True:bool" or "False:bool"')


def _check_scenario_fields(fields: _Fields) -> None:
    values, fail = fields.values, fields.fail
    fields.refs("tasks", "TASK")
    fields.refs("additional_data_nodes", "DATA_NODE")
    fields.need_type("frequency", Frequency, 'a frequency like "DAILY:FREQUENCY"')
    for key in ("comparators", "sequences"):
        fields.need(key, isinstance(values.get(key), dict), f"a table [SCENARIO.<id>.{key}]")
    for dn_id, fns in values.get("comparators", {}).items():
        fields.functions(f"comparators.{dn_id}", fns)
    sequences = values.get("sequences", {})
    for name in sequences:
        _refs_in(sequences, name, "TASK", lambda key, message: fail(f"sequences.{key}", message))


def _check_job_fields(fields: _Fields) -> None:
    fields.need_type("mode", str, 'a mode: "development", "standalone" or "dask"')
    for key in ("max_nb_of_workers", "nb_of_workers"):
        value = fields.values.get(key)
        fields.need(
            key,
            is_template(value) or worker_count(value) is not None,
            'a whole number of workers like "2:int"',
        )


_CORE_STRINGS = (
    "root_folder",
    "storage_folder",
    "taipy_storage_folder",
    "repository_type",
    "mode",
    "version_number",
    "core_version",
)


def _check_core_fields(fields: _Fields) -> None:
    values = fields.values
    for key in _CORE_STRINGS:
        fields.need_type(key, str, "a string")
    fields.need(
        "repository_properties",
        isinstance(values.get("repository_properties"), dict),
        "a table [CORE.repository_properties]",
    )
    fields.need(
        "read_entity_retry",
        _is(values.get("read_entity_retry"), int) and not isinstance(values.get("read_entity_retry"), bool),
        'a whole number like "3:int"',
    )
    fields.need_type("force", bool, '"True:bool" or "False:bool"')
    if "core_version" in values and not is_template(values["core_version"]):
        check_core_version(values["core_version"])


_FIELD_CHECKS: dict[str, Callable[[_Fields], None]] = {
    "DATA_NODE": _check_data_node_fields,
    "TASK": _check_task_fields,
    "SCENARIO": _check_scenario_fields,
    "JOB": _check_job_fields,
    "CORE": _check_core_fields,
}


def _check_fields(kind: str, values: dict[str, Any], fail: Callable[[str, str], LoadingError]) -> None:
    """Check the type of every field scenaria interprets; turn section ids into references."""
    check = _FIELD_CHECKS.get(kind)
    if check is not None:
        check(_Fields(values, fail))


def _refs_in(holder: dict[str, Any], key: str, target: str, fail: Callable[[str, str], LoadingError]) -> None:
    items = holder[key] if isinstance(holder[key], list) else [holder[key]]
    out = []
    for item in items:
        if isinstance(item, SectionRef) or (isinstance(item, str) and item.isidentifier()):
            out.append(SectionRef(item.id if isinstance(item, SectionRef) else item, target))
        else:
            raise fail(key, f'found {item!r}; expected a list of references like ["my_id:SECTION"]')
    holder[key] = out


def check_references(
    layer: ConfigLayer, source_name: str, known: Iterable[ConfigLayer], text: str | None = None
) -> None:
    """Raise :class:`LoadingError` for a ``"id:SECTION"`` reference that names no section of
    ``layer`` or of the ``known`` layers."""
    layers = [layer, *known]
    source = _Source(source_name, text)

    def exists(ref: SectionRef) -> bool:
        return any(candidate.find(ref.kind, ref.id) is not None for candidate in layers)

    for section in layer:
        table = section._KIND if section._KIND in UNIQUE_KINDS else f"{section._KIND}.{section.id}"
        for key, value in section._iter_values():
            for ref in iter_refs(value, (SectionRef,)):
                if not exists(ref):
                    wanted = f"[{ref.kind}.{ref.id}]" if ref.kind else f"a section with id {ref.id!r}"
                    raise source.error(
                        table,
                        key,
                        f"'{ref.id}:SECTION' refers to {wanted}, which is not "
                        "defined in this file or in the configuration",
                    )


# --- writing -------------------------------------------------------------------------------------
def layer_to_dict(layer: ConfigLayer, strict: bool = True) -> dict[str, Any]:
    """The TOML document of a layer (unique sections first, then data nodes, tasks, scenarios)."""
    out: dict[str, Any] = {}
    for section in layer:
        body: dict[str, Any] = {}
        for key, value in section._to_dict().items():
            try:
                body[key] = stringify(value, strict)
            except TypedValueError as exc:
                raise ConfigError(f"cannot write {section._where(key)}{exc}") from None
        if section._KIND in UNIQUE_KINDS:
            out[section._KIND] = body
        elif body or section._KIND != "SCHEDULE":  # no empty [SCHEDULE.default]: Taipy has no schedules
            out.setdefault(section._KIND, {})[section.id] = body
    return out


def dumps(layer: ConfigLayer, strict: bool = True) -> str:
    return tomli_w.dumps(layer_to_dict(layer, strict))


def write_file(layer: ConfigLayer, path: str | Path) -> None:
    Path(path).write_text(dumps(layer), encoding="utf-8")
