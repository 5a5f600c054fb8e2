"""What jobs print, shown on this process's console line by line, each line prefixed with its task.

Runs report their output in pieces (whatever a worker's pipe held); a line is shown once it is
complete, and what remains of a job's output is shown when it ends.
"""

from __future__ import annotations

import sys


class JobConsole:
    """The console of the orchestrating process, shared by the jobs' output."""

    def __init__(self) -> None:
        self._rests: dict[tuple[str, str], str] = {}  # (job id, stream) -> its incomplete last line

    def write(self, job_id: str, label: str, stream: str, text: str) -> None:
        """Show the complete lines of ``text`` (printed by job ``job_id`` on ``stream``)."""
        key = (job_id, stream)
        pending = self._rests.pop(key, "") + text
        *lines, rest = pending.split("\n")
        if rest:
            self._rests[key] = rest
        console = sys.stdout if stream == "stdout" else sys.stderr
        for line in lines:
            console.write(f"[{label}] {line}\n")
        console.flush()

    def flush(self, job_id: str, label: str) -> None:
        """Show what remains of a job's output (it ended)."""
        for stream in ("stdout", "stderr"):
            rest = self._rests.pop((job_id, stream), "")
            if rest:
                self.write(job_id, label, stream, rest + "\n")
