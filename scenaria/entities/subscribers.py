"""Subscribers of scenarios and sequences: callbacks called on every status change of their jobs."""

from __future__ import annotations

import dataclasses
import weakref
from typing import Any

from scenaria.entities import codec


@dataclasses.dataclass(frozen=True)
class Subscriber:
    """A callback called on every status change of the jobs of an entity, with its extra params."""

    callback: Any
    params: list[Any]


def decode_subscribers(raw: list[dict[str, Any]]) -> list[Subscriber]:
    return [
        Subscriber(item["callback"], list(item.get("params") or []))
        for item in raw or []
        if item.get("callback") is not None
    ]


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
        live = [(item["callback"], item["params"]) for item in codec.decode(raw) if item["callback"] is not None]
        _GLOBAL[registry] = live
    return list(live)


def set_global_subscribers(registry: Any, subscribers: list[tuple[Any, list[Any]]]) -> None:
    """Replace the subscribers of every scenario, in this process and in the store."""
    _GLOBAL[registry] = list(subscribers)
    raw = [codec.encode_live({"callback": c, "params": p}) for c, p in subscribers]
    registry.repository.set_meta("scenario_subscribers", raw or None)
