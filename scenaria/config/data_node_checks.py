"""The checks of data node configs, also run on data nodes built directly (``data_node_issues``)."""

from __future__ import annotations

import datetime as dt

from scenaria.config.check_base import (
    CALLABLE_PROPERTIES,
    SCENARIO_ATTRIBUTES,
    SCENARIO_METHODS,
    TASK_ATTRIBUTES,
    TASK_METHODS,
    check_misspelt,
    check_reserved,
)
from scenaria.config.check_base import Report as _Report
from scenaria.config.check_base import user_sections as _user_sections
from scenaria.config.data_node import DataNodeConfig
from scenaria.config.enums import Scope
from scenaria.config.issues import IssueCollector
from scenaria.config.layer import DEFAULT_ID, ConfigLayer
from scenaria.config.values import ImportRef
from scenaria.exceptions import ConfigError


def check_data_nodes(layer: ConfigLayer, collector: IssueCollector) -> None:
    for dn in layer.sections["DATA_NODE"].values():
        if isinstance(dn, DataNodeConfig):
            _check_data_node(dn, _Report(collector, dn, "data_node"))


def data_node_issues(dn: DataNodeConfig) -> IssueCollector:
    """What ``Config.check()`` finds about one data node config: data nodes built directly
    (``CSVDataNode("id", Scope.SCENARIO, properties={...})``) are checked by the same rules."""
    collector = IssueCollector()
    _check_data_node(dn, _Report(collector, dn, "data_node"))
    return collector


def _check_data_node(dn: DataNodeConfig, report: _Report) -> None:
    is_default = dn.id == DEFAULT_ID
    _check_data_node_id(dn, is_default, report)
    check_misspelt(dn, report)
    ok, storage_type = report.read("storage_type", lambda: dn.storage_type)
    if ok and storage_type not in DataNodeConfig.STORAGE_TYPES:
        report.error(
            "storage_type",
            storage_type,
            f"The storage_type must be one of {', '.join(DataNodeConfig.STORAGE_TYPES)}.",
        )
        return
    if not _check_scope_and_validity(dn, report) or storage_type is None:
        return
    _check_required_properties(dn, storage_type, is_default, report)
    _check_paths(dn, report)
    _check_hash_content(dn, report)
    if storage_type == "generic":
        _check_generic_functions(dn, is_default, report)
    _check_function_properties(dn, storage_type, report)


def _check_paths(dn: DataNodeConfig, report: _Report) -> None:
    """A file path is a str without NUL characters (the OS refuses those at the first read)."""
    for key in ("default_path", "path"):
        value = dn.properties.get(key)
        if value is not None and (not isinstance(value, str) or "\x00" in value):
            report.error(key, value, f"{key} must be a file path (a str without NUL characters).")


def _check_hash_content(dn: DataNodeConfig, report: _Report) -> None:
    """``hash_content`` turns content versions off (docs/execution.md): a bool, nothing else."""
    value = dn.properties.get("hash_content")
    if value is not None and not isinstance(value, bool):
        report.error("hash_content", value, 'hash_content must be True or False (in TOML: "False:bool").')


def _check_data_node_id(dn: DataNodeConfig, is_default: bool, report: _Report) -> None:
    if not dn.id:
        report.error("id", dn.id, "A data node config needs an id.")
    check_reserved(dn.properties, report)
    if is_default:
        return
    for entity, names in (
        ("Task", TASK_ATTRIBUTES | TASK_METHODS),
        ("Scenario", SCENARIO_ATTRIBUTES | SCENARIO_METHODS),
    ):
        if dn.id in names:
            report.error(
                "id",
                dn.id,
                f"The data node config id {dn.id!r} is also an attribute of a {entity} entity; choose another id.",
            )


def _check_scope_and_validity(dn: DataNodeConfig, report: _Report) -> bool:
    """Check the scope and the validity period; whether the validity period could be read at all."""
    ok, scope = report.read("scope", lambda: dn.scope)
    if ok and not isinstance(scope, Scope):
        report.error("scope", scope, 'The scope must be a Scope (in TOML: "SCENARIO:SCOPE").')
    ok, validity = report.read("validity_period", lambda: dn.validity_period)
    if ok and validity is not None and not isinstance(validity, dt.timedelta):
        report.error(
            "validity_period",
            validity,
            'The validity_period must be a timedelta (in TOML: "1d0h0m0s:timedelta").',
        )
    elif ok and validity is not None and validity <= dt.timedelta(0):
        report.error(
            "validity_period",
            validity,
            "The validity_period must be longer than 0 (or None for data that never goes stale).",
        )
    return ok


def _check_required_properties(dn: DataNodeConfig, storage_type: str, is_default: bool, report: _Report) -> None:
    """A missing required property is an error, or a warning in the default data node config."""
    required = list(DataNodeConfig.REQUIRED_PROPERTIES.get(storage_type, ()))
    if storage_type in ("sql", "sql_table") and dn.properties.get("db_engine") != "sqlite":
        required += ["db_username", "db_password"]
    for key in required:
        if dn.properties.get(key) is None:
            add = report.warning if is_default else report.error
            add(key, None, f"A {storage_type} data node needs the property {key!r}.")


def _check_generic_functions(dn: DataNodeConfig, is_default: bool, report: _Report) -> None:
    for key in ("read_fct_args", "write_fct_args"):
        value = dn.properties.get(key)
        if value is not None and not isinstance(value, list):
            report.error(key, value, f"{key} must be a list of arguments.")
    if not is_default and dn.properties.get("read_fct") is None and dn.properties.get("write_fct") is None:
        report.error("read_fct", None, "A generic data node needs a read_fct, a write_fct or both.")


def _check_function_properties(dn: DataNodeConfig, storage_type: str, report: _Report) -> None:
    """The properties of the storage type that name functions, and ``exposed_type``."""
    for key in CALLABLE_PROPERTIES.get(storage_type, ()):
        value = dn.properties.get(key)
        if value is not None and not isinstance(value, ImportRef) and not callable(value):
            report.error(key, value, f"{key} must be a function.")
    exposed = dn.properties.get("exposed_type")
    if isinstance(exposed, str) and exposed not in DataNodeConfig.EXPOSED_TYPES:
        report.error(
            "exposed_type", exposed, "A string exposed_type must be 'pandas', 'numpy' or 'polars' (or give a class)."
        )


def check_sql_queries(layer: ConfigLayer, collector: IssueCollector) -> None:
    """A sql data node reads (``read_query``), writes (``write_query_builder``) or both, as in Taipy 4.2."""
    for dn in _user_sections(layer, "DATA_NODE"):
        try:
            if not isinstance(dn, DataNodeConfig) or dn.storage_type != "sql":
                continue
        except ConfigError:  # an unresolved ENV[...] storage type: check_data_nodes reports it
            continue
        if dn.properties.get("read_query") is None and dn.properties.get("write_query_builder") is None:
            _Report(collector, dn, "data_node").error(
                "read_query",
                None,
                "A sql data node needs a read_query (to read it), a write_query_builder (to write it) or both.",
            )
