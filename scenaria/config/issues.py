"""What the checker finds: ``Issue`` and ``IssueCollector``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Issue:
    """One finding: its level (``ERROR``, ``WARNING`` or ``INFO``), the key concerned, the value
    found, a message, and the tag of the check that found it. ``section`` names the TOML table."""

    level: str
    field: str
    value: Any
    message: str
    tag: str = ""
    section: str = ""

    def __str__(self) -> str:
        where = f"[{self.section}] " if self.section else ""
        return f"{where}{self.message} Current value of property `{self.field}` is {_show(self.value)}."


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


@dataclass
class IssueCollector:
    """The issues of one check, by level."""

    ERROR = "ERROR"
    WARNING = "WARNING"
    INFO = "INFO"

    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    infos: list[Issue] = field(default_factory=list)

    @property
    def all(self) -> list[Issue]:
        """Errors, then warnings, then infos."""
        return [*self.errors, *self.warnings, *self.infos]

    def _add(self, level: str, field: str, value: Any, message: str, tag: str = "", section: str = "") -> None:
        issue = Issue(level, field, value, message, tag, section)
        {self.ERROR: self.errors, self.WARNING: self.warnings, self.INFO: self.infos}[level].append(issue)

    def _add_error(self, field: str, value: Any, message: str, tag: str = "", section: str = "") -> None:
        self._add(self.ERROR, field, value, message, tag, section)

    def _add_warning(self, field: str, value: Any, message: str, tag: str = "", section: str = "") -> None:
        self._add(self.WARNING, field, value, message, tag, section)

    def _add_info(self, field: str, value: Any, message: str, tag: str = "", section: str = "") -> None:
        self._add(self.INFO, field, value, message, tag, section)
