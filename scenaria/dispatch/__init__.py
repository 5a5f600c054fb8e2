"""Dispatchers: the contract (``base``) and one module per way of running jobs.

``MODES`` is the one table of job execution modes: a mode's name and the class of its dispatcher,
as ``"module:Class"`` imported when first asked for, so that importing this package imports no
dispatcher (and no Dask).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from scenaria.exceptions import ModeNotAvailable

if TYPE_CHECKING:
    from scenaria.dispatch.base import Dispatcher

MODES: dict[str, str] = {
    "development": "scenaria.dispatch.development:DevelopmentDispatcher",
    "standalone": "scenaria.dispatch.standalone:StandaloneDispatcher",
    "dask": "scenaria.dispatch.dask:DaskDispatcher",
}


def dispatcher_class(mode: str) -> type[Dispatcher]:
    """The dispatcher class of job execution mode ``mode``, or ``ModeNotAvailable``."""
    target = MODES.get(mode) if isinstance(mode, str) else None
    if target is None:
        accepted = ", ".join(repr(name) for name in MODES)
        raise ModeNotAvailable(
            f"Job execution mode {mode!r} does not exist; use {accepted} in Config.configure_job_executions(mode=...)."
        )
    module, name = target.split(":")
    cls: type[Dispatcher] = getattr(importlib.import_module(module), name)
    return cls
