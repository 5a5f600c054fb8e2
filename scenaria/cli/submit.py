"""``scenaria submit ID [--wait [--timeout S]] [--json]``: submit a scenario, sequence or task
through the public API (``tp.submit``) and print the submission.

With --wait the command returns when the jobs are finished: exit code 0 when the submission
completed, 4 when it failed, was canceled or abandoned (or --timeout passed first: 1).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import Any

from scenaria.cli import common

NAME = "submit"
HELP = "submit a scenario, sequence or task; --wait for its jobs"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Declare ``submit ID [--wait] [--timeout S] [--force]``."""
    parser: argparse.ArgumentParser = common.subparser(subparsers, NAME, HELP, __doc__)
    parser.add_argument("id", metavar="ID", help="the id of a scenario, sequence or task")
    parser.add_argument("--wait", action="store_true", help="return when the jobs are finished")
    parser.add_argument("--timeout", type=float, metavar="S", help="--wait at most S seconds")
    parser.add_argument("--force", action="store_true", help="run skippable tasks even when their outputs are fresh")
    return parser


@common.exit_codes
def run(args: argparse.Namespace) -> int:
    """Submit; with --wait, the exit code says how the submission ended."""
    from scenaria import api
    from scenaria.entities import Scenario, Sequence, SubmissionStatus, Task
    from scenaria.exceptions import ScenariaError

    common.configure(args)
    entity = _after_start_up(args.id, (Scenario, Sequence, Task))
    with contextlib.redirect_stdout(sys.stderr):  # what jobs print in this process: stdout is the result's
        submission = api.submit(entity, force=args.force, wait=args.wait, timeout=args.timeout)
    assert submission is not None  # a scenario, sequence or task is always submitted
    # as stored now: the object returned may hold the status of its creation (PENDING) while the
    # jobs run, when --timeout ends the wait or the service runs them
    submission = api.get(submission.id) or submission
    common.emit_one(common.describe(submission), args.json)
    if not args.wait:
        return common.OK
    if not submission.is_finished():
        raise ScenariaError(f"{submission.id} is not finished after {args.timeout} s (--timeout)")
    completed = submission.submission_status is SubmissionStatus.COMPLETED
    if not completed:
        for line in _unsuccessful(submission):
            sys.stderr.write(line + "\n")
    return common.OK if completed else common.JOB_FAILED


def _unsuccessful(submission: Any) -> list[str]:
    """Which jobs did not complete and why, for stderr (stdout is the result): when a service ran
    them, nothing else in this process says it."""
    from scenaria import api
    from scenaria.entities.status import Status

    lines = []
    for job_id in submission._job_ids:
        job = api.get(job_id)
        if job is not None and job.status in (Status.FAILED, Status.CANCELED, Status.ABANDONED):
            reason = job.reason or "no reason recorded"
            lines.append(f"{job.id} ({job._task_config_id}) {job.status.name}: {reason}")
    return lines


def _after_start_up(entity_id: str, kinds: tuple[type, ...]) -> Any:
    """The entity to submit, looked up once the version is chosen: in development mode that
    start-up deletes the development version's entities (Taipy's semantics), so an entity
    another run created there is gone, and submitting it would report success for no job."""
    from scenaria.entities.registry import registry
    from scenaria.exceptions import NotFoundError
    from scenaria.orchestrator.service import prepare
    from scenaria.versioning.manager import DEVELOPMENT, current_settings

    prepare(registry())
    try:
        return common.entity_or_not_found(entity_id, kinds)
    except NotFoundError as exc:
        if current_settings()[0] != DEVELOPMENT:
            raise
        raise NotFoundError(
            f"{exc}. The configuration is in development mode, and every development-mode run starts "
            "from a clean development version (it deletes what other runs created there): use an "
            'experiment version (Config.configure_core(mode="experiment", version_number=NAME) in the '
            "configuration, or --experiment NAME for `scenaria run`), or run `scenaria serve` and submit to it"
        ) from None
