"""Data stored in a JSON file, with optional encoder and decoder classes.

The default encoder writes what plain JSON cannot hold as ``{"__type__": ..., "__value__": ...}``
objects (the layout Taipy writes, so files move both ways): enum members, dates and datetimes,
dataclass instances. The default decoder turns them back into Python objects.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import importlib
import json
from typing import Any, ClassVar

from scenaria.data.file import FileDataNode
from scenaria.exceptions import DataNodeReadingError, DataNodeWritingError


class DefaultJSONEncoder(json.JSONEncoder):
    """Writes enum members, dates and dataclasses as tagged objects the default decoder reads back."""

    def default(self, o: Any) -> Any:
        if isinstance(o, enum.Enum):
            kind = type(o)
            return {"__type__": f"Enum-{kind.__module__}-{kind.__qualname__}-{o.name}", "__value__": o.value}
        if isinstance(o, (dt.datetime, dt.date)):
            return {"__type__": "Datetime", "__value__": o.isoformat()}
        if dataclasses.is_dataclass(o) and not isinstance(o, type):
            cls = type(o)
            return {"__type__": f"dataclass-{cls.__module__}-{cls.__qualname__}", "__value__": dataclasses.asdict(o)}
        return super().default(o)


class DefaultJSONDecoder(json.JSONDecoder):
    """Reads back what ``DefaultJSONEncoder`` tagged; leaves other objects as dicts."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("object_hook", _untag)
        super().__init__(*args, **kwargs)


def _untag(source: dict[str, Any]) -> Any:
    tag = source.get("__type__")
    if not isinstance(tag, str) or "__value__" not in source:
        return source
    value = source["__value__"]
    if tag == "Datetime":
        return dt.datetime.fromisoformat(value)
    if tag.startswith("Enum-"):
        _, module, qualname, name = tag.split("-", 3)
        return _locate(module, qualname)[name]
    if tag.startswith("dataclass-"):
        _, module, qualname = tag.split("-", 2)
        return _locate(module, qualname)(**value)
    return source


def _locate(module: str, qualname: str) -> Any:
    target: Any = importlib.import_module(module)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


class JSONDataNode(FileDataNode):
    """Properties: ``encoding`` ("utf-8"), ``encoder`` and ``decoder`` (``json.JSONEncoder`` and
    ``json.JSONDecoder`` subclasses; the defaults handle enums, datetimes and dataclasses)."""

    _STORAGE_TYPE: ClassVar[str] = "json"
    _EXTENSION: ClassVar[str] = "json"

    @property
    def _encoding(self) -> str:
        return self._properties.get("encoding") or "utf-8"

    @property
    def encoder(self) -> type[json.JSONEncoder]:
        return self._properties.get("encoder") or DefaultJSONEncoder

    @encoder.setter
    def encoder(self, value: type[json.JSONEncoder]) -> None:
        self._properties["encoder"] = value

    @property
    def decoder(self) -> type[json.JSONDecoder]:
        return self._properties.get("decoder") or DefaultJSONDecoder

    @decoder.setter
    def decoder(self, value: type[json.JSONDecoder]) -> None:
        self._properties["decoder"] = value

    def _read(self) -> Any:
        with self._open("r", encoding=self._encoding) as file:
            try:
                return json.load(file, cls=self.decoder)
            except ValueError as exc:
                raise DataNodeReadingError(f"{self._describe()} cannot read {self.path}: {exc}") from exc

    def _write(self, data: Any) -> None:
        try:  # encoded in memory first: data that cannot be encoded leaves the file as it was
            text = json.dumps(data, indent=4, cls=self.encoder)
        except (TypeError, ValueError) as exc:
            raise DataNodeWritingError(
                f"{self._describe()} cannot encode a {type(data).__name__} as JSON: {exc}. "
                "Give the data node an encoder class (encoder=...) that handles it."
            ) from exc
        with self._atomic_target() as target, self._open_target(target) as file:
            file.write(text)

    def _append(self, data: Any) -> None:
        """Extend a list (or add an item to it), or update a dict, then rewrite the file whole."""
        if not self._exists():
            self._write(data)
            return
        current = self._read()
        if isinstance(current, list):
            if isinstance(data, list):
                current.extend(data)
            else:
                current.append(data)
        elif isinstance(current, dict) and isinstance(data, dict):
            current.update(data)
        else:
            raise DataNodeWritingError(
                f"{self._describe()} holds a {type(current).__name__}; only a list (extended) or a dict "
                f"(updated by a dict) can be appended to, not with a {type(data).__name__}."
            )
        self._write(current)

    def _open_target(self, target: str) -> Any:
        if target == self.path and self._is_remote:
            return self._open("w", encoding=self._encoding)
        return open(target, "w", encoding=self._encoding)
