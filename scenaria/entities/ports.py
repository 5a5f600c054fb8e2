"""The port through which entities reach the running orchestrator, which sits above them.

Two changes made on entities concern the jobs of the orchestrator: unlocking a data node may let
blocked jobs start, and deleting a job that has not finished must cancel it first. The entities
cannot import the orchestrator (it builds on them), so the orchestrator installs itself here when
it starts and removes itself when it stops. With none installed, nothing waits or runs, and the
calls do nothing.
"""

from __future__ import annotations

from typing import Any, Protocol


class Orchestration(Protocol):
    """What the entities ask of the running orchestrator (its scheduler implements it)."""

    def data_node_released(self, dn_id: str) -> None:
        """A data node was unlocked: start the jobs that waited only for it."""

    def cancel(self, job: Any, by: str = ...) -> None:
        """Cancel a job that has not finished (a running one has its process killed); ``by`` says who."""


_installed: Orchestration | None = None


def install(orchestration: Orchestration | None) -> None:
    """Called by the orchestrator when it starts (with itself) and when it stops (with None)."""
    global _installed
    _installed = orchestration


def installed() -> Orchestration | None:
    return _installed


def data_node_released(dn_id: str) -> None:
    """Tell the running orchestrator, if any, that a data node was unlocked."""
    orchestration = _installed
    if orchestration is not None:
        orchestration.data_node_released(dn_id)


def cancel(job: Any, by: str = "cancel_job()") -> None:
    """Have the running orchestrator, if any, cancel a job that has not finished; ``by`` says who."""
    orchestration = _installed
    if orchestration is not None:
        orchestration.cancel(job, by)
