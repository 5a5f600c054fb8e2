"""The ``scenaria`` command.

Each subcommand is one module listed in `COMMANDS`, with ``NAME``, ``HELP``,
``add_parser(subparsers) -> argparse.ArgumentParser`` and ``run(args) -> int``. Adding a
subcommand is adding a module and its name here. Only argparse is imported up front, so
``scenaria --version`` and ``scenaria run`` start fast; shell completion (argcomplete) is loaded
only when the shell asks for completions. Exit codes: see ``scenaria.cli.common``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType

__all__ = ["COMMANDS", "build_parser", "main"]

#: Subcommand modules, in the order ``scenaria --help`` lists them.
COMMANDS: list[str] = [
    "scenaria.cli.run",
    "scenaria.cli.scenarios",
    "scenaria.cli.jobs",
    "scenaria.cli.submissions",
    "scenaria.cli.show",
    "scenaria.cli.logs",
    "scenaria.cli.create",
    "scenaria.cli.submit",
    "scenaria.cli.cancel",
    "scenaria.cli.schedules",
    "scenaria.cli.prune",
    "scenaria.cli.doctor",
    "scenaria.cli.manage_versions",
    "scenaria.cli.graph",
    "scenaria.cli.serve",
    "scenaria.cli.web",
    "scenaria.cli.help",
]


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("scenaria")
    except Exception:  # not installed as a distribution (e.g. run from a source tree)
        return getattr(importlib.import_module("scenaria"), "__version__", "unknown")


class _VersionAction(argparse.Action):
    """``-v/--version``, computed only when asked (importlib.metadata is slow to import)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:  # fmt: skip
        print(f"scenaria {_version()}")
        parser.exit()


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, ModuleType]]:
    """The top-level parser and its subcommand modules by name."""
    parser = argparse.ArgumentParser(
        prog="scenaria",
        description="Scenario management and job execution, compatible with Taipy's scenario API.",
    )
    parser.add_argument("-v", "--version", action=_VersionAction)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands: dict[str, ModuleType] = {}
    for module_name in COMMANDS:
        module = importlib.import_module(module_name)
        module.add_parser(subparsers)
        commands[module.NAME] = module
    return parser, commands


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``scenaria`` command; returns the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser, commands = build_parser()
    if "_ARGCOMPLETE" in os.environ:  # the shell asks for completions (see docs/cli.md)
        import argcomplete

        argcomplete.autocomplete(parser)
    if not args_list:
        parser.print_help()
        return 0
    args = parser.parse_args(args_list)
    args.parser = parser
    args.commands = commands
    from scenaria.exceptions import ScenariaError

    try:
        return int(commands[args.command].run(args) or 0)
    except ScenariaError as exc:  # a user mistake: its message says what to do, no traceback needed
        print(f"scenaria {args.command}: {exc}", file=sys.stderr)
        return 1
