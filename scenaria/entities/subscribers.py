"""Subscribers of scenarios and sequences: callbacks called on every status change of their jobs."""

from __future__ import annotations

import dataclasses
import logging
import weakref
from typing import Any

from scenaria.entities import codec, values
from scenaria.exceptions import ScenariaError

logger = logging.getLogger("scenaria")


@dataclasses.dataclass(frozen=True)
class Subscriber:
    """A callback called on every status change of the jobs of an entity, with its extra params."""

    callback: Any
    params: list[Any]


def decode_subscribers(raw: list[dict[str, Any]]) -> list[Subscriber]:
    return [
        Subscriber(item["callback"], list(item.get("params") or []))
        for item in loaded_subscribers(raw or [])
        if item.get("callback") is not None
    ]


def loaded_subscribers(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``items`` (as read from a record) with their callbacks and params loaded, in place: read
    from the store they are placeholders (``values``), loaded when first used. One that cannot be
    loaded (its file is missing, an inline pickle) is dropped with a warning, as a callback that
    only its own process could hold is."""
    kept = []
    for item in items:
        if not values.has_stored(item):
            kept.append(item)
            continue
        try:
            item.update(values.loaded(dict(item)))
        except (ScenariaError, ImportError, AttributeError) as exc:
            logger.warning("A stored subscriber cannot be loaded, so it is not called: %s", exc)
            continue
        kept.append(item)
    items[:] = kept
    return items


def store_subscribers(items: list[dict[str, Any]]) -> list[Any]:
    """Subscribers as stored: each callback by reference or value, or (when it will not pickle)
    by name only; another process then skips it, while this one keeps calling it."""
    return [codec.encode_live(item) for item in items]


def load_subscribers(raw: list[Any]) -> list[dict[str, Any]]:
    return [item for item in codec.decode(raw) if item.get("callback") is not None]


# Subscribers of every scenario, per registry: this process's own live list, first read from the store.
_GLOBAL: weakref.WeakKeyDictionary[Any, list[tuple[Any, list[Any]]]] = weakref.WeakKeyDictionary()


def global_subscribers(registry: Any) -> list[tuple[Any, list[Any]]]:
    """The ``(callback, params)`` subscribed to every scenario, those created later included."""
    live = _GLOBAL.get(registry)
    if live is None:
        raw = registry.repository.get_meta("scenario_subscribers") or []
        live = [
            (item["callback"], item["params"])
            for item in loaded_subscribers(codec.decode(raw))
            if item["callback"] is not None
        ]
        _GLOBAL[registry] = live
    return list(live)


def set_global_subscribers(registry: Any, subscribers: list[tuple[Any, list[Any]]]) -> None:
    """Replace the subscribers of every scenario, in this process and in the store."""
    _GLOBAL[registry] = list(subscribers)
    raw = [codec.encode_live({"callback": c, "params": p}) for c, p in subscribers]
    registry.repository.set_meta("scenario_subscribers", raw or None)
