"""A configuration layer (built-in defaults, Python calls, an override file, ...) and how layers
are compiled into the applied configuration."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from scenaria.config.core import CoreSection
from scenaria.config.data_node import DataNodeConfig
from scenaria.config.global_app import GlobalAppConfig
from scenaria.config.job import JobConfig
from scenaria.config.scenario import ScenarioConfig
from scenaria.config.schedule import ScheduleConfig
from scenaria.config.section import Section, UniqueSection
from scenaria.config.task import TaskConfig

# The order in which sections are written, as Taipy does.
UNIQUE_KINDS: dict[str, type[UniqueSection]] = {
    "TAIPY": GlobalAppConfig,
    "JOB": JobConfig,
    "CORE": CoreSection,
}
SECTION_KINDS: dict[str, type[Section]] = {
    "DATA_NODE": DataNodeConfig,
    "TASK": TaskConfig,
    "SCENARIO": ScenarioConfig,
    "SCHEDULE": ScheduleConfig,
}
DEFAULT_ID = Section.DEFAULT_ID


class ConfigLayer:
    """Unique sections by name and the other sections by kind, then id (insertion order kept)."""

    def __init__(self) -> None:
        self.unique: dict[str, UniqueSection] = {}
        self.sections: dict[str, dict[str, Section]] = {kind: {} for kind in SECTION_KINDS}

    def add(self, section: Section) -> Section:
        if isinstance(section, UniqueSection):
            self.unique[section._KIND] = section
        else:
            self.sections[section._KIND][section.id] = section
        return section

    def get(self, kind: str, section_id: str) -> Section | None:
        if kind in UNIQUE_KINDS:
            return self.unique.get(kind)
        return self.sections.get(kind, {}).get(section_id)

    def find(self, kind: str | None, section_id: str) -> Section | None:
        """The section ``section_id`` of ``kind``, or of any kind when ``kind`` is None."""
        kinds: Iterable[str] = [kind] if kind else SECTION_KINDS
        for k in kinds:
            section = self.sections.get(k, {}).get(section_id)
            if section is not None:
                return section
        return None

    def __iter__(self) -> Iterator[Section]:
        for name in UNIQUE_KINDS:
            if name in self.unique:
                yield self.unique[name]
        for kind in SECTION_KINDS:
            yield from self.sections[kind].values()

    def is_empty(self) -> bool:
        return not self.unique and not any(self.sections.values())


def default_layer() -> ConfigLayer:
    """The built-in defaults: the three unique sections and one ``default`` section per kind."""
    layer = ConfigLayer()
    sections: list[Section] = [cls() for cls in UNIQUE_KINDS.values()]
    sections += [cls(DEFAULT_ID) for cls in SECTION_KINDS.values()]
    for section in sections:
        section._fill_defaults()
        layer.add(section)
    return layer


def compile_layers(layers: Iterable[ConfigLayer]) -> ConfigLayer:
    """Merge ``layers`` (later wins), let every section inherit from its kind's ``default`` section,
    fill built-in defaults, and point references at the merged sections.

    Every call starts from the layers themselves, so inheritance from ``default`` holds however
    many times the configuration is compiled.
    """
    merged = ConfigLayer()
    for layer in layers:
        for section in layer:
            current = merged.get(section._KIND, section.id)
            if current is None:
                merged.add(section._clone())
            else:
                current._update(section)
    for kind in SECTION_KINDS:
        default = merged.sections[kind].get(DEFAULT_ID)
        if default is None:
            continue
        for section_id, section in merged.sections[kind].items():
            if section_id != DEFAULT_ID:
                section._inherit(default)
    for section in merged:
        section._fill_defaults()
    for section in merged:
        section._repoint(merged.find)
    return merged
