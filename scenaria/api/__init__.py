"""The functions of the public API (``scenaria.create_scenario``, ``scenaria.get``, ...).

Names and arguments are those of Taipy's scenario-management API, so code written for it runs
unchanged. Every entity returned is the live object of this process (see ``entities.registry``).
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

from scenaria.api.getting import (
    exists,
    get,
    get_cycles,
    get_cycles_scenarios,
    get_data_nodes,
    get_entities_by_config_id,
    get_jobs,
    get_latest_job,
    get_latest_submission,
    get_parents,
    get_primary,
    get_primary_scenarios,
    get_scenarios,
    get_sequences,
    get_submissions,
    get_tasks,
    set,
)
from scenaria.api.running import (
    can_create,
    cancel_job,
    create_global_data_node,
    create_scenario,
    duplicate_scenario,
    submit,
)

# The other names load on first use, from the module that defines them: a script that creates
# and submits scenarios never imports what deletions, archives, comparisons or explanations need.
_LATER: dict[str, str] = {
    "explain": "scenaria.api.explaining",
    **dict.fromkeys(
        (
            "clean_all_entities",
            "delete",
            "delete_job",
            "delete_jobs",
            "is_deletable",
            "is_editable",
            "is_promotable",
            "is_readable",
            "is_submittable",
            "set_primary",
            "subscribe_scenario",
            "subscribe_sequence",
            "tag",
            "unsubscribe_scenario",
            "unsubscribe_sequence",
            "untag",
        ),
        "scenaria.api.scenarios",
    ),
    **dict.fromkeys(("export_scenario", "import_scenario"), "scenaria.api.transfer"),
    "compare_scenarios": "scenaria.entities.compare",
}

if _typing.TYPE_CHECKING:  # the same names, for type checkers
    from scenaria.api.explaining import explain
    from scenaria.api.scenarios import (
        clean_all_entities,
        delete,
        delete_job,
        delete_jobs,
        is_deletable,
        is_editable,
        is_promotable,
        is_readable,
        is_submittable,
        set_primary,
        subscribe_scenario,
        subscribe_sequence,
        tag,
        unsubscribe_scenario,
        unsubscribe_sequence,
        untag,
    )
    from scenaria.api.transfer import export_scenario, import_scenario
    from scenaria.entities.compare import compare_scenarios
else:

    def __getattr__(name: str) -> object:
        module_name = _LATER.get(name)
        if module_name is None:
            raise AttributeError(f"module 'scenaria.api' has no attribute {name!r}")
        value = getattr(_importlib.import_module(module_name), name)
        globals()[name] = value
        return value


__all__ = [
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
    "export_scenario",
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
    "import_scenario",
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
]
