"""Shared fixtures: databases on SQLite and on a throwaway PostgreSQL cluster, users, the Flask app.

Database tests take the ``db`` fixture and run once per backend (``[sqlite]`` and ``[postgresql]``).
``AKTFLOW_TEST_DBS=sqlite`` limits a local run to SQLite. Under CI (``CI=true``) a PostgreSQL server that
cannot be started fails the run instead of skipping.

The markers are applied here, from where a test lives and what it uses, so that ``-m`` selects honestly
(see :func:`pytest_collection_modifyitems`); ``make test-fast`` deselects ``slow``, ``browser`` and
``postgres``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import time
from pathlib import Path

import pytest

from aktflow import clock
from aktflow.vocabulary import SYSTEM_ACTOR
from tests.archive_setup import fake_sbsys, sbsys_env, soffice  # noqa: F401  (shared fixtures)

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
# Stored files are read right after the commit, in the same call, so a test sees the screening's result
# when fire() returns; the background thread and the worker are tested on their own
# (tests/integration/test_document_screening.py).
os.environ.setdefault("AKTFLOW_SCREENING", "inline")


# Fixtures that need the PostgreSQL server; an item using any of them is marked ``postgres``.
PG_FIXTURES = frozenset({"pg_server", "pg_template", "pg_db"})
# Folders whose every test is ``slow`` (real servers, crashes, long runs); browser tests also get ``browser``.
SLOW_DIRS = ("reliability", "browser")


def pytest_collection_modifyitems(config, items):
    """Mark every collected item by what it needs, so ``-m "not slow and not postgres"`` means what it says.

    - ``postgres``: parametrised with the PostgreSQL backend (``db_url[postgresql]``, hence every ``db``
      test's PostgreSQL twin) or using a PostgreSQL-only fixture (:data:`PG_FIXTURES`).
    - ``slow``: everything under ``tests/reliability`` and ``tests/browser``.
    - ``browser``: everything under ``tests/browser`` (tests elsewhere mark themselves).
    """
    tests_dir = Path(__file__).resolve().parent
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_pg = callspec is not None and callspec.params.get("db_url") == "postgresql"
        if on_pg or PG_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)
        try:
            part = Path(str(item.path)).resolve().relative_to(tests_dir).parts[0]
        except ValueError:
            continue
        if part in SLOW_DIRS:
            item.add_marker(pytest.mark.slow)
        if part == "browser" and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)


def _backends() -> list[str]:
    wanted = os.environ.get("AKTFLOW_TEST_DBS", "sqlite,postgresql").split(",")
    return [b.strip() for b in wanted if b.strip()]


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"under CI the real part must run: {reason}", pytrace=False)
    pytest.skip(reason)


# --- PostgreSQL: a throwaway cluster -------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server():
    from devtools.pgcluster import PgUnavailable, start

    try:
        server = start()
    except PgUnavailable as e:
        _unavailable(str(e))
    try:
        yield server
    finally:
        server.stop()


# --- migrated templates, one database per test ------------------------------------------------------------


def _seed_users(url: str) -> None:
    from aktflow.db import Database
    from aktflow.users import add_user

    db = Database(url)
    for username, (role, name) in USERS.items():
        add_user(
            db, username, role=role, password=PASSWORD, name=name, actor=SYSTEM_ACTOR, demo_password=True
        )
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


def _drop_pg(server, name: str) -> None:
    from aktflow.db import Database

    Database.forget_all()
    with server.admin_conn() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(autouse=True)
def _fresh_services():
    """Each test starts and ends without the process's services (``aktflow.bootstrap``): settings a test
    sets in the environment take effect, and nothing built for one test leaks into the next."""
    from aktflow import bootstrap

    bootstrap.reset()
    yield
    bootstrap.reset()
    from aktflow.document_screening import stop_all

    stop_all()  # a test's background screening thread ends with the test (its database is dropped)


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
        received = (clock.today() - dt.timedelta(days=10)).isoformat()
        args = dict(
            actor="cw",
            requester="Mette Hansen",
            received=received,
            basis="ofl",
            subject="Aktindsigt i byggesag",
            emne="02.34.02",
            assign="cw",
        )
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
