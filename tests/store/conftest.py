"""One fixture, every back end: the shared suite runs against each store (huey's habit).

``repo`` is a fresh, empty repository of each type; ``settings`` are the settings of one whose
records are in ``tmp_path`` (for tests that reopen the store or open it from another process).
PostgreSQL runs on the session's throwaway server (``tests/support/postgres.py``).
"""

from __future__ import annotations

import pytest

from scenaria.store import open_repository
from tests.support.postgres import POSTGRESQL

PERSISTENT = ["sqlite", "filesystem", POSTGRESQL]
ALL = ["memory", *PERSISTENT]


def make_settings(kind: str, tmp_path, request) -> dict:
    if kind == "memory":
        return {"type": "memory"}
    if kind == "sqlite":
        return {"type": "sqlite", "path": str(tmp_path / "store" / "scenaria.db")}
    if kind == "filesystem":
        return {"type": "filesystem", "root": str(tmp_path / "taipy")}
    if kind == "postgresql":
        return request.getfixturevalue("postgres_settings")
    raise AssertionError(kind)


@pytest.fixture(params=ALL)
def kind(request) -> str:
    return request.param


@pytest.fixture
def settings(kind, tmp_path, request) -> dict:
    return make_settings(kind, tmp_path, request)


@pytest.fixture
def repo(settings):
    repository = open_repository(settings)
    yield repository
    repository.close()


@pytest.fixture(params=PERSISTENT)
def persistent_settings(request, tmp_path) -> dict:
    """Settings of a store that other processes can open."""
    return make_settings(request.param, tmp_path, request)


@pytest.fixture
def postgres_settings(postgres_server, request) -> dict:
    """A fresh, empty database schema per test."""
    url = postgres_server.url
    schema = postgres_server.fresh_schema()
    request.addfinalizer(lambda: postgres_server.drop_schema(schema))
    return {"type": "postgresql", "url": url, "schema": schema}
