"""An audit trail nobody can rewrite: the keyed event chain, key rotation, events from before the key,
and the administrative log (who changed which user, role, password, token or setting)."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat

import pytest
from sqlalchemy import select, text

from aktflow import audit, bootstrap, kle, tokens
from aktflow.administration import change_calendar, retry_outbox, save_municipality
from aktflow.cli import cli
from aktflow.models import AdminLogEntry, Event
from aktflow.service import create_case, fire
from aktflow.users import add_user, change_role, set_active, set_password
from aktflow.vocabulary import SYSTEM_ACTOR

NEW_PASSWORD = "en-helt-ny-adgangskode-77"


@pytest.fixture
def keys(tmp_path, monkeypatch):
    """A key file of this test's own (no AKTFLOW_AUDIT_KEY): the keys the test database's template was
    signed with, and a new current key after them (as after a rotation)."""
    inherited = audit.load_keyring()
    path = tmp_path / "keys" / "audit-keys"
    path.parent.mkdir()
    path.write_text("".join(k.decode() + "\n" for k in inherited.keys.values()) + "a" * 64 + "\n")
    monkeypatch.delenv("AKTFLOW_AUDIT_KEY", raising=False)
    monkeypatch.setenv("AKTFLOW_AUDIT_KEY_FILE", str(path))
    bootstrap.reset()
    return path


def _case(db, path=("register", "start_collecting")) -> int:
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
    return c.id


def _verify(runner) -> tuple[int, dict]:
    r = runner.invoke(cli, ["audit", "verify", "--json"], catch_exceptions=False)
    assert "Traceback" not in r.stderr
    return r.exit_code, json.loads(r.stdout)


def _events(db, case_id) -> list[Event]:
    with db.session() as s:
        return list(s.scalars(select(Event).where(Event.case_id == case_id).order_by(Event.seq)))


def _rewrite_chain(db, case_id: int, seq: int, note: str, *, key: bytes | None, kid: str | None) -> None:
    """What a forger with write access does: change one event's note and recompute every later hash
    and the case's head, with ``key`` (None: plain SHA-256) and storing ``kid`` as the key id."""
    evs = _events(db, case_id)
    prev = evs[seq - 2].hash if seq > 1 else audit.GENESIS
    with db.engine.begin() as conn:
        for ev in evs[seq - 1 :]:
            if ev.seq == seq:
                ev.note = note
            ev.prev_hash = prev
            h = audit.event_hash(
                case_id=ev.case_id,
                seq=ev.seq,
                at=ev.at,
                actor=ev.actor,
                trigger=ev.trigger,
                from_state=ev.from_state,
                to_state=ev.to_state,
                note=ev.note,
                data=ev.data,
                prev_hash=prev,
                workflow_version=ev.workflow_version,
                key=key,
            )
            conn.execute(
                text("UPDATE events SET note = :n, prev_hash = :p, hash = :h, key_id = :k WHERE id = :i"),
                {"n": ev.note, "p": prev, "h": h, "k": kid, "i": ev.id},
            )
            prev = h
        conn.execute(text("UPDATE cases SET last_hash = :h WHERE id = :c"), {"h": prev, "c": case_id})


# --- the key --------------------------------------------------------------------------------------------


def test_without_a_key_a_key_file_is_generated_readable_by_its_owner_only(sqlite_db, tmp_path, monkeypatch):
    path = tmp_path / "new" / "audit-keys"
    monkeypatch.delenv("AKTFLOW_AUDIT_KEY", raising=False)
    monkeypatch.setenv("AKTFLOW_AUDIT_KEY_FILE", str(path))
    bootstrap.reset()
    cid = _case(sqlite_db)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    ring = audit.load_keyring(create=False)
    assert ring.source == str(path) and len(ring.keys) == 1
    assert {e.key_id for e in _events(sqlite_db, cid)} == {ring.current_id}
    with sqlite_db.session() as s:
        assert audit.verify(s, ring) == (1, [])


def test_the_key_setting_signs_and_a_short_key_is_refused_in_danish(sqlite_db, keys, runner, monkeypatch):
    monkeypatch.setenv("AKTFLOW_AUDIT_KEY", "x" * 40)
    bootstrap.reset()
    cid = _case(sqlite_db)
    assert {e.key_id for e in _events(sqlite_db, cid)} == {audit.key_id(b"x" * 40)}
    assert _verify(runner)[0] == 0
    monkeypatch.setenv("AKTFLOW_AUDIT_KEY", "kort")
    r = runner.invoke(cli, ["audit", "verify"])
    assert r.exit_code == 2
    assert "AKTFLOW_AUDIT_KEY: skal have mindst 32 tegn" in r.stderr and "kort" not in r.stderr


def test_a_rewritten_note_with_recomputed_plain_hashes_is_detected(sqlite_db, keys, runner):
    """The forger of an unkeyed chain: SHA-256 recomputed for the edited event and all after it, the key
    ids removed, the case's head updated. Before the key this passed the audit."""
    other = _case(sqlite_db)
    cid = _case(sqlite_db)
    _rewrite_chain(sqlite_db, cid, 2, "ingen aktindsigt", key=None, kid=None)
    code, report = _verify(runner)
    assert code == 1
    assert [(p["case"], p["seq"]) for p in report["problems"]] == [(cid, 2)]
    assert "ingen nøgle" in report["problems"][0]["message"]
    assert other not in [p["case"] for p in report["problems"]]


def test_a_rewrite_with_a_guessed_key_under_the_real_key_id_is_detected(sqlite_db, keys, runner):
    cid = _case(sqlite_db)
    kid = _events(sqlite_db, cid)[0].key_id
    _rewrite_chain(sqlite_db, cid, 3, "rettet", key=b"g" * 64, kid=kid)
    code, report = _verify(runner)
    assert code == 1
    assert [(p["case"], p["seq"]) for p in report["problems"]] == [(cid, 3)]
    assert "hash passer ikke" in report["problems"][0]["message"]


def test_rotation_old_events_verify_with_their_key_new_ones_use_the_new(sqlite_db, keys, runner):
    before = _case(sqlite_db)
    old_id = audit.load_keyring(create=False).current_id
    assert old_id == audit.key_id(b"a" * 64)
    r = runner.invoke(cli, ["audit", "new-key"], catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    bootstrap.reset()  # a restart: the new key signs from now on
    new_id = audit.load_keyring(create=False).current_id
    assert new_id != old_id and new_id in r.stdout
    fire(sqlite_db, before, "start_screening", actor="cw")
    after = _case(sqlite_db)
    assert [e.key_id for e in _events(sqlite_db, before)] == [old_id] * 3 + [new_id]
    assert {e.key_id for e in _events(sqlite_db, after)} == {new_id}
    assert _verify(runner)[0] == 0
    # Without the old key, its events cannot be checked, and the audit says which key is missing.
    lines = keys.read_text().splitlines()
    keys.write_text(
        "\n".join(ln for ln in lines if ln.startswith("#") or audit.key_id(ln.encode()) != old_id) + "\n"
    )
    code, report = _verify(runner)
    assert code == 1 and [p["case"] for p in report["problems"]] == [before]
    assert f"ukendt nøgle {old_id}" in report["problems"][0]["message"]


def test_new_key_refuses_when_the_key_is_a_setting(sqlite_db, keys, runner, monkeypatch):
    monkeypatch.setenv("AKTFLOW_AUDIT_KEY", "y" * 40)
    r = runner.invoke(cli, ["audit", "new-key"])
    assert r.exit_code == 2 and "AKTFLOW_AUDIT_KEY er sat" in r.stderr and "y" * 40 not in r.stderr


# --- events written before the key ------------------------------------------------------------------------


def _make_legacy(db, case_ids: list[int]) -> None:
    """Turn the cases' events into events as written before migration 0018 (plain SHA-256, no key id),
    and record the boundary as the migration would have."""
    with db.engine.begin() as conn:
        upto = conn.scalar(text("SELECT max(id) FROM events"))
        conn.execute(text("DELETE FROM audit_legacy"))
        conn.execute(
            text("INSERT INTO audit_legacy (max_event_id, at) VALUES (:m, CURRENT_TIMESTAMP)"), {"m": upto}
        )
    for cid in case_ids:
        ev = _events(db, cid)[0]
        _rewrite_chain(db, cid, 1, ev.note, key=None, kid=None)


def test_events_from_before_the_key_keep_verifying_and_a_keyed_successor_protects_them(
    sqlite_db, keys, runner
):
    a, b = _case(sqlite_db), _case(sqlite_db)
    _make_legacy(sqlite_db, [a, b])
    assert {e.key_id for e in _events(sqlite_db, a)} == {None}
    assert _verify(runner)[0] == 0
    fire(sqlite_db, a, "start_screening", actor="cw")  # a keyed event follows the legacy ones
    assert _events(sqlite_db, a)[-1].key_id is not None
    assert _verify(runner)[0] == 0
    # Rewriting a legacy event of case a means recomputing the keyed event's HMAC: detected.
    _rewrite_chain(sqlite_db, a, 2, "rettet", key=None, kid=None)
    code, report = _verify(runner)
    assert code == 1 and [(p["case"], p["seq"]) for p in report["problems"]] == [(a, 4)]


def test_an_unkeyed_event_after_the_boundary_is_reported(sqlite_db, keys, runner):
    a = _case(sqlite_db)
    _make_legacy(sqlite_db, [a])
    b = _case(sqlite_db)  # written after the boundary, keyed
    _rewrite_chain(sqlite_db, b, 1, None, key=None, kid=None)
    code, report = _verify(runner)
    assert code == 1 and [p["case"] for p in report["problems"]] == [b]


# --- the administrative log -------------------------------------------------------------------------------


def _entries(db) -> list[AdminLogEntry]:
    with db.session() as s:
        return list(s.scalars(select(AdminLogEntry).order_by(AdminLogEntry.seq)))


def test_every_administrative_change_is_logged_with_actor_and_old_and_new_values(db, runner):
    start = len(_entries(db))
    add_user(db, "nyt", role="caseworker", password=NEW_PASSWORD, name="Nina Ny", actor="admin")
    change_role(db, actor="admin", username="nyt", role="manager")
    set_password(db, actor="admin", username="nyt", password=NEW_PASSWORD + "x")
    set_active(db, actor="admin", username="nyt", active=False)
    token = tokens.issue_token(db, "cw", "integration", actor="admin")
    tokens.revoke(db, token, actor="admin")
    save_municipality(
        db,
        actor="admin",
        values={
            "name": "Testrup Kommune",
            "address": "Torvet 1",
            "appeal_body": "Ombudsmanden",
            "appeal_body_address": "Gammeltorv 22",
        },
    )
    change_calendar(db, actor="admin", close=[dt.date(2026, 12, 28)])
    kle.load_sample(db, actor="admin")
    got = [(e.actor, e.kind, e.target, e.old, e.new) for e in _entries(db)[start:]]
    kinds = [g[1] for g in got]
    assert kinds == [
        "user.add",
        "user.role",
        "user.password",
        "user.active",
        "token.issue",
        "token.revoke",
        "settings.municipality",
        "settings.calendar",
        "kle.import",
    ]
    assert {g[0] for g in got} == {"admin"}
    assert got[1][3:] == ({"role": "caseworker"}, {"role": "manager"})
    assert got[3][3:] == ({"active": True}, {"active": False})
    assert got[6][4]["name"] == "Testrup Kommune"
    assert "2026-12-28" in got[7][4]["closures"] and "2026-12-28" not in got[7][3]["closures"]
    everything = json.dumps([list(g) for g in got]) + " ".join(e.hash for e in _entries(db))
    assert NEW_PASSWORD not in everything and token not in everything
    code, report = _verify(runner)
    assert code == 0 and report["admin_log"]["entries"] == len(_entries(db))


def test_retry_of_the_outbox_and_a_refused_change_are_logged_only_when_done(db):
    from aktflow.errors import PermissionDenied
    from aktflow.outbox import enqueue

    with db.session() as s:
        enqueue(s, "journalise", {"x": 1}, "k-1", case_id=None, now=dt.datetime.now(dt.UTC))
        s.commit()
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE outbox SET status = 'failed'"))
    n0 = len(_entries(db))
    with pytest.raises(PermissionDenied):
        change_role(db, actor="cw", username="cw2", role="admin")
    assert len(_entries(db)) == n0
    assert retry_outbox(db, actor="admin", all_failed=True) == 1
    last = _entries(db)[-1]
    assert (last.kind, last.actor, last.new["items"]) == ("outbox.retry", "admin", 1)


def test_an_edited_admin_entry_is_detected_by_the_audit(sqlite_db, runner):
    change_role(sqlite_db, actor="admin", username="cw2", role="manager")
    change_role(sqlite_db, actor="admin", username="cw2", role="caseworker")
    e = [x for x in _entries(sqlite_db) if x.kind == "user.role"][0]
    # A forger recomputes the entry's hash, but without the key.
    row = {c: getattr(e, c) for c in ("seq", "at", "actor", "kind", "target", "old", "new", "prev_hash")}
    row["actor"] = "cw"
    forged = audit.admin_entry_hash(row, b"z" * 64)
    with sqlite_db.engine.begin() as conn:
        conn.execute(
            text("UPDATE admin_log SET actor = 'cw', hash = :h WHERE id = :i"), {"h": forged, "i": e.id}
        )
    code, report = _verify(runner)
    assert code == 1
    assert [p["seq"] for p in report["admin_log"]["problems"]] == [e.seq]
    r = runner.invoke(cli, ["audit", "verify"])
    assert f"administrationsloggen, nr. {e.seq}" in r.stderr


def test_the_cli_shows_the_admin_log_newest_first(db, runner):
    change_role(db, actor="admin", username="cw2", role="manager")
    set_password(db, actor="admin", username="cw2", password=NEW_PASSWORD)
    r = runner.invoke(cli, ["audit", "admin-log", "--json", "--limit", "2"], catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [x["kind"] for x in rows] == ["user.password", "user.role"]
    assert rows[1]["old"] == {"role": "caseworker"} and rows[1]["new"] == {"role": "manager"}
    assert rows[0]["target"] == "cw2" and rows[0]["actor"] == "admin"
    text_out = runner.invoke(cli, ["audit", "admin-log"], catch_exceptions=False).stdout
    assert "rolle ændret: cw2" in text_out and NEW_PASSWORD not in text_out
    bad = runner.invoke(cli, ["audit", "admin-log", "--kind", "nope"])
    assert bad.exit_code == 2 and "ukendt slags" in bad.stderr


def test_the_shell_is_named_systemet_in_the_admin_log(db, runner):
    add_user(db, "fra.shell", role="caseworker", password=NEW_PASSWORD, actor=SYSTEM_ACTOR)
    rows = json.loads(runner.invoke(cli, ["audit", "admin-log", "--json"], catch_exceptions=False).stdout)
    assert rows[0]["target"] == "fra.shell" and rows[0]["actor_name"] == "systemet"


# --- checkpoints outside the database ---------------------------------------------------------------------


def _checkpoint(runner, path) -> None:
    r = runner.invoke(cli, ["audit", "checkpoint", "--file", str(path)], catch_exceptions=False)
    assert r.exit_code == 0 and "kontrolpunkt skrevet" in r.stdout, r.stderr


def _verify_with(runner, path) -> tuple[int, dict]:
    r = runner.invoke(cli, ["audit", "verify", "--json", "--checkpoints", str(path)], catch_exceptions=False)
    return r.exit_code, json.loads(r.stdout)


def test_a_shortened_admin_log_passes_its_chain_but_not_the_checkpoint(sqlite_db, runner, tmp_path):
    points = tmp_path / "cp" / "audit-checkpoints"
    change_role(sqlite_db, actor="admin", username="cw2", role="manager")
    _checkpoint(runner, points)
    assert stat.S_IMODE(os.stat(points).st_mode) == 0o600
    code, report = _verify_with(runner, points)
    assert code == 0 and report["checkpoints"] == {"checked": 1, "problems": []}
    with sqlite_db.engine.begin() as conn:  # the newest entry removed: the rest is still a valid chain
        conn.execute(text("DELETE FROM admin_log WHERE seq = (SELECT max(seq) FROM admin_log)"))
    assert _verify(runner)[1]["admin_log"]["problems"] == []
    code, report = _verify_with(runner, points)
    assert code == 1 and len(report["checkpoints"]["problems"]) == 1
    assert "administrationsloggen passer ikke med kontrolpunktet" in report["checkpoints"]["problems"][0]


def test_a_recomputed_legacy_case_is_caught_by_the_checkpoint(sqlite_db, keys, runner, tmp_path):
    points = tmp_path / "audit-checkpoints"
    a = _case(sqlite_db)
    _make_legacy(sqlite_db, [a])
    _checkpoint(runner, points)
    _case(sqlite_db)  # work after the checkpoint does not disturb it
    _checkpoint(runner, points)
    assert _verify_with(runner, points)[0] == 0
    _rewrite_chain(sqlite_db, a, 2, "ingen aktindsigt", key=None, kid=None)
    code, report = _verify_with(runner, points)
    assert report["problems"] == []  # the plain chain of an all-legacy case can be recomputed unnoticed…
    assert code == 1 and len(report["checkpoints"]["problems"]) == 2  # …but not past the checkpoints
    assert all("hændelsesloggen passer ikke" in p for p in report["checkpoints"]["problems"])


def test_an_edited_checkpoint_line_is_reported(sqlite_db, runner, tmp_path):
    points = tmp_path / "audit-checkpoints"
    _checkpoint(runner, points)
    line = json.loads(points.read_text())
    line["admin_seq"] = 0
    line["admin_hash"] = audit.GENESIS
    points.write_text(json.dumps(line) + "\n")
    code, report = _verify_with(runner, points)
    assert code == 1 and "HMAC passer ikke" in report["checkpoints"]["problems"][0]
