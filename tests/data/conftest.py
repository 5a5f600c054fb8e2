"""Real back ends for the storage types: a PostgreSQL server, an S3 server, MongoDB when given.

PostgreSQL and the S3 server (moto, over HTTP) start once per session. MongoDB has no package
on these machines: its tests run against the server of ``SCENARIA_TEST_MONGO_URL`` when set,
and are skipped otherwise (saying so).
"""

from __future__ import annotations

import itertools
import os

import pytest

from scenaria.data.sql_base import dispose_engines
from tests.support.network import free_port
from tests.support.postgres import POSTGRESQL

_names = itertools.count()


@pytest.fixture(autouse=True)
def _no_cached_engines():
    yield
    dispose_engines()


@pytest.fixture
def postgres_db(postgres_server, request) -> dict:
    """Connection properties of a fresh database on the session's server."""
    name = f"t{next(_names)}_{os.getpid()}"
    postgres_server.create_database(name)
    return {
        "db_engine": "postgresql",
        "db_name": name,
        "db_username": postgres_server.user,
        "db_password": postgres_server.password,
        "db_host": postgres_server.host,
        "db_port": postgres_server.port,
    }


@pytest.fixture(params=["sqlite", POSTGRESQL])
def db(request, tmp_path) -> dict:
    """Connection properties of an empty database, once per engine."""
    if request.param == "sqlite":
        return {"db_engine": "sqlite", "db_name": "data", "sqlite_folder_path": str(tmp_path)}
    return request.getfixturevalue("postgres_db")


@pytest.fixture(scope="session")
def s3_endpoint():
    """The URL of a local S3-compatible server (moto), reached over HTTP."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint):
    import boto3

    client = boto3.client(
        "s3", endpoint_url=s3_endpoint, aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    name = f"bucket{next(_names)}"
    client.create_bucket(Bucket=name)
    return {"endpoint": s3_endpoint, "bucket": name, "client": client}


@pytest.fixture
def mongo_url() -> str:
    url = os.environ.get("SCENARIA_TEST_MONGO_URL")
    if not url:
        pytest.skip("MongoDB tests need a server: set SCENARIA_TEST_MONGO_URL=mongodb://host:port to run them")
    return url
