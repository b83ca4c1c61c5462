"""PostgreSQL: the schema owner migrates, the runtime role may only append to the logs.

On the suite's own PostgreSQL cluster: ``aktflow db upgrade`` runs as the owner of
``AKTFLOW_MIGRATION_DATABASE_URL`` and grants the role of ``AKTFLOW_DATABASE_URL`` what it needs. The runtime
role works a case and the administration, but cannot UPDATE, DELETE or TRUNCATE the log tables, nor disable
their triggers; a rewrite done as the owner, with recomputed hashes, is caught by ``aktflow audit verify``.
"""

from __future__ import annotations

import itertools
import json
import os

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from aktflow import audit, bootstrap
from aktflow.administration import change_calendar
from aktflow.cli import cli
from aktflow.db import Database, make_engine
from aktflow.models import Event
from aktflow.service import create_case, fire
from aktflow.users import add_user, change_role
from aktflow.vocabulary import SYSTEM_ACTOR

pytestmark = pytest.mark.postgres
_n = itertools.count()


@pytest.fixture
def roles(pg_server, monkeypatch):
    """(owner URL, runtime URL) of a fresh database owned by its own owner role, upgraded through the CLI."""
    from click.testing import CliRunner

    tag = f"{os.getpid()}_{next(_n)}"
    owner, runtime = pg_server.create_role(f"own_{tag}"), pg_server.create_role(f"app_{tag}")
    owner_url = pg_server.create_database_owned_by(f"roles_{tag}", owner)
    runtime_url = pg_server.url(f"roles_{tag}", runtime)
    monkeypatch.setenv("AKTFLOW_DATABASE_URL", runtime_url)
    monkeypatch.setenv("AKTFLOW_MIGRATION_DATABASE_URL", owner_url)
    bootstrap.reset()
    r = CliRunner().invoke(cli, ["db", "upgrade"], catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    assert "advarsel" not in r.stderr, r.stderr
    assert f"rollen '{runtime}' må læse og tilføje i loggene" in r.stderr
    yield owner_url, runtime_url
    Database.forget_all()
    with pg_server.admin_conn() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "roles_{tag}" WITH (FORCE)')
        conn.execute(f'DROP ROLE IF EXISTS "{runtime}"')
        conn.execute(f'DROP ROLE IF EXISTS "{owner}"')


def _work(runtime_url: str) -> int:
    """A day's work as the runtime role: users, a case with its events, a calendar change (the set-based
    recompute), a role change. Returns the case id."""
    db = Database(runtime_url)
    add_user(db, "admin", role="admin", password="test-pass-1234", actor=SYSTEM_ACTOR)
    add_user(db, "cw", role="caseworker", password="test-pass-1234", actor=SYSTEM_ACTOR)
    c = create_case(
        db,
        actor="cw",
        requester="Mette Hansen",
        received="2026-11-02",
        basis="ofl",
        subject="Aktindsigt",
        emne="02.34.02",
        assign="cw",
    )
    for t in ("register", "start_collecting"):
        fire(db, c.id, t, actor="cw", note=f"Note til {t}")
    import datetime as dt

    change_calendar(db, actor="admin", close=[dt.date(2026, 12, 28)])
    change_role(db, actor="admin", username="cw", role="manager")
    return c.id


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET note = 'rettet' WHERE seq = 2",
        "DELETE FROM events WHERE seq = 2",
        "TRUNCATE events CASCADE",
        "ALTER TABLE events DISABLE TRIGGER events_append_only",
        "DROP TRIGGER events_append_only ON events",
        "UPDATE admin_log SET actor = 'cw'",
        "DELETE FROM admin_log",
        "ALTER TABLE admin_log DISABLE TRIGGER USER",
        "DELETE FROM audit_legacy",
        "DELETE FROM access_log",
        "UPDATE access_log SET actor = 'x'",
        "INSERT INTO audit_legacy (max_event_id, at) VALUES (1000000, now())",
    ],
)
def test_the_runtime_role_cannot_change_the_logs_or_their_triggers(roles, statement, runner):
    owner_url, runtime_url = roles
    _work(runtime_url)
    engine = make_engine(runtime_url)
    try:
        with engine.connect() as conn:
            before = conn.execute(text("SELECT id, note, hash FROM events ORDER BY id")).all()
        with pytest.raises(DBAPIError) as e:
            with engine.begin() as conn:
                conn.execute(text(statement))
        assert "permission denied" in str(e.value.orig) or "must be owner" in str(e.value.orig)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT id, note, hash FROM events ORDER BY id")).all() == before
    finally:
        engine.dispose()
    assert runner.invoke(cli, ["audit", "verify"], catch_exceptions=False).exit_code == 0


def test_a_rewrite_by_the_owner_with_recomputed_hashes_is_detected(roles, runner):
    """The owner can switch the trigger off; without the audit key its recomputed chain does not verify."""
    owner_url, runtime_url = roles
    cid = _work(runtime_url)
    with Database(runtime_url).session() as s:
        evs = list(s.scalars(select(Event).where(Event.case_id == cid).order_by(Event.seq)))
    engine = make_engine(owner_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE events DISABLE TRIGGER events_append_only"))
            prev = evs[0].hash
            for ev in evs[1:]:
                note = "ingen aktindsigt" if ev.seq == 2 else ev.note
                h = audit.event_hash(
                    case_id=ev.case_id,
                    seq=ev.seq,
                    at=ev.at,
                    actor=ev.actor,
                    trigger=ev.trigger,
                    from_state=ev.from_state,
                    to_state=ev.to_state,
                    note=note,
                    data=ev.data,
                    prev_hash=prev,
                    workflow_version=ev.workflow_version,
                )
                conn.execute(
                    text(
                        "UPDATE events SET note = :n, prev_hash = :p, hash = :h, key_id = NULL WHERE id = :i"
                    ),
                    {"n": note, "p": prev, "h": h, "i": ev.id},
                )
                prev = h
            conn.execute(text("UPDATE cases SET last_hash = :h WHERE id = :c"), {"h": prev, "c": cid})
            conn.execute(text("ALTER TABLE events ENABLE TRIGGER events_append_only"))
    finally:
        engine.dispose()
    r = runner.invoke(cli, ["audit", "verify", "--json"], catch_exceptions=False)
    assert r.exit_code == 1
    report = json.loads(r.stdout)
    assert [(p["case"], p["seq"]) for p in report["problems"]] == [(cid, 2)]


def test_the_runtime_role_owns_nothing_and_one_role_for_both_is_warned(roles, pg_server, runner, monkeypatch):
    owner_url, runtime_url = roles
    runtime = runtime_url.split("//")[1].split("@")[0]
    engine = make_engine(owner_url)
    try:
        with engine.connect() as conn:
            owned = conn.scalar(text("SELECT count(*) FROM pg_tables WHERE tableowner = :r"), {"r": runtime})
            grants = dict(
                conn.execute(
                    text(
                        "SELECT table_name, string_agg(privilege_type, ',' ORDER BY privilege_type) "
                        "FROM information_schema.role_table_grants WHERE grantee = :r GROUP BY table_name"
                    ),
                    {"r": runtime},
                ).all()
            )
    finally:
        engine.dispose()
    assert owned == 0
    assert grants["events"] == grants["admin_log"] == grants["access_log"] == "INSERT,SELECT"
    assert grants["audit_legacy"] == grants["alembic_version"] == "SELECT"
    assert grants["cases"] == "DELETE,INSERT,SELECT,UPDATE"
    # The same URL for both: it works, and says that nothing is separated.
    monkeypatch.delenv("AKTFLOW_MIGRATION_DATABASE_URL")
    monkeypatch.setenv("AKTFLOW_DATABASE_URL", owner_url)
    r = runner.invoke(cli, ["db", "upgrade"], catch_exceptions=False)
    assert r.exit_code == 0 and "advarsel: AKTFLOW_DATABASE_URL bruger ejerrollen" in r.stderr
