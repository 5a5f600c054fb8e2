"""The one run path: how every dispatcher turns a runnable into what became of it.

``execute`` runs a runnable with ``sys.stdout`` and ``sys.stderr`` set to the job's own streams
and a logging handler on the root logger that formats the records the job emits (``LOG_FORMAT``)
onto the job's stderr or, in another process than the orchestrator's, sends them to it as
records (``jobside``); it times the run and keeps the exception with its formatted traceback
(the user's frames only: ``tracebacks``). The
development dispatcher calls it in the caller's thread, a standalone worker process and a Dask
worker call it where they run, so a job prints, logs and fails the same way in every mode.

The exception policy is the same everywhere: whatever ``run()`` raises, ``SystemExit`` and
``KeyboardInterrupt`` included, fails that job only and never the thread or process running it.

Where a run's end must travel back to the orchestrator (standalone, dask), ``pack`` turns it into
a message of plain builtins and bytes, and ``unpack`` turns that message into ``Outcome`` fields.
Result and exception travel as nested pickles: one that cannot be pickled where it ran, or
unpickled where it arrives, fails its own job with a clear reason, never the channel.
"""

from __future__ import annotations

import logging
import pickle
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

from scenaria.dispatch import wire
from scenaria.dispatch.base import Ending, Runnable
from scenaria.dispatch.jobside import SendingHandler, Sink, close_side, open_side
from scenaria.dispatch.tracebacks import format_user
from scenaria.exceptions import ResultNotPicklable

LOG_FORMAT = "[%(asctime)s][%(name)s][%(levelname)s] %(message)s"


class _JobFormatter(logging.Formatter):
    """``LOG_FORMAT``, its date formatted once per second: jobs that log a lot pay less for it.

    ``format`` builds the line directly (the same text and record attributes as
    ``logging.Formatter(LOG_FORMAT)``): a third of the cost of a record a job sends.
    """

    _stamp: tuple[int, str] = (-1, "")

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        record.asctime = self.formatTime(record)
        text = f"[{record.asctime}][{record.name}][{record.levelname}] {record.message}"
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            text = f"{text}\n{record.exc_text}" if text[-1:] != "\n" else text + record.exc_text
        if record.stack_info:
            text = (text if text[-1:] == "\n" else text + "\n") + self.formatStack(record.stack_info)
        return text

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        second = int(record.created)
        stamp = self._stamp
        if stamp[0] != second:
            stamp = self._stamp = (second, time.strftime("%Y-%m-%d %H:%M:%S", self.converter(record.created)))
        return f"{stamp[1]},{int(record.msecs):03d}"


LOG_FORMATTER = _JobFormatter(LOG_FORMAT)


class Stream(Protocol):
    """What a job's ``sys.stdout``/``sys.stderr`` must do: a text stream's writing half."""

    def write(self, text: str, /) -> int: ...

    def flush(self) -> None: ...


@dataclass
class Ran:
    """What ``execute`` saw of one run: its value or its exception, and when it ran."""

    result: Any
    error: BaseException | None
    traceback: str  # formatted, empty when it returned
    started_at: float
    finished_at: float


def execute(
    runnable: Runnable,
    stdout: Stream,
    stderr: Stream,
    records: Stream | None = None,
    send: Sink | None = None,
    ship_records: bool = True,
) -> Ran:
    """Run ``runnable`` with its output on ``stdout``/``stderr``; never raises what the run raises.

    Its log records are formatted onto ``records`` (default: ``stderr`` when nothing is sent),
    and, with ``send`` and ``ship_records``, sent as plain data for the orchestrator's logging
    (see ``jobside``); its progress reports go to ``send``.
    """
    root = logging.getLogger()
    handlers: list[logging.Handler] = []
    if send is not None and ship_records:
        handlers.append(SendingHandler(send, LOG_FORMATTER))
    formatting = None
    if records is not None or not handlers:
        formatting = _stream_handler(stderr if records is None else records)
        handlers.append(formatting)
    for handler in handlers:
        root.addHandler(handler)
    side = open_side(send)
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = stdout, stderr  # type: ignore[assignment]
    started = time.time()
    try:
        result = runnable.run()
    except BaseException as exc:  # SystemExit and KeyboardInterrupt in a job fail the job only
        return Ran(None, exc, format_user(exc), started, time.time())
    finally:
        sys.stdout, sys.stderr = saved
        for handler in handlers:
            root.removeHandler(handler)
            handler.flush()  # records still waiting go before the run's end
        if formatting is not None:
            formatting.stream = None
            _idle.handler = formatting
        close_side(side)
    return Ran(result, None, "", started, time.time())


_idle = threading.local()  # this thread's formatting handler, between two runs


def _stream_handler(stream: Stream) -> logging.StreamHandler[Any]:
    """A handler formatting records onto ``stream``: this thread's idle one when there is one.

    Making a handler takes a lock and registers it with ``logging`` (a tenth of what the
    development dispatcher spends on a trivial job), so each thread keeps one to reuse; a run
    inside a run (rare) makes its own."""
    handler: logging.StreamHandler[Any] | None = getattr(_idle, "handler", None)
    if handler is None:
        handler = logging.StreamHandler(stream)
        handler.setFormatter(LOG_FORMATTER)
    else:
        _idle.handler = None
        handler.stream = stream
    return handler


class Unpickled:
    """A pickled runnable, unpickled inside the run: a failure to unpickle fails the job only."""

    def __init__(self, payload: bytes) -> None:
        self._payload = payload

    def run(self) -> Any:
        return pickle.loads(self._payload).run()


def pack(ran: Ran) -> tuple[Any, ...]:
    """The DONE or FAILED message (see ``wire``) that carries ``ran`` to another process."""
    if ran.error is not None:
        return _failure(ran.error, ran.started_at, ran.finished_at, ran.traceback)
    import cloudpickle  # loaded already where runs travel (worker, Dask); dev mode never packs

    from scenaria.dispatch.pickling import fast_dumps

    try:
        data = fast_dumps(ran.result) or cloudpickle.dumps(ran.result, protocol=wire.PROTOCOL)
    except Exception as exc:
        kind = f"{type(ran.result).__module__}.{type(ran.result).__qualname__}"
        error = ResultNotPicklable(
            f"the job's result, of type {kind}, cannot be pickled to go back to the orchestrator "
            f"({type(exc).__name__}: {exc}); return plain data, or write it to an output data node"
        )
        trace = format_user(exc) + str(error)
        return _failure(error, ran.started_at, ran.finished_at, trace)
    return (wire.DONE, ran.started_at, ran.finished_at, data)


def _failure(exc: BaseException, started: float, finished: float, trace: str) -> tuple[Any, ...]:
    import cloudpickle

    kind = type(exc).__qualname__
    if type(exc).__module__ != "builtins":
        kind = f"{type(exc).__module__}.{kind}"
    try:
        text = str(exc)
    except Exception:  # a broken __str__ must not lose the failure
        text = f"<unprintable {kind}>"
    try:
        data = cloudpickle.dumps(exc, protocol=wire.PROTOCOL)
        pickle.loads(data)  # one that pickles but cannot be rebuilt would fail in the orchestrator
    except Exception:
        data = wire.dumps(wire.RemoteError(f"{kind}: {text}", kind))
    return (wire.FAILED, started, finished, data, trace, kind, text)


def unpack(job_id: str, message: tuple[Any, ...]) -> dict[str, Any]:
    """The ``Outcome`` fields (ending, result or error, traceback, timings) a packed run carries."""
    if message[0] == wire.DONE:
        _, started, finished, data = message
        try:
            result = wire.loads(data)
        except Exception as exc:
            unloadable = ResultNotPicklable(
                f"The result of job {job_id} cannot be unpickled in the orchestrator "
                f"({type(exc).__name__}: {exc}); return plain data, or write it to an output data node."
            )
            return {"ending": Ending.FAILED, "error": unloadable, "traceback": str(unloadable),
                    "started_at": started, "finished_at": finished}  # fmt: skip
        return {"ending": Ending.COMPLETED, "result": result, "started_at": started, "finished_at": finished}
    _, started, finished, data, trace, kind, text = message
    try:
        error = wire.loads(data)
    except Exception:
        error = wire.RemoteError(f"{kind}: {text}", kind)
    if isinstance(error, BaseException):
        error.__cause__ = wire.RemoteTraceback(trace)
    return {"ending": Ending.FAILED, "error": error, "traceback": trace, "started_at": started,
            "finished_at": finished}  # fmt: skip
