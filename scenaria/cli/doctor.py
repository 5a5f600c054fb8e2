"""``scenaria doctor [CONFIG] [--repair] [--json]``: check a store, and repair what is safe to repair.

Checks, in order:

- integrity: the store opens; SQLite's ``PRAGMA integrity_check`` and every record's JSON; the
  filesystem store's every record file (and ``version.json``);
- references: records that name records the store does not hold (a task's data nodes, a job's
  task and submission, a submission's jobs, a parent, an owner), and value files that are missing;
- stale locks: data nodes locked for edition (``edit_in_progress``) by no unfinished job and no
  editor whose lock is still valid;
- dead jobs: unfinished jobs (submitted, blocked, pending, running) of a version that no live
  orchestrator holds (its lease: pid, start time and heartbeat).

With ``--repair``: a damaged record file of the filesystem store is moved aside into
``<root>/.damaged/`` (nothing is lost); dead jobs are failed with the reason (their
submissions too); stale locks are released; references to missing parents and jobs are deleted.
Missing tasks, data nodes, owners or value files, and a damaged SQLite file, are only reported:
their repair is a backup's. Exit code 0 when no problem remains, 5 when some do.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import sqlite3
import sys
from typing import Any

from scenaria.cli import common

NAME = "doctor"
HELP = "check a store (integrity, references, stale locks, dead jobs) and repair what is safe"
PROBLEMS_REMAIN = 5
_UNFINISHED = ("SUBMITTED", "BLOCKED", "PENDING", "RUNNING")
_FINAL_SUBMISSION = ("CANCELED", "FAILED", "COMPLETED")


@dataclasses.dataclass
class Problem:
    """One thing wrong with the store: what kind, which file or record, what, and its repair."""

    check: str
    subject: str
    detail: str
    repair: str | None = None  # what --repair does; None: only a backup repairs it
    repaired: bool = False


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Declare ``doctor [CONFIG] [--repair]``."""
    parser: argparse.ArgumentParser = common.subparser(subparsers, NAME, HELP, __doc__)
    parser.add_argument("config_file", nargs="?", metavar="CONFIG", help="the configuration (as --config)")
    parser.add_argument("--repair", action="store_true", help="repair what is safe to repair")
    return parser


def run(args: argparse.Namespace) -> int:
    """Check (and repair), print the problems, and say by the exit code whether some remain."""
    from scenaria.entities.registry import repository_settings
    from scenaria.exceptions import StoreError
    from scenaria.store import open_repository

    if args.config_file:
        args.config = args.config or args.config_file
    common.configure(args)
    settings = repository_settings()
    where = settings.get("path") or settings.get("root")
    if settings["type"] in ("sqlite", "filesystem") and not os.path.exists(str(where)):
        print(f"scenaria doctor: there is no store at {where} (--config FILE chooses the store)", file=sys.stderr)
        return common.USER_ERROR
    problems: list[Problem] = []
    try:
        repository = open_repository(settings)
    except StoreError as exc:
        problems.append(Problem("integrity", _where(settings), str(exc)))
        return _report(settings, problems, args)
    try:
        problems += _integrity(repository, args.repair)
        if all(p.repaired for p in problems):
            problems += _records_checks(repository, args.repair)
    except StoreError as exc:  # damage the checks above did not see (PostgreSQL bodies)
        problems.append(Problem("integrity", _where(settings), str(exc)))
    finally:
        repository.close()
    return _report(settings, problems, args)


def _where(settings: dict[str, Any]) -> str:
    return str(settings.get("path") or settings.get("root") or settings.get("schema") or settings.get("type"))


def _report(settings: dict[str, Any], problems: list[Problem], args: argparse.Namespace) -> int:
    remaining = [p for p in problems if not p.repaired]
    if args.json:
        result = {
            "store": {key: value for key, value in settings.items() if key != "url"},
            "problems": [dataclasses.asdict(p) for p in problems],
            "repaired": len(problems) - len(remaining),
            "remaining": len(remaining),
        }
        common.emit_one(result, True)
    else:
        for problem in problems:
            state = "repaired" if problem.repaired else "problem"
            fix = f" -> {problem.repair}" if problem.repair and (problem.repaired or not args.repair) else ""
            print(f"{state}: [{problem.check}] {problem.subject}: {problem.detail}{fix}")
        print(
            f"{_where(settings)}: {len(problems)} problem(s), {len(problems) - len(remaining)} repaired, "
            f"{len(remaining)} remaining"
            + (" (run `scenaria doctor --repair` to repair those it can)" if remaining and not args.repair else "")
        )
    return PROBLEMS_REMAIN if remaining else common.OK


# --- integrity ---------------------------------------------------------------------------------------
def _integrity(repository: Any, repair: bool) -> list[Problem]:
    from scenaria.store import FilesystemRepository, SQLiteRepository

    if isinstance(repository, SQLiteRepository):
        return _sqlite_integrity(repository.path)
    if isinstance(repository, FilesystemRepository):
        return _filesystem_integrity(repository.root, repair)
    return []


def _sqlite_integrity(path: str) -> list[Problem]:
    from scenaria.store import KINDS

    problems = []
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        try:
            messages = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        except sqlite3.DatabaseError as exc:
            messages = [str(exc)]
        if messages != ["ok"]:
            detail = "; ".join(messages[:5]) + (f" (and {len(messages) - 5} more)" if len(messages) > 5 else "")
            return [Problem("integrity", path, f"SQLite finds the file damaged: {detail}; restore it from a backup")]
        for kind in KINDS:
            for id, body in conn.execute(f'SELECT id, body FROM "{kind}"'):
                if not _is_record(body):
                    problems.append(Problem("integrity", f"{path} ({kind} {id})", "the record is not a JSON object"))
    return problems


def _is_record(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def _filesystem_integrity(root: str, repair: bool) -> list[Problem]:
    from scenaria.store.filesystem import FOLDERS, META_FILE

    problems = []
    files = [os.path.join(root, META_FILE)]
    for folder in FOLDERS.values():
        with_folder = os.path.join(root, folder)
        if os.path.isdir(with_folder):
            files += [
                os.path.join(with_folder, name)
                for name in sorted(os.listdir(with_folder))
                if name.endswith(".json") and not name.startswith(".")
            ]
    for path in files:
        try:
            with open(path, encoding="utf-8") as file:
                good = _is_record(file.read())
        except FileNotFoundError:
            continue
        except ValueError:  # not UTF-8
            good = False
        if good:
            continue
        aside = os.path.join(root, ".damaged", os.path.relpath(path, root))
        problem = Problem("integrity", path, "the record file is not a JSON object", f"moved aside to {aside}")
        if repair:
            os.makedirs(os.path.dirname(aside), mode=0o700, exist_ok=True)
            os.replace(path, aside)
            problem.repaired = True
        problems.append(problem)
    return problems


# --- references, locks, jobs -----------------------------------------------------------------------
class _Records:
    """Every record of the store, by kind and id, and the changes a repair makes to them."""

    def __init__(self, repository: Any) -> None:
        from scenaria.store import KINDS

        self.repository = repository
        self.by_kind = {kind: {r["id"]: r for r in repository.find(kind)} for kind in KINDS}
        self.changed: dict[tuple[str, str], dict[str, Any]] = {}

    def exists(self, id: str) -> bool:
        return any(id in records for records in self.by_kind.values())

    def change(self, kind: str, record: dict[str, Any]) -> None:
        record["revision"] = int(record.get("revision", 0)) + 1  # newer than what a live process holds
        self.changed[(kind, record["id"])] = record

    def save(self) -> None:
        with self.repository.transaction():
            for (kind, _), record in self.changed.items():
                self.repository.save(kind, record)


def _records_checks(repository: Any, repair: bool) -> list[Problem]:
    records = _Records(repository)
    problems = _references(records, repair)
    problems += _missing_values(records)
    problems += _dead_jobs(records, repair)
    problems += _stale_locks(records, repair)
    if repair and records.changed:
        records.save()
    return problems


# (kind, field that names other records, whether --repair may drop the missing ones: back
# references and lists of jobs only; a missing task or data node is a backup's to repair)
_REFERENCES = (
    ("scenario", "task_ids", False),
    ("scenario", "additional_data_node_ids", False),
    ("task", "input_ids", False),
    ("task", "output_ids", False),
    ("task", "parent_ids", True),
    ("data_node", "parent_ids", True),
    ("job", "task_id", False),
    ("job", "submit_id", False),
    ("submission", "job_ids", True),
    ("scenario", "owner_id", False),
    ("task", "owner_id", False),
    ("data_node", "owner_id", False),
)


def _references(records: _Records, repair: bool) -> list[Problem]:
    problems = []
    for kind, key, droppable in _REFERENCES:
        for record in records.by_kind[kind].values():
            value = record.get(key)
            named = value if isinstance(value, list) else [value] if isinstance(value, str) else []
            missing = [id for id in named if not id.startswith("SEQUENCE_") and not records.exists(id)]
            if not missing:
                continue
            problem = Problem(
                "references",
                f"{kind} {record['id']}",
                f"its {key} names {', '.join(missing)}, which the store does not hold",
                "the missing ids deleted from it" if droppable else None,
            )
            if repair and droppable:
                record[key] = [id for id in named if id not in missing]
                records.change(kind, record)
                problem.repaired = True
            problems.append(problem)
    return problems


def _missing_values(records: _Records) -> list[Problem]:
    from scenaria.entities import values

    problems = []
    for kind, by_id in records.by_kind.items():
        for id, record in by_id.items():
            for digest in sorted(values.digests(record)):
                path = values.path_of(digest)
                if not os.path.exists(path):
                    problems.append(Problem("references", f"{kind} {id}", f"the value file {path} is missing"))
    return problems


def _dead_jobs(records: _Records, repair: bool) -> list[Problem]:
    from scenaria.orchestrator import lease

    problems = []
    live: dict[str, bool] = {}
    now = dt.datetime.now().isoformat()
    for job in records.by_kind["job"].values():
        if job.get("status") not in _UNFINISHED:
            continue
        version = str(job.get("version", ""))
        if version not in live:
            live[version] = lease.alive(lease.holder(records.repository, version))
        if live[version]:
            continue
        reason = f"failed by `scenaria doctor --repair`: {job['status']} with no live orchestrator of its version"
        problem = Problem(
            "jobs",
            f"job {job['id']}",
            f"{job['status']}, but no orchestrator of version {version!r} is alive",
            "failed, with the reason",
        )
        if repair:
            job["status"] = "FAILED"
            job["reason"] = reason
            job["stacktrace"] = [*job.get("stacktrace", []), reason]
            job.setdefault("status_change_records", {})["FAILED"] = {"__type__": "datetime", "__value__": now}
            records.change("job", job)
            submission = records.by_kind["submission"].get(str(job.get("submit_id")))
            if submission is not None and submission.get("submission_status") not in _FINAL_SUBMISSION:
                submission["submission_status"] = "FAILED"
                records.change("submission", submission)
            problem.repaired = True
        problems.append(problem)
    return problems


def _stale_locks(records: _Records, repair: bool) -> list[Problem]:
    held: set[str] = set()  # data nodes an unfinished job writes
    for job in records.by_kind["job"].values():
        if job.get("status") in _UNFINISHED:
            task = records.by_kind["task"].get(str(job.get("task_id")), {})
            held.update(task.get("output_ids", []))
    now = dt.datetime.now().isoformat()
    problems = []
    for dn in records.by_kind["data_node"].values():
        if not dn.get("edit_in_progress") or dn["id"] in held:
            continue
        expires = dn.get("editor_expiration_date")
        if dn.get("editor_id") and (expires is None or expires > now):
            continue  # an editor's lock, still valid
        problem = Problem("locks", f"data node {dn['id']}", "locked for edition by no job nor editor", "unlocked")
        if repair:
            dn.update(edit_in_progress=False, editor_id=None, editor_expiration_date=None)
            records.change("data_node", dn)
            problem.repaired = True
        problems.append(problem)
    return problems
