"""A throwaway PostgreSQL server for the tests, from the machine's PostgreSQL binaries.

``initdb`` in a temporary folder, ``pg_ctl start`` on a free port of 127.0.0.1 (and a unix
socket in that folder), password authentication over TCP (the password needs quoting in a URL,
which the data node tests rely on), durability off (it is thrown away), then ``pg_ctl stop`` and
the folder removed. One server serves the whole session (``tests/conftest.py``).

PostgreSQL refuses to run as root: when the tests run as root, the server runs as the
``nobody`` user (``subprocess``'s ``user=``). A watchdog process stops the server if the test
process dies without stopping it (a killed ``pytest``).

Binaries are looked up in ``$SCENARIA_PG_BINDIR``, then ``pg_config --bindir``, then
``/usr/lib/postgresql/<version>/bin`` (Debian's ``postgresql`` package), then ``PATH``. On Debian
or Ubuntu, ``apt-get install -y postgresql`` provides them (``make test`` does).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import uuid
from pathlib import Path

import pytest

from tests.support.network import free_port


def find_bindir() -> str | None:
    candidates = []
    if os.environ.get("SCENARIA_PG_BINDIR"):
        candidates.append(os.environ["SCENARIA_PG_BINDIR"])
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError):
            candidates.append(subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout.strip())
    candidates.extend(sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version, reverse=True))
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(os.path.dirname(os.path.realpath(initdb)))
    for folder in candidates:
        if folder and all(os.access(os.path.join(folder, tool), os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


def _version(path: str) -> float:
    try:
        return float(Path(path).parent.name)
    except ValueError:
        return 0.0


def unavailable_reason() -> str | None:
    """Why no server can be started here, or None."""
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        return "psycopg2 is not installed (pip install scenaria[postgresql])"
    if find_bindir() is None:
        return "no PostgreSQL binaries (initdb, pg_ctl, postgres); on Debian: apt-get install -y postgresql"
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("nobody")
        except KeyError:
            return "running as root and there is no 'nobody' user to run PostgreSQL as"
    return None


# Waits (without polling) for the test process to end, then stops the server it left running.
_WATCHDOG = """
import os, select, shutil, subprocess, sys, time
parent, bindir, data, folder, user = sys.argv[1:]
try:
    fd = os.pidfd_open(int(parent))
    select.select([fd], [], [])
except ProcessLookupError:
    pass
except (AttributeError, OSError):  # no pidfd (not Linux, old kernel): look once a second
    while True:
        try:
            os.kill(int(parent), 0)
        except ProcessLookupError:
            break
        time.sleep(1)
subprocess.run([os.path.join(bindir, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"],
               user=user or None, capture_output=True)
shutil.rmtree(folder, ignore_errors=True)
"""


# The PostgreSQL case of a back-end parameter (``params=["sqlite", POSTGRESQL]``), marked as such.
POSTGRESQL = pytest.param("postgresql", marks=pytest.mark.postgresql)

PASSWORD = "p@ss:w/rd&é"  # characters that must be quoted in a URL


class PostgresServer:
    """One server: ``url`` reaches its ``postgres`` database as the ``postgres`` superuser, whose
    credentials are also ``host``, ``port``, ``user`` and ``password``."""

    def __init__(self) -> None:
        self.bindir = find_bindir()
        # not under pytest's tmp folders: those are private to the user running the tests
        self.folder = tempfile.mkdtemp(prefix="scenaria-pg-")
        self.data = os.path.join(self.folder, "data")
        self.host, self.port = "127.0.0.1", free_port()
        self.user, self.password = "postgres", PASSWORD
        self.url = f"postgresql://postgres:{urllib.parse.quote(PASSWORD, safe='')}@127.0.0.1:{self.port}/postgres"
        self._user = "nobody" if os.geteuid() == 0 else None
        self._started = False

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        assert self.bindir is not None
        command = [os.path.join(self.bindir, args[0]), *args[1:]]
        result = subprocess.run(command, capture_output=True, text=True, user=self._user, cwd=self.folder, timeout=120)
        if result.returncode != 0:
            log = ""
            logfile = os.path.join(self.folder, "server.log")
            if os.path.exists(logfile):
                with open(logfile) as file:
                    log = file.read()[-2000:]
            raise RuntimeError(f"{' '.join(args[:2])} failed: {result.stdout}{result.stderr}{log}")
        return result

    def start(self) -> None:
        password_file = os.path.join(self.folder, "password")
        with open(password_file, "w", encoding="utf-8") as file:
            file.write(self.password + "\n")
        if self._user:
            shutil.chown(self.folder, user=self._user)
            shutil.chown(password_file, user=self._user)
        self._run(
            "initdb",
            "-D",
            self.data,
            "-U",
            "postgres",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            f"--pwfile={password_file}",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-locale",
        )
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.folder} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        log = os.path.join(self.folder, "server.log")
        self._run("pg_ctl", "-D", self.data, "-o", options, "-l", log, "-w", "start")
        self._started = True
        self._watchdog = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _WATCHDOG,
                str(os.getpid()),
                self.bindir or "",
                self.data,
                self.folder,
                self._user or "",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # not killed with the test process's group
        )

    def stop(self) -> None:
        watchdog = getattr(self, "_watchdog", None)
        if watchdog is not None:
            watchdog.kill()
            watchdog.wait()
            self._watchdog = None
        if self._started:
            try:
                self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
            finally:
                self._started = False
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- a schema per test ---------------------------------------------------------------------
    def _execute(self, sql: str) -> None:
        import psycopg2

        conn = psycopg2.connect(self.url)
        try:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(sql)
        finally:
            conn.close()

    def create_database(self, name: str) -> None:
        self._execute(f'CREATE DATABASE "{name}"')

    def fresh_schema(self) -> str:
        """The name of a schema no test used (the repository creates it)."""
        return f"test_{uuid.uuid4().hex[:12]}"

    def drop_schema(self, schema: str) -> None:
        self._execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
