"""Per-job capture of what a job prints, in a worker process.

While a job runs, ``sys.stdout`` and ``sys.stderr`` are ``JobStream``s made for that job only:
text is sent to the orchestrator line by line as it is written (so it shows live), and whatever is
left is sent when the job ends, before its result. A stream is closed when its job ends: a thread
the job left behind that still prints writes to the worker's real stream, never into the capture
of the next job.

In a standalone worker, file descriptors 1 and 2 are captured too (``Descriptors``): while a job
runs they are pipes read into the job's streams, so what C code, ``os.write(1, ...)`` or a child
process that inherited them writes is the job's output (capped as the rest), never the
orchestrator's terminal's, nor the next job's.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import select
import sys
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
        """The worker's descriptor (1 or 2): captured too while the job runs (``Descriptors``)."""
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


class Descriptors:
    """File descriptors 1 and 2 of this process, into a job's streams while the block runs.

    Each descriptor is pointed at a fresh pipe (inherited by the job's child processes), which a
    thread reads into the job's stream by whole lines (what the job prints through ``sys.stdout``
    goes to the same stream from another thread: it must not land inside a child's line). When
    the block ends, the descriptors get back what they were, and the pipes are read to their end:
    every writer is gone by then (the worker ends the job's processes first), or, after ``drain``
    seconds, their last bytes are dropped, so that a writer that lingers can never hold the worker
    up nor print into the next job.
    """

    def __init__(self, out: JobStream, err: JobStream, drain: float = 2.0) -> None:
        self._streams = ((1, out), (2, err))
        self._drain = drain
        self._saved: list[tuple[int, int]] = []
        self._pumps: list[threading.Thread] = []
        self._stop = threading.Event()

    def __enter__(self) -> Descriptors:
        _flush_real_streams()  # what the worker itself wrote before goes where it was going
        for fd, stream in self._streams:
            read, write = os.pipe()
            self._saved.append((fd, os.dup(fd)))
            os.dup2(write, fd)  # inheritable: the job's child processes write here too
            os.close(write)
            os.set_inheritable(read, False)
            pump = threading.Thread(target=self._pump, args=(read, stream), name=f"scenaria-fd{fd}", daemon=True)
            pump.start()
            self._pumps.append(pump)
        return self

    def __exit__(self, *exc: object) -> None:
        _flush_real_streams()  # Python code that wrote to sys.__stdout__ during the job: into its pipe
        for fd, saved in self._saved:
            os.dup2(saved, fd)  # the last write end this process holds is gone
            os.close(saved)
        for pump in self._pumps:
            pump.join(self._drain)
        self._stop.set()  # a writer outlived the job: what it writes from now on goes nowhere
        for pump in self._pumps:
            pump.join()

    def _pump(self, read: int, stream: JobStream) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        pending = ""  # the start of a line: whole lines only, so that the job's own prints never land inside one
        try:
            while not self._stop.is_set():
                ready, _, _ = select.select([read], [], [], 0.1)
                data = os.read(read, 1 << 16) if ready else None
                if data == b"":  # every writer is gone
                    break
                pending += decoder.decode(data) if data else ""
                end = max(pending.rfind("\n"), pending.rfind("\r")) + 1
                if end:
                    stream.write(pending[:end])
                    pending = pending[end:]
            pending += decoder.decode(b"", final=True)  # an incomplete last character, as U+FFFD
            if pending:
                stream.write(pending)
        finally:
            os.close(read)


def _flush_real_streams() -> None:
    for stream in (sys.__stdout__, sys.__stderr__):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()  # type: ignore[union-attr]


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
