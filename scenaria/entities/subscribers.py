"""Subscribers of scenarios and sequences: callbacks called on every status change of their jobs."""

from __future__ import annotations

import dataclasses
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
