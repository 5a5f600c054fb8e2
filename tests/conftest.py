"""Fixtures shared by the whole suite.

Every test runs in its own empty working directory (where the default store and data files
go) with a fresh configuration, no orchestrator, no live entities and no event registrations, and
leaves none behind.
"""

from __future__ import annotations

import pytest

from scenaria.config import Config
from scenaria.entities.registry import reset_registry
from scenaria.events.notifier import Notifier
from scenaria.orchestrator import Orchestrator
from tests.support.postgres import PostgresServer, unavailable_reason


@pytest.fixture(autouse=True)
def fresh_state(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", ["app.py"])
    for variable in ("SCENARIA_CONFIG_PATH", "TAIPY_CONFIG_PATH"):
        monkeypatch.delenv(variable, raising=False)
    Orchestrator().stop()
    reset_registry()
    Config._reset()
    yield
    Orchestrator().stop()
    reset_registry()
    Config._reset()
    Notifier._reset()  # registrations a test (or a client connection it made) left behind


@pytest.fixture(params=["sqlite", "filesystem"])
def repository_type(request):
    """Run a test once on each store back end."""
    Config.configure_core(repository_type=request.param)
    return request.param


@pytest.fixture(scope="session")
def postgres_server():
    """One throwaway PostgreSQL server for the session (the store and SQL data node tests)."""
    reason = unavailable_reason()
    if reason:  # not a skip: these tests must run wherever the suite runs (make test installs it)
        raise RuntimeError(f"cannot start PostgreSQL for the tests: {reason}")
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()
