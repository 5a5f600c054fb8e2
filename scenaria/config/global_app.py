"""``GlobalAppConfig``: free application-wide properties (``[TAIPY]``)."""

from __future__ import annotations

from scenaria.config.section import UniqueSection


class GlobalAppConfig(UniqueSection):
    """A bag of application-wide properties, read as attributes (``Config.global_config.app_name``)."""

    _KIND = "TAIPY"
