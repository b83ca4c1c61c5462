"""The mailbox poller against a real IMAP server: Debian's Dovecot, started by the test over TLS with a
certificate the test makes (devtools/dovecot.py). Each new mail becomes a case once and is moved to the
done folder; a mail that fails stays in the inbox and is listed; a mail whose case was made before the
poller stopped is only moved."""

from __future__ import annotations

import datetime as dt
import imaplib
import json
import os
import ssl

import pytest

from aktflow import bootstrap, clock
from aktflow.cli import cli
from aktflow.kle import load_sample
from aktflow.mail_in import take_in
from aktflow.mail_in.mailbox import MailboxError, poll_once
from aktflow.queries.mail_intake import mail_failures
from aktflow.service import case_view
from tests import mailbuild

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dovecot():
    from devtools.dovecot import DovecotUnavailable, start

    try:
        server = start()
    except DovecotUnavailable as e:
        if os.environ.get("CI") == "true":
            pytest.fail(f"under CI the real part must run: {e}", pytrace=False)
        pytest.skip(str(e))
    yield server
    server.stop()


@pytest.fixture
def mailbox(dovecot, db, monkeypatch):
    """The server's INBOX emptied, the settings pointing at it, the test's certificate trusted."""
    monkeypatch.setenv("AKTFLOW_IMAP_URL", dovecot.url)
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.cafile))
    bootstrap.reset()
    conn = _conn(dovecot)
    for folder in ("INBOX", "behandlet"):
        typ, data = conn.select(folder)
        if typ == "OK" and int(data[0] or 0) > 0:
            conn.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
            conn.expunge()
    conn.logout()
    load_sample(db, actor="admin")
    return dovecot


def _conn(server) -> imaplib.IMAP4_SSL:
    ctx = ssl.create_default_context(cafile=str(server.cafile))
    conn = imaplib.IMAP4_SSL("127.0.0.1", server.port, ssl_context=ctx)
    conn.login(server.user, server.password)
    return conn


def _append(server, raw: bytes) -> None:
    conn = _conn(server)
    assert conn.append("INBOX", None, None, raw)[0] == "OK"
    conn.logout()


def _count(server, folder: str) -> int:
    conn = _conn(server)
    typ, data = conn.select(folder)
    n = int(data[0]) if typ == "OK" else -1
    conn.logout()
    return n


def _date(days_ago: int) -> str:
    day = clock.today() - dt.timedelta(days=days_ago)
    return f"{day.strftime('%a, %d %b %Y')} 10:00:00 +0100"


def test_each_mail_becomes_a_case_once_and_is_moved(mailbox, db):
    _append(mailbox, mailbuild.eml(message_id="<a@example.dk>", date=_date(2)))
    _append(mailbox, mailbuild.eml(subject="Hej", body="", message_id="<empty@example.dk>", date=_date(1)))
    result = poll_once(db, actor="cw")
    assert [t["outcome"] for t in result.taken_in] == ["case"]
    assert len(result.failed) == 1  # no emne can be proposed from an empty mail, and none is configured
    case = case_view(db, result.taken_in[0]["case_id"])
    assert case["email"] == "jens.hansen@example.dk" and case["channel"] == "e-mail"
    assert _count(mailbox, "INBOX") == 1 and _count(mailbox, "behandlet") == 1
    failures = mail_failures(db)
    assert failures[0]["message_id"] == "<empty@example.dk>" and "KLE-emnet" in failures[0]["error"]
    # The next round takes nothing twice; the failed mail is tried again and counted.
    again = poll_once(db, actor="cw")
    assert again.taken_in == [] and len(again.failed) == 1
    assert mail_failures(db)[0]["attempts"] == 2


def test_a_mail_whose_case_was_made_before_a_stop_is_only_moved(mailbox, db):
    raw = mailbuild.eml(message_id="<crash@example.dk>", date=_date(2))
    first = take_in(db, "crash.eml", raw, actor="cw", source="imap")  # the case was made, the move never ran
    _append(mailbox, raw)
    result = poll_once(db, actor="cw")
    assert result.taken_in == [
        {
            "uid": result.taken_in[0]["uid"],
            "outcome": "known",
            "case_id": first.case_id,
            "sagsnummer": first.sagsnummer,
        }
    ]
    assert _count(mailbox, "INBOX") == 0 and _count(mailbox, "behandlet") == 1


def test_cli_poll_once_and_a_wrong_password(mailbox, db, runner, monkeypatch):
    _append(mailbox, mailbuild.eml(message_id="<cli@example.dk>", date=_date(1)))
    res = runner.invoke(cli, ["intake", "poll", "--once", "--as", "cw", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["taken_in"][0]["outcome"] == "case"
    monkeypatch.setenv("AKTFLOW_IMAP_URL", mailbox.url.replace(mailbox.password, "forkert"))
    bootstrap.reset()
    with pytest.raises(MailboxError) as e:
        poll_once(db, actor="cw")
    assert "kunne ikke logge ind" in e.value.message and "forkert" not in e.value.message


def test_an_untrusted_certificate_is_refused(mailbox, db, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE")
    bootstrap.reset()
    with pytest.raises(MailboxError) as e:
        poll_once(db, actor="cw")
    assert "TLS" in e.value.message


def test_a_bounce_in_the_mailbox_marks_its_dispatch_and_is_moved_not_made_a_case(mailbox, db, monkeypatch):
    from aktflow.queries.dispatches import case_dispatches
    from tests import bounces
    from tests.integration.test_mail_bounce import cases, sent_by_email

    case_id, dispatch_id = sent_by_email(db, monkeypatch)
    before = cases(db)
    _append(mailbox, bounces.postfix_report(dispatch_id))
    result = poll_once(db, actor="cw")
    assert [(t["outcome"], t["case_id"]) for t in result.taken_in] == [("bounce", case_id)]
    assert result.failed == [] and cases(db) == before
    assert case_dispatches(db, case_id)[0]["status"] == "bounced"
    assert _count(mailbox, "INBOX") == 0 and _count(mailbox, "behandlet") == 1


def test_a_failed_mail_is_kept_for_the_page_and_once_dismissed_moved_without_a_case(mailbox, db):
    from sqlalchemy import select
    from sqlalchemy.orm import undefer

    from aktflow.mail_in.failures import dismiss
    from aktflow.models import MailMessage

    raw = mailbuild.eml(subject="Hej", body="", message_id="<keep@example.dk>", date=_date(1))
    _append(mailbox, raw)
    assert len(poll_once(db, actor="cw").failed) == 1
    with db.session() as s:
        row = s.scalar(
            select(MailMessage)
            .where(MailMessage.message_id == "<keep@example.dk>")
            .options(undefer(MailMessage.content))
        )
        assert row.status == "failed" and row.content is not None and b"keep@example.dk" in row.content
        fid = row.id
    dismiss(db, fid, actor="cw")
    result = poll_once(db, actor="cw")
    assert [t["outcome"] for t in result.taken_in] == ["dismissed"] and result.failed == []
    assert _count(mailbox, "INBOX") == 0 and _count(mailbox, "behandlet") == 1
    assert mail_failures(db) == []
