"""The page of mails the poller could not take in (/mail/failures, web/mail_intake.py): listed without CPR
numbers for caseworkers and managers, tried again with an emne, made a new case by hand, or dismissed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from aktflow import clock
from aktflow.kle import load_sample
from aktflow.mail_in.failures import is_dismissed
from aktflow.mail_in.intake import record_failure
from aktflow.models import Case, MailMessage
from aktflow.service import create_case, fire
from tests import mailbuild

PASSWORD = "test-pass"
CPR = "120385-1237"  # made up


def _login(client, username="cw"):
    res = client.post("/login", data={"username": username, "password": PASSWORD})
    assert res.status_code in (302, 303), res.data[:300]


def _date(days_ago: int) -> str:
    day = clock.today() - dt.timedelta(days=days_ago)
    return f"{day.strftime('%a, %d %b %Y')} 10:00:00 +0100"


@pytest.fixture
def web(app, db):
    app.config["WTF_CSRF_ENABLED"] = False
    load_sample(db, actor="admin")
    client = app.test_client()
    _login(client)
    return client


def failed(db, raw: bytes | None, *, key: str, subject: str, error: str) -> int:
    """A mail the poller could not take in, recorded as the poller records it."""
    record_failure(db, key, source="imap", subject=subject, error=error, content=raw, filename="mail.eml")
    with db.session() as s:
        return s.scalar(select(MailMessage.id).where(MailMessage.message_id == key))


def cases(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count(Case.id))) or 0


def test_the_page_lists_failures_without_cpr_numbers_and_only_for_casework(web, app, db):
    raw = mailbuild.eml(subject=f"Hej {CPR}", body="", message_id="<empty@example.dk>", date=_date(1))
    failed(
        db, raw, key="<empty@example.dk>", subject=f"Hej {CPR}", error=f"KLE-emnet kan ikke foreslås ({CPR})"
    )
    page = web.get("/mail/failures").get_data(as_text=True)
    assert "E-mails, der ikke er modtaget" in page and "KLE-emnet kan ikke foreslås" in page
    assert CPR not in page and "1203851237" not in page
    assert "Prøv igen" in page and "Opret sag ud fra e-mailen" in page and "Afvis" in page
    legal = app.test_client()
    _login(legal, "legal")
    assert legal.get("/mail/failures").status_code == 403
    assert 'href="/mail/failures"' in web.get("/cases/new").get_data(as_text=True)


def test_trying_again_with_an_emne_makes_the_case_and_clears_the_failure(web, db):
    raw = mailbuild.eml(subject="Hej", body="", message_id="<noemne@example.dk>", date=_date(1))
    fid = failed(db, raw, key="<noemne@example.dk>", subject="Hej", error="KLE-emnet kan ikke foreslås")
    before = cases(db)
    # Without an emne it fails again, stays listed and counts the attempt.
    res = web.post(f"/mail/failures/{fid}/retry", data={})
    assert res.status_code == 303 and res.headers["Location"].endswith("/mail/failures")
    with db.session() as s:
        assert s.get(MailMessage, fid).attempts == 2 and cases(db) == before
    res = web.post(f"/mail/failures/{fid}/retry", data={"emne": "02.34.02", "basis": "mol"})
    assert res.status_code == 303 and "/cases/" in res.headers["Location"]
    assert cases(db) == before + 1
    with db.session() as s:
        row = s.scalar(select(MailMessage).where(MailMessage.id == fid).options(undefer(MailMessage.content)))
        assert row.status == "done" and row.kind == "case" and row.content is None
        case = s.get(Case, row.case_id)
        assert (case.emne, case.basis, case.channel) == ("02.34.02", "mol", "e-mail")
    assert "Alle e-mails i postkassen er modtaget" in web.get("/mail/failures").get_data(as_text=True)
    assert web.post(f"/mail/failures/{fid}/retry", data={}).status_code == 303  # handled: a Danish no
    assert cases(db) == before + 1


def test_a_reply_to_a_withdrawn_case_can_be_made_a_case_by_hand(web, db):
    case = create_case(
        db,
        actor="cw",
        requester="Mette",
        received=clock.today().isoformat(),
        basis="ofl",
        subject="Aktindsigt",
        emne="02.34.02",
        assign="cw",
    )
    fire(db, case.id, "register", actor="cw")
    fire(db, case.id, "withdraw", actor="cw")  # a closed case files no reply (receive_mail)
    with db.session() as s:
        number = s.get(Case, case.id).sagsnummer
    raw = mailbuild.eml(subject=f"Sv: {number}", message_id="<svar@example.dk>", date=_date(0))
    fid = failed(db, raw, key="<svar@example.dk>", subject=f"Sv: {number}", error="ikke lagt på sagen")
    before = cases(db)
    res = web.post(f"/mail/failures/{fid}/retry", data={})
    assert res.headers["Location"].endswith("/mail/failures") and cases(db) == before
    res = web.post(f"/mail/failures/{fid}/retry", data={"new_case": "1", "emne": "02.34.02"})
    assert res.status_code == 303 and cases(db) == before + 1
    with db.session() as s:
        row = s.get(MailMessage, fid)
        assert row.kind == "case" and row.case_id != case.id


def test_dismissing_sets_the_mail_aside_and_deletes_its_bytes(web, db):
    fid = failed(
        db, mailbuild.eml(message_id="<spam@example.dk>"), key="<spam@example.dk>", subject="x", error="y"
    )
    res = web.post(f"/mail/failures/{fid}/dismiss")
    assert res.status_code == 303
    with db.session() as s:
        row = s.scalar(select(MailMessage).where(MailMessage.id == fid).options(undefer(MailMessage.content)))
        assert (row.status, row.handled_by, row.content) == ("dismissed", "cw", None)
    assert is_dismissed(db, "<spam@example.dk>")
    # The poller finds it again: it is not listed a second time.
    record_failure(db, "<spam@example.dk>", source="imap", subject="x", error="y")
    assert "spam@example.dk" not in web.get("/mail/failures").get_data(as_text=True)
    assert web.post("/mail/failures/999999/dismiss").status_code == 404


def test_a_mail_too_large_to_keep_is_handled_in_the_mailbox(web, db):
    fid = failed(db, None, key="<big@example.dk>", subject="Stor", error="e-mailen fylder 40 MB")
    page = web.get("/mail/failures").get_data(as_text=True)
    assert "behandl den i postkassen" in page
    res = web.post(f"/mail/failures/{fid}/retry", data={"emne": "02.34.02"})
    assert res.headers["Location"].endswith("/mail/failures")
    flashes = web.get("/mail/failures").get_data(as_text=True)
    assert "ikke gemt i aktflow" in flashes
