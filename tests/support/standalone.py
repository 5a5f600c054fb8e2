"""Helpers of the standalone end-to-end tests: the standalone mode, waiting on job statuses, a subscriber."""

from __future__ import annotations

import threading

import scenaria as tp
from scenaria import Config


def standalone(workers: int | None = 2) -> None:
    """Standalone mode with ``workers`` workers (None: the default), then start the orchestrator."""
    if workers is None:
        Config.configure_job_executions(mode="standalone")
    else:
        Config.configure_job_executions(mode="standalone", max_nb_of_workers=workers)
    tp.Orchestrator().run()


class StatusWatch:
    """A ``callbacks=`` entry that lets a test wait, without polling, for a job to reach a status."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str]] = []  # (job id, task config id, status name)
        self.threads: set[str] = set()
        self._changed = threading.Condition()

    def __call__(self, job) -> None:
        with self._changed:
            self.seen.append((job.id, job.task.config_id, job.status.name))
            self.threads.add(threading.current_thread().name)
            self._changed.notify_all()

    def wait_for(self, config_id: str, status: str, timeout: float = 20) -> None:
        with self._changed:
            reached = self._changed.wait_for(lambda: (config_id, status) in self.pairs(), timeout)
        assert reached, f"{config_id} never reached {status}: {self.seen}"

    def pairs(self) -> list[tuple[str, str]]:
        return [(config_id, status) for _, config_id, status in self.seen]

    def of(self, job_id: str) -> list[str]:
        return [status for seen_id, _, status in self.seen if seen_id == job_id]


SUBSCRIBED: list[tuple[str, str, str, str, str]] = []  # (tag, scenario id, task, status, thread name)


def subscriber(tag, scenario, job) -> None:
    """A scenario subscriber importable by name (subscribers are saved with the scenarios)."""
    SUBSCRIBED.append((tag, scenario.id, job.task.config_id, job.status.name, threading.current_thread().name))
