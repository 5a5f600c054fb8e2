"""A task: a function from input data nodes to output data nodes."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar

from scenaria.config.enums import Scope
from scenaria.entities import codec, rules, submitting, values
from scenaria.entities.base import ANY, STRSET, Entity, Owned, field
from scenaria.entities.data_node import DataNode
from scenaria.entities.execution import ExecutionSettings
from scenaria.entities.registry import registry
from scenaria.exceptions import AttributeKeyAlreadyExisted

# A function is stored by import path when it has one, by value otherwise (codec.encode), and
# resolved only when it is used: listing tasks never imports user code.
_FUNCTION_CODEC = (codec.encode, lambda raw: raw)


@dataclasses.dataclass(eq=False, repr=False)
class Task(submitting.Submits, Owned, Entity):
    """A function of a scenario, with the data nodes it reads and writes."""

    _KIND: ClassVar[str] = "task"
    _ID_PREFIX: ClassVar[str] = "TASK"
    _EVENT_TYPE: ClassVar[str] = "TASK"

    id: str
    config_id: str
    _owner_id: str | None = None
    _parent_ids: set[str] = field(default_factory=set, codec=STRSET)
    _input_ids: list[str] = field(default_factory=list)
    _output_ids: list[str] = field(default_factory=list)
    _function: Any = field(None, codec=_FUNCTION_CODEC)
    version: str = ""
    _skippable: bool = False
    _properties: dict[str, Any] = field(default_factory=dict, codec=ANY)

    # --- attributes ----------------------------------------------------------------------------
    @property
    def function(self) -> Any:
        if isinstance(self._function, dict):
            self._function = _load_function(self.config_id, self._function)
        return self._function

    @function.setter
    def function(self, value: Any) -> None:
        self._function = value
        self._changed("function", value)

    @property
    def execution(self) -> ExecutionSettings:
        """How its jobs run (``timeout``, ``max_retries``, ``retry_delay``), read once from its properties."""
        settings = self.__dict__.get("_execution")
        if settings is None:
            settings = ExecutionSettings.from_properties(self.config_id, self.properties)
            self.__dict__["_execution"] = settings
        return settings

    def _after_refresh(self) -> None:
        super()._after_refresh()
        self.__dict__.pop("_execution", None)  # read again from the properties just loaded

    _FRESH_DERIVED: ClassVar[tuple[tuple[str, Callable[[], Any]], ...]] = ()  # (a new task has no cache to drop)

    def _changed(self, attribute: str, value: Any = None) -> None:
        if attribute == "properties":
            self.__dict__.pop("_execution", None)
        super()._changed(attribute, value)

    @property
    def skippable(self) -> bool:
        return self._skippable

    @skippable.setter
    def skippable(self, value: bool) -> None:
        self._skippable = value
        self._changed("skippable", value)

    def _data_nodes(self, ids: list[str]) -> dict[str, Any]:
        return {dn.config_id: dn for dn in registry().get_many(DataNode, ids)}

    @property
    def input(self) -> dict[str, Any]:
        return self._data_nodes(self._input_ids)

    @property
    def output(self) -> dict[str, Any]:
        return self._data_nodes(self._output_ids)

    @property
    def data_nodes(self) -> dict[str, Any]:
        return self._data_nodes(self._input_ids + self._output_ids)

    @property
    def scope(self) -> Scope:
        """The narrowest scope of its data nodes (GLOBAL when it has none)."""
        return min((dn.scope for dn in self.data_nodes.values()), default=Scope.GLOBAL)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        ids = self.__dict__.get("_input_ids", []) + self.__dict__.get("_output_ids", [])
        for dn in self._data_nodes(ids).values():
            if dn.config_id == name:
                return dn
        properties = self.__dict__.get("_properties", {})
        if name in properties:
            return properties[name]
        raise AttributeError(f"Task {self.__dict__.get('id')!r} has no attribute or data node {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if (
            not name.startswith("_")
            and "_input_ids" in self.__dict__
            and name not in _TASK_ATTRIBUTES
            and name in self.data_nodes
        ):
            raise AttributeKeyAlreadyExisted(
                f"{name!r} names a data node of task {self.id}; it cannot be set as an attribute."
            )
        super().__setattr__(name, value)

    # --- actions -------------------------------------------------------------------------------
    def get_parents(self) -> dict[str, set[Any]]:
        return rules.get_parents(registry(), self)


_TASK_ATTRIBUTES = frozenset({"function", "skippable", "name", "config_id", "version", "id"})


def _load_function(config_id: str, stored: dict[str, Any]) -> Any:
    """The stored function; the configured one when its module cannot be imported here, or when
    both are the same function of the script being run (``__main__``).

    A function of the script has no import path, so its task stores a pickled copy of it. Taken
    as it is, that copy would keep running the code of the day the scenario was created, however
    the script was edited since (``force=True`` included), while a function of a module runs its
    module's current code. The script's current function of the same name is what its author
    means, as in Taipy, which stores such a function as ``__main__.name``.
    """
    from scenaria.config import Config

    task_config = Config.tasks.get(config_id)
    configured = None if task_config is None else task_config.function
    try:
        function = values.loaded(codec.decode(stored))
    except (ImportError, AttributeError):
        if configured is not None:
            return configured
        raise
    if configured is not None and _same_script_function(function, configured):
        return configured
    return function


def _same_script_function(stored: Any, configured: Any) -> bool:
    def name(function: Any) -> tuple[Any, Any]:
        return getattr(function, "__module__", None), getattr(function, "__qualname__", None)

    return name(stored)[0] == "__main__" and name(stored) == name(configured)
