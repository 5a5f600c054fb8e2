"""What only the PostgreSQL store promises: its own schema, a safe first start, a clear missing extra."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from scenaria.exceptions import DependencyNotInstalled
from scenaria.store import open_repository


@pytest.fixture
def settings(postgres_settings):
    return postgres_settings


@pytest.mark.postgresql
def test_tables_live_in_their_own_schema(settings, postgres_server):
    import psycopg2

    with open_repository(settings) as repo:
        repo.save("scenario", {"id": "S1"})
        conn = psycopg2.connect(postgres_server.url)
        try:
            with conn.cursor() as cursor:
                cursor.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [settings["schema"]]
                )
                tables = {row[0] for row in cursor.fetchall()}
                cursor.execute(f'SELECT body FROM "{settings["schema"]}".scenario')
                assert json.loads(cursor.fetchone()[0]) == {"id": "S1"}
        finally:
            conn.close()
    assert {"scenario", "task", "data_node", "job", "submission", "cycle", "version", "meta"} <= tables


@pytest.mark.postgresql
def test_two_schemas_are_two_stores(settings, postgres_server):
    other = {**settings, "schema": settings["schema"] + "_b"}
    try:
        with open_repository(settings) as first, open_repository(other) as second:
            first.save("scenario", {"id": "S1"})
            assert second.find("scenario") == []
    finally:
        postgres_server.drop_schema(other["schema"])


@pytest.mark.postgresql
def test_processes_starting_together_create_the_schema_once(settings):
    code = (
        "import json, sys\n"
        "from scenaria.store import open_repository\n"
        "r = open_repository(json.loads(sys.argv[1])); r.save('job', {'id': sys.argv[2]}); r.close()"
    )
    children = [
        subprocess.Popen([sys.executable, "-c", code, json.dumps(settings), f"J{i}"], stderr=subprocess.PIPE, text=True)
        for i in range(6)
    ]
    errors = [child.communicate(timeout=60)[1] for child in children]
    assert [child.returncode for child in children] == [0] * 6, errors
    with open_repository(settings) as repo:
        assert repo.count("job") == 6


@pytest.mark.postgresql
def test_a_bad_schema_name_is_refused(settings):
    with pytest.raises(ValueError, match="identifier"):
        open_repository({**settings, "schema": 'x"; DROP TABLE y; --'})


def test_a_missing_driver_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg2", None)
    with pytest.raises(DependencyNotInstalled, match=r"scenaria\[postgresql\]"):
        open_repository({"type": "postgresql", "url": "postgresql://nowhere/db"})
