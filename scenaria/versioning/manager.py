"""Versions: every entity belongs to the version of the application that created it.

Three modes, chosen by ``Config.configure_core(mode=...)`` or the application's command line:

- **development** (default): one development version, reused from run to run; its entities are
  deleted when the application starts, so each run begins clean.
- **experiment**: a named version (``--experiment V``, or a new id); its entities persist and
  accumulate across runs. A run whose configuration differs from the one stored with the
  version stops, unless forced (``--taipy-force``), which replaces the stored configuration.
- **production**: an experiment version marked as production (``--production V``): it behaves as
  an experiment version and is listed as production by ``scenaria manage-versions``; when it
  starts, the entities of older production versions are migrated to it (``migration``).

The current version lives in the registry (``registry.version``): new entities get it and
queries filter on it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

from scenaria.entities.base import now, random_uuid
from scenaria.entities.registry import Registry
from scenaria.events.event import EventEntityType, EventOperation
from scenaria.events.notifier import Notifier
from scenaria.exceptions import (
    ConflictedConfigurationError,
    NonExistingVersion,
    VersionAlreadyExistsAsDevelopment,
)

logger = logging.getLogger("scenaria")

DEVELOPMENT, EXPERIMENT, PRODUCTION = "development", "experiment", "production"


def parse_version_flags(argv: Sequence[str]) -> dict[str, Any]:
    """The version flags found in ``argv`` (unknown arguments are left to the application).

    Both the ``--taipy-`` forms and the short ones (``--development``, ``--experiment [V]``,
    ``--production [V]``) are accepted; ``--taipy-force`` / ``--no-taipy-force`` force.
    """
    if not any(argument.startswith("--") for argument in argv):
        return {}  # no flag at all: argparse (slow to import) is not needed
    import argparse

    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--development", "--taipy-development", action="store_const", dest="mode", const=DEVELOPMENT)
    group.add_argument("--experiment", "--taipy-experiment", nargs="?", const="", dest="experiment")
    group.add_argument("--production", "--taipy-production", nargs="?", const="", dest="production")
    force = parser.add_mutually_exclusive_group()
    force.add_argument("--taipy-force", action="store_true", dest="force", default=None)
    force.add_argument("--no-taipy-force", action="store_false", dest="force")
    known, _ = parser.parse_known_args(list(argv))
    flags: dict[str, Any] = {}
    if known.mode:
        flags["mode"] = known.mode
    for mode in (EXPERIMENT, PRODUCTION):
        value = getattr(known, mode)
        if value is not None:
            flags["mode"] = mode
            if value:
                flags["version_number"] = value
    if known.force is not None:
        flags["force"] = known.force
    return flags


def current_settings(argv: Sequence[str] | None = None) -> tuple[str, str, bool]:
    """(mode, version number, force) from ``Config.core``, overridden by the command line."""
    from scenaria.config import Config

    core = Config.core
    flags = parse_version_flags(sys.argv[1:] if argv is None else argv)
    mode = flags.get("mode", core.mode or DEVELOPMENT)
    number = flags.get("version_number", core.version_number or "")
    force = flags.get("force", bool(core.force))
    return mode, number, force


def manage_version(
    registry: Registry, argv: Sequence[str] | None = None, may_clean: Callable[[str], bool] | None = None
) -> str:
    """Choose the version of this run, record it, and clean the development version once.

    ``may_clean(version)`` is asked before the cleaning: the orchestrator refuses it while
    another live process holds the version (its entities are that process's work).
    """
    from scenaria.config import Config

    mode, number, force = current_settings(argv)
    repo = registry.repository
    config_text = Config._serialize_applied()
    development_id = repo.get_meta("development_version")
    if mode == DEVELOPMENT:
        version_id = development_id or random_uuid()
        if not getattr(registry, "_development_cleaned", False):
            if not (development_id and may_clean is not None and not may_clean(version_id)):
                if development_id:
                    clean_entities(registry, version_id)
                _publish_development_clean(version_id)
            registry._development_cleaned = True  # type: ignore[attr-defined]
        repo.set_meta("development_version", version_id)
        _save_version(registry, version_id, DEVELOPMENT, config_text)
    else:
        version_id = number or random_uuid()
        if version_id == development_id:
            raise VersionAlreadyExistsAsDevelopment(
                f"Version {version_id!r} is the development version; choose another experiment version."
            )
        existing = repo.load("version", version_id)
        if existing is not None and existing.get("config") != config_text:
            _check_conflicts(version_id, existing["config"], config_text, force)
        _save_version(registry, version_id, mode, config_text, existing)
        if mode == PRODUCTION:
            production = set(repo.get_meta("production_versions") or [])
            production.add(version_id)
            repo.set_meta("production_versions", sorted(production))
    repo.set_meta("latest_version", version_id)
    registry.version = version_id
    if mode == PRODUCTION:
        from scenaria.versioning.migration import migrate_production_entities

        migrate_production_entities(registry, version_id)
    return version_id


def _publish_development_clean(version_id: str) -> None:
    """The events Taipy 4.1.1 publishes when it cleans the development version (even an empty
    one): a DELETION without entity id, ``metadata={"delete_by_version": version}``, per type."""
    for entity_type in (EventEntityType.JOB, EventEntityType.SUBMISSION, EventEntityType.TASK,
                        EventEntityType.DATA_NODE):  # fmt: skip
        Notifier.publish_event(entity_type, EventOperation.DELETION, delete_by_version=version_id)


def _check_conflicts(version_id: str, stored: str, current: str, force: bool) -> None:
    from scenaria.config import compare

    comparison = compare(stored, current)
    for difference in comparison.unconflicted:
        logger.info("Version %s: %s", version_id, difference)
    if not comparison.conflicted:
        return
    listing = "\n  ".join(comparison.conflicted)
    if force:
        logger.warning("Version %s: the configuration changed and is replaced (forced):\n  %s", version_id, listing)
        return
    raise ConflictedConfigurationError(
        f"The configuration of version {version_id!r} differs from the one it was created with:\n  "
        f"{listing}\nRun with --taipy-force to replace it, or choose a new experiment version."
    )


def _save_version(
    registry: Registry, version_id: str, mode: str, config_text: str, existing: dict[str, Any] | None = None
) -> None:
    record = dict(existing or {"id": version_id, "creation_date": now().isoformat()})
    record.update(mode=mode, config=config_text)
    registry.repository.save("version", record)


def clean_entities(registry: Registry, version_id: str) -> int:
    """Delete every entity of a version (not the version itself); how many were deleted."""
    from scenaria.entities.cleanup import delete_version_entities

    return delete_version_entities(registry, version_id)


def list_versions(registry: Registry) -> list[dict[str, Any]]:
    """The recorded versions, oldest first, with ``latest`` marking the current one."""
    repo = registry.repository
    latest = repo.get_meta("latest_version")
    production = set(repo.get_meta("production_versions") or [])
    versions = []
    for record in repo.find("version"):
        mode = PRODUCTION if record["id"] in production else record.get("mode", EXPERIMENT)
        versions.append(
            {
                "id": record["id"],
                "mode": mode,
                "creation_date": record.get("creation_date"),
                "latest": record["id"] == latest,
            }
        )
    return versions


def delete_version(registry: Registry, version_id: str) -> None:
    repo = registry.repository
    if repo.load("version", version_id) is None:
        raise NonExistingVersion(
            f"There is no version {version_id!r}; `scenaria manage-versions --list` shows the versions."
        )
    clean_entities(registry, version_id)
    repo.delete("version", [version_id])
    for key in ("latest_version", "development_version"):
        if repo.get_meta(key) == version_id:
            repo.set_meta(key, None)
    production = [v for v in repo.get_meta("production_versions") or [] if v != version_id]
    repo.set_meta("production_versions", production or None)


def rename_version(registry: Registry, old: str, new: str) -> None:
    """Give a version a new id, and every entity of it the new version."""
    repo = registry.repository
    record = repo.load("version", old)
    if record is None:
        raise NonExistingVersion(f"There is no version {old!r}.")
    if repo.load("version", new) is not None:
        raise VersionAlreadyExistsAsDevelopment(f"Version {new!r} already exists; choose another name.")
    with repo.transaction():
        for kind in ("scenario", "task", "data_node", "job", "submission"):
            for entity_record in repo.find(kind, version=old):
                entity_record["version"] = new
                repo.save(kind, entity_record)
        repo.delete("version", [old])
        repo.save("version", {**record, "id": new})
        for key in ("latest_version", "development_version"):
            if repo.get_meta(key) == old:
                repo.set_meta(key, new)
        production = repo.get_meta("production_versions") or []
        if old in production:
            repo.set_meta("production_versions", sorted({*production, new} - {old}))
    registry.forget(old)


def compare_versions(registry: Registry, first: str, second: str) -> list[str]:
    """How the configurations of two versions differ."""
    from scenaria.config import compare

    records = []
    for version_id in (first, second):
        record = registry.repository.load("version", version_id)
        if record is None:
            raise NonExistingVersion(f"There is no version {version_id!r}.")
        records.append(record)
    return compare(records[0]["config"], records[1]["config"]).all
