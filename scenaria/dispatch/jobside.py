"""What a running job sends its orchestrator besides output: its log records and its progress.

``execute`` (see ``run``) opens a ``JobSide`` around each run. In a process other than the
orchestrator's (standalone worker, Dask worker), the records the job emits are turned into plain
dicts (``record_fields``: level, logger name, message, exception text, extra fields...) and
sent as they are emitted; the orchestrator rebuilds each one (``logging.makeLogRecord``) and
hands it to the logger of the same name, so the user's logging configuration there (handlers,
formatters, filters) decides what becomes of it, as it does in development mode.

``report_progress`` finds the job it is called from here. It is rate limited: a value is sent at
most every ``PROGRESS_INTERVAL`` seconds, and the last one when the run ends, so a tight loop
costs one clock read and a comparison per call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from scenaria.exceptions import NotInATask

PROGRESS_INTERVAL = 0.1  # seconds between two progress reports of one job
Sink = Callable[[str, tuple[Any, ...]], None]  # ("log", (fields,)) or ("progress", (fraction, message))

_PLAIN = (str, int, float, bool, type(None))
_current: JobSide | None = None  # one job runs at a time in a process (development: the caller's thread)


class JobSide:
    """The run in progress: where its records and progress go."""

    def __init__(self, sink: Sink | None) -> None:
        self._sink = sink
        self._next = 0.0  # monotonic time before which progress is only kept
        self._pending: tuple[float, str | None] | None = None

    def progress(self, fraction: float, message: str | None) -> None:
        now = time.monotonic()
        if now < self._next:
            self._pending = (fraction, message)
            return
        self._next = now + PROGRESS_INTERVAL
        self._pending = None
        if self._sink is not None:
            self._sink("progress", (float(fraction), None if message is None else str(message)))

    def close(self) -> None:
        """Send the progress value that the rate limit held back."""
        if self._pending is not None and self._sink is not None:
            fraction, message = self._pending
            self._sink("progress", (float(fraction), None if message is None else str(message)))
        self._pending = None


def open_side(sink: Sink | None) -> JobSide:
    global _current
    _current = JobSide(sink)
    return _current


def close_side(side: JobSide) -> None:
    global _current
    side.close()
    if _current is side:
        _current = None


def report_progress(fraction: float, message: str | None = None) -> None:
    """Say how far the running task is: ``fraction`` from 0 to 1, and what it does (optional).

    Sets the job's ``progress`` and ``progress_message`` (stored, and published as a job UPDATE
    event). Call it as often as you like: reports are rate limited. Outside a task's function it
    raises ``NotInATask``.
    """
    side = _current
    if side is None:
        raise NotInATask(
            "report_progress() was called outside a task: call it from the function of a task while its job runs."
        )
    try:
        valid = 0.0 <= fraction <= 1.0 and fraction.__class__ is not bool  # nan compares False
    except TypeError:
        valid = False
    if not valid:
        raise ValueError(f"report_progress() takes a fraction from 0 to 1, not {fraction!r}")
    side.progress(fraction, message)


def record_fields(record: logging.LogRecord, formatter: logging.Formatter) -> dict[str, Any]:
    """``record`` as plain data that pickles anywhere: its message formatted, its exception as text."""
    fields = dict(record.__dict__)
    fields["msg"], fields["args"] = record.getMessage(), None
    if record.exc_info:
        fields["exc_text"] = record.exc_text or formatter.formatException(record.exc_info)
    fields["exc_info"] = None
    fields.pop("message", None)
    return {key: value if isinstance(value, _PLAIN) else repr(value) for key, value in fields.items()}


def kept_text(fields: dict[str, Any], formatter: logging.Formatter) -> str:
    """How a record a job sent is kept in its ``stderr``: formatted as development mode keeps it."""
    return formatter.format(logging.makeLogRecord(fields)) + "\n"


def handle_record(fields: dict[str, Any]) -> None:
    """Hand a record a job sent to the logger of its name here, as if it had been emitted here."""
    record = logging.makeLogRecord(fields)
    logger = logging.getLogger(record.name)
    if logger.isEnabledFor(record.levelno):
        logger.handle(record)


def logger_levels() -> dict[str, int]:
    """The levels set on this process's loggers, for a job's process to emit what is wanted here."""
    levels = {
        name: logger.level
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger) and logger.level != logging.NOTSET
    }
    return {**levels, "": logging.getLogger().level}


def apply_levels(levels: dict[str, int]) -> None:
    """Set the levels of ``logger_levels`` here (a worker process), so that records the
    orchestrator would drop are not even built, and those it wants are emitted."""
    for name, level in levels.items():
        logging.getLogger(name or None).setLevel(level)


class SendingHandler(logging.Handler):
    """Sends each record a job emits to its orchestrator."""

    def __init__(self, sink: Sink, formatter: logging.Formatter) -> None:
        super().__init__()
        self._sink = sink
        self.setFormatter(formatter)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            fields = record_fields(record, self.formatter or logging.Formatter())
            self._sink("log", (fields,))
        except Exception:
            self.handleError(record)
