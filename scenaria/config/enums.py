"""The two enums a configuration uses: how far a data node is shared, and how often a cycle recurs."""

from __future__ import annotations

import enum
import functools


@functools.total_ordering
class Scope(enum.Enum):
    """How widely a data node is shared: one scenario, all scenarios of a cycle, or everyone.

    Ordered: ``SCENARIO < CYCLE < GLOBAL``.
    """

    SCENARIO = 1
    CYCLE = 2
    GLOBAL = 3

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Scope):
            return NotImplemented
        return self.value < other.value


class Frequency(enum.Enum):
    """How often the cycles of a scenario config recur."""

    DAILY = 1
    WEEKLY = 2
    MONTHLY = 3
    QUARTERLY = 4
    YEARLY = 5
