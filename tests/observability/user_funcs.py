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


def many_records(count):
    logger = logging.getLogger("mypipe.bulk")
    for index in range(count):
        logger.warning("record %d", index)
    return count


def steps(count):
    """Reports its progress slowly enough for each report to pass the rate limit."""
    import scenaria

    for index in range(count + 1):
        scenaria.report_progress(index / count, f"step {index} of {count}")
        time.sleep(0.12)
    return count


def tight_progress(count):
    import scenaria

    for index in range(count):
        scenaria.report_progress(index / count)
    return count


def log_then_wait(path):
    """Log one record, then wait (at most 30 s) for the file ``path``: the test makes it once the record arrived."""
    from pathlib import Path

    logging.getLogger("mypipe").warning("still running")
    deadline = time.monotonic() + 30
    while not Path(path).exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return Path(path).exists()
