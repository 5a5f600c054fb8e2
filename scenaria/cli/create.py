"""``scenaria create SCENARIO_CONFIG [--name NAME] [--json]``: create a scenario of a config
of the configuration given with --config (or the environment's) and print it.
"""

from __future__ import annotations

import argparse
from typing import Any

from scenaria.cli import common

NAME = "create"
HELP = "create a scenario of a scenario config"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Declare ``create SCENARIO_CONFIG [--name NAME]``."""
    parser: argparse.ArgumentParser = common.subparser(subparsers, NAME, HELP, __doc__)
    parser.add_argument("scenario_config", metavar="SCENARIO_CONFIG", help="the scenario config id")
    parser.add_argument("--name", help="the new scenario's name")
    return parser


@common.exit_codes
def run(args: argparse.Namespace) -> int:
    """Create the scenario; exit code 3 when the configuration has no such scenario config."""
    from scenaria import api
    from scenaria.config import Config
    from scenaria.exceptions import NotFoundError

    common.configure(args)
    config = Config.scenarios.get(args.scenario_config)
    if config is None or args.scenario_config == "default":
        known = ", ".join(sorted(key for key in Config.scenarios if key != "default")) or "none"
        raise NotFoundError(f"the configuration has no scenario config {args.scenario_config!r}; its configs: {known}")
    scenario = api.create_scenario(config, name=args.name)
    common.emit_one(common.describe(scenario), args.json)
    return common.OK
