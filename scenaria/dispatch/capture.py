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
import selectors
import sys
import threading
import time
from collections.abc import Callable, Iterator
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
    """File descriptors 1 and 2 of this process, pointed into each job's streams while it runs.

    For each job (``capture``), each descriptor is pointed at a fresh pipe (inherited by the job's
    child processes), read into the job's stream by whole lines (what the job prints through
    ``sys.stdout`` goes to the same stream from another thread: it must not land inside a child's
    line). One reading thread serves every job of the worker: it is started once, here, and waits in
    an epoll (kqueue on macOS) selector, to which each job's pipes are added from the job's thread
    without waking it, so a job that writes nothing to its descriptors costs no thread start, join
    or wake-up. When the job ends, its pipes leave the selector, the descriptors get back what they
    were, and the job's thread reads what is left to the pipes' end: every writer is gone by then
    (the worker ends the job's processes first), or, after ``drain`` seconds, their last bytes are
    dropped (the read ends are closed), so that a writer that lingers can never hold the worker up
    nor print into the next job.
    """

    def __init__(self, drain: float = 2.0) -> None:
        self._drain = drain
        # epoll and kqueue see what another thread adds while one waits in them (poll and select do not)
        selector_class = getattr(selectors, "EpollSelector", None) or selectors.KqueueSelector  # type: ignore[attr-defined]
        self._selector: selectors.BaseSelector = selector_class()
        self._lock = threading.Lock()  # the reading thread holds it to read; a job, to take its pipes back
        self._reading: dict[int, _Pipe] = {}
        threading.Thread(target=self._read_forever, name="scenaria-fds", daemon=True).start()

    @contextlib.contextmanager
    def capture(self, out: JobStream, err: JobStream) -> Iterator[None]:
        """Descriptors 1 and 2 into ``out`` and ``err`` while the block runs (one job)."""
        _flush_real_streams()  # what the worker itself wrote before goes where it was going
        pipes, saved = [], []
        for fd, stream in ((1, out), (2, err)):
            read, write = os.pipe()
            saved.append((fd, os.dup(fd)))
            os.dup2(write, fd)  # inheritable: the job's child processes write here too
            os.close(write)
            os.set_inheritable(read, False)
            os.set_blocking(read, False)
            pipes.append(_Pipe(read, stream))
        with self._lock:
            for pipe in pipes:
                self._reading[pipe.fd] = pipe
                self._selector.register(pipe.fd, selectors.EVENT_READ, pipe)
        try:
            yield
        finally:
            _flush_real_streams()  # Python code that wrote to sys.__stdout__ during the job: into its pipe
            with self._lock:  # from here on only this thread reads them
                for pipe in pipes:
                    self._forget(pipe)
            for fd, fd_saved in saved:
                os.dup2(fd_saved, fd)  # the last write end this process holds is gone
                os.close(fd_saved)
            ours = [pipe for pipe in pipes if pipe.still_ours()]  # the job may have closed one, and reused its number
            self._drain_to_end([pipe for pipe in ours if not pipe.ended])
            for pipe in pipes:
                pipe.finish()
            for pipe in ours:
                os.close(pipe.fd)

    def _forget(self, pipe: _Pipe) -> None:
        """Stop reading ``pipe`` in the reading thread (lock held)."""
        if self._reading.pop(pipe.fd, None) is pipe:
            self._selector.unregister(pipe.fd)

    def _read_forever(self) -> None:
        while True:
            for key, _ in self._selector.select():
                pipe: _Pipe = key.data
                with self._lock:
                    if self._reading.get(pipe.fd) is pipe and pipe.read() is False:
                        self._forget(pipe)  # the job closed its descriptor: nothing more comes

    def _drain_to_end(self, pipes: list[_Pipe]) -> None:
        """Read ``pipes`` until every writer is gone, for at most ``drain`` seconds."""
        deadline = time.monotonic() + self._drain
        waiting: selectors.BaseSelector | None = None  # only for a writer that outlived the job
        try:
            while pipes and time.monotonic() < deadline:
                for pipe in list(pipes):
                    while (got := pipe.read()) and time.monotonic() < deadline:
                        pass
                    if got is False:
                        pipes.remove(pipe)
                        if waiting is not None:
                            waiting.unregister(pipe.fd)
                if pipes and waiting is None:
                    waiting = selectors.DefaultSelector()
                    for pipe in pipes:
                        waiting.register(pipe.fd, selectors.EVENT_READ)
                if pipes and waiting is not None:
                    waiting.select(max(0.0, deadline - time.monotonic()))
        finally:
            if waiting is not None:
                waiting.close()


class _Pipe:
    """The read end of one descriptor's pipe for one job, and the start of a line read from it."""

    __slots__ = ("decoder", "ended", "fd", "identity", "pending", "stream")

    def __init__(self, fd: int, stream: JobStream) -> None:
        self.fd = fd
        self.identity = _identity(fd)
        self.stream = stream
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.pending = ""  # whole lines only, so that the job's own prints never land inside one
        self.ended = False

    def read(self) -> bool | None:
        """Read what is there: True when something was, None when nothing is yet, False at the end."""
        try:
            data = os.read(self.fd, 1 << 16)
        except BlockingIOError:
            return None
        except OSError:  # the job closed this read end too (os.closerange): nothing more comes
            data = b""
        if not data:  # every writer is gone
            self.ended = True
            return False
        self.pending += self.decoder.decode(data)
        end = max(self.pending.rfind("\n"), self.pending.rfind("\r")) + 1
        if end:
            self.stream.write(self.pending[:end])
            self.pending = self.pending[end:]
        return True

    def still_ours(self) -> bool:
        """Whether ``fd`` is still this pipe: a job that closed it may have opened a file under its number."""
        if _identity(self.fd) == self.identity:
            return True
        self.ended = True
        return False

    def finish(self) -> None:
        """Hand over the last, unended line (an incomplete last character as U+FFFD)."""
        self.pending += self.decoder.decode(b"", final=True)
        if self.pending:
            self.stream.write(self.pending)
            self.pending = ""


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


def _identity(fd: int) -> tuple[int, int] | None:
    try:
        stat = os.fstat(fd)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino
