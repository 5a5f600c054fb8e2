"""Comparing scenarios of one config with the comparators of that config."""

from __future__ import annotations

from typing import Any

from scenaria.config import Config
from scenaria.entities.scenario import Scenario
from scenaria.exceptions import (
    DifferentScenarioConfigs,
    InsufficientScenarioToCompare,
    NonExistingComparator,
    NonExistingScenarioConfig,
)


def compare_scenarios(*scenarios: Scenario, data_node_config_id: str | None = None) -> dict[str, Any]:
    """``{dn_config_id: {comparator name: comparator(*data)}}`` over the scenarios' data."""
    if len(scenarios) < 2:
        raise InsufficientScenarioToCompare("Compare at least two scenarios.")
    config_ids = {s.config_id for s in scenarios}
    if len(config_ids) > 1:
        raise DifferentScenarioConfigs(f"Only scenarios of one config can be compared; got {sorted(config_ids)}.")
    config = Config.scenarios.get(scenarios[0].config_id)
    if config is None:
        raise NonExistingScenarioConfig(f"Scenario config {scenarios[0].config_id!r} is not configured.")
    comparators = dict(config.comparators or {})
    if not comparators:
        raise NonExistingComparator(
            f"Scenario config {config.id!r} has no comparator; add one with "
            "add_comparator or configure_scenario(comparators=...)."
        )
    if data_node_config_id is not None:
        if data_node_config_id not in comparators:
            raise NonExistingComparator(f"No comparator for data node config {data_node_config_id!r}.")
        comparators = {data_node_config_id: comparators[data_node_config_id]}
    results: dict[str, Any] = {}
    for dn_config_id, functions in comparators.items():
        data = [s.data_nodes[dn_config_id].read() for s in scenarios]
        for function in functions if isinstance(functions, list) else [functions]:
            results.setdefault(dn_config_id, {})[function.__name__] = function(*data)
    return results
