"""A throwaway PostgreSQL server for the tests, from the machine's PostgreSQL binaries.

``initdb`` a cluster in a temporary folder, start it on a free local port with a password
(scram-sha-256, so that the URL and its quoting are really used), and remove it all at the end.
PostgreSQL refuses to run as root: as root, the server runs as the ``postgres`` user that
Debian's ``postgresql`` package creates (through ``runuser``). Needs ``initdb`` and ``pg_ctl``
(Debian: ``apt-get install -y postgresql``) and psycopg2.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

USER = "scenaria"
PASSWORD = "p@ss:w/rd&é"  # characters that must be quoted in a URL


def find_binary(name: str) -> str | None:
    """``name`` on the PATH, else in Debian's versioned folder (newest version first)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def unavailable_reason() -> str | None:
    """Why no server can be started here, or None."""
    for name in ("initdb", "pg_ctl"):
        if find_binary(name) is None:
            return f"{name} not found (install Debian's postgresql package)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the server as"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """``start()``, ``stop()``, ``create_database(name)``; ``host``, ``port``, ``user``, ``password``."""

    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self.port = _free_port()
        self.user = USER
        self.password = PASSWORD
        self.folder = Path(tempfile.mkdtemp(prefix="scenaria-pg-"))
        self.data = self.folder / "data"
        self._as_postgres = os.geteuid() == 0

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self._as_postgres else []
        result = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            output = result.stderr + result.stdout
            raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}): {output}\n{tail}")

    def start(self) -> None:
        password_file = self.folder / "password"
        password_file.write_text(self.password + "\n", encoding="utf-8")
        if self._as_postgres:
            record = pwd.getpwnam("postgres")
            for path in (self.folder, password_file):
                os.chown(path, record.pw_uid, record.pw_gid)
        self._run(find_binary("initdb") or "initdb", "-D", str(self.data), "-U", self.user, "-E", "UTF8",
                  "--locale=C", "--auth=scram-sha-256", f"--pwfile={password_file}", "--no-sync")
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses={self.host} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        self._run(find_binary("pg_ctl") or "pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"),
                  "-o", options, "-w", "-t", "60", "start")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError):
                self._run(find_binary("pg_ctl") or "pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def create_database(self, name: str) -> None:
        import psycopg2

        connection = psycopg2.connect(host=self.host, port=self.port, user=self.user, password=self.password,
                                      dbname="postgres")
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()
