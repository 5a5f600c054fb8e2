"""``scenaria prune (--older-than AGE | --keep N) [--dry-run] [--json]``: delete old finished
submissions of the current version, each with its jobs.

--older-than prunes those created more than AGE ago (90s, 15m, 2h, 7d, 1w); --keep N keeps the
N newest submissions; given both, a submission goes only when both let it go (older than AGE
and not among the newest N). A submission with an unfinished job, or with a job that is its task's
latest, is never pruned. --dry-run prints what would go and deletes nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from scenaria.cli import common

NAME = "prune"
HELP = "delete old finished submissions and their jobs (by age or count)"


def _age(text: str) -> Any:
    from scenaria.config.retention import parse_age

    age = parse_age(text)
    if age is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not an age; write a number and a unit: 90s, 15m, 2h, 7d, 1w")
    return age


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a count; give a whole number, 0 or more")
    return int(text)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Declare ``prune --older-than AGE | --keep N [--dry-run]``."""
    parser: argparse.ArgumentParser = common.subparser(subparsers, NAME, HELP, __doc__)
    parser.add_argument("--older-than", type=_age, metavar="AGE", help="prune submissions older than AGE (e.g. 7d)")
    parser.add_argument("--keep", type=_count, metavar="N", help="keep the N newest submissions")
    parser.add_argument("--dry-run", action="store_true", help="print what would be pruned, delete nothing")
    return parser


@common.exit_codes
def run(args: argparse.Namespace) -> int:
    """Prune and print the counts (and the ids with --json)."""
    from scenaria.entities.registry import registry
    from scenaria.orchestrator.retention import prune

    if args.older_than is None and args.keep is None:
        args.parser.error("prune: give --older-than AGE, --keep N, or both")
    common.configure(args)
    pruned = prune(registry(), args.older_than, args.keep, dry_run=args.dry_run)
    result = {**dataclasses.asdict(pruned), "dry_run": args.dry_run}
    if args.json:
        common.emit_one(result, True)
    else:
        verb = "Would prune" if args.dry_run else "Pruned"
        print(f"{verb} {len(pruned.submissions)} submission(s) and {len(pruned.jobs)} job(s).")
    return common.OK
