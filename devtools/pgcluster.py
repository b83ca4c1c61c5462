"""A throwaway PostgreSQL cluster in a temporary directory, for tests and benchmarks.

PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` user (``runuser``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


class PgUnavailable(RuntimeError):
    """No PostgreSQL server could be started here (binaries missing, or the start failed)."""


def pg_bindir() -> Path | None:
    for name in ("initdb", "pg_ctl"):
        found = shutil.which(name)
        if found and Path(found).resolve().parent.joinpath("pg_ctl").exists():
            return Path(found).resolve().parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    return candidates[0].parent if candidates else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PgCluster:
    port: int
    user: str
    base: Path | None = None
    _stop: list[str] = field(default_factory=list)

    def url(self, dbname: str, user: str | None = None) -> str:
        """The SQLAlchemy URL of ``dbname``, as ``user`` (default: the cluster's superuser)."""
        return f"postgresql+psycopg://{user or self.user}@127.0.0.1:{self.port}/{dbname}"

    def create_role(self, name: str) -> str:
        """A fresh login role ``name`` (dropped first with whatever it owns); the cluster trusts local logins."""
        with self.admin_conn() as conn:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
            if exists:
                for (db,) in conn.execute("SELECT datname FROM pg_database WHERE datallowconn").fetchall():
                    import psycopg

                    with psycopg.connect(
                        host="127.0.0.1", port=self.port, user=self.user, dbname=db, autocommit=True
                    ) as c:
                        c.execute(f'DROP OWNED BY "{name}" CASCADE')
                conn.execute(f'DROP ROLE "{name}"')
            conn.execute(f'CREATE ROLE "{name}" LOGIN')
        return name

    def create_database_owned_by(self, name: str, owner: str) -> str:
        """An empty database ``name`` owned by ``owner`` (who then owns its ``public`` schema's contents)."""
        with self.admin_conn() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"')
        return self.url(name, owner)

    def admin_conn(self):
        import psycopg

        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=self.user, dbname="postgres", autocommit=True
        )

    def create_database(self, name: str, template: str | None = None) -> str:
        with self.admin_conn() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def stop(self) -> None:
        if self._stop:
            subprocess.run(self._stop, capture_output=True)
            self._stop = []
        if self.base:
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None


def start(*, fast: bool = True, max_connections: int = 200) -> PgCluster:
    """Start a cluster on a free loopback port. ``fast`` turns off durability (fsync) for tests."""
    external = os.environ.get("AKTFLOW_TEST_PG")  # "host:port:user" of a running server to use instead
    if external:
        _host, port, user = external.split(":")
        return PgCluster(int(port), user)
    bindir = pg_bindir()
    if bindir is None:
        raise PgUnavailable("PostgreSQL server binaries (initdb, pg_ctl) not found")
    as_root = os.geteuid() == 0
    prefix: list[str] = []
    if as_root:
        if shutil.which("runuser") is None:
            raise PgUnavailable("running as root and 'runuser' is missing")
        prefix = ["runuser", "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="aktflow-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if as_root:
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
    user = "postgres" if as_root else (os.environ.get("USER") or "postgres")
    port = free_port()
    opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c max_connections={max_connections}"
    if fast:
        opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    try:
        subprocess.run(
            [
                *prefix,
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                user,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                *prefix,
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                opts,
                "-l",
                str(base / "log"),
                "-w",
                "-t",
                "60",
                "start",
            ],
            check=True,
            capture_output=True,
        )
    except (subprocess.CalledProcessError, OSError) as e:
        err = (getattr(e, "stderr", b"") or b"").decode(errors="replace")[-500:]
        shutil.rmtree(base, ignore_errors=True)
        raise PgUnavailable(f"could not start PostgreSQL: {e} {err}") from None
    return PgCluster(
        port, user, base, [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
    )
