"""A cycle: the period (day, week, month, quarter, year) a scenario belongs to."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import weakref
from typing import Any, ClassVar

from scenaria.config.enums import Frequency
from scenaria.entities.base import ANY, DATETIME, Entity, enum_codec, field, ordered_uuid


def period(frequency: Frequency, when: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The (start, end) of the cycle of ``frequency`` that contains ``when``.

    The end is one microsecond before the next cycle starts. Quarters start on January, April,
    July and October 1st (the reference gets them wrong: every day is its own quarter there).
    """
    day = dt.datetime(when.year, when.month, when.day)
    if frequency is Frequency.DAILY:
        start, following = day, day + dt.timedelta(days=1)
    elif frequency is Frequency.WEEKLY:
        start = day - dt.timedelta(days=day.weekday())
        following = start + dt.timedelta(days=7)
    elif frequency is Frequency.MONTHLY:
        start = day.replace(day=1)
        following = _add_months(start, 1)
    elif frequency is Frequency.QUARTERLY:
        start = day.replace(day=1, month=3 * ((day.month - 1) // 3) + 1)
        following = _add_months(start, 3)
    else:
        start = day.replace(day=1, month=1)
        following = start.replace(year=start.year + 1)
    return start, following - dt.timedelta(microseconds=1)


def _add_months(start: dt.datetime, months: int) -> dt.datetime:
    month = start.month - 1 + months
    return start.replace(year=start.year + month // 12, month=month % 12 + 1)


def default_name(frequency: Frequency, start: dt.datetime) -> str:
    if frequency is Frequency.DAILY:
        return start.strftime("%A, %d. %B %Y")
    if frequency is Frequency.WEEKLY:
        return start.strftime("Week %W %Y, from %d. %B")
    if frequency is Frequency.MONTHLY:
        return start.strftime("%B %Y")
    if frequency is Frequency.QUARTERLY:
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    return start.strftime("%Y")


@dataclasses.dataclass(eq=False, repr=False)
class Cycle(Entity):
    """A period shared by the scenarios created in it; each cycle has one primary scenario."""

    _KIND: ClassVar[str] = "cycle"
    _ID_PREFIX: ClassVar[str] = "CYCLE"
    _EVENT_TYPE: ClassVar[str] = "CYCLE"

    id: str
    _frequency: Frequency = field(Frequency.DAILY, codec=enum_codec(Frequency))
    _properties: dict[str, Any] = field(default_factory=dict, codec=ANY)
    _creation_date: dt.datetime | None = field(None, codec=DATETIME)
    _start_date: dt.datetime | None = field(None, codec=DATETIME)
    _end_date: dt.datetime | None = field(None, codec=DATETIME)
    _name: str = ""

    @staticmethod
    def new_id(name: str) -> str:
        return f"CYCLE_{re.sub(r'[^0-9A-Za-z]+', '_', name).strip('_')}_{ordered_uuid()}"

    @property
    def frequency(self) -> Frequency:
        return self._frequency

    @property
    def start_date(self) -> dt.datetime | None:
        return self._start_date

    @property
    def end_date(self) -> dt.datetime | None:
        return self._end_date

    @property
    def name(self) -> str:  # type: ignore[override]
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self._name = value
        self._changed("name", value)


def cycle_and_primary(
    registry: Any, frequency: Frequency, creation_date: dt.datetime, created: list[Any]
) -> tuple[Cycle, bool]:
    """The cycle of ``frequency`` holding ``creation_date``, and whether a scenario created in it
    now is its primary one (the first of the cycle), for the creating code's transaction.

    Call it inside the registry transaction that saves the new scenario: finding or creating the
    cycle and counting its scenarios happen under the store's lock on the period
    (``Repository.lock_meta``), held until that transaction commits, so that of several threads or
    processes creating scenarios of one period at once, exactly one creates the cycle and exactly
    one scenario is primary. A new cycle is added to ``created`` for its CREATION event.
    """
    start, end = period(frequency, creation_date)
    registry.repository.lock_meta(f"cycle:{frequency.name}:{start.isoformat()}")
    cycle = _existing_cycle(registry, frequency, start)
    if cycle is not None:
        return cycle, registry.repository.count("scenario", owner_id=cycle.id) == 0
    name = default_name(frequency, start)
    cycle = Cycle(
        id=Cycle.new_id(name),
        _frequency=frequency,
        _creation_date=creation_date,
        _start_date=start,
        _end_date=end,
        _name=name,
    )
    registry.add(cycle)
    _known.setdefault(registry, {})[frequency, start] = cycle.id
    created.append(cycle)
    return cycle, True


# registry -> (frequency, start) -> the id of that period's cycle, as last found: checked in the
# store before use (another process may have deleted it), so that creating a scenario does not read
# every cycle of the store
_known: weakref.WeakKeyDictionary[Any, dict[tuple[Frequency, dt.datetime], str]] = weakref.WeakKeyDictionary()


def _existing_cycle(registry: Any, frequency: Frequency, start: dt.datetime) -> Cycle | None:
    known = _known.setdefault(registry, {})
    cycle_id = known.get((frequency, start))
    if cycle_id is not None:
        cycle = registry.get(cycle_id)
        if cycle is not None:
            return cycle  # type: ignore[no-any-return]
    for cycle in registry.find(Cycle):
        if cycle.frequency is frequency and cycle.start_date == start:
            known[frequency, start] = cycle.id
            return cycle  # type: ignore[no-any-return]
    return None
