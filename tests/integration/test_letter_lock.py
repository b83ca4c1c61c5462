"""A letter's rendering holds no database write lock (aktflow.service.fire, aktflow.case_letters).

fire() renders a trigger's letter before its write transaction and stores it only when what the letter is
made from is unchanged; on SQLite another connection can write while a slow template renders, and a
change between the rendering and the store is caught: the letter is rendered again, or the trigger is
refused as a conflict, and a letter is never stored twice.
"""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

import letters
from aktflow import letter_preview, service
from aktflow.case_letters import MUNICIPALITY_KEY, LetterChanged
from aktflow.errors import ConflictError
from aktflow.models import Case, CaseDeadline, Event, Letter, Setting
from aktflow.service import fire
from tests.exits_scenario import docx_text
from tests.integration.test_letter_preview import drafting

#: How long a second connection waits for the write lock before the test calls it held (seconds).
PROBE_TIMEOUT = 0.5
#: The decision letter (the case's kvittering was made at registration).
DECISION = Letter.kind == "afgoerelse"


def _path(db) -> str:
    return make_url(str(db.engine.url)).database


def _can_write(db) -> bool:
    """Whether a second connection takes SQLite's write lock (BEGIN IMMEDIATE) within PROBE_TIMEOUT and
    writes a row of another table; rolled back."""
    con = sqlite3.connect(_path(db), timeout=PROBE_TIMEOUT, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as e:
        assert "locked" in str(e)
        return False
    else:
        con.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES ('probe', '{}', '2026-01-01 00:00:00')"
        )
        con.execute("ROLLBACK")
        return True
    finally:
        con.close()


def _counts(db, case_id):
    with db.session() as s:
        return (
            s.scalar(select(func.count()).select_from(Event).where(Event.case_id == case_id)),
            s.scalar(select(func.count()).select_from(Letter).where(Letter.case_id == case_id, DECISION)),
            s.get(Case, case_id).state,
        )


def _set_municipality(db, name: str) -> None:
    with db.session() as s:
        row = s.get(Setting, MUNICIPALITY_KEY)
        if row is None:
            s.add(Setting(key=MUNICIPALITY_KEY, value={"name": name}))
        else:
            row.value = {**row.value, "name": name}
        s.commit()


def test_the_probe_sees_a_held_write_lock(sqlite_db):
    """The probe can fail: while a session holds a flushed write, BEGIN IMMEDIATE is refused."""
    case, _ = drafting(sqlite_db, "Tilsynsrapport")
    assert _can_write(sqlite_db)
    with sqlite_db.session() as s:
        row = s.scalar(select(CaseDeadline).where(CaseDeadline.case_id == case.id).limit(1))
        row.active = not row.active
        s.flush()  # the write lock is taken (what a letter rendered inside the transaction used to hold)
        assert not _can_write(sqlite_db)
        s.rollback()
    assert _can_write(sqlite_db)


def test_another_connection_writes_while_the_letter_renders(sqlite_db, monkeypatch):
    case, _ = drafting(sqlite_db, "Tilsynsrapport")
    other, _ = drafting(sqlite_db, "Andet dokument")
    rendering, go = threading.Event(), threading.Event()
    real = letters.render

    def slow(kind, ctx, template=None):
        rendering.set()
        assert go.wait(10), "the test never let the rendering finish"
        return real(kind, ctx, template=template)

    monkeypatch.setattr(letters, "render", slow)
    errors: list[BaseException] = []

    def send():
        try:
            fire(sqlite_db, case.id, "send_decision", actor="cw", data={"letter_sha256": "unseen"})
        except BaseException as e:  # noqa: BLE001 - reported to the test below
            errors.append(e)

    other_before = _counts(sqlite_db, other.id)[0]
    worker = threading.Thread(target=send)
    worker.start()
    try:
        assert rendering.wait(10), "the letter was never rendered"
        # While the template renders, another connection takes the write lock and writes …
        assert _can_write(sqlite_db)
        # … and fire() itself changes another case meanwhile, through the one door.
        fire(sqlite_db, other.id, "mark_case_sensitive", actor="cw", data={"reason": "Personalesag"})
    finally:
        go.set()
        worker.join(30)
    assert not errors, errors
    events, stored, state = _counts(sqlite_db, case.id)
    assert state == "decided" and stored == 1
    with sqlite_db.session() as s:
        letter = s.scalar(select(Letter).where(Letter.case_id == case.id, DECISION))
        assert letter.sha256 == letters.fingerprint(letter.content)
    assert _counts(sqlite_db, other.id)[0] == other_before + 1  # the other case's change was committed


def test_a_change_while_the_letter_renders_gives_the_new_letter_once(sqlite_db, monkeypatch):
    case, _ = drafting(sqlite_db, "Tilsynsrapport")
    real = letters.render
    calls: list[str] = []

    def changing(kind, ctx, template=None):
        calls.append(ctx["municipality"]["name"])
        if len(calls) == 1:  # a setting the letter prints changes between the rendering and the store
            _set_municipality(sqlite_db, "Nyby Kommune")
        return real(kind, ctx, template=template)

    monkeypatch.setattr(letters, "render", changing)
    before = _counts(sqlite_db, case.id)
    fire(sqlite_db, case.id, "send_decision", actor="cw", data={"letter_sha256": "unseen"})
    assert calls == ["Eksempel Kommune", "Nyby Kommune"]  # rendered again from the case as it now is
    events, stored, state = _counts(sqlite_db, case.id)
    assert (events, stored, state) == (before[0] + 1, before[1] + 1, "decided")
    with sqlite_db.session() as s:
        letter = s.scalar(select(Letter).where(Letter.case_id == case.id, DECISION))
        assert "Nyby Kommune" in docx_text(letter.content)
        assert "Eksempel Kommune" not in docx_text(letter.content)
        assert letter.sha256 == letters.fingerprint(letter.content)


def test_a_case_that_moves_while_the_letter_renders_is_caught(sqlite_db, monkeypatch):
    """A concurrent event on the same case (its version moves; the letter's text does not) is caught too."""
    case, _ = drafting(sqlite_db, "Tilsynsrapport")
    real = letters.render
    calls: list[int] = []

    def moving(kind, ctx, template=None):
        calls.append(1)
        if len(calls) == 1:
            fire(sqlite_db, case.id, "mark_case_sensitive", actor="cw", data={"reason": "Personalesag"})
        return real(kind, ctx, template=template)

    monkeypatch.setattr(letters, "render", moving)
    fire(sqlite_db, case.id, "send_decision", actor="cw", data={"letter_sha256": "unseen"})
    assert len(calls) == 2
    with sqlite_db.session() as s:
        assert (
            s.scalar(select(func.count()).select_from(Letter).where(Letter.case_id == case.id, DECISION)) == 1
        )
        triggers = list(s.scalars(select(Event.trigger).where(Event.case_id == case.id).order_by(Event.seq)))
        assert triggers[-2:] == ["mark_case_sensitive", "send_decision"]


def test_a_letter_whose_input_keeps_changing_is_made_in_the_write_transaction_once(sqlite_db, monkeypatch):
    """After LETTER_ATTEMPTS renderings that each met a change, the last one is made inside the write
    transaction (it holds the lock then: the one exception), and the letter is stored once."""
    case, _ = drafting(sqlite_db, "Tilsynsrapport")
    real = letters.render
    held: list[bool] = []

    def always_changing(kind, ctx, template=None):
        held.append(not _can_write(sqlite_db))
        if len(held) <= service.LETTER_ATTEMPTS:
            _set_municipality(sqlite_db, f"Kommune nr. {len(held)}")
        return real(kind, ctx, template=template)

    monkeypatch.setattr(letters, "render", always_changing)
    before = _counts(sqlite_db, case.id)
    fire(sqlite_db, case.id, "send_decision", actor="cw", data={"letter_sha256": "unseen"})
    assert held == [False] * service.LETTER_ATTEMPTS + [True]
    assert _counts(sqlite_db, case.id) == (before[0] + 1, before[1] + 1, "decided")
    with sqlite_db.session() as s:
        letter = s.scalar(select(Letter).where(Letter.case_id == case.id, DECISION))
        assert f"Kommune nr. {service.LETTER_ATTEMPTS}" in docx_text(letter.content)


def test_a_changed_letter_is_never_stored(sqlite_db):
    """make_letter refuses a rendering whose input is not the input read in the write transaction."""
    case, _ = drafting(sqlite_db, "Tilsynsrapport")
    rendered = service.render_letter_first(
        sqlite_db, case.id, "send_decision", "cw", None, {"letter_sha256": "unseen"}, None, None, None
    )
    _set_municipality(sqlite_db, "Nyby Kommune")
    before = _counts(sqlite_db, case.id)
    from aktflow.uow import UnitOfWork

    with pytest.raises(ConflictError) as caught, UnitOfWork(sqlite_db) as uow:
        service._fire(
            uow, case.id, "send_decision", "cw", None, {"letter_sha256": "unseen"}, None, None, rendered
        )
    assert isinstance(caught.value, LetterChanged) and "prøv igen" in caught.value.detail
    assert _counts(sqlite_db, case.id) == before  # no event, no letter, the state unchanged


def test_the_preview_renders_after_its_transaction(sqlite_db, monkeypatch):
    case, _ = drafting(sqlite_db, "Tilsynsrapport")
    real = letters.render
    held: list[bool] = []

    def probing(kind, ctx, template=None):
        held.append(not _can_write(sqlite_db))
        return real(kind, ctx, template=template)

    monkeypatch.setattr(letters, "render", probing)
    seen = letter_preview.preview(sqlite_db, case.id, "send_decision", actor="cw")
    sent = fire(sqlite_db, case.id, "send_decision", actor="cw", data={"letter_sha256": seen.sha256})
    assert held == [False, False]  # neither the preview's nor the send's rendering held the lock
    assert sent.state == "decided"
    with sqlite_db.session() as s:
        assert s.scalar(select(Letter.sha256).where(Letter.case_id == case.id, DECISION)) == seen.sha256
