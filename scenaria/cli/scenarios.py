"""``scenaria scenarios [--config-id ID] [--json]``: the scenarios of the current version.

Columns: id, config_id, name, creation_date, cycle_id, is_primary, tags.
"""

from __future__ import annotations

import argparse
from typing import Any

from scenaria.cli import common

NAME = "scenarios"
HELP = "list the scenarios in the store"
COLUMNS = ("id", "config_id", "name", "creation_date", "cycle_id", "is_primary", "tags")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Declare ``scenarios [--config-id ID]``."""
    parser: argparse.ArgumentParser = common.subparser(subparsers, NAME, HELP, __doc__)
    parser.add_argument("--config-id", metavar="ID", help="only the scenarios of this scenario config")
    return parser


@common.exit_codes
def run(args: argparse.Namespace) -> int:
    """Print the scenarios, oldest first."""
    from scenaria.entities import Scenario
    from scenaria.entities.registry import registry

    common.configure(args)
    where = {"config_id": args.config_id} if args.config_id else {}
    rows = [common.describe(scenario) for scenario in registry().find(Scenario, **where)]
    common.emit(rows, COLUMNS, args.json, title="Scenarios")
    return common.OK
