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
- ``(FAILED, started_at, finished_at, error_bytes, traceback, type_name, text)`` when it raised;
- ``(RETIRING,)`` just before the last DONE or FAILED it sends: it exits after that job (its
  ``max_jobs`` reached, or a thread of the job still runs).

What a running job sends besides its output (see ``jobside``), before its DONE or FAILED:

- ``(LOG, [fields, ...], text)`` for the log records it emits, in batches: each a dict of plain
  values, and all of them formatted (``text``) to be kept in the job's stderr;
- ``(PROGRESS, fraction, message)`` for its progress reports (rate limited).

Results and errors travel as nested pickles so that one which cannot be unpickled in the
orchestrator fails its own job, never the channel.

Worker-to-orchestrator messages travel in frames (``frame``/``Frames``): a magic, the length and
the CRC-32 of the pickled message. Task code can reach the channel's descriptor (a forked child, a
stray ``os.write``), so the orchestrator reads it as untrusted bytes: a frame with a wrong magic, a
bad checksum, an absurd length, or a message of the wrong shape raises ``Malformed``, which fails
that worker's job and replaces the worker, never the dispatcher's loop.
"""

from __future__ import annotations

import pickle
import struct
import zlib
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
RETIRING = 7

STDOUT = 0
STDERR = 1
STREAM_NAMES = ("stdout", "stderr")


def dumps(message: Any) -> bytes:
    """Pickle a message of the protocol (plain pickle: messages hold only builtins and bytes)."""
    return pickle.dumps(message, protocol=PROTOCOL)


loads = pickle.loads

MAGIC = b"SCNa"
_HEADER = struct.Struct(">4sQI")  # magic, payload length, CRC-32 of the payload
MAX_FRAME = 1 << 36  # 64 GiB: a length past this is garbage, not a result
_SHAPES = {READY: 2, INIT_FAILED: 2, OUTPUT: 3, DONE: 4, FAILED: 7, LOG: 3, PROGRESS: 3, RETIRING: 1}


class Malformed(Exception):
    """Bytes on a worker's channel that are not a message of the protocol."""


def frame(message: Any) -> bytes:
    """A message pickled and framed for the worker-to-orchestrator direction."""
    data = dumps(message)
    return _HEADER.pack(MAGIC, len(data), zlib.crc32(data)) + data


class Frames:
    """Cuts the bytes read from one worker into messages; raises ``Malformed`` on garbage."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[tuple[Any, ...]]:
        """Add bytes read from the channel; return the complete messages they end."""
        buffer = self._buffer
        buffer += data
        messages = []
        while len(buffer) >= _HEADER.size:
            magic, length, crc = _HEADER.unpack_from(buffer)
            if magic != MAGIC or length > MAX_FRAME:
                raise Malformed(f"bytes that are not a frame of the protocol: {bytes(buffer[:32])!r}")
            end = _HEADER.size + length
            if len(buffer) < end:
                break
            payload = bytes(memoryview(buffer)[_HEADER.size : end])
            del buffer[:end]
            if zlib.crc32(payload) != crc:
                raise Malformed("a frame whose checksum does not match its content")
            messages.append(_checked(payload))
        return messages


def _checked(payload: bytes) -> tuple[Any, ...]:
    try:
        message = loads(payload)
    except Exception as exc:
        raise Malformed(f"a frame that does not unpickle ({type(exc).__name__}: {exc})") from None
    if not (isinstance(message, tuple) and message and _SHAPES.get(message[0]) == len(message)):
        raise Malformed(f"a message of an unknown shape: {message!r:.200}")
    if message[0] == OUTPUT and not (message[1] in (STDOUT, STDERR) and isinstance(message[2], str)):
        raise Malformed(f"an output message of the wrong form: {message!r:.200}")
    return message


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
