"""Backup and restore on PostgreSQL: a pg_dump restored into a fresh database passes `aktflow audit verify`."""

from __future__ import annotations

import subprocess

from sqlalchemy import func, select

from aktflow.models import Case, Event, Letter
from aktflow.service import create_case, fire
from devtools.pgcluster import pg_bindir


def test_pg_dump_restore_verifies(pg_db, pg_server, runner, tmp_path, monkeypatch, figures):
    from aktflow.cli import cli

    for i in range(5):
        c = create_case(
            pg_db,
            actor="cw",
            requester=f"Borger {i}",
            received="2026-11-02",
            basis="ofl",
            subject="Backup",
            emne="15.17.12",
            assign="cw",
        )
        for t in ("register", "start_collecting"):
            fire(pg_db, c.id, t, actor="cw")
    dbname = pg_db.url.rsplit("/", 1)[1]
    dump = tmp_path / "aktflow.sql"
    bindir = pg_bindir()
    conn = ["-h", "127.0.0.1", "-p", str(pg_server.port), "-U", pg_server.user]
    subprocess.run([str(bindir / "pg_dump"), *conn, "--no-owner", "-f", str(dump), dbname], check=True)
    restored_url = pg_server.create_database(dbname + "_restored")
    subprocess.run(
        [str(bindir / "psql"), *conn, "-v", "ON_ERROR_STOP=1", "-q", "-f", str(dump), dbname + "_restored"],
        check=True,
        capture_output=True,
    )
    monkeypatch.setenv("AKTFLOW_DATABASE_URL", restored_url)
    r = runner.invoke(cli, ["audit", "verify", "--json"])
    assert r.exit_code == 0, r.stderr
    from aktflow.db import Database

    restored = Database(restored_url)
    counts = []
    for db in (pg_db, restored):
        with db.session() as s:
            counts.append(tuple(s.scalar(select(func.count()).select_from(m)) for m in (Case, Event, Letter)))
    restored.dispose()
    assert counts[0] == counts[1] and counts[0][0] == 5
    # the append-only trigger came back with the restore
    import psycopg
    import pytest

    with (
        psycopg.connect(
            host="127.0.0.1", port=pg_server.port, user=pg_server.user, dbname=dbname + "_restored"
        ) as pc,
        pytest.raises(psycopg.Error, match="append-only"),
    ):
        pc.execute("UPDATE events SET note = 'x'")
    figures(
        "backup/restore (pg_dump → psql into a fresh database)",
        f"{counts[1][0]} cases, {counts[1][1]} events, {counts[1][2]} letters restored; audit verify passes; "
        "append-only trigger restored",
    )
