"""``scenaria submissions [--status S] [--entity ID] [--json]``: the submissions of the current version.

Columns: id, entity_id, entity_config_id, status, creation_date, job_ids.
"""

from __future__ import annotations

import argparse
from typing import Any

from scenaria.cli import common

NAME = "submissions"
HELP = "list the submissions in the store"
COLUMNS = ("id", "entity_id", "entity_config_id", "status", "creation_date", "job_ids")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Declare ``submissions [--status S] [--entity ID]``."""
    parser: argparse.ArgumentParser = common.subparser(subparsers, NAME, HELP, __doc__)
    parser.add_argument("--status", metavar="S", help="only these statuses (comma separated, e.g. FAILED,CANCELED)")
    parser.add_argument("--entity", metavar="ID", help="only the submissions of this scenario, sequence or task")
    return parser


@common.exit_codes
def run(args: argparse.Namespace) -> int:
    """Print the submissions, oldest first."""
    from scenaria.entities import Submission
    from scenaria.entities.registry import registry

    common.configure(args)
    where: dict[str, Any] = {}
    if args.entity:
        where["entity_id"] = args.entity
    rows = [common.describe(submission) for submission in registry().find(Submission, **where)]
    if args.status:
        wanted = common.statuses(args.status, "SubmissionStatus")
        rows = [row for row in rows if row["status"] in wanted]
    common.emit(rows, COLUMNS, args.json, title="Submissions")
    return common.OK
