"""Migrations on an empty database (both backends) and the audit of the event log."""

from __future__ import annotations

import itertools
import json
import os
import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from aktflow.cli import cli
from aktflow.db import current_revision, downgrade, make_engine, upgrade
from aktflow.models import Base
from aktflow.service import create_case, fire
from aktflow.vocabulary import SYSTEM_ACTOR

_names = itertools.count()
APP_TABLES = set(Base.metadata.tables)


def _backends() -> list[str]:
    wanted = os.environ.get("AKTFLOW_TEST_DBS", "sqlite,postgresql").split(",")
    return [b.strip() for b in wanted if b.strip()]


@pytest.fixture(params=_backends())
def empty_url(request, tmp_path):
    """The URL of an EMPTY database (no tables at all)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server = request.getfixturevalue("pg_server")
    name = f"mig_{os.getpid()}_{next(_names)}"
    with server.admin_conn() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # from template1: empty
    yield server.url(name)
    with server.admin_conn() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _diff(engine) -> list:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, Base.metadata)


def test_upgrade_matches_models_downgrade_removes_all_upgrade_again(empty_url):
    engine = make_engine(empty_url)
    try:
        assert _tables(engine) == set()
        upgrade(empty_url)
        assert APP_TABLES <= _tables(engine)
        assert current_revision(engine) is not None
        assert _diff(engine) == []

        downgrade(empty_url, "base")
        assert _tables(engine) & APP_TABLES == set()
        assert _tables(engine) <= {"alembic_version"}
        assert current_revision(engine) is None

        upgrade(empty_url)
        assert APP_TABLES <= _tables(engine)
        assert _diff(engine) == []
        # the upgraded schema takes a case end to end
        from aktflow.db import Database
        from aktflow.users import add_user

        db = Database(empty_url)
        add_user(db, "cw", role="caseworker", password="test-pass", actor=SYSTEM_ACTOR, demo_password=True)
        c = create_case(
            db, actor="cw", requester="A", received="2026-11-02", basis="ofl", subject="s", emne="02.34.02"
        )
        assert fire(db, c.id, "register", actor="cw").state == "registered"
        db.dispose()
    finally:
        engine.dispose()


def test_downgrade_on_postgresql_removes_the_append_only_trigger_function(request, tmp_path):
    if "postgresql" not in _backends():
        pytest.skip("PostgreSQL not selected")
    server = request.getfixturevalue("pg_server")
    name = f"mig_{os.getpid()}_{next(_names)}"
    with server.admin_conn() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = server.url(name)
    engine = make_engine(url)
    try:
        upgrade(url)
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM pg_proc WHERE proname LIKE 'aktflow%'")) >= 1
        downgrade(url, "base")
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM pg_proc WHERE proname LIKE 'aktflow%'")) == 0
        upgrade(url)  # and the function can be created again
    finally:
        engine.dispose()
        with server.admin_conn() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- audit ----------------------------------------------------------------------------------------------


def _populate(db) -> list[int]:
    """Three cases with some history; returns their ids."""
    ids = []
    for path in (["register"], ["register", "start_collecting", "start_screening"], ["withdraw"]):
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
        for t in path:
            fire(db, c.id, t, actor="cw", note=f"Note til {t}")
        ids.append(c.id)
    return ids


def _raw_sqlite(db):
    """A plain sqlite3 connection to the database file, as someone editing it by hand would use (no
    foreign-key enforcement: the tamperer is not stopped by the letters that point at an event)."""
    import sqlite3

    return sqlite3.connect(make_url(db.url).database)


def _tamper(db, sql: str, params: dict) -> int:
    conn = _raw_sqlite(db)
    try:
        with conn:
            return conn.execute(sql, params).rowcount
    finally:
        conn.close()


def _verify(runner):
    return runner.invoke(cli, ["audit", "verify"], catch_exceptions=False)


def _verify_json(runner) -> dict:
    r = runner.invoke(cli, ["audit", "verify", "--json"], catch_exceptions=False)
    return json.loads(r.stdout)


def test_audit_verify_ok_on_a_healthy_database(db, runner):
    ids = _populate(db)
    r = _verify(runner)
    assert r.exit_code == 0, r.stderr
    assert "Traceback" not in r.stderr
    report = _verify_json(runner)
    assert report["ok"] is True and report["cases"] == len(ids) and report["problems"] == []


def _problem_lines(r) -> list[str]:
    return [ln for ln in r.stderr.splitlines() if ln.strip()]


def test_edited_event_note_is_detected_and_named(sqlite_db, runner):
    db = sqlite_db
    ids = _populate(db)
    target, seq = ids[1], 3  # the case's third event: 'start_collecting'
    n = _tamper(
        db,
        "UPDATE events SET note = 'rettet bagefter' WHERE case_id = :c AND seq = :s",
        {"c": target, "s": seq},
    )
    assert n == 1
    r = _verify(runner)
    assert r.exit_code != 0
    lines = _problem_lines(r)
    assert len(lines) == 1, lines  # only the edited case is reported
    assert re.search(rf"\b{target}\b", lines[0]) and re.search(rf"\b{seq}\b", lines[0]), lines[0]
    assert "Traceback" not in r.stderr
    report = _verify_json(runner)
    assert report["ok"] is False
    assert [(p["case"], p["seq"]) for p in report["problems"]] == [(target, seq)]


def test_edited_event_with_recomputed_hashes_is_still_detected(sqlite_db, runner):
    """A forger who also recomputes the hash of the edited (last) event and the case's head hash is caught by
    the replay: the events no longer give the case's state."""
    from aktflow import audit
    from aktflow.models import Event

    db = sqlite_db
    ids = _populate(db)
    target = ids[0]  # received -> registered
    with db.session() as s:
        ev = s.query(Event).filter_by(case_id=target).order_by(Event.seq.desc()).first()
        seq = ev.seq
        new_hash = audit.event_hash(
            case_id=ev.case_id,
            seq=ev.seq,
            at=ev.at,
            actor=ev.actor,
            trigger=ev.trigger,
            from_state=ev.from_state,
            to_state="forwarded",
            note=ev.note,
            data=ev.data,
            prev_hash=ev.prev_hash,
        )
    assert (
        _tamper(
            db,
            "UPDATE events SET to_state = 'forwarded', hash = :h WHERE case_id = :c AND seq = :s",
            {"h": new_hash, "c": target, "s": seq},
        )
        == 1
    )
    assert _tamper(db, "UPDATE cases SET last_hash = :h WHERE id = :c", {"h": new_hash, "c": target}) == 1
    r = _verify(runner)
    assert r.exit_code != 0
    report = _verify_json(runner)
    assert [p["case"] for p in report["problems"]] == [target]


def test_deleted_last_event_is_detected(sqlite_db, runner):
    db = sqlite_db
    ids = _populate(db)
    target = ids[1]
    with db.engine.connect() as conn:
        last = conn.scalar(text("SELECT max(seq) FROM events WHERE case_id = :c"), {"c": target})
    assert _tamper(db, "DELETE FROM events WHERE case_id = :c AND seq = :s", {"c": target, "s": last}) == 1
    r = _verify(runner)
    assert r.exit_code != 0
    lines = _problem_lines(r)
    assert len(lines) == 1 and re.search(rf"\b{target}\b", lines[0]), lines
    report = _verify_json(runner)
    assert [p["case"] for p in report["problems"]] == [target]


def test_deleted_middle_event_is_detected(sqlite_db, runner):
    db = sqlite_db
    ids = _populate(db)
    target = ids[1]
    assert _tamper(db, "DELETE FROM events WHERE case_id = :c AND seq = 2", {"c": target}) == 1
    assert _verify(runner).exit_code != 0
    assert [p["case"] for p in _verify_json(runner)["problems"]] == [target]


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET note = 'rettet' WHERE seq = 2",
        "DELETE FROM events WHERE seq = 2",
        "TRUNCATE events CASCADE",
    ],
    ids=["update", "delete", "truncate"],
)
def test_postgresql_refuses_changes_to_events(pg_db, runner, statement):
    db = pg_db
    _populate(db)
    with db.engine.connect() as conn:
        before = conn.execute(text("SELECT id, seq, note, hash FROM events ORDER BY id")).all()
    with pytest.raises(DBAPIError) as e:
        with db.engine.begin() as conn:
            conn.execute(text(statement))
    assert "append-only" in str(e.value.orig)  # refused by the trigger, not by some other constraint
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT id, seq, note, hash FROM events ORDER BY id")).all() == before
    r = _verify(runner)
    assert r.exit_code == 0, r.stderr
