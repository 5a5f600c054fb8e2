"""What jobs print, shown on this process's console line by line, each line prefixed with its task.

Runs report their output in pieces (whatever a worker's pipe held); a line is shown once it is
complete, and what remains of a job's output is shown when it ends.

The prefix is the environment variable ``SCENARIA_OUTPUT_PREFIX`` (``PREFIX_VARIABLE``), a
``str.format`` template with ``{task}`` and ``{job}``; by default ``[{task}] ``. ``scenaria run``
sets it empty, so that job output looks as Taipy shows it.
"""

from __future__ import annotations

import os
import sys

PREFIX_VARIABLE = "SCENARIA_OUTPUT_PREFIX"
DEFAULT_PREFIX = "[{task}] "


class JobConsole:
    """The console of the orchestrating process, shared by the jobs' output."""

    def __init__(self) -> None:
        self._prefix = os.environ.get(PREFIX_VARIABLE, DEFAULT_PREFIX)
        self._rests: dict[tuple[str, str], str] = {}  # (job id, stream) -> its incomplete last line

    def write(self, job_id: str, label: str, stream: str, text: str) -> None:
        """Show the complete lines of ``text`` (printed by job ``job_id`` on ``stream``)."""
        key = (job_id, stream)
        pending = self._rests.pop(key, "") + text
        *lines, rest = pending.split("\n")
        if rest:
            self._rests[key] = rest
        console = sys.stdout if stream == "stdout" else sys.stderr
        prefix = self._prefix.format(task=label, job=job_id) if self._prefix else ""
        for line in lines:
            console.write(f"{prefix}{line}\n")
        console.flush()

    def flush(self, job_id: str, label: str) -> None:
        """Show what remains of a job's output (it ended)."""
        for stream in ("stdout", "stderr"):
            rest = self._rests.pop((job_id, stream), "")
            if rest:
                self.write(job_id, label, stream, rest + "\n")
