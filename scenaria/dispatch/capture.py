"""Per-job capture of what a job prints, in a worker process.

While a job runs, ``sys.stdout`` and ``sys.stderr`` are ``JobStream``s made for that job only:
text is sent to the orchestrator line by line as it is written (so it shows live), and whatever is
left is sent when the job ends, before its result. A stream is closed when its job ends: a thread
the job left behind that still prints writes to the worker's real stream, never into the capture
of the next job.

Only Python-level writes are captured; a C extension or a child process writing to file
descriptor 1 or 2 goes to the worker's inherited stdout/stderr (the orchestrator's terminal).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import IO, Any

Send = Callable[[int, str], None]


class JobStream:
    """A text stream that forwards one job's output to the orchestrator, line by line."""

    encoding = "utf-8"
    errors = "replace"
    newlines = None

    def __init__(self, send: Send, stream: int, fallback: IO[str] | None) -> None:
        self._send = send
        self._stream = stream
        self._fallback = fallback
        self._pending: list[str] = []
        self._lock = threading.Lock()  # jobs may print from several threads
        self._open = True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        with self._lock:
            if not self._open:
                return self._fallback.write(text) if self._fallback else len(text)
            self._pending.append(text)
            if "\n" in text:
                self._flush_locked()
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        with self._lock:
            self._flush_locked()

    def end(self) -> None:
        """Send what is left and route later writes to the worker's real stream."""
        with self._lock:
            self._flush_locked()
            self._open = False

    def _flush_locked(self) -> None:
        if self._pending:
            text = "".join(self._pending)
            self._pending.clear()
            self._send(self._stream, text)

    # What libraries probe on sys.stdout/sys.stderr.
    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def seekable(self) -> bool:
        return False

    @property
    def closed(self) -> bool:
        return False

    def fileno(self) -> int:
        """The worker's real descriptor: what writes to it directly is not captured."""
        if self._fallback is None:
            raise OSError("no file descriptor behind this stream")
        return self._fallback.fileno()

    @property
    def buffer(self) -> _BinaryView:
        """For code that writes bytes to ``sys.stdout.buffer``."""
        return _BinaryView(self)


class _BinaryView:
    """Bytes written here are decoded (UTF-8) into the job's text stream."""

    def __init__(self, text: JobStream) -> None:
        self._text = text

    def write(self, data: bytes) -> int:
        self._text.write(bytes(data).decode("utf-8", "replace"))
        return len(data)

    def flush(self) -> None:
        self._text.flush()


DEFAULT_MAX_OUTPUT = 4 * 1024 * 1024  # characters kept of each stream of a job


class Capped:
    """One stream of a job's output, at most ``limit`` characters: its head and its tail.

    What a job prints past the limit is cut from the middle, and the cut is marked, so that the
    orchestrator never holds (or stores) more than the limit per job and stream, however much the
    job prints.
    """

    def __init__(self, limit: int = DEFAULT_MAX_OUTPUT) -> None:
        self._half = max(limit // 2, 1)
        self._head: list[str] = []
        self._head_size = 0
        self._tail: list[str] = []
        self._tail_size = 0
        self._cut = 0

    def write(self, text: str) -> int:
        """As a text stream does (the development dispatcher writes a job's copy here)."""
        self.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def append(self, text: str) -> None:
        room = self._half - self._head_size
        if room > 0:
            self._head.append(text[:room])
            self._head_size += min(room, len(text))
            text = text[room:]
        if not text:
            return
        self._tail.append(text)
        self._tail_size += len(text)
        if self._tail_size > 2 * self._half:  # compact now and then, not at every line
            self._trim()

    def _trim(self) -> None:
        joined = "".join(self._tail)
        self._cut += len(joined) - self._half
        self._tail = [joined[-self._half :]]
        self._tail_size = self._half

    def __str__(self) -> str:
        if self._tail_size > self._half:
            self._trim()
        head = "".join(self._head)
        if not self._cut:
            return head + "".join(self._tail)
        mark = f"\n[scenaria: {self._cut} characters of output cut here]\n"
        return head + mark + "".join(self._tail)
