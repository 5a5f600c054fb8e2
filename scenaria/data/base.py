"""``scenaria.data.base``: where the data node base class used to live, kept for imports.

The base class sits in the entities layer (``scenaria.entities.data_node``): entities, the
registry and creation use it, while the storage types (this package) build on it.
"""

from scenaria.entities.data_node import EDIT_HISTORY_LIMIT, EDIT_LOCK_DURATION, DataNode

__all__ = ["EDIT_HISTORY_LIMIT", "EDIT_LOCK_DURATION", "DataNode"]
