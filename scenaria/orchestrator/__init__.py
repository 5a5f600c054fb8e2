"""Job orchestration: the service users start, and the scheduler behind it."""

from __future__ import annotations

import logging
import warnings

from scenaria.orchestrator.service import Orchestrator

logger = logging.getLogger("scenaria")


class Core(Orchestrator):
    """Former name of ``Orchestrator``, kept for code written for older Taipy versions.

    It warns and logs with Taipy 4.1.1's words, so that output compared with Taipy's matches.
    """

    def __init__(self) -> None:
        warnings.warn("'Core' is deprecated. Use the 'Orchestrator' class instead.", DeprecationWarning, stacklevel=2)
        logger.warning(
            "The `Core` service is deprecated and replaced by the `Orchestrator` service. "
            "An `Orchestrator` instance has been instantiated instead."
        )
        super().__init__()


__all__ = ["Core", "Orchestrator"]
