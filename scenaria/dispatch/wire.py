"""The messages between the standalone dispatcher and its worker processes.

Both sides import this module, so everything here must stay cheap to import (no cloudpickle).

The orchestrator sends a worker exactly one kind of message after its settings: the bytes of a
pickled runnable, and only when the worker is idle. The worker answers with tuples whose first
item says what they are:

- ``(READY, pid)`` once, when it is initialised;
- ``(INIT_FAILED, traceback)`` instead of READY when initialisation failed (it then exits);
- ``(OUTPUT, stream, text)`` while a job runs, for what it prints (``stream`` 0 is stdout, 1 is
  stderr); the job is implicit: a worker runs one job at a time;
- ``(DONE, started_at, finished_at, result_bytes)`` when ``run()`` returned;
- ``(FAILED, started_at, finished_at, error_bytes, traceback, type_name, text)`` when it raised.

What a running job sends besides its output (see ``jobside``), before its DONE or FAILED:

- ``(LOG, [fields, ...], text)`` for the log records it emits, in batches: each a dict of plain
  values, and all of them formatted (``text``) to be kept in the job's stderr;
- ``(PROGRESS, fraction, message)`` for its progress reports (rate limited).

Results and errors travel as nested pickles so that one which cannot be unpickled in the
orchestrator fails its own job, never the channel.
"""

from __future__ import annotations

import pickle
from typing import Any

from scenaria.exceptions import JobError

PROTOCOL = 5  # out-of-band capable, fastest for bytes-heavy payloads

READY = 0
INIT_FAILED = 1
OUTPUT = 2
DONE = 3
FAILED = 4
LOG = 5
PROGRESS = 6

STDOUT = 0
STDERR = 1
STREAM_NAMES = ("stdout", "stderr")


def dumps(message: Any) -> bytes:
    """Pickle a message of the protocol (plain pickle: messages hold only builtins and bytes)."""
    return pickle.dumps(message, protocol=PROTOCOL)


loads = pickle.loads


class RemoteError(JobError):
    """Stands in for an exception raised by a job that could not travel back as itself.

    Raised in a worker, an exception with an unpicklable attribute, or one whose class cannot be
    rebuilt from its ``args``, cannot be sent to the orchestrator; this one carries its type name
    and message instead (the traceback is in the ``Outcome``).
    """

    def __init__(self, message: str, type_name: str = "") -> None:
        super().__init__(message)
        self.type_name = type_name

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.type_name))


class RemoteTraceback(Exception):
    """Set as ``__cause__`` of a job's exception so that raising it again shows where it came from.

    The exception was raised in a worker process; its frames stayed there. Like
    ``concurrent.futures.process``, the formatted traceback is chained as the cause.
    """

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return f'\n"""\n{self.text}"""'
