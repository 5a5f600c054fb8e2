"""What the configuration checks share: the list of checks, and the report of one section's issues.

``Config.check()`` runs every registered check (:func:`register_check`) in the order they were
registered, each a function ``check(config_layer, collector)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from scenaria.config.issues import IssueCollector
from scenaria.config.layer import DEFAULT_ID, ConfigLayer
from scenaria.config.section import Section
from scenaria.exceptions import ConfigError

Check = Callable[[ConfigLayer, IssueCollector], None]
CHECKS: list[Check] = []

# Public, non-callable attributes of the Task and Scenario entities: a data node or task config id
# equal to one of them would be shadowed by it (``scenario.<dn id>`` reads a data node).
TASK_ATTRIBUTES = frozenset(
    {
        "config_id",
        "data_nodes",
        "function",
        "id",
        "input",
        "output",
        "owner_id",
        "parent_ids",
        "properties",
        "scope",
        "skippable",
        "version",
    }
)
SCENARIO_ATTRIBUTES = frozenset(
    {
        "additional_data_nodes",
        "config_id",
        "creation_date",
        "cycle",
        "data_nodes",
        "id",
        "is_primary",
        "name",
        "owner_id",
        "properties",
        "sequences",
        "subscribers",
        "tags",
        "tasks",
        "version",
    }
)
# Public methods of the Task and Scenario entities: ``scenario.submit`` is the method, never a
# data node named ``submit`` (tests/config compares these lists with the entity classes).
TASK_METHODS = frozenset({"get_label", "get_parents", "get_simple_label", "submit"})
SCENARIO_METHODS = frozenset(
    {
        *TASK_METHODS,
        "add_sequence",
        "add_sequences",
        "add_tag",
        "data_nodes_being_edited",
        "draw",
        "duplicate",
        "export",
        "get_inputs",
        "get_intermediate",
        "get_outputs",
        "has_tag",
        "is_deletable",
        "is_ready_to_run",
        "remove_sequence",
        "remove_sequences",
        "remove_tag",
        "rename_sequence",
        "set_primary",
        "subscribe",
        "unsubscribe",
        "update_sequence",
    }
)
RESERVED_PROPERTY = "_entity_owner"
CALLABLE_PROPERTIES = {
    "generic": ("read_fct", "write_fct"),
    "sql": ("write_query_builder", "append_query_builder"),
}


def register_check(check: Check) -> Check:
    """Add ``check`` to the checks ``Config.check()`` runs (usable as a decorator)."""
    CHECKS.append(check)
    return check


def run_checks(layer: ConfigLayer) -> IssueCollector:
    collector = IssueCollector()
    for check in CHECKS:
        check(layer, collector)
    return collector


class Report:
    """Adds issues about one section, tagged with the check's name."""

    def __init__(self, collector: IssueCollector, section: Section, tag: str) -> None:
        self.collector = collector
        self.section = section
        self.table = section._KIND if section.id == section._KIND else f"{section._KIND}.{section.id}"
        self.tag = tag

    def error(self, key: str, value: Any, message: str) -> None:
        self.collector._add_error(key, value, message, self.tag, self.table)

    def warning(self, key: str, value: Any, message: str) -> None:
        self.collector._add_warning(key, value, message, self.tag, self.table)

    def read(self, key: str, getter: Callable[[], Any]) -> tuple[bool, Any]:
        """Read a value; an ``ENV[...]`` template that cannot be resolved becomes an error."""
        try:
            return True, getter()
        except ConfigError as exc:
            self.error(key, self.section._raw(key), str(exc))
            return False, None


def user_sections(layer: ConfigLayer, kind: str) -> Iterator[Section]:
    for section_id, section in layer.sections[kind].items():
        if section_id != DEFAULT_ID:
            yield section


def ids(items: Any) -> list[str]:
    return [getattr(item, "id", str(item)) for item in items]


def check_reserved(properties: dict[str, Any], report: Report) -> None:
    if RESERVED_PROPERTY in properties:
        report.error(
            RESERVED_PROPERTY,
            properties[RESERVED_PROPERTY],
            f"The property name {RESERVED_PROPERTY!r} is reserved.",
        )


def check_misspelt(
    section: Section, report: Report, settings: Iterable[str] = (), refused: Mapping[str, str] | None = None
) -> None:
    """Report a free property named almost like a setting of its section: "did you mean ...?".

    Taipy keeps any extra property (users store their own), so a misspelt setting (``skipable``,
    ``defualt_data``, a TOML ``input =``) would otherwise be kept and silently unused. Only a near
    miss is reported, as a warning; an error when the setting it resembles is in ``refused``, whose
    value says why the section cannot work so. ``settings`` adds names the section class does not list.
    """
    known = (*section._FIELDS, *section._ALIASES, *section._PROPERTIES, *settings)
    for key, value in section.properties.items():
        near = _close_match(key, known) if key not in known else None
        if near is None:
            continue
        kind = section._KIND.lower().replace("_", " ")
        message = f"The property {key!r} is no setting of a {kind} config: did you mean {near!r}?"
        if refused and near in refused:
            report.error(key, value, f"{message} {refused[near]}")
        else:
            report.warning(key, value, f"{message} It is kept as a property of your own, which nothing reads.")


def _close_match(key: str, known: tuple[str, ...]) -> str | None:
    import difflib  # here: only a key that is no setting needs it, and it is slow to import

    near = difflib.get_close_matches(key, known, n=1, cutoff=0.8)
    return near[0] if near else None
