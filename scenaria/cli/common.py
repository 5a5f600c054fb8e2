"""What the run commands share: the ``--config``/``--json`` options, loading the configuration,
turning entities into rows, printing them and the exit codes.

Exit codes (documented in docs/cli.md; scripts test them):

=====  ==========================================================================
0      done
1      a user error: the message on stderr says what is wrong and how to fix it
2      usage: an unknown command or option, a missing argument (argparse's code)
3      not found: no entity with that id, no config with that id
4      ``submit --wait``: the submission ended failed, canceled or abandoned;
       ``logs --follow``: the job ended failed, canceled or abandoned
=====  ==========================================================================

rich is imported only to print a table, so ``--json`` and ``scenaria run`` never load it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import enum
import functools
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from scenaria.cli.configfile import load_configuration

OK, USER_ERROR, USAGE, NOT_FOUND, JOB_FAILED = 0, 1, 2, 3, 4


def documented_parser(subparsers: Any, name: str, help: str, doc: str | None) -> argparse.ArgumentParser:
    """A subcommand's parser whose description is its module docstring after the first paragraph."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name,
        help=help,
        description=doc.split("\n\n", 1)[1] if doc and "\n\n" in doc else help,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def exit_codes(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """A run command's ``run``, with "not found" as exit code 3 (other errors are ``main``'s: 1)."""

    @functools.wraps(run)
    def wrapped(args: argparse.Namespace) -> int:
        from scenaria.exceptions import NotFoundError

        try:
            return run(args)
        except NotFoundError as exc:
            print(f"scenaria {args.command}: {exc}", file=sys.stderr)
            return NOT_FOUND

    return wrapped


def add_options(parser: argparse.ArgumentParser, json_output: bool = True) -> None:
    """``--config FILE`` (the configuration, hence the store) and, for listings, ``--json``."""
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="the configuration: a .toml file, or a .py file that builds it (default: the environment's, "
        "SCENARIA_CONFIG_PATH / TAIPY_CONFIG_PATH, else the store in the current folder)",
    )
    if json_output:
        parser.add_argument("--json", action="store_true", help="print JSON (stable field names) instead of a table")


def configure(args: argparse.Namespace) -> None:
    """Load ``--config`` when given (else the configuration comes from the environment).

    A Python file is imported as the module its name says, as ``scenaria serve`` does: its
    functions then have the same names here as in a service and its workers, so the command's
    configuration is the service's (the version's check would otherwise refuse it)."""
    if getattr(args, "config", None):
        load_configuration(args.config, None)


def parse_since(text: str) -> dt.datetime:
    """A moment: an ISO date/time (``2026-12-01``, ``2026-12-01T06:00``) or an age back from now (``2h``)."""
    from scenaria.config.retention import parse_age

    age = parse_age(text)
    if age is not None:
        return dt.datetime.now() - age
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is neither a date (2026-12-01, 2026-12-01T06:00) nor an age (90s, 15m, 2h, 7d)"
        ) from None
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment


# --- entities as rows ----------------------------------------------------------------------------------
def plain(value: Any) -> Any:
    """A JSON-compatible form of an attribute value (dates in ISO form, enums by name, entities by id)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, set | frozenset):
        return sorted(plain(v) for v in value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    entity_id = getattr(value, "id", None)
    return entity_id if isinstance(entity_id, str) else repr(value)


def describe(entity: Any) -> dict[str, Any]:
    """The fields the CLI shows of an entity, by stable names (the ``--json`` keys)."""
    from scenaria.entities import Job, Scenario, Submission

    row: dict[str, Any] = {"id": entity.id, "type": type(entity).__name__}
    if isinstance(entity, Job):
        row.update(
            task_id=entity._task_id,
            task_config_id=_task_config_id(entity),
            submission_id=entity.submit_id,
            submitted_entity_id=entity.submit_entity_id,
            status=entity.status.name,
            attempts=entity.attempts,
            creation_date=entity.creation_date,
            finished_at=entity.finished_at,
        )
    elif isinstance(entity, Submission):
        row.update(
            entity_id=entity.entity_id,
            entity_type=entity.entity_type,
            entity_config_id=entity.entity_config_id,
            status=entity.submission_status.name,
            job_ids=list(entity._job_ids),
            creation_date=entity.creation_date,
        )
    elif isinstance(entity, Scenario):
        row.update(
            config_id=entity.config_id,
            name=entity.name,
            creation_date=entity.creation_date,
            cycle_id=getattr(entity.cycle, "id", None),
            is_primary=entity.is_primary,
            tags=entity.tags,
        )
    else:
        for name in ("config_id", "name", "owner_id", "creation_date"):
            if hasattr(entity, name):
                row[name] = getattr(entity, name)
    row["version"] = getattr(entity, "version", None)
    return {key: plain(value) for key, value in row.items()}


def _task_config_id(job: Any) -> str | None:
    task = job.task
    return None if task is None else task.config_id


# --- printing ------------------------------------------------------------------------------------------
def emit(rows: Sequence[dict[str, Any]], columns: Iterable[str], as_json: bool, title: str | None = None) -> None:
    """Print ``rows``: the whole rows as a JSON list, or ``columns`` of them as a table."""
    if as_json:
        json.dump(list(rows), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    columns = list(columns)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(_cell(row.get(column)) for column in columns))
    # into a pipe or a file, nothing is cut: ids stay whole for grep and the like
    Console(width=None if sys.stdout.isatty() else 100_000).print(table)


def emit_one(row: dict[str, Any], as_json: bool) -> None:
    """Print one entity: its JSON object, or a two-column table of its fields."""
    if as_json:
        json.dump(row, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    emit([{"field": key, "value": value} for key, value in row.items()], ["field", "value"], False)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def entity_or_not_found(entity_id: str, kinds: tuple[type, ...] | None = None) -> Any:
    """The entity with that id (of one of ``kinds`` when given), else a ``NotFoundError`` (exit code 3)."""
    from scenaria import api
    from scenaria.exceptions import ModelNotFound, NotFoundError

    try:
        entity = api.get(entity_id)
    except ModelNotFound:
        entity = None
    if entity is None:
        raise NotFoundError(f"no entity has the id {entity_id!r} in the store (--config FILE chooses the store)")
    if kinds is not None and not isinstance(entity, kinds):
        wanted = " or ".join(kind.__name__ for kind in kinds)
        raise NotFoundError(f"{entity_id} is a {type(entity).__name__}, not a {wanted}")
    return entity


def subparser(subparsers: Any, name: str, help: str, doc: str | None, json_output: bool = True) -> Any:
    """A run command's parser: its help, its module docstring as description, ``--config`` and ``--json``."""
    parser = subparsers.add_parser(
        name,
        help=help,
        description=doc.split("\n\n", 1)[-1] if doc else help,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_options(parser, json_output)
    return parser


def statuses(text: str, kind: str = "Status") -> list[str]:
    """Status names from ``"failed,canceled"`` (any case); an unknown one is a ``ScenariaError``."""
    from scenaria.entities import status
    from scenaria.exceptions import ScenariaError

    known = [member.name for member in getattr(status, kind)]
    names = [name.strip().upper() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ScenariaError(f"unknown status {', '.join(unknown)}; the statuses are {', '.join(known)}")
    return names
