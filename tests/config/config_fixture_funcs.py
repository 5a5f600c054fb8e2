"""Functions and classes named by the configuration fixtures (``tests.config.config_fixture_funcs.<name>``)."""

from __future__ import annotations

import json
from typing import Any


def double(nb: int) -> int:
    return nb * 2


def add(nb: int) -> int:
    return nb + 10


def compare_fn(*data: Any) -> tuple[Any, ...]:
    return data


def read_data(path: str, *args: Any) -> Any:
    return path


def write_data(path: str, data: Any, *args: Any) -> None:
    return None


class MyEncoder(json.JSONEncoder):
    pass


class MyDecoder(json.JSONDecoder):
    pass


class Outer:
    class Inner:
        pass
