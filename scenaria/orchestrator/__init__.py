"""Job orchestration: the service users start, and the scheduler behind it."""

from __future__ import annotations

import warnings

from scenaria.orchestrator.service import Orchestrator


class Core(Orchestrator):
    """Former name of ``Orchestrator``, kept for code written for older Taipy versions."""

    def __init__(self) -> None:
        warnings.warn("Core is deprecated: use Orchestrator.", DeprecationWarning, stacklevel=2)
        super().__init__()


__all__ = ["Core", "Orchestrator"]
