"""scenaria: scenario management and job execution, with Taipy's scenario API.

    import scenaria as tp
    from scenaria import Config

Every public name is listed in ``__all__`` and loaded on first use, so ``import scenaria`` stays
fast and never imports pandas, SQLAlchemy or Dask. Type checkers and IDEs do not run the lazy
loading: they read the ``TYPE_CHECKING`` imports below, which name the same objects.
"""

import importlib as _importlib
import typing as _typing

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
    "duplicate_scenario",
    "exists",
    "explain",
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
    "report_progress": "scenaria.dispatch.jobside",
    "show_progress": "scenaria.live",
    "Core": "scenaria.orchestrator",
    **dict.fromkeys(
        ("Event", "EventEntityType", "EventOperation", "Notifier", "EventProcessor", "CoreEventConsumerBase"),
        "scenaria.events",
    ),
    "ReasonCollection": "scenaria.entities.reasons",
    **dict.fromkeys(
        ("ScenarioId", "SequenceId", "TaskId", "DataNodeId", "JobId", "SubmissionId", "CycleId"),
        "scenaria.entities.ids",
    ),
    "export_scenario": "scenaria.api.transfer",
    "import_scenario": "scenaria.api.transfer",
}


if _typing.TYPE_CHECKING:  # the same names, for type checkers and IDEs (tests/core/test_imports.py keeps them in step)
    from scenaria.api import can_create as can_create
    from scenaria.api import cancel_job as cancel_job
    from scenaria.api import clean_all_entities as clean_all_entities
    from scenaria.api import compare_scenarios as compare_scenarios
    from scenaria.api import create_global_data_node as create_global_data_node
    from scenaria.api import create_scenario as create_scenario
    from scenaria.api import delete as delete
    from scenaria.api import delete_job as delete_job
    from scenaria.api import delete_jobs as delete_jobs
    from scenaria.api import duplicate_scenario as duplicate_scenario
    from scenaria.api import exists as exists
    from scenaria.api import explain as explain
    from scenaria.api import get as get
    from scenaria.api import get_cycles as get_cycles
    from scenaria.api import get_cycles_scenarios as get_cycles_scenarios
    from scenaria.api import get_data_nodes as get_data_nodes
    from scenaria.api import get_entities_by_config_id as get_entities_by_config_id
    from scenaria.api import get_jobs as get_jobs
    from scenaria.api import get_latest_job as get_latest_job
    from scenaria.api import get_latest_submission as get_latest_submission
    from scenaria.api import get_parents as get_parents
    from scenaria.api import get_primary as get_primary
    from scenaria.api import get_primary_scenarios as get_primary_scenarios
    from scenaria.api import get_scenarios as get_scenarios
    from scenaria.api import get_sequences as get_sequences
    from scenaria.api import get_submissions as get_submissions
    from scenaria.api import get_tasks as get_tasks
    from scenaria.api import is_deletable as is_deletable
    from scenaria.api import is_editable as is_editable
    from scenaria.api import is_promotable as is_promotable
    from scenaria.api import is_readable as is_readable
    from scenaria.api import is_submittable as is_submittable
    from scenaria.api import set as set
    from scenaria.api import set_primary as set_primary
    from scenaria.api import submit as submit
    from scenaria.api import subscribe_scenario as subscribe_scenario
    from scenaria.api import subscribe_sequence as subscribe_sequence
    from scenaria.api import tag as tag
    from scenaria.api import unsubscribe_scenario as unsubscribe_scenario
    from scenaria.api import unsubscribe_sequence as unsubscribe_sequence
    from scenaria.api import untag as untag
    from scenaria.api.transfer import export_scenario as export_scenario
    from scenaria.api.transfer import import_scenario as import_scenario
    from scenaria.config import Config as Config
    from scenaria.config import CoreSection as CoreSection
    from scenaria.config import DataNodeConfig as DataNodeConfig
    from scenaria.config import Frequency as Frequency
    from scenaria.config import GlobalAppConfig as GlobalAppConfig
    from scenaria.config import JobConfig as JobConfig
    from scenaria.config import ScenarioConfig as ScenarioConfig
    from scenaria.config import Scope as Scope
    from scenaria.config import Section as Section
    from scenaria.config import TaskConfig as TaskConfig
    from scenaria.config import UniqueSection as UniqueSection
    from scenaria.data.base import DataNode as DataNode
    from scenaria.data.csv import CSVDataNode as CSVDataNode
    from scenaria.data.excel import ExcelDataNode as ExcelDataNode
    from scenaria.data.filter import JoinOperator as JoinOperator
    from scenaria.data.filter import Operator as Operator
    from scenaria.data.generic import GenericDataNode as GenericDataNode
    from scenaria.data.in_memory import InMemoryDataNode as InMemoryDataNode
    from scenaria.data.json import JSONDataNode as JSONDataNode
    from scenaria.data.mongo import MongoCollectionDataNode as MongoCollectionDataNode
    from scenaria.data.mongo import MongoDefaultDocument as MongoDefaultDocument
    from scenaria.data.parquet import ParquetDataNode as ParquetDataNode
    from scenaria.data.pickle import PickleDataNode as PickleDataNode
    from scenaria.data.s3 import S3ObjectDataNode as S3ObjectDataNode
    from scenaria.data.sql import SQLDataNode as SQLDataNode
    from scenaria.data.sql_table import SQLTableDataNode as SQLTableDataNode
    from scenaria.dispatch.jobside import report_progress as report_progress
    from scenaria.entities import Cycle as Cycle
    from scenaria.entities import Job as Job
    from scenaria.entities import Scenario as Scenario
    from scenaria.entities import Sequence as Sequence
    from scenaria.entities import Status as Status
    from scenaria.entities import Submission as Submission
    from scenaria.entities import SubmissionStatus as SubmissionStatus
    from scenaria.entities import Task as Task
    from scenaria.entities.ids import CycleId as CycleId
    from scenaria.entities.ids import DataNodeId as DataNodeId
    from scenaria.entities.ids import JobId as JobId
    from scenaria.entities.ids import ScenarioId as ScenarioId
    from scenaria.entities.ids import SequenceId as SequenceId
    from scenaria.entities.ids import SubmissionId as SubmissionId
    from scenaria.entities.ids import TaskId as TaskId
    from scenaria.entities.reasons import ReasonCollection as ReasonCollection
    from scenaria.events import CoreEventConsumerBase as CoreEventConsumerBase
    from scenaria.events import Event as Event
    from scenaria.events import EventEntityType as EventEntityType
    from scenaria.events import EventOperation as EventOperation
    from scenaria.events import EventProcessor as EventProcessor
    from scenaria.events import Notifier as Notifier
    from scenaria.exceptions import *  # noqa: F403  (reachable as scenaria.<Exception> too)
    from scenaria.live import show_progress as show_progress
    from scenaria.orchestrator import Core as Core
    from scenaria.orchestrator import Orchestrator as Orchestrator
else:  # at run time: load each name on first use

    def __getattr__(name: str) -> object:
        module_name = _LAZY.get(name)
        if module_name is None:
            exceptions = _importlib.import_module("scenaria.exceptions")
            if name in _exception_names(exceptions):
                return getattr(exceptions, name)
            raise AttributeError(f"module 'scenaria' has no attribute {name!r}")
        value = getattr(_importlib.import_module(module_name), name)
        globals()[name] = value
        return value


def _exception_names(exceptions: object) -> list[str]:
    return [
        name for name, value in vars(exceptions).items() if isinstance(value, type) and issubclass(value, Exception)
    ]


def __dir__() -> list[str]:
    """The public API only: what ``__all__`` lists, the exceptions, and ``__version__``."""
    return sorted({*__all__, *_exception_names(_importlib.import_module("scenaria.exceptions")), "__version__"})


__all__ = sorted(_LAZY)
