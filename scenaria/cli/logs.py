"""``scenaria logs JOB [--follow] [--json]``: what a job's run printed, its stdout then its stderr
(and a failed job's traceback, on stderr).

With --follow the command keeps printing what the job adds until the job finishes, then exits
with 0 when it completed (or was skipped), 4 when it failed, was canceled or abandoned. It reads
the job's record again every ``--interval`` seconds (0.2 by default): a reader outside the
orchestrator, never on its path.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from scenaria.cli import common

NAME = "logs"
HELP = "print a job's stdout and stderr; --follow streams them until the job ends"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Declare ``logs JOB [--follow] [--interval S]``."""
    parser: argparse.ArgumentParser = common.subparser(subparsers, NAME, HELP, __doc__)
    parser.add_argument("job", metavar="JOB", help="the job's id")
    parser.add_argument("-f", "--follow", action="store_true", help="keep printing until the job ends")
    parser.add_argument("--interval", type=float, default=0.2, metavar="S", help="--follow: seconds between reads")
    return parser


@common.exit_codes
def run(args: argparse.Namespace) -> int:
    """Print the output (and follow it when asked)."""
    from scenaria.entities import Job

    common.configure(args)
    job = common.entity_or_not_found(args.job, (Job,))
    if args.json and not args.follow:
        json.dump({"id": job.id, "status": job.status.name, "stdout": job.stdout, "stderr": job.stderr}, sys.stdout)
        sys.stdout.write("\n")
        return common.OK
    printed = [0, 0]
    _print_new(job, printed)
    while args.follow and not job.is_finished():
        time.sleep(args.interval)
        job = common.entity_or_not_found(args.job, (Job,))  # read again: another process writes it
        _print_new(job, printed)
    if job.is_failed() and job.stacktrace:
        sys.stderr.write("".join(line if line.endswith("\n") else line + "\n" for line in job.stacktrace))
    if not args.follow:
        return common.OK
    return common.OK if job.is_completed() or job.is_skipped() else common.JOB_FAILED


def _print_new(job: Any, printed: list[int]) -> None:
    """Print what was added to the job's stdout and stderr since ``printed`` (their lengths so far)."""
    for position, (text, stream) in enumerate(((job.stdout, sys.stdout), (job.stderr, sys.stderr))):
        if len(text) > printed[position]:
            stream.write(text[printed[position] :])
            stream.flush()
            printed[position] = len(text)
