"""The configuration checks run by ``Config.check()``, in this order (see ``check_base``).

Each check is a function ``check(config_layer, collector)``; :func:`register_check` adds one.
The data node checks are in ``data_node_checks``.
"""

from __future__ import annotations

import graphlib
import os
from typing import Any

from scenaria.config.check_base import (
    SCENARIO_ATTRIBUTES,
    SCENARIO_METHODS,
    check_misspelt,
    check_reserved,
    register_check,
    run_checks,
)
from scenaria.config.check_base import Report as _Report
from scenaria.config.check_base import ids as _ids
from scenaria.config.check_base import user_sections as _user_sections
from scenaria.config.core import CoreSection
from scenaria.config.data_node import DataNodeConfig
from scenaria.config.data_node_checks import check_data_nodes, check_sql_queries, data_node_issues
from scenaria.config.enums import Frequency
from scenaria.config.execution import KEYS, ExecutionSettings
from scenaria.config.issues import IssueCollector
from scenaria.config.job import JobConfig, worker_count
from scenaria.config.layer import DEFAULT_ID, ConfigLayer
from scenaria.config.scenario import ScenarioConfig
from scenaria.config.storage_checks import check_storage
from scenaria.config.task import TaskConfig
from scenaria.config.values import ImportRef, SectionRef, iter_refs, resolve_refs
from scenaria.exceptions import InvalidExecutionSetting
from scenaria.store import canonical_type, setting_names

__all__ = ["data_node_issues", "register_check", "run_checks"]

#: the longest config id: an entity id adds a prefix and a uuid to it, and a file name must stay
#: under the usual 255-byte limit of file systems (with room for the suffixes of the store)
MAX_ID_LENGTH = 128
#: the most worker processes a standalone orchestrator starts (each is a Python process)
MAX_WORKERS = 256


# --- every section -------------------------------------------------------------------------------
@register_check
def check_config_ids(layer: ConfigLayer, collector: IssueCollector) -> None:
    """A config id names one section only, across data nodes, tasks and scenarios."""
    seen: dict[str, str] = {}
    for kind, sections in layer.sections.items():
        for section_id, section in sections.items():
            if section_id == DEFAULT_ID:
                continue
            if len(section_id) > MAX_ID_LENGTH:
                _Report(collector, section, "config_ids").error(
                    "id",
                    section_id,
                    f"The config id is {len(section_id)} characters long; entity ids and file names are made "
                    f"from it, so keep it to {MAX_ID_LENGTH} characters or fewer.",
                )
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
    elif ok and props and kind in CoreSection.REPOSITORY_TYPES:
        _check_repository_properties(str(kind), props, report)
    for key in ("root_folder", "storage_folder", "taipy_storage_folder"):
        ok, folder = report.read(key, lambda key=key: core._get(key))  # type: ignore[misc]
        if ok and folder is not None and (not isinstance(folder, str) or "\x00" in folder):
            report.error(key, folder, f"{key} must be a folder path (a str without NUL characters).")


def _check_repository_properties(kind: str, props: dict[str, Any], report: _Report) -> None:
    """Only the settings the store type takes; a SQLite file path that is not a folder."""
    allowed = setting_names(kind)
    unknown = sorted(set(props) - set(allowed))
    if unknown:
        report.error(
            "repository_properties",
            props,
            f"A {kind} repository does not take the setting(s) {unknown}; it takes {list(allowed) or 'none'}.",
        )
    for key in ("path", "db_location", "root"):
        value = props.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or "\x00" in value:
            report.error("repository_properties", props, f"{key} must be a path (a str without NUL characters).")
        elif canonical_type(kind) == "sqlite" and os.path.isdir(value):
            report.error(
                "repository_properties",
                props,
                f"{key} {value!r} is a folder; a SQLite store is a file: give a file path such as "
                f"{os.path.join(value, 'scenaria.db')!r}.",
            )


@register_check
def check_job(layer: ConfigLayer, collector: IssueCollector) -> None:
    job = layer.unique.get("JOB")
    if not isinstance(job, JobConfig):
        return
    report = _Report(collector, job, "job")
    check_misspelt(job, report)
    ok, mode = report.read("mode", lambda: job.mode)
    if ok and mode not in JobConfig.MODES:
        report.error("mode", mode, f"The job execution mode must be one of {', '.join(JobConfig.MODES)}.")
    ok, raw = report.read("max_nb_of_workers", lambda: job._get("max_nb_of_workers"))
    if ok and raw is not None:
        count = worker_count(raw)
        if count is None or not 1 <= count <= MAX_WORKERS:
            report.error(
                "max_nb_of_workers",
                raw,
                f"max_nb_of_workers (also named nb_of_workers) must be a whole number from 1 to {MAX_WORKERS}.",
            )
    _check_worker_limits(job, report)
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


_WORKER_LIMITS = {  # setting: (smallest value, whole number only, what it is)
    "max_jobs_per_worker": (0, True, "the number of jobs a standalone worker runs before it is replaced (0: no limit)"),
    "max_output_size": (1024, True, "the number of characters kept of each output stream of a job"),
    "job_grace_period": (0, False, "the seconds a job's leftover processes get after SIGTERM"),
    "no_worker_timeout": (0, False, "the seconds a dask job may wait while no Dask worker is connected"),
}


def _check_worker_limits(job: JobConfig, report: _Report) -> None:
    for name, (least, whole, what) in _WORKER_LIMITS.items():
        ok, value = report.read(name, lambda name=name: getattr(job, name))  # type: ignore[misc]
        if not ok or value is None:
            continue
        kinds = (int,) if whole else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or not value >= least:
            form = "a whole number" if whole else "a number"
            report.error(name, value, f"{name} is {what}: {form}, {least} or more.")


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
            nested = "<" in name  # a lambda, or a function defined in a function: it travels by value
            where = (
                "Define it at the top level of a module"
                if nested
                else "Move it, with what it uses, to a module of its own (it then travels by import path, not by value)"
            )
            _Report(collector, task, "job").error(
                "function",
                name,
                f"The function {name} cannot be sent to the worker processes of the {mode} job mode: "
                f"{type(exc).__name__}: {exc}. {where}, or keep what it refers to picklable (no locks, "
                "open files or connections).",
            )


# --- data nodes (data_node_checks) ---------------------------------------------------------------
register_check(check_data_nodes)
register_check(check_sql_queries)
register_check(check_storage)  # where file data lives, for dask workers (storage_checks)


# --- tasks ---------------------------------------------------------------------------------------
@register_check
def check_tasks(layer: ConfigLayer, collector: IssueCollector) -> None:
    for task in _user_sections(layer, "TASK"):
        if not isinstance(task, TaskConfig):
            continue
        report = _Report(collector, task, "task")
        check_reserved(task.properties, report)
        if task.id in SCENARIO_ATTRIBUTES | SCENARIO_METHODS:
            report.error(
                "id",
                task.id,
                f"The task config id {task.id!r} is also an attribute of a Scenario entity; choose another id.",
            )
        _check_execution(task, report)
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


def _check_execution(task: TaskConfig, report: _Report) -> None:
    """The settings the scheduler reads (the same parser as at scenario creation), and skippable."""
    skippable = task._values.get("skippable")
    if skippable is not None and not isinstance(skippable, bool):
        report.error("skippable", skippable, 'skippable must be True or False (in TOML: "True:bool").')
    ok, properties = report.read("properties", lambda: task.properties)
    if not ok:
        return
    try:
        ExecutionSettings.from_properties(task.id, properties)
    except InvalidExecutionSetting as exc:
        report.error(exc.key, exc.value, str(exc))
    refused = dict.fromkeys(
        KEYS,
        f"The execution settings are {', '.join(KEYS)}; a property of your own must not look like one of them.",
    )
    missing = {  # a TOML ``input =`` leaves the task without inputs: the call would fail at run time
        "inputs": "Without 'inputs' the task has none: its function would be called without arguments.",
        "outputs": "Without 'outputs' the task has none: its result would be written nowhere.",
    }
    refused.update({key: why for key, why in missing.items() if not task._values[key]})
    check_misspelt(task, report, KEYS, refused)


# --- scenarios -----------------------------------------------------------------------------------
@register_check
def check_scenarios(layer: ConfigLayer, collector: IssueCollector) -> None:
    for scenario in _user_sections(layer, "SCENARIO"):
        if isinstance(scenario, ScenarioConfig):
            _check_scenario(scenario, layer, _Report(collector, scenario, "scenario"))


def _check_scenario(scenario: ScenarioConfig, layer: ConfigLayer, report: _Report) -> None:
    check_reserved(scenario.properties, report)
    refused = {} if scenario._values["tasks"] else {"tasks": "Without it the scenario has no tasks to run."}
    check_misspelt(scenario, report, refused=refused)
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
