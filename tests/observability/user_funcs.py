"""Task functions imported by reference (the worker imports this module)."""

from __future__ import annotations

import logging
import time


def boom(value):
    raise ValueError(f"cannot use {value}")  # the line the tracebacks must show


def chatty_then_sleep(value):
    print("before the kill", flush=True)
    time.sleep(60)
    return value


def log_some(value):
    """Emits records the orchestrator's handlers must receive, with their fields."""
    logger = logging.getLogger("mypipe")
    logger.info("starting with %s", value)
    logger.warning("careful", extra={"rows": 3})
    try:
        raise RuntimeError("inner problem")
    except RuntimeError:
        logger.exception("caught it")
    print("printed line")
    return value
