"""Comparing two serialized configurations (as stored with a version)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

# Differences in these sections never make two configurations incompatible: they change how jobs
# run and where entities are stored, not what the entities are.
UNCONFLICTED_SECTIONS = ("JOB", "CORE")


@dataclass
class ConfigComparison:
    """The differences between two configurations, one line per ``section/key`` pair.

    ``conflicted`` lists differences in data nodes, tasks, scenarios and ``[TAIPY]``;
    ``unconflicted`` those in ``[JOB]`` and ``[CORE]``.
    """

    conflicted: list[str] = field(default_factory=list)
    unconflicted: list[str] = field(default_factory=list)

    @property
    def all(self) -> list[str]:
        return [*self.conflicted, *self.unconflicted]

    def __bool__(self) -> bool:
        return bool(self.conflicted or self.unconflicted)


def _flatten(document: dict[str, Any]) -> dict[tuple[str, str], Any]:
    """``{(table, key): value}``, sub-tables of a section folded into dotted keys."""
    flat: dict[tuple[str, str], Any] = {}

    def walk(table: str, key_prefix: str, body: dict[str, Any]) -> None:
        for key, value in body.items():
            if isinstance(value, dict):
                walk(table, f"{key_prefix}{key}.", value)
            else:
                flat[(table, f"{key_prefix}{key}")] = value
        if not body and key_prefix:
            flat[(table, key_prefix[:-1])] = {}

    for name, body in document.items():
        if name in ("DATA_NODE", "TASK", "SCENARIO"):
            for section_id, section_body in body.items():
                walk(f"{name}.{section_id}", "", section_body)
        else:
            walk(name, "", body)
    return flat


def compare(old: str, new: str) -> ConfigComparison:
    """Compare two TOML texts (from ``Config._serialize_applied()``), section by section and key by key."""
    if sys.version_info >= (3, 11):  # imported here: comparing is rare, starting is not
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    before, after = _flatten(tomllib.loads(old)), _flatten(tomllib.loads(new))
    result = ConfigComparison()
    for table, key in sorted(before.keys() | after.keys()):
        if (table, key) not in after:
            line = f"[{table}] {key}: removed (was {before[(table, key)]!r})"
        elif (table, key) not in before:
            line = f"[{table}] {key}: added ({after[(table, key)]!r})"
        elif before[(table, key)] != after[(table, key)]:
            line = f"[{table}] {key}: {before[(table, key)]!r} -> {after[(table, key)]!r}"
        else:
            continue
        target = result.unconflicted if table.split(".")[0] in UNCONFLICTED_SECTIONS else result.conflicted
        target.append(line)
    return result
