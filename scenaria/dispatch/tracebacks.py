"""A job's traceback as its user needs it: their own frames, with file, line and source.

Two things stand between a user and the frame that failed:

- scenaria's own frames (the run path, the worker loop, the task runner) come first in every
  traceback of a job; ``format_user`` leaves them out, in the exception and in its causes;
- a function sent by value (of ``__main__``, a notebook cell, a closure) travels as a code object
  that cloudpickle renames ``<dynamic-code>``, so the worker's traceback had no file and no
  source line. ``dumps`` pickles code objects with their real ``co_filename`` and the source
  lines of their file (from ``linecache``, which also knows notebook cells); ``_code`` registers
  those lines in the worker's ``linecache`` when the code is rebuilt, so tracebacks there show
  them even when the file does not exist on that machine.
"""

from __future__ import annotations

import io
import linecache
import os
import traceback
import types
from typing import Any

_OWN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # the scenaria package


def _is_own(filename: str) -> bool:
    return os.path.abspath(filename).startswith(_OWN_DIR) if not filename.startswith("<") else False


def format_user(exc: BaseException) -> str:
    """``exc`` formatted as ``traceback.format_exception`` does, without scenaria's frames.

    When every frame of an exception is scenaria's (a data node that failed to read, say), its
    innermost frame is kept, so the traceback still says where it was raised.
    """
    summary = traceback.TracebackException.from_exception(exc)
    _prune(summary, set())
    return "".join(summary.format())


def _prune(summary: traceback.TracebackException, seen: set[int]) -> None:
    if id(summary) in seen:
        return
    seen.add(id(summary))
    frames = [frame for frame in summary.stack if not _is_own(frame.filename)]
    if not frames and summary.stack:
        frames = [summary.stack[-1]]
    summary.stack = traceback.StackSummary.from_list(frames)
    for chained in (summary.__cause__, summary.__context__):
        if chained is not None:
            _prune(chained, seen)


def dumps(obj: Any, protocol: int) -> bytes:
    """cloudpickle ``obj``, code objects keeping their file name and shipping its source lines."""
    buffer = io.BytesIO()
    _SourcePickler(buffer, protocol=protocol).dump(obj)
    return buffer.getvalue()


def _reduce_code(code: types.CodeType) -> tuple[Any, ...]:
    from cloudpickle import cloudpickle as implementation

    rebuild, args = implementation._code_reduce(code)
    args = tuple(code.co_filename if arg == "<dynamic-code>" else arg for arg in args)
    return _code, (rebuild, args, code.co_filename, linecache.getlines(code.co_filename))


def _code(rebuild: Any, args: tuple[Any, ...], filename: str, lines: list[str]) -> types.CodeType:
    """Rebuild a code object in the worker, with the source of its file known to ``linecache``."""
    if lines and filename not in linecache.cache:
        linecache.cache[filename] = (sum(map(len, lines)), None, lines, filename)  # no mtime: never stale
    code: types.CodeType = rebuild(*args)
    return code


def _pickler_class() -> type:
    import collections

    import cloudpickle

    class SourcePickler(cloudpickle.Pickler):  # type: ignore[misc,name-defined]
        dispatch_table = collections.ChainMap({types.CodeType: _reduce_code}, cloudpickle.Pickler.dispatch_table)

    return SourcePickler


class _LazyPickler:
    """Builds the pickler class on first use, so that importing this module imports no cloudpickle."""

    cls: type | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.cls is None:
            self.cls = _pickler_class()
        return self.cls(*args, **kwargs)


_SourcePickler = _LazyPickler()
