"""``scenaria help [COMMAND]``: the help of the command, or of one subcommand."""

from __future__ import annotations

import argparse
from typing import Any

NAME = "help"
HELP = "show the help of scenaria or of one of its commands"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Declare ``help [COMMAND]``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(NAME, help=HELP, description=HELP)
    parser.add_argument("topic", nargs="?", metavar="COMMAND", help="the command to explain")
    return parser


def run(args: argparse.Namespace) -> int:
    """Print the help asked for; an unknown command is an error that lists the known ones."""
    if args.topic is None:
        args.parser.print_help()
        return 0
    subparsers = next(a for a in args.parser._actions if isinstance(a, argparse._SubParsersAction))
    sub = subparsers.choices.get(args.topic)
    if sub is None:
        args.parser.error(f"unknown command {args.topic!r}; commands: {', '.join(subparsers.choices)}")
    else:
        sub.print_help()
    return 0
