"""The SBSYS adapter through the outbox, against the local fake SBSYS."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import threading

import pytest
from sqlalchemy import select, update

from aktflow import clock
from aktflow.models import Letter, OutboxItem
from aktflow.outbox import claim, deliver
from aktflow.outbox_delivery import handler, run
from aktflow.service import case_view, create_case, fire

CPR = "0101700000"  # the fake's fictitious demo person


@pytest.fixture
def sbsys_env():
    """Templates per emne for the fake SBSYS (tests/archive_setup.py)."""
    return {"AKTFLOW_SBSYS_TEMPLATES": '{"81": "2", "81.00": "2", "02": "1"}'}


@pytest.fixture
def fake(db, fake_sbsys):
    """The fake SBSYS as the archive (tests/archive_setup.py), after this test's database."""
    return fake_sbsys


def new_case(db, **kw):
    args = dict(
        actor="cw",
        requester="Demo Borger",
        received=(clock.today() - dt.timedelta(days=2)).isoformat(),
        basis="ofl",
        subject="Byggesagen Havnevej 12",
        emne="02.34.02",
        assign="cw",
        cpr=CPR,
        address="Vestergade 3;8000 Aarhus C",  # the receipt goes by post: a letter without an address is refused
    )
    args.update(kw)
    return create_case(db, **args)


def items(db, **where):
    with db.session() as s:
        q = select(OutboxItem).order_by(OutboxItem.id)
        for k, v in where.items():
            q = q.where(getattr(OutboxItem, k) == v)
        return list(s.scalars(q))


def test_happy_path_case_letters_reminder_status(db, fake):
    case = new_case(db)
    fire(db, case.id, "register", actor="cw")  # delivered inline after commit
    view = case_view(db, case.id)
    year = clock.today().year % 100
    assert view["sagsnummer"] == f"02.34.02-A53-1-{year:02d}"
    assert view["archive"]["status"] == "created"
    (req,) = fake.case_requests
    assert req["SkabelonId"] in (1, "1") and req["Facet"] == "A53" and req["EmneplanNummer"] == "02.34.02"
    assert req["PrimaryPart"]["PartType"] == "Person" and "aktflow" in req["SagsTitel"]
    assert req["SagsBehandlerID"] is not None
    # the kvittering waited for the number, then was rendered and journalised with its file
    (letter,) = view["letters"]
    assert letter["kind"] == "kvittering" and letter["archive_status"] == "journalised"
    (doc,) = fake.documents
    assert (
        doc.meta["OmfattetAfAktindsigt"] is True
        and str(doc.meta["SagID"]) == view["archive"]["archive_case_id"]
    )
    import docx

    text = "\n".join(p.text for p in docx.Document(io.BytesIO(doc.content)).paragraphs)
    assert view["sagsnummer"] in text
    with db.session() as s:
        assert s.get(Letter, letter["id"]).content == doc.content
    (reminder,) = fake.reminders
    due = next(d["due"] for d in view["deadlines"] if d["rule"] == "ofl-decision")
    assert str(reminder["Deadline"]).startswith(due)
    for t in ("start_collecting", "start_screening", "draft_decision", "send_decision", "close"):
        fire(db, case.id, t, actor="cw")
    assert [d.meta["DokumentNavn"] for d in fake.documents][-1].startswith("Afgørelse")
    (status,) = fake.status_changes
    assert status["SagsStatusID"] in (3, "3")
    # The archive's work is done inline; the letters to the requester wait for the worker (docs/dispatch.md).
    assert all(i.status == "done" for i in items(db) if i.kind != "dispatch")


def test_personnel_case_uses_the_longest_prefix_template(db, fake):
    case = new_case(db, emne="81.00.00", subject="Personalesag", cpr=None)
    fire(db, case.id, "register", actor="cw")
    (req,) = fake.case_requests
    assert req["SkabelonId"] in (2, "2") and "PrimaryPart" not in req


def test_sbsys_down_first_attempts_then_delivered_exactly_once(db, fake):
    fake.fail_next(3, status=503)
    case = new_case(db)
    fire(db, case.id, "register", actor="cw")
    view = case_view(db, case.id)
    assert view["sagsnummer"] is None and view["archive"]["status"] == "pending"
    for _ in range(6):
        run(db, ignore_backoff=True)
    view = case_view(db, case.id)
    assert view["sagsnummer"] and len(fake.cases) == 1 and len(fake.documents) == 1
    assert view["letters"][0]["archive_status"] == "journalised"


def test_token_expiry_mid_run_is_refreshed(db, fake):
    case = new_case(db)
    fire(db, case.id, "register", actor="cw")
    issued = len(fake.tokens_issued)
    fake.expire_tokens()
    fire(db, case.id, "request_clarification", actor="cw", note="Hvilke år?")
    assert len(fake.tokens_issued) == issued + 1
    assert [lt["archive_status"] for lt in case_view(db, case.id)["letters"]] == [
        "journalised",
        "journalised",
    ]


def test_400_is_shown_and_not_retried(db, fake):
    case = new_case(db)
    fire(db, case.id, "register", actor="cw")
    fake.fail_next(1, status=400, message="Dokumentet er for stort til SBSYS")
    fire(db, case.id, "request_clarification", actor="cw", note="Hvilke år?")
    view = case_view(db, case.id)
    failed = [lt for lt in view["letters"] if lt["kind"] == "praecisering"][0]
    assert failed["archive_status"] == "failed" and "for stort" in failed["archive_error"]
    assert view["archive"]["failed"][0]["kind"] == "journalise"
    before = len(fake.requests)
    run(db, ignore_backoff=True)
    assert len(fake.requests) == before  # not retried


def test_killed_mid_delivery_is_delivered_on_the_next_run_without_a_duplicate(db, fake, monkeypatch):
    fake.fail_next(1, status=503)
    case = new_case(db)
    fire(db, case.id, "register", actor="cw")  # inline attempt fails; the item waits
    (create,) = items(db, kind="create_case")
    item_id = claim(db, ignore_backoff=True)
    assert item_id == create.id

    import aktflow.outbox as outbox

    def die(*a, **kw):
        raise SystemExit("killed")  # the process dies after SBSYS made the case, before it is recorded

    monkeypatch.setattr(outbox, "_finish", die)
    with pytest.raises(SystemExit):
        deliver(db, item_id, handler)
    monkeypatch.undo()
    assert len(fake.cases) == 1
    with db.session() as s:  # the claim lapses
        s.execute(
            update(OutboxItem)
            .where(OutboxItem.id == item_id)
            .values(claimed_until=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        )
        s.commit()
    # the restarted worker needs the environment back
    for _ in range(4):
        run(db, ignore_backoff=True)
    assert len(fake.cases) == 1  # found by its title, not made twice
    view = case_view(db, case.id)
    assert view["sagsnummer"] and view["letters"][0]["archive_status"] == "journalised"


def test_no_cpr_in_logs_or_outbox_errors(db, fake, caplog):
    caplog.set_level(logging.DEBUG)
    fake.fail_next(1, status=400, message=f"Ukendt part med CPR {CPR[:6]}-{CPR[6:]}")
    case = new_case(db)
    fire(db, case.id, "register", actor="cw")
    errors = [i.last_error or "" for i in items(db)]
    assert any("Ukendt part" in e for e in errors)
    digits = re.compile(CPR[:6] + r"\D?" + CPR[6:])
    assert not any(digits.search(e) for e in errors)
    assert not digits.search(caplog.text)


def test_several_workers_deliver_each_item_once(db, fake):
    cases = [new_case(db, subject=f"Sag {i}") for i in range(6)]
    fake.fail_next(100, status=503)  # everything waits in the outbox
    for c in cases:
        fire(db, c.id, "register", actor="cw")
    with fake.lock:
        fake._faults.clear()
    errors = []

    def worker():
        try:
            for _ in range(5):
                run(db, ignore_backoff=True)
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(fake.cases) == 6 and len(fake.documents) == 6 and len(fake.reminders) == 6
    assert {i.status for i in items(db)} == {"done"}


def test_cli_outbox_run_and_list(db, fake, runner):
    from aktflow.cli import cli

    fake.fail_next(2, status=503)
    case = new_case(db)
    fire(db, case.id, "register", actor="cw")
    r = runner.invoke(cli, ["outbox", "list", "--status", "pending", "--json"])
    assert r.exit_code == 0 and r.stdout.count('"kind"') >= 1
    r = runner.invoke(cli, ["outbox", "run", "--now", "--json"])
    r = runner.invoke(cli, ["outbox", "run", "--now", "--json"])
    assert r.exit_code == 0, r.stderr
    assert case_view(db, case.id)["sagsnummer"]


def test_inline_delivery_stops_at_the_first_failure(db, fake):
    """When SBSYS does not answer, a user's action tries one item, not the whole backlog."""
    case = new_case(db)
    fire(db, case.id, "register", actor="cw")
    fake.fail_next(1000, status=503)
    for note in ("Hvilke år?", "Hvilke sager?", "Hvilke personer?"):
        fire(db, case.id, "request_clarification", actor="cw", note=note)
        fire(db, case.id, "clarification_received", actor="cw", note="Forstået")
    waiting = [i for i in items(db, kind="journalise") if i.status == "pending"]
    assert len(waiting) == 3
    with db.session() as s:  # the backlog is due again (as after its backoff)
        s.execute(
            update(OutboxItem)
            .where(OutboxItem.status == "pending")
            .values(next_attempt_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        )
        s.commit()
    before = len(fake.requests)
    fire(db, case.id, "request_clarification", actor="cw", note="En gang til")
    api_calls = [r for r in fake.requests[before:] if "/api/" in r[1]]
    assert len(api_calls) == 1  # one journalising attempt, then the worker takes over
    with fake.lock:
        fake._faults.clear()
    run(db, ignore_backoff=True)
    assert {lt["archive_status"] for lt in case_view(db, case.id)["letters"]} == {"journalised"}
