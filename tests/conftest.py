"""Shared fixtures: databases on SQLite and on a throwaway PostgreSQL cluster, users, the Flask app.

Database tests take the ``db`` fixture and run once per backend (``[sqlite]`` and ``[postgresql]``).
``AKTFLOW_TEST_DBS=sqlite`` limits a local run to SQLite. Under CI (``CI=true``) a PostgreSQL server that
cannot be started fails the run instead of skipping.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
USERS = {
    "cw": ("caseworker", "Carla Caseworker"),
    "cw2": ("caseworker", "Claus Caseworker"),
    "legal": ("legal", "Lise Legal"),
    "manager": ("manager", "Mads Manager"),
    "admin": ("admin", "Ada Admin"),
}
PASSWORD = "test-pass"


def _backends() -> list[str]:
    wanted = os.environ.get("AKTFLOW_TEST_DBS", "sqlite,postgresql").split(",")
    return [b.strip() for b in wanted if b.strip()]


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"under CI the real part must run: {reason}", pytrace=False)
    pytest.skip(reason)


# --- PostgreSQL: a throwaway cluster -------------------------------------------------------------------


def _pg_bindir() -> Path | None:
    for name in ("initdb", "pg_ctl"):
        found = shutil.which(name)
        if found and Path(found).resolve().parent.joinpath("pg_ctl").exists():
            return Path(found).resolve().parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    return candidates[0].parent if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PgServer:
    port: int
    user: str

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def admin_conn(self):
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user=self.user, dbname="postgres",
                               autocommit=True)


@pytest.fixture(scope="session")
def pg_server():
    external = os.environ.get("AKTFLOW_TEST_PG")  # e.g. "127.0.0.1:5432:postgres" for a running server
    if external:
        host, port, user = external.split(":")
        yield PgServer(int(port), user)
        return
    bindir = _pg_bindir()
    if bindir is None:
        _unavailable("PostgreSQL server binaries (initdb, pg_ctl) not found")
    as_root = os.geteuid() == 0
    prefix: list[str] = []
    if as_root:
        if shutil.which("runuser") is None:
            _unavailable("running as root and 'runuser' is missing")
        prefix = ["runuser", "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="aktflow-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if as_root:
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
    user = "postgres" if as_root else os.environ.get("USER", "postgres")
    port = _free_port()
    try:
        subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-U", user, "--auth=trust",
                        "-E", "UTF8", "--locale=C.UTF-8"], check=True, capture_output=True)
        opts = (f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                "-c full_page_writes=off -c max_connections=200")
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(base / "log"),
                        "-w", "-t", "60", "start"], check=True, capture_output=True)
    except (subprocess.CalledProcessError, OSError) as e:
        err = getattr(e, "stderr", b"") or b""
        _unavailable(f"could not start PostgreSQL: {e} {err.decode(errors='replace')[-500:]}")
    server = PgServer(port, user)
    try:
        yield server
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


# --- migrated templates, one database per test ------------------------------------------------------------


def _seed_users(url: str) -> None:
    from aktflow.db import Database
    from aktflow.service import add_user

    db = Database(url)
    for username, (role, name) in USERS.items():
        add_user(db, username, role=role, password=PASSWORD, name=name)
    db.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    from aktflow.db import upgrade

    path = tmp_path_factory.mktemp("tpl") / "template.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    _seed_users(url)
    return path


@pytest.fixture(scope="session")
def pg_template(pg_server) -> str:
    from aktflow.db import upgrade

    with pg_server.admin_conn() as conn:
        conn.execute("DROP DATABASE IF EXISTS aktflow_tpl")
        conn.execute("CREATE DATABASE aktflow_tpl")
    url = pg_server.url("aktflow_tpl")
    upgrade(url)
    _seed_users(url)
    return "aktflow_tpl"


_counter = itertools.count()


def _new_url(request, backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        tpl = request.getfixturevalue("sqlite_template")
        path = tmp_path / "aktflow.db"
        shutil.copyfile(tpl, path)
        return f"sqlite:///{path}"
    server = request.getfixturevalue("pg_server")
    tpl = request.getfixturevalue("pg_template")
    name = f"t_{os.getpid()}_{next(_counter)}"
    with server.admin_conn() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{tpl}"')
    request.addfinalizer(lambda: _drop_pg(server, name))
    return server.url(name)


def _drop_pg(server: PgServer, name: str) -> None:
    from aktflow.db import Database

    Database.forget_all()
    with server.admin_conn() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=_backends())
def db_url(request, tmp_path) -> str:
    return _new_url(request, request.param, tmp_path)


@pytest.fixture
def db(db_url, monkeypatch):
    """A migrated database with the test users, on each backend; also set for the CLI via the environment."""
    from aktflow.db import Database

    monkeypatch.setenv("AKTFLOW_DATABASE_URL", db_url)
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(request, tmp_path, monkeypatch):
    """Like ``db`` but SQLite only (for tests that are about the product, not the backend)."""
    from aktflow.db import Database

    url = _new_url(request, "sqlite", tmp_path)
    monkeypatch.setenv("AKTFLOW_DATABASE_URL", url)
    database = Database(url)
    yield database
    database.dispose()


@pytest.fixture
def pg_db(request, tmp_path, monkeypatch):
    """A PostgreSQL database (for tests of PostgreSQL-only behaviour)."""
    from aktflow.db import Database

    url = _new_url(request, "postgresql", tmp_path)
    monkeypatch.setenv("AKTFLOW_DATABASE_URL", url)
    database = Database(url)
    yield database
    database.dispose()


@pytest.fixture
def new_case(db):
    """A factory: a case in state 'received', created by the caseworker 'cw'."""
    from aktflow.service import create_case

    def make(**kw):
        received = (dt.date.today() - dt.timedelta(days=10)).isoformat()
        args = dict(actor="cw", requester="Mette Hansen", received=received, basis="ofl",
                    subject="Aktindsigt i byggesag", emne="02.34.02", assign="cw")
        args.update(kw)
        return create_case(db, **args)

    return make


@pytest.fixture
def runner():
    from click.testing import CliRunner

    return CliRunner()


@pytest.fixture
def app(db):
    from web import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": db.url})
    yield app
    app.extensions["aktflow_db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.05) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(interval)
    return False
