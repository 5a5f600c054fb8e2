"""Finding scenarios, tasks and data nodes by config id in SQLite through their id index.

Their ids carry their config id: ``SCENARIO_<config_id>_<uuid>``, ``TASK_...``, ``DATANODE_...``
(Taipy's shape, kept by scenaria). The ids of one config are then one range of the id index that
every table has anyway, so these tables need no index on ``config_id`` of their own. That index
cost the most of a scenario's creation: each new record went to the end of its config's part of
it, in the middle of the tree, so a scenario of four data nodes and three tasks wrote seven of its
pages and split them in the middle as they filled (dropping it made a creation ~15% cheaper).

A record whose id does not carry its config id (one saved with an id of its own) is found through
a small partial index that holds only such records (``other_ids_index``). A query by config id is
then two disjoint parts, ``UNION ALL``-ed (``split``): the id range, and those others.
"""

from __future__ import annotations

from typing import Any

from scenaria.store._sql import where_clause

#: kind -> the first part of its ids
PREFIXES: dict[str, str] = {"scenario": "SCENARIO", "task": "TASK", "data_node": "DATANODE"}
# one statement per config id of a list: SQLite allows 500 parts in a compound SELECT
_MOST_CONFIGS = 100


def _other_ids(kind: str) -> str:
    """The SQL condition of a record of ``kind`` whose id does not start with ``PREFIX_<config_id>_``
    (NULL, so false, without a config id). Queries repeat it word for word: SQLite uses a partial
    index only for a query whose ``WHERE`` holds its condition."""
    prefix = PREFIXES[kind]
    return f"substr(id, 1, length(config_id) + {len(prefix) + 2}) <> '{prefix}_' || config_id || '_'"


def other_ids_index(kind: str) -> str:
    """The partial index of the records of ``kind`` whose ids do not carry their config id."""
    return f'CREATE INDEX IF NOT EXISTS "{kind}_config_id_other" ON "{kind}" (config_id) WHERE {_other_ids(kind)}'


def index_names(kind: str) -> tuple[str, ...]:
    return (f"{kind}_config_id_other",) if kind in PREFIXES else ()


def _config_ids(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple, set, frozenset)) and all(isinstance(member, str) for member in value):
        members = sorted(set(value))
        return members if len(members) <= _MOST_CONFIGS else None
    return None


def _drives(value: Any) -> bool:
    """Whether a filter's value makes its column's index drive the query (``where_clause``'s rule)."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return None not in value
    return value is not None


def split(kind: str, where: dict[str, Any], indexes: tuple[str, ...]) -> list[tuple[str, list[Any]]] | None:
    """The ``WHERE`` clauses (with their parameters) whose rows, together, are those ``where``
    matches: for a query that goes by config id (no better filter on an indexed column of
    ``indexes`` beside it), two per config id; else the one clause of ``where_clause``. None when
    nothing can match."""
    configs = _config_ids(where.get("config_id")) if kind in PREFIXES else None
    if configs is None or any(_drives(where.get(field)) for field in indexes):
        clause = where_clause(where, indexes=indexes)
        return None if clause is None else [clause]
    clauses = []
    for config_id in configs:
        clause = where_clause({**where, "config_id": config_id}, indexes=())
        if clause is None:
            return None
        sql, params = clause
        start = f"{PREFIXES[kind]}_{config_id}_"
        # the ids that start with ``start``: '`' is the character after '_'
        clauses.append((f"{sql} AND id >= ? AND id < ?", [*params, start, f"{start[:-1]}`"]))
        clauses.append((f"{sql} AND {_other_ids(kind)}", params))
    return clauses
