"""``CoreSection``: where entities and data live, and how versions are managed (``[CORE]``)."""

from __future__ import annotations

from typing import Any, ClassVar

from scenaria.config.section import UniqueSection
from scenaria.exceptions import ConfigCoreVersionMismatched
from scenaria.store import REPOSITORY_TYPES, canonical_type

# The configuration format scenaria writes and reads: Taipy 4.x. Taipy 4.1 refuses a [CORE]
# section whose core_version is not 4.1.x, so this is what scenaria writes.
CONFIG_FORMAT_VERSION = "4.1.1"
ACCEPTED_MAJOR_VERSIONS = ("4",)


def check_core_version(version: object, where: str = "") -> None:
    """Raise :class:`ConfigCoreVersionMismatched` for a configuration written by another major version."""
    text = str(version)
    if text.split(".")[0] not in ACCEPTED_MAJOR_VERSIONS:
        raise ConfigCoreVersionMismatched(
            f"{where}core_version {text!r}: this configuration was written for another version; "
            f"scenaria reads configurations of version 4.x (it writes {CONFIG_FORMAT_VERSION!r}); "
            "update the file or remove its core_version"
        )


class CoreSection(UniqueSection):
    """Storage locations, the store back end and the version mode."""

    _KIND = "CORE"
    _FIELDS = (
        "root_folder",
        "storage_folder",
        "taipy_storage_folder",
        "repository_type",
        "repository_properties",
        "read_entity_retry",
        "mode",
        "version_number",
        "force",
        "core_version",
    )

    REPOSITORY_TYPES: ClassVar[tuple[str, ...]] = REPOSITORY_TYPES  # the store's one list, aliases included
    VERSION_MODES: ClassVar[tuple[str, ...]] = ("development", "experiment", "production")
    DEFAULTS: ClassVar[dict[str, Any]] = {
        "root_folder": "./taipy/",
        "storage_folder": "user_data/",
        "taipy_storage_folder": ".taipy/",
        "repository_type": "sqlite",
        "repository_properties": {},
        "read_entity_retry": 1,
        "mode": "development",
        "version_number": "",
        "force": False,
        "core_version": CONFIG_FORMAT_VERSION,
    }

    def __init__(
        self,
        root_folder: str | None = None,
        storage_folder: str | None = None,
        taipy_storage_folder: str | None = None,
        repository_type: str | None = None,
        repository_properties: dict[str, Any] | None = None,
        read_entity_retry: int | None = None,
        mode: str | None = None,
        version_number: str | None = None,
        force: bool | None = None,
        core_version: str | None = None,
        **properties: Any,
    ) -> None:
        if core_version is not None:
            check_core_version(core_version, "[CORE]: ")
        super().__init__(**properties)
        self._values.update(
            root_folder=root_folder,
            storage_folder=storage_folder,
            taipy_storage_folder=taipy_storage_folder,
            repository_type=repository_type,
            repository_properties=repository_properties,
            read_entity_retry=read_entity_retry,
            mode=mode,
            version_number=version_number,
            force=force,
            core_version=core_version,
        )

    def _value(self, key: str) -> Any:
        value = self._get(key)
        return self.DEFAULTS[key] if value is None else value

    @property
    def root_folder(self) -> str:
        return self._value("root_folder")

    @property
    def storage_folder(self) -> str:
        return self._value("storage_folder")

    @property
    def taipy_storage_folder(self) -> str:
        return self._value("taipy_storage_folder")

    @property
    def repository_type(self) -> str:
        """As configured: ``sqlite`` (default), ``sql`` (alias of sqlite), ``filesystem``, ``postgresql``."""
        return self._value("repository_type")

    @property
    def store_kind(self) -> str:
        """The store back end: ``repository_type`` with its alias (``sql``, ``postgres``) resolved."""
        return canonical_type(self.repository_type)

    @property
    def repository_properties(self) -> dict[str, Any]:
        return dict(self._value("repository_properties"))

    @property
    def read_entity_retry(self) -> int:
        return self._value("read_entity_retry")

    @property
    def mode(self) -> str:
        return self._value("mode")

    @property
    def version_number(self) -> str:
        return self._value("version_number")

    @property
    def force(self) -> bool:
        return bool(self._value("force"))

    @property
    def core_version(self) -> str:
        return self._value("core_version")

    def _normalize(self, field: str, value: Any) -> Any:
        if field == "core_version" and value is not None:
            check_core_version(value, "[CORE]: ")
        return value

    def _fill_defaults(self) -> None:
        for key, value in self.DEFAULTS.items():
            if self._values[key] is None:
                self._values[key] = dict(value) if isinstance(value, dict) else value
