"""Which ``taipy.*`` modules scenaria serves, and the module objects that stand in for them.

Every served name gets its own light module object (`new_module`) whose attributes are looked
up, on each access, in the scenaria modules listed for it. So ``taipy.Config is
scenaria.Config``, ``taipy.core.config.DataNodeConfig is scenaria.config.DataNodeConfig``, and
nothing is imported before it is used.

Why stand-ins rather than putting scenaria's own modules into ``sys.modules`` under taipy
names: when Python imports ``a.b``, it sets attribute ``b`` on module ``a``. With scenaria's
modules in the place of ``taipy.core`` or ``taipy.core.config``, importing
``taipy.core.job.status`` would write ``job``, ``status`` and friends onto scenaria's real
modules (possibly over their own submodules). Stand-ins take those writes instead, and can
carry taipy-only attributes (``__version__``) without touching scenaria.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from collections.abc import Sequence
from typing import Any

from scenaria.exceptions import TaipyPartNotServed

__all__ = ["SERVED", "TAIPY_API_VERSION", "TaipyFinder", "new_module", "not_served_message"]

#: The Taipy release whose public API scenaria follows; what ``taipy.__version__`` reports,
#: because code that checks it compares it with Taipy versions, not scenaria's.
TAIPY_API_VERSION = "4.1.1"

_TOP = ("scenaria",)
_CONFIG = ("scenaria.config", "scenaria")
_EXCEPTIONS = ("scenaria.exceptions", "scenaria")
_EVENTS = ("scenaria.events", "scenaria")
_DATA = ("scenaria.data", "scenaria")

#: taipy module name -> scenaria modules searched, in order, for its attributes.
SERVED: dict[str, tuple[str, ...]] = {}


def _serve(targets: tuple[str, ...], *names: str) -> None:
    for name in names:
        SERVED[name] = targets


_serve(_TOP, "taipy", "taipy.core", "taipy.core.taipy", "taipy.core.orchestrator", "taipy.common")
_serve(_TOP, "taipy.core.common", "taipy.core.common.typing", "taipy.core.common.mongo_default_document")
_serve(_TOP, "taipy.core.common.warn_if_inputs_not_ready")
_serve(_TOP, "taipy.core.reason", "taipy.core.reason.reason", "taipy.core.reason.reason_collection")
for _entity in ("cycle", "job", "scenario", "sequence", "submission", "task"):
    _serve(_TOP, f"taipy.core.{_entity}", f"taipy.core.{_entity}.{_entity}", f"taipy.core.{_entity}.{_entity}_id")
_serve(_TOP, "taipy.core.job.status", "taipy.core.submission.submission_status")
_serve(_DATA, "taipy.core.data", "taipy.core.data.data_node", "taipy.core.data.data_node_id")
for _storage in ("aws_s3", "csv", "excel", "generic", "in_memory", "json", "mongo", "operator", "parquet",
                 "pickle", "sql", "sql_table"):  # fmt: skip
    _serve(_DATA, f"taipy.core.data.{_storage}")
# Taipy 4 keeps Config in taipy.common.config; Taipy 3 had it in taipy.config.
for _root in ("taipy.common.config", "taipy.config"):
    _serve(_CONFIG, _root, f"{_root}.config", f"{_root}.section", f"{_root}.unique_section")
    _serve(_CONFIG, f"{_root}.common", f"{_root}.common.scope", f"{_root}.common.frequency")
    _serve(_CONFIG, f"{_root}.common.typing", f"{_root}.global_app", f"{_root}.global_app.global_app_config")
    _serve(_CONFIG, f"{_root}.checker", f"{_root}.checker.issue", f"{_root}.checker.issue_collector")
    _serve(_EXCEPTIONS, f"{_root}.exceptions", f"{_root}.exceptions.exceptions")
_serve(_CONFIG, "taipy.core.config", "taipy.core.config.core_section", "taipy.core.config.data_node_config")
_serve(_CONFIG, "taipy.core.config.job_config", "taipy.core.config.scenario_config")
_serve(_CONFIG, "taipy.core.config.task_config")
_serve(_EXCEPTIONS, "taipy.core.exceptions", "taipy.core.exceptions.exceptions")
_serve(_EVENTS, "taipy.core.notification", "taipy.core.notification.event", "taipy.core.notification.notifier")
_serve(_EVENTS, "taipy.core.notification.core_event_consumer", "taipy.core.notification.registration_id")
_serve(_EVENTS, "taipy.event", "taipy.event.event_processor")
_serve(_EVENTS, "taipy.event.exceptions", "taipy.event.exceptions.exceptions")
del _entity, _storage, _root

#: Attributes a stand-in has of its own, by taipy module name.
_OWN_ATTRIBUTES: dict[str, dict[str, Any]] = {
    "taipy": {"__version__": TAIPY_API_VERSION},
    "taipy.core": {"__version__": TAIPY_API_VERSION},
}


def new_module(name: str) -> types.ModuleType:
    """The stand-in for ``taipy`` module ``name``: a plain module whose PEP 562 ``__getattr__``
    reads the scenaria modules served for it.

    A plain `types.ModuleType` (not a subclass) so that pickle and cloudpickle treat it as any
    module: a function of the user's ``__main__`` that uses ``tp`` pickles ``tp`` by name.
    """
    targets = SERVED[name]

    def __getattr__(attribute: str) -> Any:
        if attribute == "__all__":
            return list(getattr(_module(targets[0]), "__all__", ()))
        if attribute == "__file__":  # code that finds files beside ``taipy`` (os.path.dirname(taipy.__file__))
            return _module(targets[0]).__file__
        if attribute.startswith("__") and attribute.endswith("__"):
            raise AttributeError(f"module {name!r} has no attribute {attribute!r}")
        for target in targets:
            try:
                return getattr(_module(target), attribute)
            except AttributeError:
                continue
        raise AttributeError(
            f"module {name!r} has no attribute {attribute!r}: scenaria serves {name!r} from "
            f"{', '.join(targets)}, which do not define it"
        )

    def __dir__() -> list[str]:
        names = set(module.__dict__)
        for target in targets:
            names.update(n for n in dir(_module(target)) if not (n.startswith("__") and n.endswith("__")))
        return sorted(names)

    module = types.ModuleType(name)
    module.__dict__.update(_OWN_ATTRIBUTES.get(name, {}))
    module.__dict__.update(__getattr__=__getattr__, __dir__=__dir__, __scenaria_targets__=targets)
    return module


def not_served_message(name: str) -> str:
    """Why ``import NAME`` fails under ``scenaria run``: what scenaria serves instead."""
    part = ".".join(name.split(".")[:2])
    return (
        f"This script imports {name!r}, which scenaria does not serve: scenaria runs Taipy's scenario "
        f"and data management API (taipy, taipy.core, taipy.common.config, taipy.event; Config, "
        f"Orchestrator, scenarios, data nodes, tasks, jobs, events), not {part!r}. Run the parts "
        f"that need {part!r} with Taipy itself, or remove that import."
    )


def _module(name: str) -> types.ModuleType:
    module = sys.modules.get(name)
    return module if module is not None else importlib.import_module(name)


class _Loader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return new_module(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: the stand-in reads scenaria's modules lazily."""


class TaipyFinder(importlib.abc.MetaPathFinder):
    """Finds the served ``taipy.*`` names; leaves every other name to the next finders.

    Names scenaria does not serve (``taipy.gui``, private modules) are not found, as they
    would not be without Taipy installed: ``importlib.util.find_spec`` returns None for them.
    """

    _loader = _Loader()

    def __init__(self, strict: bool = False) -> None:
        #: Under ``scenaria run``: a Taipy part that is not served stops the script at once.
        self.strict = strict

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        targets = SERVED.get(fullname)
        if targets is None:
            if self.strict and fullname.startswith("taipy.") and not fullname.split(".")[1].startswith("_"):
                raise TaipyPartNotServed(not_served_message(fullname), name=fullname)
            return None
        # Each stand-in is a package with no location, so its submodules come only from here.
        return importlib.machinery.ModuleSpec(fullname, self._loader, origin=f"scenaria:{targets[0]}",
                                              is_package=True)  # fmt: skip
