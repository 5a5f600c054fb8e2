"""Calling user callbacks: on their own thread, so a slow callback never stalls dispatch.

In development mode callbacks are called in the caller's thread instead, before ``submit``
returns, as the jobs themselves are.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable
from typing import Any

logger = logging.getLogger("scenaria")

_STOP = object()


class CallbackRunner:
    """Calls callbacks in the order they are given, inline or on one daemon thread."""

    def tell(
        self,
        job: Any,
        status: Any,
        submission: Any,
        submission_status: Any,
        callbacks: Iterable[Callable[..., Any]],
        view: Any,
    ) -> None:
        """Publish a job's new ``status`` (and ``submission_status``, when its submission's changed)
        and call its ``callbacks`` with ``view`` (the job, or a copy of it as it was then)."""
        job._publish("UPDATE", "status", status)
        if submission is not None and submission_status is not None:
            submission._publish("UPDATE", "submission_status", submission_status)
        for callback in callbacks:
            self.call(callback, view)

    def __init__(self, inline: bool) -> None:
        self._inline = inline
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        if not inline:
            self._thread = threading.Thread(target=self._loop, name="scenaria-callbacks", daemon=True)
            self._thread.start()

    def call(self, function: Callable[..., Any], *args: Any) -> None:
        if self._inline:
            _safely(function, args)
        else:
            self._queue.put((function, args))

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            _safely(*item)

    def stop(self, timeout: float | None = None) -> None:
        """Call what is queued, then end the thread."""
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(timeout)
            self._thread = None


def _safely(function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        function(*args)
    except Exception:
        logger.exception(
            "A job callback (%s) raised; the orchestration goes on.", getattr(function, "__qualname__", function)
        )
