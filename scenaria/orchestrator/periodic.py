"""A thread that does a round of work, sleeps, and does it again while an orchestrator lives.

What the schedules and the retention share: the thread sleeps on an Event between rounds, so it
costs nothing between them and ``stop()`` ends it at once; a failed round is logged and the next
one tries again.
"""

from __future__ import annotations

import logging
import threading

logger = logging.getLogger("scenaria")


class Periodic:
    """Subclasses say what a round does (``_round``) and how long to sleep after it (``_delay``)."""

    #: the thread's name and the word that starts its log records
    name = "periodic"

    def __init__(self) -> None:
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"scenaria-{self.name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _round(self) -> None:
        raise NotImplementedError

    def _delay(self) -> float | None:
        """Seconds to sleep before the next round; None: no round is due ever again."""
        raise NotImplementedError

    def _sleep(self, seconds: float) -> None:
        self._stopped.wait(seconds)

    def _loop(self) -> None:
        while not self._stopped.is_set():
            try:
                self._round()
            except Exception:  # a failed round is logged; the next one tries again
                logger.exception("%s: a round failed", self.name.capitalize())
            delay = self._delay()
            if delay is None:
                return
            self._sleep(delay)
