"""The finder and stand-in modules, in this process (install/uninstall around each test)."""

from __future__ import annotations

import importlib
import importlib.util
import os
import pickle
import sys
from collections.abc import Iterator

import cloudpickle
import pytest

import scenaria.config
import scenaria.events
import scenaria.exceptions
from scenaria import compat


@pytest.fixture
def served() -> Iterator[None]:
    assert not compat.installed()
    compat.install()
    compat.install()  # idempotent
    try:
        yield
    finally:
        compat.uninstall()
    assert not compat.installed()
    assert "taipy" not in sys.modules


def test_nothing_is_served_unless_installed() -> None:
    import scenaria  # noqa: F401 - importing scenaria must not install anything

    assert not compat.installed()
    assert importlib.util.find_spec("taipy") is None
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("taipy")


def test_every_served_module_has_a_served_parent() -> None:
    for name in compat.SERVED:
        parent = name.rpartition(".")[0]
        assert not parent or parent in compat.SERVED, name


def test_every_served_module_imports(served: None) -> None:
    for name in compat.SERVED:
        module = importlib.import_module(name)
        assert module.__name__ == name
        assert sys.modules[name] is module


def test_config_names_are_scenaria_objects(served: None) -> None:
    from taipy.common.config import Config
    from taipy.config import Config as Config3
    from taipy.core.config import Config as Config2

    assert Config is Config2 is Config3 is scenaria.config.Config


def test_stand_ins_are_one_module_per_name_reachable_as_attributes(served: None) -> None:
    import taipy
    import taipy.core.notification

    assert taipy.core.notification is sys.modules["taipy.core.notification"]
    assert taipy.core.notification.Notifier is scenaria.events.Notifier
    assert repr(taipy.core.notification) == "<module 'taipy.core.notification' (scenaria:scenaria.events)>"
    # Importing taipy submodules writes attributes onto the stand-ins, never onto scenaria.
    assert not hasattr(scenaria.events, "notification")
    assert "core" not in vars(scenaria)


def test_events_and_exceptions_resolve(served: None) -> None:
    from taipy.core.exceptions.exceptions import InvalidEventOperation
    from taipy.core.notification import CoreEventConsumerBase, Event, EventEntityType, EventOperation, Notifier
    from taipy.event.event_processor import EventProcessor

    assert (Event, EventEntityType, EventOperation, Notifier, CoreEventConsumerBase, EventProcessor) == (
        scenaria.events.Event,
        scenaria.events.EventEntityType,
        scenaria.events.EventOperation,
        scenaria.events.Notifier,
        scenaria.events.CoreEventConsumerBase,
        scenaria.events.EventProcessor,
    )
    assert InvalidEventOperation is scenaria.exceptions.InvalidEventOperation


def test_version_and_star_import(served: None) -> None:
    import taipy
    import taipy.core

    assert taipy.__version__ == taipy.core.__version__ == compat.TAIPY_API_VERSION
    namespace: dict[str, object] = {}
    exec("from taipy.core.notification import *", namespace)
    assert namespace["EventProcessor"] is scenaria.events.EventProcessor


def test_unknown_names_fail_as_without_taipy(served: None) -> None:
    import taipy

    assert importlib.util.find_spec("taipy.gui") is None
    with pytest.raises(ModuleNotFoundError, match=r"taipy\.gui"):
        importlib.import_module("taipy.gui")
    with pytest.raises(AttributeError, match="no attribute 'NoSuchThing'"):
        _ = taipy.config.NoSuchThing
    with pytest.raises(AttributeError):
        _ = taipy.__loader_state__


def test_file_names_a_real_file_of_the_module_served(served: None) -> None:
    """Code that finds files beside Taipy's (``os.path.dirname(taipy.__file__)``) keeps working."""
    import taipy
    import taipy.core.data.csv

    assert taipy.__file__ == scenaria.__file__
    assert taipy.core.data.csv.__file__ == scenaria.data.__file__
    assert os.path.isfile(taipy.__file__)


def test_core_warns_and_logs_as_taipy_does(served: None, caplog: pytest.LogCaptureFixture) -> None:
    import taipy

    with pytest.warns(DeprecationWarning, match=r"^'Core' is deprecated\. Use the 'Orchestrator' class instead\.$"):
        core = taipy.Core()
    assert isinstance(core, taipy.Orchestrator)
    assert (
        "The `Core` service is deprecated and replaced by the `Orchestrator` service. "
        "An `Orchestrator` instance has been instantiated instead."
    ) in [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]


def test_stand_ins_pickle_by_name(served: None) -> None:
    import taipy.config

    assert pickle.loads(cloudpickle.dumps(taipy.config)) is taipy.config

    def uses_taipy() -> object:
        return taipy.config.Config

    uses_taipy.__module__ = "__main__"  # pickled by value, as a function of a script would be
    assert pickle.loads(cloudpickle.dumps(uses_taipy))() is scenaria.config.Config


def test_enable_for_children_sets_env_and_pythonpath_once() -> None:
    env = {"PYTHONPATH": "/a"}
    compat.enable_for_children(env)
    compat.enable_for_children(env)
    assert env[compat.ENV_VAR] == "1"
    assert env["PYTHONPATH"].split(":" if ":" in env["PYTHONPATH"] else ";") == [compat.SITE_DIR, "/a"]


def test_install_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(compat.ENV_VAR, raising=False)
    assert not compat.install_from_env()
    assert not compat.installed()
    monkeypatch.setenv(compat.ENV_VAR, "1")
    try:
        assert compat.install_from_env()
        assert compat.installed()
    finally:
        compat.uninstall()
