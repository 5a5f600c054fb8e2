"""``scenaria schedules [ID] [--json]``: the schedules of the configuration and their firings.

Without ID, one row per schedule: its cron or interval, action, time zone, catch-up policy, the
latest due time claimed (``last_due``), the next one (``next_due``), how many firings are kept.
With ID, that schedule's firings (newest last): when each was due and fired, what it created,
what it submitted, the submission and the error if it failed. --json prints the schedules with
their firings (``firings``) in full.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from scenaria.cli import common

NAME = "schedules"
HELP = "list the configured schedules and what their firings did"
COLUMNS = ("id", "when", "action", "target", "timezone", "catch_up", "last_due", "next_due", "firings")
FIRING_COLUMNS = ("due", "fired_at", "state", "created_id", "submitted_id", "submission_id", "error")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Declare ``schedules [ID]``."""
    parser: argparse.ArgumentParser = common.subparser(subparsers, NAME, HELP, __doc__)
    parser.add_argument("id", nargs="?", metavar="ID", help="a schedule's id: list its firings")
    return parser


@common.exit_codes
def run(args: argparse.Namespace) -> int:
    """Print the schedules (or one schedule's firings)."""
    from scenaria.config import Config
    from scenaria.exceptions import NotFoundError

    common.configure(args)
    schedules = {key: s for key, s in Config.schedules.items() if key != "default"}
    if args.id is not None:
        if args.id not in schedules:
            known = ", ".join(sorted(schedules)) or "none"
            raise NotFoundError(f"the configuration has no schedule {args.id!r}; its schedules: {known}")
        schedules = {args.id: schedules[args.id]}
    rows = [_row(schedule) for schedule in schedules.values()]
    if args.json:
        common.emit(rows, (), True)
    elif args.id is not None:
        common.emit(rows[0]["firings"], FIRING_COLUMNS, False, title=f"Firings of {args.id}")
    else:
        common.emit([{**row, "firings": len(row["firings"])} for row in rows], COLUMNS, False, title="Schedules")
    return common.OK


def _row(schedule: Any) -> dict[str, Any]:
    from scenaria.entities.registry import registry
    from scenaria.orchestrator.schedules import firings, last_due, next_due

    repository = registry().repository
    since = last_due(repository, schedule.id)
    now = dt.datetime.now(dt.timezone.utc)
    return {
        "id": schedule.id,
        "when": schedule.cron if schedule.cron is not None else f"every {schedule.interval}",
        "cron": schedule.cron,
        "interval_seconds": None if schedule.interval is None else schedule.interval.total_seconds(),
        "action": schedule.action,
        "target": schedule.entity_id if schedule.action == "submit" else schedule.scenario_config,
        "timezone": schedule.timezone,
        "catch_up": schedule.catch_up,
        "last_due": None if since is None else since.isoformat(),
        "next_due": next_due(schedule, max(since, now) if since else now).isoformat(),
        "firings": firings(repository, schedule.id),
    }
