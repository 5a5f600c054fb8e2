"""``TaskConfig``: a function, the data nodes it reads and the data nodes it writes (``[TASK.<id>]``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scenaria.config.data_node import DataNodeConfig
from scenaria.config.enums import Scope
from scenaria.config.section import Section


def as_list(value: Any) -> list[Any] | None:
    """``None`` stays unset; one item becomes a one-item list; tuples and sets become lists."""
    if value is None:
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return [value]


class TaskConfig(Section):
    """What a task runs: ``function(*inputs)`` whose result is written to ``outputs``.

    ``skippable`` tasks are not run again when their outputs are up to date. Other properties
    (``timeout``, ``max_retries``, ``retry_delay``...) are free and read as attributes.
    """

    _KIND = "TASK"
    _FIELDS = ("function", "inputs", "outputs", "skippable")
    _ALIASES = {"input_configs": "inputs", "output_configs": "outputs"}

    def __init__(
        self,
        id: str,
        function: Callable[..., Any] | None = None,
        inputs: DataNodeConfig | list[DataNodeConfig] | None = None,
        outputs: DataNodeConfig | list[DataNodeConfig] | None = None,
        skippable: bool | None = False,
        **properties: Any,
    ) -> None:
        super().__init__(id, **properties)
        self._values.update(function=function, inputs=as_list(inputs), outputs=as_list(outputs), skippable=skippable)

    def _normalize(self, field: str, value: Any) -> Any:
        return as_list(value) if field in ("inputs", "outputs") else value

    @property
    def function(self) -> Callable[..., Any] | None:
        return self._get("function")

    @property
    def inputs(self) -> list[DataNodeConfig]:
        return list(self._values["inputs"] or [])

    @property
    def input_configs(self) -> list[DataNodeConfig]:
        return self.inputs

    @property
    def outputs(self) -> list[DataNodeConfig]:
        return list(self._values["outputs"] or [])

    @property
    def output_configs(self) -> list[DataNodeConfig]:
        return self.outputs

    @property
    def skippable(self) -> bool:
        return bool(self._get("skippable"))

    @property
    def scope(self) -> Scope:
        """The narrowest scope of the task's data nodes (``GLOBAL`` when it has none)."""
        scopes = [dn.scope for dn in self.inputs + self.outputs if isinstance(dn, DataNodeConfig)]
        return min(scopes) if scopes else Scope.GLOBAL

    def _fill_defaults(self) -> None:
        for key in ("inputs", "outputs"):
            if self._values[key] is None:
                self._values[key] = []
        if self._values["skippable"] is None:
            self._values["skippable"] = False
