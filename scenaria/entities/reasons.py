"""Answers to "can I do this?": truthy when yes, else the reasons why not."""

from __future__ import annotations


class ReasonCollection:
    """Why an action is not possible. Truthy when there is no reason against it."""

    def __init__(self) -> None:
        self._reasons: dict[str, list[str]] = {}

    def add(self, entity_id: str, reason: str) -> ReasonCollection:
        self._reasons.setdefault(entity_id, []).append(reason)
        return self

    def __bool__(self) -> bool:
        return not self._reasons

    @property
    def reasons(self) -> str:
        """Every reason, in one sentence-separated string."""
        return " ".join(reason for reasons in self._reasons.values() for reason in reasons)

    def __repr__(self) -> str:
        return f"ReasonCollection({self.reasons!r})" if self._reasons else "ReasonCollection()"
