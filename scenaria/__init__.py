"""scenaria: scenario management and job execution, with Taipy's scenario API.

    import scenaria as tp
    from scenaria import Config

Every public name is listed in ``__all__`` and loaded on first use, so ``import scenaria`` stays
fast and never imports pandas, SQLAlchemy or Dask.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_API = (
    "can_create",
    "cancel_job",
    "clean_all_entities",
    "compare_scenarios",
    "create_global_data_node",
    "create_scenario",
    "delete",
    "delete_job",
    "delete_jobs",
    "exists",
    "get",
    "get_cycles",
    "get_cycles_scenarios",
    "get_data_nodes",
    "get_entities_by_config_id",
    "get_jobs",
    "get_latest_job",
    "get_latest_submission",
    "get_parents",
    "get_primary",
    "get_primary_scenarios",
    "get_scenarios",
    "get_sequences",
    "get_submissions",
    "get_tasks",
    "is_deletable",
    "is_editable",
    "is_promotable",
    "is_readable",
    "is_submittable",
    "set",
    "set_primary",
    "submit",
    "subscribe_scenario",
    "subscribe_sequence",
    "tag",
    "unsubscribe_scenario",
    "unsubscribe_sequence",
    "untag",
)

# public name -> module that defines it
_LAZY: dict[str, str] = {
    **dict.fromkeys(_API, "scenaria.api"),
    **dict.fromkeys(
        (
            "Config",
            "Scope",
            "Frequency",
            "DataNodeConfig",
            "TaskConfig",
            "ScenarioConfig",
            "JobConfig",
            "CoreSection",
            "GlobalAppConfig",
            "Section",
            "UniqueSection",
        ),
        "scenaria.config",
    ),
    **dict.fromkeys(
        ("Scenario", "Sequence", "Task", "Job", "Submission", "Cycle", "Status", "SubmissionStatus"),
        "scenaria.entities",
    ),
    **dict.fromkeys(
        (
            "DataNode",
            "PickleDataNode",
            "InMemoryDataNode",
            "GenericDataNode",
            "CSVDataNode",
            "ExcelDataNode",
            "JSONDataNode",
            "ParquetDataNode",
            "SQLTableDataNode",
            "SQLDataNode",
            "MongoCollectionDataNode",
            "S3ObjectDataNode",
            "MongoDefaultDocument",
        ),
        "scenaria.data",
    ),
    "Operator": "scenaria.data.filter",
    "JoinOperator": "scenaria.data.filter",
    "Orchestrator": "scenaria.orchestrator",
    "Core": "scenaria.orchestrator",
    **dict.fromkeys(
        ("Event", "EventEntityType", "EventOperation", "Notifier", "EventProcessor", "CoreEventConsumerBase"),
        "scenaria.events",
    ),
    "ReasonCollection": "scenaria.entities.reasons",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        exceptions = importlib.import_module("scenaria.exceptions")
        if name in vars(exceptions) and not name.startswith("_"):
            return getattr(exceptions, name)
        raise AttributeError(f"module 'scenaria' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = sorted(_LAZY)
