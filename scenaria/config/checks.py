"""The configuration checks run by ``Config.check()``.

Each check is a function ``check(config_layer, collector)``; :func:`register_check` adds one.
"""

from __future__ import annotations

import datetime as dt
import graphlib
from collections.abc import Callable, Iterator
from typing import Any

from scenaria.config.core import CoreSection
from scenaria.config.data_node import DataNodeConfig
from scenaria.config.enums import Frequency, Scope
from scenaria.config.issues import IssueCollector
from scenaria.config.job import JobConfig, worker_count
from scenaria.config.layer import DEFAULT_ID, ConfigLayer
from scenaria.config.scenario import ScenarioConfig
from scenaria.config.section import Section
from scenaria.config.task import TaskConfig
from scenaria.config.values import ImportRef, SectionRef, iter_refs, resolve_refs
from scenaria.exceptions import ConfigError

Check = Callable[[ConfigLayer, IssueCollector], None]
CHECKS: list[Check] = []

# Public, non-callable attributes of the Task and Scenario entities: a data node or task config id
# equal to one of them would be shadowed by it (``scenario.<dn id>`` reads a data node).
TASK_ATTRIBUTES = frozenset(
    {
        "config_id",
        "data_nodes",
        "function",
        "id",
        "input",
        "output",
        "owner_id",
        "parent_ids",
        "properties",
        "scope",
        "skippable",
        "version",
    }
)
SCENARIO_ATTRIBUTES = frozenset(
    {
        "additional_data_nodes",
        "config_id",
        "creation_date",
        "cycle",
        "data_nodes",
        "id",
        "is_primary",
        "name",
        "owner_id",
        "properties",
        "sequences",
        "subscribers",
        "tags",
        "tasks",
        "version",
    }
)
RESERVED_PROPERTY = "_entity_owner"
CALLABLE_PROPERTIES = {
    "generic": ("read_fct", "write_fct"),
    "sql": ("write_query_builder", "append_query_builder"),
}


def register_check(check: Check) -> Check:
    """Add ``check`` to the checks ``Config.check()`` runs (usable as a decorator)."""
    CHECKS.append(check)
    return check


def run_checks(layer: ConfigLayer) -> IssueCollector:
    collector = IssueCollector()
    for check in CHECKS:
        check(layer, collector)
    return collector


class _Report:
    """Adds issues about one section, tagged with the check's name."""

    def __init__(self, collector: IssueCollector, section: Section, tag: str) -> None:
        self.collector = collector
        self.section = section
        self.table = section._KIND if section.id == section._KIND else f"{section._KIND}.{section.id}"
        self.tag = tag

    def error(self, key: str, value: Any, message: str) -> None:
        self.collector._add_error(key, value, message, self.tag, self.table)

    def warning(self, key: str, value: Any, message: str) -> None:
        self.collector._add_warning(key, value, message, self.tag, self.table)

    def read(self, key: str, getter: Callable[[], Any]) -> tuple[bool, Any]:
        """Read a value; an ``ENV[...]`` template that cannot be resolved becomes an error."""
        try:
            return True, getter()
        except ConfigError as exc:
            self.error(key, self.section._raw(key), str(exc))
            return False, None


def _user_sections(layer: ConfigLayer, kind: str) -> Iterator[Section]:
    for section_id, section in layer.sections[kind].items():
        if section_id != DEFAULT_ID:
            yield section


def _ids(items: Any) -> list[str]:
    return [getattr(item, "id", str(item)) for item in items]


# --- every section -------------------------------------------------------------------------------
@register_check
def check_config_ids(layer: ConfigLayer, collector: IssueCollector) -> None:
    """A config id names one section only, across data nodes, tasks and scenarios."""
    seen: dict[str, str] = {}
    for kind, sections in layer.sections.items():
        for section_id, section in sections.items():
            if section_id == DEFAULT_ID:
                continue
            if section_id in seen:
                _Report(collector, section, "config_ids").error(
                    "id",
                    section_id,
                    f"The config id {section_id!r} is used by a {seen[section_id]} section and a {kind} "
                    "section; give each section its own id.",
                )
            else:
                seen[section_id] = kind


@register_check
def check_imports(layer: ConfigLayer, collector: IssueCollector) -> None:
    """Every ``module.name:function`` and ``:class`` reference can be imported; every
    ``id:SECTION`` reference names a section."""

    for section in layer:
        report = _Report(collector, section, "imports")
        for key, value in section._iter_values():
            for ref in iter_refs(value):
                if isinstance(ref, SectionRef):
                    report.error(key, f"{ref.id}:SECTION", f"{key} refers to section {ref.id!r}, which does not exist.")
                    continue
                resolved = resolve_refs(ref)
                if isinstance(resolved, ImportRef):
                    report.error(key, f"{ref.path}:{ref.kind}", f"{key} cannot be loaded: {resolved.reason}.")


# --- CORE and JOB --------------------------------------------------------------------------------
@register_check
def check_core(layer: ConfigLayer, collector: IssueCollector) -> None:
    core = layer.unique.get("CORE")
    if not isinstance(core, CoreSection):
        return
    report = _Report(collector, core, "core")
    ok, kind = report.read("repository_type", lambda: core.repository_type)
    if ok and kind not in CoreSection.REPOSITORY_TYPES:
        report.error(
            "repository_type",
            kind,
            f"repository_type must be one of {', '.join(CoreSection.REPOSITORY_TYPES)}.",
        )
    ok, mode = report.read("mode", lambda: core.mode)
    if ok and mode not in CoreSection.VERSION_MODES:
        report.error("mode", mode, f"The version mode must be one of {', '.join(CoreSection.VERSION_MODES)}.")
    ok, retry = report.read("read_entity_retry", lambda: core.read_entity_retry)
    if ok and (not isinstance(retry, int) or isinstance(retry, bool) or retry < 0):
        report.error("read_entity_retry", retry, "read_entity_retry must be a whole number, 0 or more.")
    ok, props = report.read("repository_properties", lambda: core._get("repository_properties"))
    if ok and props is not None and not isinstance(props, dict):
        report.error("repository_properties", props, "repository_properties must be a dict.")


@register_check
def check_job(layer: ConfigLayer, collector: IssueCollector) -> None:
    job = layer.unique.get("JOB")
    if not isinstance(job, JobConfig):
        return
    report = _Report(collector, job, "job")
    ok, mode = report.read("mode", lambda: job.mode)
    if ok and mode not in JobConfig.MODES:
        report.error("mode", mode, f"The job execution mode must be one of {', '.join(JobConfig.MODES)}.")
    ok, raw = report.read("max_nb_of_workers", lambda: job._get("max_nb_of_workers"))
    if ok and raw is not None:
        count = worker_count(raw)
        if count is None or count < 1:
            report.error(
                "max_nb_of_workers",
                raw,
                "max_nb_of_workers (also named nb_of_workers) must be a whole number, 1 or more.",
            )
    ok, address = report.read("address", lambda: job.address)
    if ok and address is not None and not isinstance(address, str):
        report.error("address", address, "The dask scheduler address must be a string like 'tcp://scheduler:8786'.")
    if ok and mode in ("standalone", "dask"):
        _check_functions_travel(layer, collector, mode)
        for dn in _user_sections(layer, "DATA_NODE"):
            if isinstance(dn, DataNodeConfig) and dn._raw("storage_type") == "in_memory":
                _Report(collector, dn, "job").error(
                    "storage_type",
                    "in_memory",
                    f"An in_memory data node cannot be shared with the worker processes of the {mode} job "
                    "mode; use pickle (the default) or another storage type, or the development mode.",
                )


def _check_functions_travel(layer: ConfigLayer, collector: IssueCollector, mode: str) -> None:
    """Task functions must reach worker processes: by import path, or pickled by value."""
    import cloudpickle

    for task in _user_sections(layer, "TASK"):
        function = task._values.get("function") if isinstance(task, TaskConfig) else None
        if function is None or isinstance(function, ImportRef):
            continue
        try:
            cloudpickle.dumps(function)
        except Exception as exc:
            name = getattr(function, "__qualname__", repr(function))
            _Report(collector, task, "job").error(
                "function",
                name,
                f"The function {name} cannot be sent to the worker processes of the {mode} job mode: "
                f"{type(exc).__name__}: {exc}. Define it at the top level of a module, or keep what it "
                "refers to picklable (no locks, open files or connections).",
            )


# --- data nodes ----------------------------------------------------------------------------------
@register_check
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


def _check_reserved(properties: dict[str, Any], report: _Report) -> None:
    if RESERVED_PROPERTY in properties:
        report.error(
            RESERVED_PROPERTY,
            properties[RESERVED_PROPERTY],
            f"The property name {RESERVED_PROPERTY!r} is reserved.",
        )


def _check_data_node(dn: DataNodeConfig, report: _Report) -> None:
    is_default = dn.id == DEFAULT_ID
    _check_data_node_id(dn, is_default, report)
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
    if storage_type == "generic":
        _check_generic_functions(dn, is_default, report)
    _check_function_properties(dn, storage_type, report)


def _check_data_node_id(dn: DataNodeConfig, is_default: bool, report: _Report) -> None:
    if not dn.id:
        report.error("id", dn.id, "A data node config needs an id.")
    _check_reserved(dn.properties, report)
    if is_default:
        return
    for entity, names in (("Task", TASK_ATTRIBUTES), ("Scenario", SCENARIO_ATTRIBUTES)):
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


@register_check
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


# --- tasks ---------------------------------------------------------------------------------------
@register_check
def check_tasks(layer: ConfigLayer, collector: IssueCollector) -> None:
    for task in _user_sections(layer, "TASK"):
        if not isinstance(task, TaskConfig):
            continue
        report = _Report(collector, task, "task")
        _check_reserved(task.properties, report)
        if task.id in SCENARIO_ATTRIBUTES:
            report.error(
                "id",
                task.id,
                f"The task config id {task.id!r} is also an attribute of a Scenario entity; choose another id.",
            )
        function = task._values["function"]
        if function is None:
            report.error("function", None, "A task config needs a function.")
        elif not isinstance(function, ImportRef) and not callable(resolve_refs(function)):
            report.error("function", function, "The task's function must be callable.")
        for key in ("inputs", "outputs"):
            items = task._values[key]
            if not items:
                report.warning(key, items, f"The task config {task.id!r} has no {key}.")
            elif not all(isinstance(item, DataNodeConfig) for item in items):
                report.error(key, _ids(items), f"The task's {key} must be a list of DataNodeConfig.")
            for item in items or []:
                if getattr(item, "id", None) in task.properties:
                    report.error(
                        key,
                        item.id,
                        f"The data node config id {item.id!r} is also a property of the task; rename one of them.",
                    )


# --- scenarios -----------------------------------------------------------------------------------
@register_check
def check_scenarios(layer: ConfigLayer, collector: IssueCollector) -> None:
    for scenario in _user_sections(layer, "SCENARIO"):
        if isinstance(scenario, ScenarioConfig):
            _check_scenario(scenario, layer, _Report(collector, scenario, "scenario"))


def _check_scenario(scenario: ScenarioConfig, layer: ConfigLayer, report: _Report) -> None:
    _check_reserved(scenario.properties, report)
    ok, frequency = report.read("frequency", lambda: scenario.frequency)
    if ok and frequency is not None and not isinstance(frequency, Frequency):
        report.error("frequency", frequency, 'The frequency must be a Frequency (in TOML: "DAILY:FREQUENCY").')
    members = _scenario_members(scenario, report)
    if members is None:
        return
    tasks, additional = members
    _check_scenario_names(scenario, tasks, additional, report)
    _check_comparators(scenario, layer, report)
    _check_graph(scenario, tasks, report)


def _scenario_members(
    scenario: ScenarioConfig, report: _Report
) -> tuple[list[TaskConfig], list[DataNodeConfig]] | None:
    """The scenario's tasks and additional data nodes; None when either is not a list of configs."""
    tasks = scenario._values["tasks"] or []
    if not tasks:
        report.warning("tasks", tasks, f"The scenario config {scenario.id!r} has no tasks.")
    if not all(isinstance(t, TaskConfig) for t in tasks):
        report.error("tasks", _ids(tasks), "The scenario's tasks must be a list of TaskConfig.")
        return None
    additional = scenario._values["additional_data_nodes"] or []
    if not all(isinstance(d, DataNodeConfig) for d in additional):
        report.error(
            "additional_data_nodes",
            _ids(additional),
            "The scenario's additional_data_nodes must be a list of DataNodeConfig.",
        )
        return None
    return tasks, additional


def _check_scenario_names(
    scenario: ScenarioConfig, tasks: list[TaskConfig], additional: list[DataNodeConfig], report: _Report
) -> None:
    """Properties, sequences, tasks and data nodes of a scenario are attributes of one entity: no name twice."""
    props = scenario.properties
    task_ids = {t.id for t in tasks}
    task_dn_ids = {dn.id for t in tasks for dn in t.inputs + t.outputs}
    dn_ids = task_dn_ids | {d.id for d in additional}
    for dn in additional:
        if dn.id in task_dn_ids:
            report.warning(
                "additional_data_nodes",
                dn.id,
                f"The data node config {dn.id!r} is already an input "
                "or output of a task of the scenario; it need not be an additional data node.",
            )
    _check_sequences(scenario, task_ids, dn_ids, report)
    for task_id in task_ids:
        if task_id in props or task_id in dn_ids:
            report.error(
                "tasks",
                task_id,
                f"The task config id {task_id!r} is also a property or data node of the scenario; rename one of them.",
            )
    for dn_id in dn_ids:
        if dn_id in props:
            report.error(
                "data_nodes",
                dn_id,
                f"The data node config id {dn_id!r} is also a property of the scenario; rename one of them.",
            )


def _check_sequences(scenario: ScenarioConfig, task_ids: set[str], dn_ids: set[str], report: _Report) -> None:
    props = scenario.properties
    for name, seq_tasks in (scenario._values["sequences"] or {}).items():
        for task in seq_tasks:
            if getattr(task, "id", None) not in task_ids:
                report.error(
                    "sequences",
                    name,
                    f"The sequence {name!r} uses the task {_ids([task])[0]!r}, which is not a task of the scenario.",
                )
        if name in props or name in dn_ids or name in task_ids:
            report.error(
                "sequences",
                name,
                f"The sequence name {name!r} is also a property, data node or task of the scenario; rename it.",
            )


def _check_comparators(scenario: ScenarioConfig, layer: ConfigLayer, report: _Report) -> None:
    comparators = scenario._values["comparators"]
    if comparators is None:
        return
    if not isinstance(comparators, dict):
        report.error("comparators", comparators, "comparators must be a dict: data node config id -> functions.")
        return
    for dn_id, functions in comparators.items():
        if dn_id not in layer.sections["DATA_NODE"]:
            report.error("comparators", dn_id, f"The comparator key {dn_id!r} is not a data node config id.")
        items = functions if isinstance(functions, list) else [functions]
        for fn in items:
            if not isinstance(fn, ImportRef) and not callable(fn):
                report.error("comparators", fn, f"The comparators of {dn_id!r} must be functions.")


def _check_graph(scenario: ScenarioConfig, tasks: list[TaskConfig], report: _Report) -> None:
    """No two tasks write one data node, and the task graph has no cycle."""
    writer: dict[str, str] = {}
    for task in tasks:
        for dn in task.outputs:
            if dn.id in writer and writer[dn.id] != task.id:
                report.error(
                    "tasks",
                    dn.id,
                    f"The tasks {writer[dn.id]!r} and {task.id!r} both write the data "
                    f"node {dn.id!r}; a data node has one writer in a scenario.",
                )
            writer.setdefault(dn.id, task.id)
    graph: dict[str, set[str]] = {}
    for task in tasks:
        graph.setdefault(f"task {task.id}", set()).update(f"data node {dn.id}" for dn in task.inputs)
        for dn in task.outputs:
            graph.setdefault(f"data node {dn.id}", set()).add(f"task {task.id}")
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        cycle = " -> ".join(reversed(exc.args[1]))
        report.error("tasks", cycle, f"The tasks of scenario {scenario.id!r} form a cycle: {cycle}.")
