"""Letters out: each letter to a person gets a dispatch in the letter's transaction, the outbox sends it
after commit on the rule's channel, retries with backoff, never twice, and the case shows what happened."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from aktflow import bootstrap, clock
from aktflow import dispatch_actions as actions
from aktflow.dispatch import delivery as dispatch
from aktflow.dispatch.channel import DeliveryResult
from aktflow.errors import ValidationError, WorkflowError
from aktflow.models import Case, Event, OutboxItem
from aktflow.outbox import run_once
from aktflow.queries.dispatches import case_dispatches, decision_not_sent, print_file
from aktflow.service import create_case, fire

RECEIVED = (clock.today() - dt.timedelta(days=3)).isoformat()
CPR = "120385-1237"


pytestmark = pytest.mark.usefixtures("soffice")  # tests/archive_setup.py


class FakeChannel:
    """A channel that answers from a script, remembers each dispatch it accepted (idempotent on the
    dispatch id, like Digital Post's message id) and counts the calls."""

    def __init__(self, name: str, script=()):
        self.name = name
        self.script = list(script)
        self.calls: list[int] = []
        self.accepted: dict[int, str] = {}

    def send(self, letter):
        self.calls.append(letter.dispatch_id)
        self.last = letter
        step = self.script.pop(0) if self.script else "sent"
        if step == "timeout":
            raise TimeoutError("the channel did not answer")
        now = dt.datetime.now(dt.UTC)
        if step != "sent":
            return DeliveryResult(step, now, detail=f"svar: {step}")
        ref = self.accepted.setdefault(letter.dispatch_id, f"ref-{letter.dispatch_id}")
        return DeliveryResult("sent", now, reference=ref)


def use_channels(monkeypatch, **channels):
    """The installation's channels are ``channels`` (and print): the rule sees them configured (as the
    settings would say) and the outbox sends on them."""
    import aktflow.case_actions
    import aktflow.dispatch.channels
    from aktflow.dispatch.print import PrintChannel

    services = bootstrap.current()
    services.channels = {"print": PrintChannel(), **channels}
    names = lambda settings: set(services.channels)  # noqa: E731
    monkeypatch.setattr(aktflow.dispatch.channels, "configured_names", names)
    monkeypatch.setattr(aktflow.case_actions, "configured_names", names)
    return services


def deliver_all(db):
    return run_once(db, bootstrap.current().deliver, ignore_backoff=True, kinds=(dispatch.KIND,))


def registered(db, **kw):
    args = dict(
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
    args.update(kw)
    case = create_case(db, **args)
    fire(db, case.id, "register", actor="cw")
    return case


def rows(db, case_id):
    return case_dispatches(db, case_id)


def test_the_receipt_is_dispatched_in_the_letters_transaction_by_the_rule(sqlite_db, monkeypatch):
    db = sqlite_db
    mail = FakeChannel("email")
    use_channels(monkeypatch, email=mail)
    case = registered(db)
    [d] = rows(db, case.id)
    assert (d["letter_kind"], d["channel"], d["chosen_by"], d["status"]) == (
        "kvittering",
        "email",
        "rule",
        "queued",
    )
    with db.session() as s:
        item = s.scalar(select(OutboxItem).where(OutboxItem.kind == "dispatch"))
        assert item.payload == {"dispatch_id": d["id"]} and item.status == "pending"
    assert deliver_all(db)["done"] == 1
    [d] = rows(db, case.id)
    assert d["status"] == "sent" and d["sent_at"] and d["reference"] == f"ref-{d['id']}"
    assert mail.last.recipient.email == "mette@example.dk" and mail.last.main_document.content.startswith(
        b"%PDF"
    )
    # delivered once: another run sends nothing
    assert deliver_all(db)["done"] == 0 and mail.calls == [d["id"]]


def test_cpr_goes_to_digital_post_and_stays_out_of_the_event_log_and_the_views(sqlite_db, monkeypatch):
    db = sqlite_db
    dp = FakeChannel("digital_post")
    use_channels(monkeypatch, digital_post=dp)
    case = registered(db, cpr=CPR, email=None, channel="brev")
    [d] = rows(db, case.id)
    assert d["channel"] == "digital_post"
    deliver_all(db)
    assert dp.last.recipient.cpr == "1203851237"
    with db.session() as s:
        for e in s.scalars(select(Event).where(Event.case_id == case.id)):
            assert "1203851237" not in repr(e.data) and "120385" not in repr(e.data)
        assert s.get(Case, case.id).requester_cpr == "1203851237"
    from aktflow.service import case_view

    view = case_view(db, case.id)
    assert view["has_cpr"] is True and "1203851237" not in repr(view) and "120385-1237" not in repr(view)


def test_exempt_from_digital_post_falls_back_to_print(sqlite_db, monkeypatch):
    db = sqlite_db
    use_channels(monkeypatch, digital_post=FakeChannel("digital_post", ["exempt"]))
    case = registered(db, cpr=CPR, channel="brev")
    deliver_all(db)
    [d] = rows(db, case.id)
    assert d["channel"] == "print" and d["status"] == "printed" and "fritaget" in d["detail"]
    name, pdf = print_file(db, case.id, d["id"])
    assert pdf.startswith(b"%PDF") and name.endswith(".pdf")
    with pytest.raises(WorkflowError):
        actions.retry(db, case.id, d["id"], actor="cw")
    out = actions.confirm_posted(db, case.id, d["id"], actor="cw")
    assert out["status"] == "sent" and out["sent_at"]


def test_a_channel_missing_from_the_settings_gives_print_and_says_so(sqlite_db, monkeypatch):
    db = sqlite_db
    use_channels(monkeypatch)  # print only
    case = registered(db, cpr=CPR)
    [d] = rows(db, case.id)
    assert d["channel"] == "print" and "Digital Post er ikke sat op" in d["reason"]


def test_retries_with_backoff_after_two_failures_and_a_timeout(sqlite_db, monkeypatch):
    db = sqlite_db
    mail = FakeChannel("email", ["temporary_error", "temporary_error", "timeout"])
    use_channels(monkeypatch, email=mail)
    case = registered(db)
    for _ in range(3):
        assert (
            run_once(db, bootstrap.current().deliver, ignore_backoff=True, kinds=("dispatch",))["pending"]
            == 1
        )
        [d] = rows(db, case.id)
        assert d["status"] == "queued" and d["next_attempt"] is not None
    with db.session() as s:
        item = s.scalar(select(OutboxItem).where(OutboxItem.kind == "dispatch"))
        assert item.attempts == 3 and item.next_attempt_at > dt.datetime.now(dt.UTC) + dt.timedelta(
            seconds=60
        )
    # not due yet without --now
    assert run_once(db, bootstrap.current().deliver, kinds=("dispatch",))["done"] == 0
    assert deliver_all(db)["done"] == 1
    [d] = rows(db, case.id)
    assert d["status"] == "sent" and d["attempts"] == 4 and len(mail.calls) == 4


def test_never_sent_twice_when_the_process_dies_after_the_channel_accepted(sqlite_db, monkeypatch):
    db = sqlite_db
    mail = FakeChannel("email")
    use_channels(monkeypatch, email=mail)
    case = registered(db)
    real = dispatch._record
    died = []

    def dies_once(*a, **kw):
        if kw.get("status") == "sent" and not died:
            died.append(1)
            raise RuntimeError("the worker died before recording")
        return real(*a, **kw)

    monkeypatch.setattr(dispatch, "_record", dies_once)
    assert deliver_all(db)["pending"] == 1
    assert deliver_all(db)["done"] == 1
    [d] = rows(db, case.id)
    # the channel was asked twice with the same key and accepted the letter once
    assert mail.calls == [d["id"], d["id"]] and list(mail.accepted) == [d["id"]]
    assert d["status"] == "sent" and d["reference"] == f"ref-{d['id']}"


def test_rejected_shows_on_the_case_and_the_caseworker_chooses_print(sqlite_db, monkeypatch):
    db = sqlite_db
    use_channels(monkeypatch, email=FakeChannel("email", ["rejected"]))
    case = registered(db)
    assert deliver_all(db)["failed"] == 1
    [d] = rows(db, case.id)
    assert d["status"] == "rejected" and d["not_sent"]
    from aktflow.queries.dispatches import failed_count

    with db.session() as s:
        assert failed_count(s) == 1
    with pytest.raises(ValidationError) as e:
        actions.choose(db, case.id, d["id"], "digital_post", actor="cw")
    assert e.value.field == "channel"
    out = actions.choose(db, case.id, d["id"], "print", actor="cw")
    assert (out["channel"], out["chosen_by"], out["status"]) == ("print", "caseworker", "queued")
    assert deliver_all(db)["done"] == 1
    [d] = rows(db, case.id)
    assert d["status"] == "printed"
    with db.session() as s:
        assert failed_count(s) == 0
    with pytest.raises(WorkflowError):
        actions.choose(db, case.id, d["id"], "email", actor="cw")


def test_fvl_answers_are_never_emailed_even_when_asked_by_email(sqlite_db, monkeypatch):
    db = sqlite_db
    use_channels(monkeypatch, email=FakeChannel("email"))
    case = registered(db, basis="fvl")
    [d] = rows(db, case.id)
    assert d["channel"] == "print" and "personoplysninger" in d["reason"]
    with pytest.raises(ValidationError):
        actions.choose(db, case.id, d["id"], "email", actor="cw")


def test_a_reader_may_not_change_a_dispatch(sqlite_db, monkeypatch):
    from aktflow.errors import PermissionDenied

    db = sqlite_db
    use_channels(monkeypatch)
    case = registered(db)
    [d] = rows(db, case.id)
    with pytest.raises(PermissionDenied):
        actions.choose(db, case.id, d["id"], "print", actor="legal")


def test_only_the_cases_own_people_change_its_dispatch(sqlite_db, monkeypatch):
    """Need-to-know (docs/access.md): a colleague's case's letters are not another caseworker's to
    re-route; its caseworker and a manager may."""
    from aktflow.errors import PermissionDenied

    db = sqlite_db
    use_channels(monkeypatch)
    case = registered(db)
    [d] = rows(db, case.id)
    for act in (
        lambda: actions.choose(db, case.id, d["id"], "print", actor="cw2"),
        lambda: actions.retry(db, case.id, d["id"], actor="cw2"),
        lambda: actions.confirm_posted(db, case.id, d["id"], actor="cw2"),
    ):
        with pytest.raises(PermissionDenied):
            act()
    assert rows(db, case.id) == [d]
    actions.choose(db, case.id, d["id"], "print", actor="manager")
    assert rows(db, case.id)[0]["channel"] == "print"


def test_the_address_is_checked_at_intake(sqlite_db):
    with pytest.raises(ValidationError) as e:
        create_case(
            sqlite_db,
            actor="cw",
            requester="A",
            received=RECEIVED,
            basis="ofl",
            subject="x",
            emne="02.34.02",
            address="\n".join(f"linje {n}" for n in range(7)),
        )
    assert e.value.field == "address"


def test_a_decided_case_arrives_in_the_smtp_sink_with_its_package(sqlite_db, monkeypatch, runner, caplog):
    """End to end: intake by e-mail, decision, `aktflow outbox run --now`: the package is made first and
    the decision mail carries the letter and the package as PDFs; nothing in the mail or the log has the
    requester's CPR number."""
    import logging

    from aktflow.cli import cli
    from aktflow.documents import Attachment
    from tests.assessing import texts_for
    from tests.smtp_sink import SmtpSink
    from tests.unit.test_release_package import text_pdf

    caplog.set_level(logging.INFO)
    db = sqlite_db
    with SmtpSink() as sink:
        monkeypatch.setenv("AKTFLOW_SMTP_URL", sink.url)
        monkeypatch.setenv("AKTFLOW_MAIL_FROM", "aktindsigt@eksempel.dk")
        bootstrap.reset()
        case = registered(db, requester=f"Mette Hansen {CPR}")
        fire(db, case.id, "start_collecting", actor="cw")
        c = fire(
            db,
            case.id,
            "add_document",
            actor="cw",
            data={"title": "Referat"},
            attachment=Attachment("referat.pdf", text_pdf("Referat af moedet")),
        )
        doc_id = c.documents[-1].id
        fire(db, case.id, "start_screening", actor="cw")
        fire(
            db,
            case.id,
            "assess_document",
            actor="cw",
            data={"document_id": doc_id, "outcome": "grant", "grounds": [], **texts_for("grant", [])},
        )
        fire(db, case.id, "submit_for_legal_review", actor="cw")
        fire(db, case.id, "approve_legal", actor="legal", note="Godkendt")
        fire(db, case.id, "send_decision", actor="cw")
        before = rows(db, case.id)
        assert [(r["letter_kind"], r["status"]) for r in before] == [
            ("kvittering", "queued"),
            ("afgoerelse", "queued"),
        ]
        result = runner.invoke(cli, ["outbox", "run", "--now", "--json"])
        assert result.exit_code == 0, result.output
        after = rows(db, case.id)
        assert [r["status"] for r in after] == ["sent", "sent"]
        assert not decision_not_sent(after)
        subjects = [r.message["Subject"] for r in sink.received]
        assert any(s.startswith("Afgørelse om aktindsigt – sag ") for s in subjects)
        mail = next(r for r in sink.received if r.message["Subject"].startswith("Afgørelse"))
        names = [p.get_filename() for p in mail.message.iter_attachments()]
        assert len(names) == 2 and names[1].startswith("udleveringspakke-")
        package = list(mail.message.iter_attachments())[1].get_content()
        assert package.startswith(b"%PDF")
        from aktflow.release import package as P

        assert any("Referat af moedet" in t for t in P.page_texts(package))
        decision = next(r for r in after if r["letter_kind"] == "afgoerelse")
        assert mail.message["Message-ID"] == f"<aktflow-dispatch-{decision['id']}-1@eksempel.dk>"
        for r in sink.received:
            assert b"1203851237" not in r.raw and CPR.encode() not in r.raw
        assert "1203851237" not in caplog.text and CPR not in caplog.text


def test_the_command_line_takes_the_address_and_changes_the_channel(sqlite_db, runner, tmp_path):
    import json

    from aktflow.cli import cli

    out = runner.invoke(
        cli,
        [
            "case",
            "new",
            "--requester",
            "Jens Jensen",
            "--requester-email",
            "jens@example.dk",
            "--requester-address",
            "Storegade 1",
            "--requester-address",
            "5000 Odense C",
            "--requester-cpr",
            CPR,
            "--received",
            RECEIVED,
            "--basis",
            "gdpr",
            "--subject",
            "Mine oplysninger",
            "--emne",
            "02.34.02",
            "--channel",
            "e-mail",
            "--assign",
            "cw",
            "--as",
            "cw",
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    view = json.loads(out.output)
    assert view["address"] == "Storegade 1\n5000 Odense C" and view["has_cpr"] is True
    assert "1203851237" not in out.output and CPR not in out.output
    fire(sqlite_db, view["id"], "register", actor="cw")
    listed = json.loads(runner.invoke(cli, ["dispatch", "list", str(view["id"]), "--json"]).output)
    [d] = listed
    assert d["channel"] == "print"  # GDPR art. 15: never e-mail, and no Digital Post configured here
    refused = runner.invoke(
        cli, ["dispatch", "channel", str(view["id"]), str(d["id"]), "email", "--as", "cw"]
    )
    assert refused.exit_code == 2 and "aldrig" in refused.output
    bad = runner.invoke(
        cli,
        [
            "case",
            "new",
            "--requester",
            "X",
            "--requester-cpr",
            "320185-1234",
            "--received",
            RECEIVED,
            "--basis",
            "ofl",
            "--subject",
            "s",
            "--emne",
            "02.34.02",
            "--as",
            "cw",
        ],
    )
    assert bad.exit_code == 2 and "320185" not in bad.output


def test_a_letter_rendered_later_by_the_outbox_gets_its_dispatches_once(sqlite_db, monkeypatch):
    """With SBSYS a letter may be rendered by the outbox after the archive's number came; the handler is
    wrapped so the letter gets its dispatches then, and only once (also when the handler runs again)."""
    from types import SimpleNamespace

    from aktflow.models import Dispatch, Letter

    db = sqlite_db
    use_channels(monkeypatch)
    case = registered(db)
    with db.session() as s:
        letter_id = s.scalar(select(Letter.id).where(Letter.case_id == case.id))
        # as if the receipt had been rendered by the outbox: no dispatch yet
        s.query(OutboxItem).filter(OutboxItem.kind == "dispatch").delete()
        s.query(Dispatch).delete()
        s.commit()
    handler = dispatch.with_dispatches(lambda db_, item: {"letter_id": letter_id})
    item = SimpleNamespace(payload={"data": {"_trigger": "register"}})
    handler(db, item)
    handler(db, item)
    [d] = rows(db, case.id)
    assert d["letter_id"] == letter_id and d["letter_kind"] == "kvittering" and d["status"] == "queued"


def test_the_receipt_reaches_the_digital_post_fake_through_the_outbox_and_exempt_falls_back(
    sqlite_db, monkeypatch
):
    """The real Digital Post channel against the local fake (devtools/fake_digital_post.py): the receipt
    of a case with a CPR number arrives once as a MeMo message with the letter as PDF; a retry sends
    nothing new; a recipient exempt from Digital Post gets the letter by print."""
    from aktflow.dispatch.digital_post import DigitalPostChannel, DigitalPostConfig
    from devtools.fake_digital_post import FakeState, running_fake

    db = sqlite_db
    with running_fake(FakeState()) as (url, state):
        dp = DigitalPostChannel(DigitalPostConfig(url=url, sender_cvr="29189404", auth="none", timeout=5.0))
        use_channels(monkeypatch, digital_post=dp)
        case = registered(db, cpr=CPR, email=None, channel="brev")
        [d] = rows(db, case.id)
        assert d["channel"] == "digital_post"
        deliver_all(db)
        [d] = rows(db, case.id)
        assert d["status"] in ("delivered", "sent") and d["sent_at"], d
        [m] = state.messages
        assert (m.recipient_id, m.recipient_type) == ("1203851237", "CPR")
        assert m.main[2].startswith(b"%PDF")
        assert "1203851237" not in repr(d) and "120385" not in (d.get("detail") or "")
        deliver_all(db)  # nothing pending: nothing sent again
        assert len(state.messages) == 1

        state.exempt.add("0101901234")
        other = registered(db, cpr="010190-1234", email=None, channel="brev")
        deliver_all(db)
        [d2] = rows(db, other.id)
        assert d2["channel"] == "print" and d2["status"] == "printed", d2
        assert len(state.messages) == 1
