"""``scenaria show ID [--json]``: one entity of any kind (scenario, sequence, task, data node, job,
submission, cycle), its fields by the names ``--json`` uses.

A job shows its stacktrace too; its output is ``scenaria logs JOB``.
"""

from __future__ import annotations

import argparse
from typing import Any

from scenaria.cli import common

NAME = "show"
HELP = "show one entity (any kind) by its id"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Declare ``show ID``."""
    parser: argparse.ArgumentParser = common.subparser(subparsers, NAME, HELP, __doc__)
    parser.add_argument("id", metavar="ID", help="the entity's id")
    return parser


@common.exit_codes
def run(args: argparse.Namespace) -> int:
    """Print the entity; exit code 3 when no entity has that id."""
    from scenaria.entities import Job

    common.configure(args)
    entity = common.entity_or_not_found(args.id)
    row = common.describe(entity)
    if isinstance(entity, Job):
        row["stacktrace"] = list(entity.stacktrace)
    common.emit_one(row, args.json)
    return common.OK
