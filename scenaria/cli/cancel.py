"""``scenaria cancel JOB|SUBMISSION [--json]``: cancel a job, or every unfinished job of a
submission, through the public API (``tp.cancel_job``), then print the jobs' statuses.

A job that already finished is left as it is (and shown with its status).
"""

from __future__ import annotations

import argparse
from typing import Any

from scenaria.cli import common

NAME = "cancel"
HELP = "cancel a job, or the unfinished jobs of a submission"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Declare ``cancel ID``."""
    parser: argparse.ArgumentParser = common.subparser(subparsers, NAME, HELP, __doc__)
    parser.add_argument("id", metavar="JOB|SUBMISSION", help="the id of a job or of a submission")
    return parser


@common.exit_codes
def run(args: argparse.Namespace) -> int:
    """Cancel; exit code 3 when the id names no job or submission."""
    from scenaria import api
    from scenaria.entities import Job, Submission

    common.configure(args)
    entity = common.entity_or_not_found(args.id, (Job, Submission))
    jobs = [entity] if isinstance(entity, Job) else list(entity.jobs)
    for job in jobs:
        if not job.is_finished():
            api.cancel_job(job)
    rows = [common.describe(common.entity_or_not_found(job.id)) for job in jobs]
    common.emit(rows, ("id", "task_config_id", "status"), args.json, title="Jobs")
    return common.OK
