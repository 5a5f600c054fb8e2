"""Helpers of the data node tests: build a data node from a configure_* call; row classes."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

from scenaria import Config, Scope
from scenaria.api import create_global_data_node

_names = itertools.count()


def make_node(configure: str, **properties: Any) -> Any:
    """A GLOBAL data node from ``Config.configure_<configure>_data_node(id, **properties)``."""
    configure_fn = getattr(Config, f"configure_{configure}_data_node")
    return create_global_data_node(configure_fn(f"dn{next(_names)}", scope=Scope.GLOBAL, **properties))


@dataclasses.dataclass
class Person:
    name: str
    age: Any


class Point:
    """A row class with its own encode/decode (values arrive as the file gives them)."""

    def __init__(self, x: int, y: int) -> None:
        self.x, self.y = x, y

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)

    def __hash__(self) -> int:
        return hash((self.x, self.y))

    def encode(self) -> dict[str, int]:
        return {"x": self.x, "y": self.y}

    @classmethod
    def decode(cls, row: dict[str, Any]) -> Point:
        return cls(int(row["x"]), int(row["y"]))


class NeedsThree:
    """A class no two-column row can build."""

    def __init__(self, a: Any, b: Any, c: Any) -> None:
        self.a, self.b, self.c = a, b, c
