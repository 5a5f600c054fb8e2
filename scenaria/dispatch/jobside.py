"""What a running job sends its orchestrator besides output: its log records and its progress.

``execute`` (see ``run``) opens a ``JobSide`` around each run. In a process other than the
orchestrator's (standalone worker, Dask worker), the records the job emits are turned into plain
dicts (``record_fields``: level, logger name, message, exception text, extra fields...) and
sent in small batches (at most 20 ms late); the orchestrator rebuilds each one (``logging.makeLogRecord``) and
hands it to the logger of the same name, so the user's logging configuration there (handlers,
formatters, filters) decides what becomes of it, as it does in development mode.

``report_progress`` finds the job it is called from here. It is rate limited: a value is sent at
most every ``PROGRESS_INTERVAL`` seconds, and the last one when the run ends, so a tight loop
costs one clock read and a comparison per call.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from scenaria.exceptions import NotInATask

PROGRESS_INTERVAL = 0.1  # seconds between two progress reports of one job
BATCH = 256  # records sent in one message at most
BATCH_DELAY = 0.02  # seconds a record may wait for others to share its message
Sink = Callable[[str, tuple[Any, ...]], None]  # ("log", ([fields...], kept text)) or ("progress", (fraction, message))

_PLAIN = frozenset({str, int, float, bool, type(None)})
_RECORD_KEYS = logging.makeLogRecord({}).__dict__.keys()  # what every record has (plain values all)
_STANDARD = frozenset(_RECORD_KEYS) | {"message", "asctime"}
_monotonic = time.monotonic
_current: JobSide | None = None  # one job runs at a time in a process (development: the caller's thread)


class JobSide:
    """The run in progress: where its records and progress go."""

    def __init__(self, sink: Sink | None) -> None:
        self._sink = sink
        self.next_at = 0.0  # monotonic time before which progress is only kept (in ``pending``)
        self.pending: tuple[float, str | None] | None = None

    def progress(self, fraction: float, message: str | None) -> None:
        """Send a progress value now (``report_progress`` checked the rate limit)."""
        self.next_at = _monotonic() + PROGRESS_INTERVAL
        self.pending = None
        if self._sink is not None:
            self._sink("progress", (float(fraction), None if message is None else str(message)))

    def close(self) -> None:
        """Send the progress value that the rate limit held back."""
        if self.pending is not None and self._sink is not None:
            fraction, message = self.pending
            self._sink("progress", (float(fraction), None if message is None else str(message)))
        self.pending = None


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
    if _monotonic() < side.next_at:  # the fast path of a tight loop: only keep the value
        side.pending = (fraction, message)
    else:
        side.progress(fraction, message)


def record_fields(record: logging.LogRecord, formatter: logging.Formatter) -> dict[str, Any]:
    """``record`` as plain data that pickles anywhere: its message formatted, its exception as text.

    After ``formatter.format(record)`` (which sets ``record.message`` and ``exc_text``), nothing is
    formatted twice.
    """
    fields = record.__dict__.copy()
    message = fields.pop("message", None)
    fields.pop("asctime", None)  # the handlers here format their own
    fields["msg"], fields["args"] = record.getMessage() if message is None else message, None
    if record.exc_info:
        fields["exc_text"] = record.exc_text or formatter.formatException(record.exc_info)
    fields["exc_info"] = None
    if fields.keys() == _RECORD_KEYS:  # the usual record: no extra field (no set built to find out)
        return fields
    for key in fields.keys() - _STANDARD:  # extra fields: plain values travel, others as their repr
        if type(fields[key]) not in _PLAIN:
            fields[key] = repr(fields[key])
    return fields


def handle_records(records: list[dict[str, Any]]) -> None:
    """Hand the records a job sent to the loggers of their names here, as if emitted here.

    With the standard record factory, a record is rebuilt from its fields alone: building a full
    ``LogRecord`` first (as ``logging.makeLogRecord`` does) to overwrite every field was half the cost.
    """
    plain = logging.getLogRecordFactory() is logging.LogRecord
    new_record = logging.LogRecord.__new__
    name, logger = None, logging.getLogger()
    for fields in records:
        if plain:
            record = new_record(logging.LogRecord)
            record.__dict__.update(fields)
        else:
            record = logging.makeLogRecord(fields)
        if record.name != name:  # the records of a batch mostly come from one logger
            name, logger = record.name, logging.getLogger(record.name)
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
    """Sends the records a job emits to its orchestrator, in batches: at most ``BATCH`` records
    or ``BATCH_DELAY`` seconds after the first one waiting, and what waits when the job ends.

    One timer at a time: a batch sent because it is full leaves the timer running, and the
    records that follow go when it fires (still at most ``BATCH_DELAY`` late), so a job that
    logs a lot starts a timer thread every ``BATCH_DELAY`` seconds, not one per batch.
    """

    def __init__(self, sink: Sink, formatter: logging.Formatter) -> None:
        super().__init__()
        self._sink = sink
        self.setFormatter(formatter)
        self._waiting: list[dict[str, Any]] = []
        self._kept: list[str] = []  # the records formatted, for the job's stderr
        self._timer: threading.Timer | None = None
        self._batch_lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        formatter = self.formatter or logging.Formatter()
        try:
            kept = formatter.format(record) + "\n"
            fields = record_fields(record, formatter)
        except Exception:
            self.handleError(record)
            return
        with self._batch_lock:
            self._waiting.append(fields)
            self._kept.append(kept)
            if len(self._waiting) >= BATCH:
                self._send_locked()
            elif self._timer is None:
                self._timer = threading.Timer(BATCH_DELAY, self._on_timer)
                self._timer.daemon = True
                self._timer.start()

    def _on_timer(self) -> None:
        with self._batch_lock:
            self._timer = None
            self._send_locked()

    def flush(self) -> None:
        with self._batch_lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._send_locked()

    def close(self) -> None:
        self.flush()
        super().close()

    def _send_locked(self) -> None:
        if self._waiting:
            batch, kept, self._waiting, self._kept = self._waiting, "".join(self._kept), [], []
            self._sink("log", (batch, kept))
