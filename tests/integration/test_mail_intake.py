"""Requests in by e-mail (aktflow/mail_in/intake.py, ``aktflow intake mail``): a new case through the
normal intake, the mail as the first document and its attachments screened, the KLE emne proposed, once per
Message-ID; replies added to their case, a clarification answer firing ``clarification_received``."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from aktflow import clock
from aktflow.cli import cli
from aktflow.errors import ValidationError, WorkflowError
from aktflow.kle import load_sample
from aktflow.mail_in import take_in
from aktflow.queries.mail_intake import case_mails, mail_failures
from aktflow.service import case_view, fire
from tests import mailbuild

TODAY = clock.today()


def _date(days_ago: int) -> str:
    """An RFC 5322 date at noon Danish time, ``days_ago`` days before today."""
    day = TODAY - dt.timedelta(days=days_ago)
    return dt.datetime(
        day.year, day.month, day.day, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))
    ).strftime("%a, %d %b %Y %H:%M:%S %z")


@pytest.fixture
def plan(db):
    load_sample(db, actor="admin")
    return db


def _documents(db, case_id):
    view = case_view(db, case_id)
    return view["documents"]


def test_a_mail_becomes_a_case_with_the_mail_and_its_attachments_as_documents(plan):
    db = plan
    raw = mailbuild.eml(
        date=_date(3),
        attachments=[("tegning.txt", b"Tegning af carport, se vedlagte.", "text/plain")],
    )
    result = take_in(db, "anmodning.eml", raw, actor="cw")
    assert result.outcome == "case"
    view = case_view(db, result.case_id)
    case = view
    assert case["state"] == "received"
    assert case["requester"] == "Jens Hansen"
    assert case["email"] == "jens.hansen@example.dk"
    assert case["channel"] == "e-mail"
    assert case["received"] == (TODAY - dt.timedelta(days=3)).isoformat()
    # The request text is the subject and the body, quoted.
    assert "»Anmodning om aktindsigt i byggesag«" in case["subject"]
    assert "> Jeg beder om aktindsigt i byggesagen om carport" in case["subject"]
    # The KLE emne was proposed from the text (building cases) and the first event says so.
    assert result.emne_proposed and result.emne.startswith("02.34")
    assert any("foreslået" in n for n in result.notes)
    first = view["events"][0]
    assert first["data"]["mail"]["emne_proposed"] is True
    assert first["data"]["mail"]["document_id"] == result.document_id
    # The mail is the first document, screened; its attachment a document of its own under it.
    docs = {d["id"]: d for d in _documents(db, result.case_id)}
    mail_doc = docs[result.document_id]
    assert mail_doc["title"] == "E-mail: Anmodning om aktindsigt i byggesag"
    children = [d for d in docs.values() if d.get("parent_id") == result.document_id]
    assert [c["title"] for c in children] == ["tegning.txt"]
    assert case_mails(db, result.case_id)[0]["kind"] == "case"


def test_the_same_mail_twice_is_one_case(plan):
    raw = mailbuild.eml(date=_date(1))
    first = take_in(plan, "a.eml", raw, actor="cw")
    again = take_in(plan, "a.eml", raw, actor="cw")
    assert again.outcome == "known" and again.case_id == first.case_id


def test_a_bad_date_falls_back_and_says_so(plan):
    result = take_in(plan, "a.eml", mailbuild.eml(date="i går"), actor="cw")
    assert result.received == TODAY.isoformat()
    assert any("dato" in n for n in result.notes)


def test_a_date_in_the_future_is_not_believed(plan):
    result = take_in(plan, "a.eml", mailbuild.eml(date=_date(-5)), actor="cw")
    assert result.received == TODAY.isoformat()


def test_an_explicit_emne_is_not_proposed(plan):
    result = take_in(plan, "a.eml", mailbuild.eml(date=_date(1)), actor="cw", emne="17.01.10")
    assert result.emne == "17.01.10" and not result.emne_proposed


def test_no_match_without_a_fallback_asks_for_the_emne(plan):
    raw = mailbuild.eml(subject="Hej", body="Kan I sende mig det hele?", date=_date(1))
    with pytest.raises(ValidationError) as e:
        take_in(plan, "a.eml", raw, actor="cw")
    assert e.value.field == "emne" and "AKTFLOW_MAIL_EMNE" in e.value.detail


def test_the_mail_text_is_screened_like_any_document(plan):
    raw = mailbuild.eml(body="Mit CPR-nummer er 120385-1237, og jeg vil se min byggesag.", date=_date(1))
    result = take_in(plan, "a.eml", raw, actor="cw")
    view = case_view(plan, result.case_id)
    assert view["flagged"]
    assert "120385-1237" not in json.dumps(result.to_dict())


def test_a_msg_file_becomes_a_case(plan):
    result = take_in(plan, "besked.msg", mailbuild.msg(date=_date(2).replace("+0100", "+0000")), actor="cw")
    assert result.outcome == "case"
    assert result.emne == "17.01.10"  # "skolestruktur"
    docs = _documents(plan, result.case_id)
    assert docs[0]["filename"].endswith(".msg")


def _registered(db, result):
    fire(db, result.case_id, "register", actor="cw")
    return case_view(db, result.case_id)


def test_a_reply_naming_the_sagsnummer_during_clarification_fires_clarification_received(plan):
    db = plan
    opened = take_in(db, "a.eml", mailbuild.eml(date=_date(5)), actor="cw")
    case = _registered(db, opened)
    fire(db, opened.case_id, "request_clarification", actor="cw", note="Hvilken periode?")
    reply = mailbuild.eml(
        subject=f"SV: Præcisering af din anmodning {case['sagsnummer']}",
        body="Perioden er 2024-2025.",
        message_id="<reply-1@example.dk>",
        date=_date(1),
    )
    result = take_in(db, "svar.eml", reply, actor="cw")
    assert result.outcome == "reply" and result.case_id == opened.case_id and result.clarification
    view = case_view(db, opened.case_id)
    assert view["state"] == "collecting"
    clar = [e for e in view["events"] if e["trigger"] == "clarification_received"][0]
    assert clar["data"]["received"] == (TODAY - dt.timedelta(days=1)).isoformat()
    assert any(d["title"].startswith("E-mail: SV: Præcisering") for d in view["documents"])
    # In-Reply-To of the reply's reply finds the case too, without the sagsnummer.
    again = take_in(
        db,
        "svar2.eml",
        mailbuild.eml(
            subject="Tak",
            body="En sidste ting.",
            message_id="<reply-2@example.dk>",
            in_reply_to="<reply-1@example.dk>",
            date=_date(0),
        ),
        actor="cw",
    )
    assert again.outcome == "reply" and again.case_id == opened.case_id and not again.clarification


def test_a_reply_to_an_open_case_is_added_in_any_state_through_receive_mail(plan):
    db = plan
    opened = take_in(db, "a.eml", mailbuild.eml(date=_date(5)), actor="cw")
    case = _registered(db, opened)  # registered: not collecting documents
    reply = mailbuild.eml(subject=f"Re: {case['sagsnummer']}", message_id="<r@x>", date=_date(1))
    got = take_in(db, "r.eml", reply, actor="cw")
    assert got.outcome == "reply" and got.case_id == opened.case_id and got.document_id
    view = case_view(db, opened.case_id)
    assert view["state"] == "registered"
    (event,) = [e for e in view["events"] if e["trigger"] == "receive_mail"]
    assert event["data"]["document_id"] == got.document_id and event["to"] == "registered"


def test_a_reply_to_a_closed_case_is_not_filed_and_opens_no_case(plan):
    db = plan
    opened = take_in(db, "a.eml", mailbuild.eml(date=_date(5)), actor="cw")
    case = _registered(db, opened)
    fire(db, opened.case_id, "withdraw", actor="cw")
    before = case_view(db, opened.case_id)["version"]
    reply = mailbuild.eml(subject=f"Re: {case['sagsnummer']}", message_id="<r2@x>", date=_date(1))
    with pytest.raises(WorkflowError) as e:
        take_in(db, "r.eml", reply, actor="cw")
    assert "ikke lagt på sagen" in e.value.message and "Trukket tilbage" in e.value.message
    assert case_view(db, opened.case_id)["version"] == before


def test_cli_intake_mail_json(plan, runner, tmp_path):
    path = tmp_path / "anmodning.eml"
    path.write_bytes(mailbuild.eml(date=_date(2)))
    res = runner.invoke(cli, ["intake", "mail", str(path), "--as", "cw", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["outcome"] == "case" and out["emne_proposed"] is True
    res = runner.invoke(cli, ["intake", "mail", str(path), "--as", "cw", "--json"])
    assert json.loads(res.output)["outcome"] == "known"


def test_cli_refuses_a_broken_mail_in_one_danish_line(plan, runner, tmp_path):
    path = tmp_path / "x.msg"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    res = runner.invoke(cli, ["intake", "mail", str(path), "--as", "cw"])
    assert res.exit_code == 2
    assert "Outlook-beskeden kan ikke læses" in res.output and "Traceback" not in res.output


def test_cli_refuses_a_user_who_may_not_register(plan, runner, tmp_path):
    path = tmp_path / "a.eml"
    path.write_bytes(mailbuild.eml(date=_date(2)))
    res = runner.invoke(cli, ["intake", "mail", str(path), "--as", "legal"])
    assert res.exit_code == 4


def test_poll_status_lists_failures_without_cpr(plan, runner):
    from aktflow.mail_in.intake import record_failure

    record_failure(plan, "<f@x>", source="imap", subject="Sag om 120385-1237", error="e-mailen er tom")
    rows = mail_failures(plan)
    assert rows[0]["error"] == "e-mailen er tom" and "120385-1237" not in rows[0]["subject"]
    res = runner.invoke(cli, ["intake", "poll", "--status", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)[0]["message_id"] == "<f@x>"


def test_an_answer_to_a_mail_aktflow_sent_goes_to_its_case(plan):
    from aktflow.mail_in.intake import remember_sent

    opened = take_in(plan, "a.eml", mailbuild.eml(date=_date(5)), actor="cw")
    _registered(plan, opened)
    fire(plan, opened.case_id, "start_collecting", actor="cw")
    with plan.session() as s:
        remember_sent(s, opened.case_id, "<brev-7@kommune.example.dk>", subject="Kvittering")
        s.commit()
    answer = mailbuild.eml(
        subject="Tak for svaret",
        body="Her er bilaget.",
        message_id="<ans@example.dk>",
        in_reply_to="<brev-7@kommune.example.dk>",
        date=_date(1),
    )
    result = take_in(plan, "svar.eml", answer, actor="cw")
    assert result.outcome == "reply" and result.case_id == opened.case_id


def test_the_poller_reports_an_unreachable_mailbox_and_tries_again(plan, monkeypatch, runner):
    from aktflow import bootstrap
    from aktflow.mail_in.mailbox import MailboxError, poll_forever
    from devtools.dovecot import free_port

    res = runner.invoke(cli, ["intake", "poll", "--once", "--as", "cw"])
    assert res.exit_code == 1 and "AKTFLOW_IMAP_URL er ikke sat" in res.output
    monkeypatch.setenv("AKTFLOW_IMAP_URL", f"imaps://kasse:hemmelig-kode@127.0.0.1:{free_port()}/INBOX")
    bootstrap.reset()
    rounds: list = []
    poll_forever(plan, actor="cw", interval=0.01, report=rounds.append, stop=lambda: len(rounds) >= 2)
    assert len(rounds) == 2 and all(isinstance(r, MailboxError) for r in rounds)
    assert "svarer ikke" in rounds[0].message and "hemmelig-kode" not in rounds[0].message


def test_a_failure_while_storing_the_mail_leaves_no_case_and_no_message_id(plan, monkeypatch):
    from aktflow import effects
    from aktflow.queries.cases import case_list as _case_list

    def case_list(db):
        with db.session() as s:
            return _case_list(s)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    before = len(case_list(plan))
    monkeypatch.setattr(effects, "add_document", broken)
    with pytest.raises(RuntimeError):
        take_in(plan, "a.eml", mailbuild.eml(message_id="<atomic@example.dk>", date=_date(1)), actor="cw")
    monkeypatch.undo()
    assert len(case_list(plan)) == before
    # Nothing recorded the Message-ID: the next try makes the case.
    assert (
        take_in(
            plan, "a.eml", mailbuild.eml(message_id="<atomic@example.dk>", date=_date(1)), actor="cw"
        ).outcome
        == "case"
    )
