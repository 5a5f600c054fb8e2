"""Exporting a scenario to a zip archive and importing it into any store (``export_scenario``,
``import_scenario``, the names and parameters of Taipy's paid edition).

An archive holds plain files, readable without scenaria:

    manifest.json            format, format version, scenario id, and the SHA-256 of every other file
    config.toml              the applied configuration, as ``Config.backup`` writes it
    records/scenario.json    the scenario's record (its sequences are part of it)
    records/cycle.json       its cycle's, when it has one
    records/tasks.json       its tasks' records
    records/data_nodes.json  its data nodes' records
    records/jobs.json        the jobs of the tasks it owns (as Taipy exports them)
    records/submissions.json the submissions of the scenario, its sequences and the tasks it owns
    data/<data node id>/...  with ``include_data=True``: each file-based data node's file (or
                             folder), as it is
    values/<sha256>.pickle   the values the records hold by file (``entities/values.py``: a
                             lambda, an object of a user class), written into the importing
                             application's values folder; like a pickle data node's file, such a
                             value runs code when it is used, so import only archives you trust

Records are the store's own (the same JSON whatever the store: SQLite, PostgreSQL or
filesystem), so an archive moves a scenario from any store to any other. Importing checks the
whole archive first (a zip that opens, every file present, every checksum right, a known format
version, records of the kinds expected, a configuration that matches the application's) and
then writes everything or nothing. Ids that the store holds already are refused unless
``override=True``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import zlib
from pathlib import Path
from typing import Any

from scenaria.config import Config, toml_io
from scenaria.entities import values
from scenaria.entities.cycle import Cycle
from scenaria.entities.data_node import DataNode
from scenaria.entities.job import Job
from scenaria.entities.registry import registry
from scenaria.entities.scenario import Scenario
from scenaria.entities.storage_types import data_node_class
from scenaria.entities.submission import Submission
from scenaria.entities.task import Task
from scenaria.exceptions import (
    ConflictedConfigurationError,
    DataToBeImportAlredyExist,
    EntitiesToBeImportAlredyExist,
    ExportPathAlreadyExists,
    ImportArchiveDoesntContainAnyScenario,
    ImportScenarioDoesntHaveAVersion,
    InvalidScenarioArchive,
    NonExistingScenario,
)

logger = logging.getLogger("scenaria")

FORMAT = "scenaria-scenario-archive"
FORMAT_VERSION = 1
_RECORDS = {"scenario": "records/scenario.json", "task": "records/tasks.json", "data_node": "records/data_nodes.json"}
_CYCLE = "records/cycle.json"
#: kinds an archive may lack (one written before jobs and submissions were exported has neither)
_OPTIONAL = {"cycle": _CYCLE, "job": "records/jobs.json", "submission": "records/submissions.json"}


# --- export --------------------------------------------------------------------------------------
def export_scenario(
    scenario_id: str, output_path: str | Path, override: bool = False, include_data: bool = False
) -> None:
    """Write the scenario ``scenario_id``, its cycle, tasks, data nodes, jobs and submissions
    (and with ``include_data`` the files of its file-based data nodes) to the zip ``output_path``
    (``.zip`` is added when missing). ``ExportPathAlreadyExists`` when it exists, unless ``override``."""
    scenario = registry().get(scenario_id)
    if not isinstance(scenario, Scenario):
        raise NonExistingScenario(f"No scenario {scenario_id!r} to export; give the id of an existing scenario.")
    target = Path(output_path)
    if target.suffix != ".zip":
        target = target.with_name(target.name + ".zip")
    if target.exists() and not override:
        raise ExportPathAlreadyExists(
            f"{target} exists already: choose another output_path, or pass override=True to replace it."
        )
    files: dict[str, bytes] = {"config.toml": toml_io.dumps(Config._applied_layer(), strict=False).encode()}
    files[_RECORDS["scenario"]] = _json([scenario._to_record()])
    files[_RECORDS["task"]] = _json([task._to_record() for task in scenario.tasks.values()])
    data_nodes = list(scenario.data_nodes.values())
    files[_RECORDS["data_node"]] = _json([dn._to_record() for dn in data_nodes])
    if scenario.cycle is not None:
        files[_CYCLE] = _json([scenario.cycle._to_record()])
    jobs, submissions = _runs(scenario)
    files[_OPTIONAL["job"]] = _json([job._to_record() for job in jobs])
    files[_OPTIONAL["submission"]] = _json([submission._to_record() for submission in submissions])
    if include_data:
        for dn in data_nodes:
            files.update(_data_files(dn))
    files.update(_value_files(files))
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "scenario_id": scenario.id,
        "version": scenario.version,
        "files": {name: hashlib.sha256(content).hexdigest() for name, content in files.items()},
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    import zipfile  # here: slow to import, and used by export and import only

    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", _json(manifest))
        for name, content in files.items():
            archive.writestr(name, content)
    os.replace(partial, target)  # a failed export leaves no half archive


def _runs(scenario: Scenario) -> tuple[list[Job], list[Submission]]:
    """The jobs of the tasks the scenario owns, and the submissions of the scenario, of its
    sequences and of those tasks: what Taipy exports (a shared task's jobs belong to others too)."""
    reg = registry()
    owned = [task.id for task in scenario.tasks.values() if task._owner_id == scenario.id]
    submitted = [scenario.id, *(sequence.id for sequence in scenario.sequences.values()), *owned]
    jobs = reg.find(Job, version=scenario.version, task_id=owned) if owned else []
    submissions = reg.find(Submission, version=scenario.version, entity_id=submitted)
    return jobs, submissions


def _json(value: Any) -> bytes:
    return json.dumps(value, indent=1, sort_keys=True).encode()


def _value_files(files: dict[str, bytes]) -> dict[str, bytes]:
    """The value files that the archive's records refer to, under ``values/``."""
    found: dict[str, bytes] = {}
    for name, content in files.items():
        if name.startswith("records/"):
            for digest in sorted(values.digests(json.loads(content))):
                try:
                    found[f"{values.FOLDER}/{digest}{values.SUFFIX}"] = Path(values.path_of(digest)).read_bytes()
                except FileNotFoundError:
                    values.StoredValue(digest).load()  # raises StoreDamaged, naming the missing file
    return found


def _data_files(dn: DataNode) -> dict[str, bytes]:
    """The files of a file-based data node, under ``data/<id>/`` (a folder's files keep their
    relative paths); other types are left out, with a warning, as their data is not scenaria's."""
    path = dn.properties.get("path")
    if path is None or getattr(dn, "_is_remote", True):
        logger.warning(
            "Data node %s (%s) is not stored in a local file: its data is not exported.", dn.id, dn.storage_type()
        )
        return {}
    source = Path(dn._local_path)  # type: ignore[attr-defined]
    if not source.exists():
        return {}
    if source.is_dir():
        return {
            f"data/{dn.id}/{source.name}/{file.relative_to(source).as_posix()}": file.read_bytes()
            for file in sorted(source.rglob("*"))
            if file.is_file()
        }
    return {f"data/{dn.id}/{source.name}": source.read_bytes()}


# --- import --------------------------------------------------------------------------------------
def import_scenario(input_path: str | Path, override: bool = False) -> Scenario:
    """Import the scenario that ``export_scenario`` wrote to ``input_path`` into the current store,
    with the application's current version; returns it. Entities whose ids the store holds are
    refused (``ScenarioImportConflict``) unless ``override``; a bad archive raises
    ``InvalidScenarioArchive``; in both cases nothing is changed."""
    from scenaria.orchestrator.service import prepare

    path = Path(input_path)
    if not path.exists():
        raise FileNotFoundError(f"No archive at {path}: give the path of a zip written by export_scenario.")
    files = _read_archive(path)
    records = _records(files, path)
    _check_config(files["config.toml"].decode(), records, path)
    reg = registry()
    prepare(reg)
    entities = _entities(records, reg.version)
    existing = [e.id for e in entities if reg.repository.exists(e._KIND, e.id)]
    if existing and not override:
        raise EntitiesToBeImportAlredyExist(
            f"The store holds {len(existing)} of the archive's entities already ({', '.join(existing[:5])}"
            f"{', ...' if len(existing) > 5 else ''}): pass override=True to replace them."
        )
    _write_values(files, path)
    staged = _stage_data(files, entities, override)
    try:
        with reg.transaction():
            for entity in entities:
                reg.add(entity)  # the live object of its id from now on
    except BaseException:
        for staging, _ in staged:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    for staging, target in staged:
        _move_into_place(staging, target)
    scenario = next(e for e in entities if isinstance(e, Scenario))
    for entity in entities:
        entity._publish("CREATION")
    return scenario


def _bad(path: Path, problem: str) -> InvalidScenarioArchive:
    return InvalidScenarioArchive(
        f"{path} is not a scenario archive that can be imported: {problem}. "
        "Export the scenario again with export_scenario; nothing was imported."
    )


def _read_archive(path: Path) -> dict[str, bytes]:
    """Every file of the archive, checked against the manifest."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            files = {name: archive.read(name) for name in archive.namelist() if not name.endswith("/")}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError) as exc:
        raise _bad(path, f"the zip cannot be read ({exc})") from exc
    listed = _manifest(path, files)
    for name in ("config.toml", *_RECORDS.values()):
        if name not in listed or name not in files:
            raise _bad(path, f"{name} is missing")
    for name, digest in listed.items():
        if name not in files:
            raise _bad(path, f"{name} is missing")
        if hashlib.sha256(files[name]).hexdigest() != digest:
            raise _bad(path, f"{name} was changed after the export (its checksum does not match)")
    _check_names(path, files)
    unlisted = sorted(set(files) - set(listed))
    if unlisted:
        raise _bad(path, f"it holds files the manifest does not list ({', '.join(unlisted[:3])})")
    return files


def _manifest(path: Path, files: dict[str, bytes]) -> dict[str, str]:
    """The manifest taken out of ``files``, checked; the checksum of each file it lists."""
    try:
        manifest = json.loads(files.pop("manifest.json"))
    except KeyError:
        raise _bad(path, "it has no manifest.json") from None
    except ValueError as exc:
        raise _bad(path, f"its manifest.json is not JSON ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _bad(path, f"its manifest does not describe a {FORMAT}")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _bad(
            path,
            f"it has format version {manifest.get('format_version')!r}; this scenaria reads version {FORMAT_VERSION}",
        )
    if not manifest.get("version"):
        raise ImportScenarioDoesntHaveAVersion(
            f"{path} names no version for its scenario in manifest.json; export the scenario again."
        )
    return manifest.get("files") or {}


def _write_values(files: dict[str, bytes], path: Path) -> None:
    """Put the archive's value files into this application's values folder (named by their
    digest, so a failed import leaves only files that nothing refers to, or that were there)."""
    prefix = f"{values.FOLDER}/"
    for name, content in files.items():
        if name.startswith(prefix):
            digest = name[len(prefix) :].removesuffix(values.SUFFIX)
            if hashlib.sha256(content).hexdigest() != digest:
                raise _bad(path, f"{name} does not hold the value its name says")
            values.write(digest, content)


def _check_names(path: Path, files: dict[str, bytes]) -> None:
    """Refuse names that would write outside the data folder (absolute, ``..``, drive, backslash)."""
    for name in files:
        parts = name.split("/")
        if name.startswith("/") or "\\" in name or ".." in parts or "" in parts or ":" in parts[0]:
            raise _bad(path, f"it holds a file named {name!r}, which would be written outside its data folder")


def _records(files: dict[str, bytes], path: Path) -> dict[str, list[dict[str, Any]]]:
    records: dict[str, list[dict[str, Any]]] = {}
    for kind, name in (*_RECORDS.items(), *_OPTIONAL.items()):
        if name not in files:
            records[kind] = []
            continue
        try:
            loaded = json.loads(files[name])
        except ValueError as exc:
            raise _bad(path, f"{name} is not JSON ({exc})") from exc
        if not isinstance(loaded, list) or not all(
            isinstance(r, dict) and isinstance(r.get("id"), str) for r in loaded
        ):
            raise _bad(path, f"{name} is not a list of records with ids")
        records[kind] = loaded
    if len(records["scenario"]) != 1:
        raise ImportArchiveDoesntContainAnyScenario(
            f"{path} holds {len(records['scenario'])} scenarios; an archive of export_scenario holds one."
        )
    return records


def _check_config(text: str, records: dict[str, list[dict[str, Any]]], path: Path) -> None:
    """The configs of the archive's entities must be the application's (the same settings)."""
    try:
        theirs = toml_io.layer_to_dict(toml_io.read_text(text, f"{path}:config.toml"), strict=False)
    except Exception as exc:
        raise _bad(path, f"its config.toml cannot be read ({exc})") from exc
    ours = toml_io.layer_to_dict(Config._applied_layer(), strict=False)
    wanted = [("SCENARIO", r["config_id"]) for r in records["scenario"]]
    wanted += [("TASK", r["config_id"]) for r in records["task"]]
    wanted += [("DATA_NODE", r["config_id"]) for r in records["data_node"]]
    for kind, config_id in wanted:
        mine = ours.get(kind, {}).get(config_id)
        if mine is None:
            raise ConflictedConfigurationError(
                f"The archive's {kind.lower()} config {config_id!r} is not in this application's configuration: "
                "configure it before importing."
            )
        if mine != theirs.get(kind, {}).get(config_id):
            raise ConflictedConfigurationError(
                f"The {kind.lower()} config {config_id!r} of the archive differs from this application's "
                f"({theirs.get(kind, {}).get(config_id)!r} there, {mine!r} here): make them the same before importing."
            )


def _entities(records: dict[str, list[dict[str, Any]]], version: str) -> list[Any]:
    """The archive's entities, of the current version (built without being saved)."""
    entities: list[Any] = []
    for record in records["cycle"]:
        entities.append(Cycle._from_record(record))
    kinds = (("data_node", DataNode), ("task", Task), ("scenario", Scenario), ("submission", Submission), ("job", Job))
    for kind, cls in kinds:
        for record in records[kind]:
            if kind == "data_node":
                data_node_class(str(record.get("storage_type")))  # an unknown type is refused here
            entity = cls._from_record({**record, "version": version} if "version" in record else record)
            entities.append(entity)
    return entities


def _stage_data(files: dict[str, bytes], entities: list[Any], override: bool) -> list[tuple[Path, Path]]:
    """Write the archive's data files into a staging folder beside where the imported data nodes
    read them (a generated file in this application's storage folder, a given path as it is);
    nothing the user has is touched until the store commits. Returns ``(staging, target)`` pairs."""
    plans: list[tuple[Path, list[tuple[str, bytes]]]] = []
    for dn in (e for e in entities if isinstance(e, DataNode)):
        prefix = f"data/{dn.id}/"
        members = [(name[len(prefix) :], content) for name, content in files.items() if name.startswith(prefix)]
        if not members:
            continue
        top = members[0][0].split("/", 1)[0]
        if dn.properties.get("is_generated"):
            folder = Path(Config.core.storage_folder) / f"{dn.storage_type()}s"
            dict.__setitem__(dn._properties, "path", str(folder / top))
        target = Path(dn._local_path)
        if target.name != top or any(relative.split("/", 1)[0] != top for relative, _ in members):
            raise InvalidScenarioArchive(
                f"The archive's data files of data node {dn.id} do not match its path {target}: export it again."
            )
        if target.exists() and not override:
            raise DataToBeImportAlredyExist(
                f"{target}, the file of data node {dn.id}, exists already: pass override=True to replace it."
            )
        plans.append((target, members))
    staged: list[tuple[Path, Path]] = []
    try:
        for target, members in plans:
            target.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".import-{os.getpid()}-"))
            staged.append((staging, target))
            for relative, content in members:
                file = staging / relative
                file.parent.mkdir(parents=True, exist_ok=True)
                file.write_bytes(content)
    except BaseException:
        for staging, _ in staged:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    return staged


def _move_into_place(staging: Path, target: Path) -> None:
    """Replace ``target`` by its staged copy (a file by one rename; a folder by two renames)."""
    if target.is_dir():
        aside = staging / ".replaced"
        os.replace(target, aside)
        os.replace(staging / target.name, target)
    else:
        os.replace(staging / target.name, target)
    shutil.rmtree(staging, ignore_errors=True)
