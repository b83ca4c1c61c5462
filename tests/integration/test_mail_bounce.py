"""A bounce in the mailbox marks the e-mail dispatch it answers ``bounced``: it shows under
"/dispatches/not-sent", the caseworker chooses another channel, and it never becomes a case."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select, update

from aktflow import clock
from aktflow import dispatch_actions as actions
from aktflow.errors import ValidationError
from aktflow.mail_in import take_in
from aktflow.models import Case, Dispatch, MailMessage
from aktflow.queries.dispatches import case_dispatches, not_sent
from aktflow.service import create_case, fire
from tests import bounces

RECEIVED = (clock.today() - dt.timedelta(days=3)).isoformat()


def configure(monkeypatch):
    """E-mail and print are the installation's channels (as AKTFLOW_SMTP_URL would say)."""
    import aktflow.case_actions
    import aktflow.dispatch.channels

    names = lambda settings: {"email", "print"}  # noqa: E731
    monkeypatch.setattr(aktflow.dispatch.channels, "configured_names", names)
    monkeypatch.setattr(aktflow.case_actions, "configured_names", names)


def sent_by_email(db, monkeypatch) -> tuple[int, int]:
    """A case whose receipt went by e-mail: (case id, dispatch id). The channel's answer is written as
    the outbox writes it (status sent, the Message-ID as reference)."""
    configure(monkeypatch)
    case = create_case(
        db,
        actor="cw",
        requester="Mette Hansen",
        received=RECEIVED,
        basis="ofl",
        subject="Aktindsigt i byggesagen",
        emne="02.34.02",
        assign="cw",
        channel="e-mail",
        email="mette@example.dk",
        address="Vestergade 3\n8000 Aarhus C",
    )
    fire(db, case.id, "register", actor="cw")
    with db.session() as s:
        d = s.scalars(select(Dispatch).where(Dispatch.case_id == case.id)).one()
        assert d.channel == "email"
        s.execute(
            update(Dispatch)
            .where(Dispatch.id == d.id)
            .values(
                status="sent",
                sent_at=dt.datetime.now(dt.UTC),
                reference=f"<aktflow-dispatch-{d.id}-1@eksempel.dk>",
            )
        )
        s.commit()
        return case.id, d.id


def cases(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count(Case.id))) or 0


@pytest.mark.parametrize(
    "sample", [bounces.postfix_report, bounces.exchange_headers_only, bounces.qmail_failure_notice]
)
def test_a_bounce_marks_its_dispatch_bounced_and_never_makes_a_case(sqlite_db, monkeypatch, sample):
    db = sqlite_db
    case_id, dispatch_id = sent_by_email(db, monkeypatch)
    before = cases(db)
    result = take_in(db, "bounce.eml", sample(dispatch_id), actor="cw", source="imap")
    assert result.outcome == "bounce" and result.case_id == case_id and result.document_id is None
    assert cases(db) == before
    [d] = case_dispatches(db, case_id)
    assert d["status"] == "bounced" and d["not_sent"] and d["status_label"] == "Returneret"
    assert "returnerede" in d["detail"] and "vælg en anden kanal" in d["detail"]
    assert "1203851237" not in d["detail"] and "120385-1237" not in d["detail"]
    assert re.search(r"modtaget \d\d\.\d\d\.\d{4} kl\. \d\d:\d\d\)", d["detail"]) and "UTC" not in d["detail"]
    with db.session() as s:
        assert [r["id"] for r in not_sent(s)] == [dispatch_id]
        row = s.scalar(select(MailMessage).where(MailMessage.message_id == result.message_id))
        assert (row.status, row.kind, row.case_id) == ("done", "bounce", case_id)
    # The same bounce again (the mailbox round stopped before the move) changes nothing more.
    again = take_in(db, "bounce.eml", sample(dispatch_id), actor="cw", source="imap")
    assert again.outcome == "known" and cases(db) == before
    # The caseworker sends it by post instead.
    out = actions.choose(db, case_id, dispatch_id, "print", actor="cw")
    assert (out["channel"], out["status"]) == ("print", "queued")


def test_a_delay_report_changes_nothing(sqlite_db, monkeypatch):
    db = sqlite_db
    case_id, dispatch_id = sent_by_email(db, monkeypatch)
    result = take_in(
        db, "delay.eml", bounces.postfix_report(dispatch_id, action="delayed", status="4.4.1"), actor="cw"
    )
    assert result.outcome == "bounce" and "forsinket" in result.notes[0]
    assert case_dispatches(db, case_id)[0]["status"] == "sent"


def test_a_bounce_for_a_dispatch_sent_again_leaves_the_new_try_alone(sqlite_db, monkeypatch):
    db = sqlite_db
    case_id, dispatch_id = sent_by_email(db, monkeypatch)
    with db.session() as s:
        s.execute(update(Dispatch).where(Dispatch.id == dispatch_id).values(status="queued", channel="print"))
        s.commit()
    result = take_in(db, "late.eml", bounces.exim_mail_delivery_failed(dispatch_id), actor="cw")
    assert result.outcome == "bounce" and "allerede" in result.notes[0]
    assert case_dispatches(db, case_id)[0]["status"] == "queued"


def test_a_bounce_naming_no_known_dispatch_is_refused_and_not_a_case(sqlite_db, monkeypatch):
    db = sqlite_db
    sent_by_email(db, monkeypatch)
    before = cases(db)
    with pytest.raises(ValidationError) as e:
        take_in(db, "stray.eml", bounces.postfix_report(999_999), actor="cw", source="upload")
    assert e.value.field == "file" and "returmeddelelse" in e.value.detail
    assert cases(db) == before


def test_mail_sent_by_the_email_channel_names_its_dispatch():
    from aktflow.dispatch.channel import Attachment, OutgoingLetter, Recipient
    from aktflow.dispatch.email import build_messages

    letter = OutgoingLetter(
        dispatch_id=73,
        case_number="15.17.12-A53-3-26",
        label="Kvittering",
        letter_kind="kvittering",
        recipient=Recipient(name="Mette", email="mette@example.dk"),
        main_document=Attachment("kvittering.pdf", b"%PDF-1.7"),
    )
    [msg] = build_messages(letter, "aktindsigt@eksempel.dk", 10_000_000, dt.datetime.now(dt.UTC))
    assert msg["X-Aktflow-Dispatch"] == "73"
