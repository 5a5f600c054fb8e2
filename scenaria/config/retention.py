"""The retention setting: how long a live orchestrator keeps finished submissions and their jobs.

Free properties of ``[CORE]`` (``Config.configure_core(retention_older_than="7d", ...)``)::

    retention_older_than = "7d"   prune finished submissions older than this (90s, 15m, 2h, 7d, 1w)
    retention_keep = 1000         and/or keep only the newest N submissions
    retention_period = "1h"       how often the orchestrator prunes (default 1h)

``Config.check()`` refuses a value it cannot read, with the accepted forms.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any, NamedTuple

from scenaria.config.check_base import Report, register_check
from scenaria.config.issues import IssueCollector
from scenaria.config.layer import ConfigLayer

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
DEFAULT_PERIOD = dt.timedelta(hours=1)


def parse_age(value: Any) -> dt.timedelta | None:
    """``"90s"``, ``"15m"``, ``"2h"``, ``"7d"``, ``"1w"`` (or a timedelta) as a timedelta; None otherwise."""
    if isinstance(value, dt.timedelta):
        return value if value > dt.timedelta(0) else None
    match = _AGE.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    age = dt.timedelta(**{_UNITS[match.group(2)]: float(match.group(1))})
    return age if age > dt.timedelta(0) else None


class Retention(NamedTuple):  # a named tuple: quicker to define at import than a dataclass
    """What a CORE section's retention settings mean, as read once."""

    older_than: dt.timedelta | None
    keep: int | None
    period: dt.timedelta


def retention(core: Any) -> Retention | None:
    """The retention a CORE section asks for (None when it asks for none); values as checked."""
    older_than = parse_age(core.retention_older_than)
    keep = core.retention_keep
    if older_than is None and keep is None:
        return None
    period = parse_age(core.retention_period) or DEFAULT_PERIOD
    return Retention(older_than, int(keep) if keep is not None else None, period)


@register_check
def check_retention(layer: ConfigLayer, collector: IssueCollector) -> None:
    core = layer.unique.get("CORE")
    if core is None:
        return
    report = Report(collector, core, "retention")
    for key in ("retention_older_than", "retention_period"):
        ok, value = report.read(key, functools.partial(getattr, core, key))
        if ok and value is not None and parse_age(value) is None:
            report.error(key, value, "An age is a positive number and a unit: 90s, 15m, 2h, 7d or 1w.")
    ok, keep = report.read("retention_keep", lambda: core.retention_keep)
    if ok and keep is not None and (isinstance(keep, bool) or not isinstance(keep, int) or keep < 0):
        report.error("retention_keep", keep, "retention_keep is how many submissions to keep: an int, 0 or more.")
