"""Storage tests run twice: on a SQLite file and on a real PostgreSQL server.

The PostgreSQL server is a throwaway cluster made for this test session: ``initdb`` in a
temporary directory, started with ``pg_ctl`` on 127.0.0.1 at a free port with a generated
password (scram-sha-256), and removed at the end. PostgreSQL refuses to run as root, so when
the tests run as root the server runs as the ``postgres`` system user. Each test gets a new,
empty database on it.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tradebot.storage import Database, open_database

INSTALL_HINT = (
    "PostgreSQL server binaries (initdb, pg_ctl) were not found in /usr/lib/postgresql/*/bin: "
    "run scripts/services/postgres.sh (Debian: sudo apt-get install -y postgresql)"
)
_USER = "tradebot"
_database_numbers = itertools.count(1)


def _bindir() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4])
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """A running throwaway cluster; :meth:`new_database` gives each test an empty database."""

    def __init__(self, bindir: Path, root: Path) -> None:
        self.bindir = bindir
        self.root = root
        self.data = root / "data"
        self.log = root / "server.log"
        self.password = secrets.token_urlsafe(18)
        self.port = 0
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    def _check(self, result: subprocess.CompletedProcess[str], what: str) -> None:
        if result.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            pytest.fail(f"{what} failed ({result.returncode}):\n{result.stderr}\n{log[-3000:]}")

    def start(self) -> None:
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.password + "\n")
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(pwfile, "postgres", "postgres")
        self._check(
            self._run(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                _USER,
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--no-sync",
            ),
            "initdb",
        )
        pwfile.unlink()
        for _ in range(3):  # the free port may be taken between probing and binding
            self.port = _free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
                "-c fsync=off -c full_page_writes=off -c max_connections=200"
            )
            started = self._run(
                "pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.log),
                "-o", options,
            )  # fmt: skip
            if started.returncode == 0:
                return
        self._check(started, "pg_ctl start")

    def stop(self) -> None:
        self._run("pg_ctl", "stop", "-m", "immediate", "-w", "-D", str(self.data))

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{_USER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """Create an empty database and return its URL."""
        name = f"t{next(_database_numbers)}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user={_USER} password={self.password} "
            "dbname=postgres",
            autocommit=True,
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server on 127.0.0.1 for the whole session; fails loudly when not installed."""
    bindir = _bindir()
    if bindir is None:
        pytest.fail(INSTALL_HINT)
    root = Path(tempfile.mkdtemp(prefix="tradebot-pg-"))
    server = PostgresServer(bindir, root)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of a new, empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tradebot.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """An open database, migrated to the newest schema."""
    database = open_database(db_url)
    try:
        yield database
    finally:
        with contextlib.suppress(Exception):
            database.close()
