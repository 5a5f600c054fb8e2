"""``scenaria manage-versions``: list, rename, compare and delete the versions of a store.

The store is the one the configuration names: give the application's configuration (a .toml
file, or the .py file that builds it, loaded as the other commands load it) with ``--config``
(or set ``SCENARIA_CONFIG_PATH``), else the default store of the current folder.
"""

from __future__ import annotations

import argparse
from typing import Any

NAME = "manage-versions"
HELP = "list, rename, compare or delete the versions of the entities in the store"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(NAME, help=HELP, description=HELP)
    parser.add_argument("--config", metavar="FILE", help="the application's configuration, .toml or .py (its store)")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("-l", "--list", action="store_true", help="list the versions")
    action.add_argument("--rename", nargs=2, metavar=("OLD", "NEW"), help="rename a version")
    action.add_argument(
        "--compare-config", nargs=2, metavar=("V1", "V2"), help="show how the configurations of two versions differ"
    )
    action.add_argument("-d", "--delete", metavar="VERSION", help="delete a version and its entities")
    return parser


def run(args: argparse.Namespace) -> int:
    from scenaria.cli.configfile import load_configuration
    from scenaria.entities.registry import registry
    from scenaria.versioning import manager

    if args.config:
        load_configuration(args.config, None)
    reg = registry()
    if args.list:
        _print_table(manager.list_versions(reg))
    elif args.rename:
        manager.rename_version(reg, *args.rename)
        print(f"Version {args.rename[0]} renamed {args.rename[1]}.")
    elif args.compare_config:
        differences = manager.compare_versions(reg, *args.compare_config)
        print("\n".join(differences) if differences else "The two configurations are the same.")
    else:
        manager.delete_version(reg, args.delete)
        print(f"Version {args.delete} and its entities deleted.")
    return 0


def _print_table(versions: list[dict[str, Any]]) -> None:
    rows = [("Version number", "Mode", "Creation date")]
    for version in versions:
        mode = version["mode"].title() + (" (latest)" if version["latest"] else "")
        rows.append((version["id"], mode, (version["creation_date"] or "")[:19]))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
