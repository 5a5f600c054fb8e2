"""How a task's jobs run: the execution settings, parsed by the config layer (``Config.check()``
reports the same errors earlier) and re-exported here where the entities use them."""

from scenaria.config.execution import KEYS, ExecutionSettings

__all__ = ["KEYS", "ExecutionSettings"]
