"""Pages of stored entities for the REST lists and the dashboard: one code path, paged by the store.

``stored`` gives a page in creation order (the REST lists), ``newest`` one counted from the
newest (the dashboard's jobs and submissions). Filters on indexed fields go to the store, which
reads and builds only the page; ``keep`` tests what it does not index, on the entities the
indexed filters kept (read whole, then paged here).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from scenaria.entities.registry import registry

__all__ = ["Found", "UnknownStatus", "newest", "status_name", "stored", "unindexed"]

Found = tuple[int, list[Any]]  # (how many match, the page asked for)
Keep = Callable[[Any], bool] | None


def _given(where: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in where.items() if value is not None}


def stored(cls: Any, offset: int, limit: int, keep: Keep = None, **where: Any) -> Found:
    """One page of the entities of ``cls`` whose indexed fields match ``where`` (None: any), oldest first."""
    where = _given(where)
    if keep is None:
        return registry().count(cls, **where), registry().find(cls, limit=limit, offset=offset, **where)
    kept = [item for item in registry().find(cls, **where) if keep(item)]
    return len(kept), kept[offset : offset + limit]


def newest(cls: Any, offset: int, limit: int, keep: Keep = None, **where: Any) -> Found:
    """One page counted from the newest: the ``offset``-th newest match first."""
    where = _given(where)
    if keep is None:
        total = registry().count(cls, **where)
        stop = max(0, total - offset)
        start = max(0, stop - limit)
        page = registry().find(cls, limit=stop - start, offset=start, **where) if stop else []
    else:
        kept = [item for item in registry().find(cls, **where) if keep(item)]
        total = len(kept)
        stop = max(0, total - offset)
        page = kept[max(0, stop - limit) : stop]
    return total, page[::-1]


def unindexed(**wanted: tuple[Callable[[Any], Any], Any]) -> Keep:
    """The test of ``name=(get, value)`` pairs (``get(item) == value``), ignoring those whose value is None."""
    tests = [(get, value) for get, value in wanted.values() if value is not None]
    if not tests:
        return None
    return lambda item: all(get(item) == value for get, value in tests)


class UnknownStatus(ValueError):
    """A status filter that names no status: a typo (``FAILD``) would otherwise match nothing and
    look like an empty list. The REST lists answer 422, the dashboard shows the message."""


def status_name(statuses: type[enum.Enum], value: str | None) -> str | None:
    """The status name a ``status`` filter asks for (any case), or None for no filter."""
    if not value:
        return None
    names = [status.name for status in statuses]
    if value.upper() not in names:
        raise UnknownStatus(f"status {value!r} is not a status; the statuses are {', '.join(names)}")
    return value.upper()
