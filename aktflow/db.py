"""Engine and session factory, and the migration runner (Alembic)."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from .config import Config


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str, **kw: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True, **kw)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kw.setdefault("pool_pre_ping", True)
    # SQL parameters (requester details, document text) never go to logs or error messages.
    return create_engine(url, hide_parameters=True, **kw)


class Database:
    """An engine plus the session factory the service uses for its units of work."""

    def __init__(self, url: str, **engine_kw: Any):
        self.url = url
        self._pid = os.getpid()
        self.engine = make_engine(url, **engine_kw)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    _cache: dict[str, Database] = {}

    @classmethod
    def from_config(cls, config: Config | None = None) -> Database:
        """The process's Database for the configured URL (one engine and pool per URL and process)."""
        url = (config or Config.from_env()).database_url
        db = cls._cache.get(url)
        if db is None:
            db = cls._cache[url] = cls(url)
        return db

    @classmethod
    def forget_all(cls) -> None:
        """Dispose every cached Database (tests, and after a fork)."""
        for db in cls._cache.values():
            db.dispose()
        cls._cache.clear()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        return self.sessions()

    def dispose(self) -> None:
        # In a forked child, drop the inherited pool without closing the parent's connections.
        self.engine.dispose(close=os.getpid() == self._pid)


def alembic_config(url: str):  # -> alembic.config.Config
    from alembic.config import Config as AlembicConfig

    script_location = str(resources.files("migrations"))
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", script_location)
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision``."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    from alembic import command

    command.downgrade(alembic_config(url), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
