"""``scenaria jobs [--status S] [--scenario ID] [--config-id ID] [--since WHEN] [--json]``: the jobs
of the current version, oldest first.

--status takes status names, comma separated (``FAILED,CANCELED``); --scenario the jobs of a
scenario's tasks; --config-id the jobs of a task config; --since the jobs created after a date
(``2026-12-01``, ``2026-12-01T06:00``) or within an age (``90s``, ``15m``, ``2h``, ``7d``).
Columns: id, task_config_id, status, submission_id, creation_date, finished_at, attempts.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from scenaria.cli import common

NAME = "jobs"
HELP = "list the jobs in the store (filters: status, scenario, task config, since)"
COLUMNS = ("id", "task_config_id", "status", "submission_id", "creation_date", "finished_at", "attempts")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Declare ``jobs`` and its filters."""
    parser: argparse.ArgumentParser = common.subparser(subparsers, NAME, HELP, __doc__)
    parser.add_argument("--status", metavar="S", help="only these statuses (comma separated, e.g. FAILED,CANCELED)")
    parser.add_argument("--scenario", metavar="ID", help="only the jobs of this scenario's tasks")
    parser.add_argument("--config-id", metavar="ID", help="only the jobs of this task config")
    parser.add_argument("--since", metavar="WHEN", type=common.parse_since, help="created since (date or age)")
    return parser


@common.exit_codes
def run(args: argparse.Namespace) -> int:
    """Print the jobs that pass the filters."""
    from scenaria.entities import Job
    from scenaria.entities.registry import registry

    common.configure(args)
    where = _where(args)
    jobs = [] if where is None else registry().find(Job, **where)
    if args.since is not None:
        jobs = [job for job in jobs if (job.creation_date or dt.datetime.min) >= args.since]
    common.emit([common.describe(job) for job in jobs], COLUMNS, args.json, title="Jobs")
    return common.OK


def _where(args: argparse.Namespace) -> dict[str, Any] | None:
    """The store filter of the options (indexed fields only); None when it can match nothing."""
    from scenaria.entities import Scenario, Task
    from scenaria.entities.registry import registry

    where: dict[str, Any] = {}
    if args.status:
        where["status"] = common.statuses(args.status)
    task_ids: set[str] | None = None
    if args.scenario:
        scenario = common.entity_or_not_found(args.scenario, (Scenario,))
        task_ids = {task.id for task in scenario.tasks.values()}
    if args.config_id:
        of_config = {task.id for task in registry().find(Task, config_id=args.config_id)}
        task_ids = of_config if task_ids is None else task_ids & of_config
    if task_ids is not None:
        if not task_ids:
            return None
        where["task_id"] = sorted(task_ids)
    return where
