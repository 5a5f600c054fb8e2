"""``scenaria graph TARGET [SCENARIO_CONFIG] [-o FILE]``: a picture of a scenario's task graph.

TARGET is one of:
  - a TOML configuration file;
  - a Python file that builds the configuration (it is run with a module name other than
    __main__, so its `if __name__ == "__main__":` block is left out; `import taipy` works in it);
  - the id of a scenario, sequence or submission in the store (of the current folder, or of
    the configuration given with --config, a .toml or .py file): its tasks are coloured by their job states.
For a configuration, SCENARIO_CONFIG names the scenario config to draw; it may be left out
when the configuration has only one.

Without -o the graph is printed as Mermaid text. With -o FILE it is written to FILE: PNG
(needs: pip install "scenaria[draw]"), SVG when FILE ends in .svg, Mermaid text for .mmd.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from scenaria.cli.common import documented_parser

NAME = "graph"
HELP = "draw the task graph of a scenario config, scenario, sequence or submission (Mermaid, SVG or PNG)"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Declare ``graph TARGET [SCENARIO_CONFIG] [-o FILE] [--config FILE]``."""
    parser = documented_parser(subparsers, NAME, HELP, __doc__)
    parser.add_argument("target", metavar="TARGET", help="a .toml or .py configuration file, or an entity id")
    parser.add_argument("scenario_config", nargs="?", metavar="SCENARIO_CONFIG", help="the scenario config id")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the picture to FILE (.png, .svg or .mmd)")
    parser.add_argument(
        "--config", metavar="FILE", help="for an entity id: the app's configuration, .toml or .py (its store)"
    )
    return parser


def run(args: argparse.Namespace) -> int:
    """Draw what TARGET names; print Mermaid text, or write the file asked for."""
    if os.path.isfile(args.target):
        if args.config:
            args.parser.error("--config is for an entity id; a configuration file is given as TARGET")
        drawable: Any = _scenario_config(args)
        mermaid = drawable.to_mermaid
    else:
        drawable = _entity(args)
        from scenaria.entities.picture import mermaid as entity_mermaid

        def mermaid() -> str:
            return entity_mermaid(drawable)

    if args.output is None:
        sys.stdout.write(mermaid())
    else:
        drawable.draw(args.output)
        print(f"Wrote {args.output}")
    return 0


def _scenario_config(args: argparse.Namespace) -> Any:
    from scenaria.cli.configfile import load_configuration
    from scenaria.config import Config
    from scenaria.exceptions import NonExistingScenarioConfig

    load_configuration(args.target, "__scenaria_graph__")
    scenarios = {key: value for key, value in Config.scenarios.items() if key != "default"}
    if args.scenario_config is None and len(scenarios) == 1:
        return next(iter(scenarios.values()))
    if args.scenario_config in scenarios:
        return scenarios[args.scenario_config]
    known = ", ".join(sorted(scenarios)) or "none"
    what = f"has no scenario config {args.scenario_config!r}" if args.scenario_config else "has several"
    raise NonExistingScenarioConfig(
        f"{args.target} {what}; name one of: {known} (scenaria graph {args.target} SCENARIO_CONFIG)."
    )


def _entity(args: argparse.Namespace) -> Any:
    from scenaria import api
    from scenaria.cli.configfile import load_configuration
    from scenaria.entities import Scenario, Sequence, Submission
    from scenaria.exceptions import ModelNotFound, NotFoundError

    if args.config:
        load_configuration(args.config, None)
    try:
        entity = api.get(args.target)
    except ModelNotFound:
        entity = None
    if entity is None:
        raise NotFoundError(
            f"{args.target!r} is neither a file nor the id of an entity in the store; give a .toml or .py "
            "configuration file, or the id of a scenario, sequence or submission (--config FILE for its store)."
        )
    if not isinstance(entity, Scenario | Sequence | Submission):
        raise NotFoundError(
            f"{args.target} is a {type(entity).__name__}; scenaria graph draws a scenario, a sequence or a submission."
        )
    return entity
