"""The legal review holds (docs/domain.md, "Juridisk vurdering"): partial decisions pass the decision's
gates, an approval covers only what was approved, and flags follow the current assessment."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from aktflow import approval, clock
from aktflow.errors import WorkflowError
from aktflow.models import Event, Flag, Letter
from aktflow.queries.legal import approval_changes, legal_queue, review_context
from aktflow.service import case_view, create_case, fire
from tests.assessing import texts_for
from tests.exits_scenario import docx_text

RECEIVED = (clock.today() - dt.timedelta(days=3)).isoformat()
CPR = "1203851237"  # made up, a valid date


def new(db, **kw):
    args = dict(
        actor="cw",
        requester="Mette Hansen",
        received=RECEIVED,
        basis="ofl",
        subject="Aktindsigt i tilsynssagen",
        emne="02.34.02",
        assign="cw",
    )
    args.update(kw)
    return create_case(db, **args)


def screening_with(db, *titles, **kw):
    """A case in screening with one document per title; returns (case, [document ids])."""
    case = new(db, **kw)
    for t in ("register", "start_collecting"):
        fire(db, case.id, t, actor="cw")
    ids = [fire(db, case.id, "add_document", actor="cw", data={"title": t}).documents[-1].id for t in titles]
    fire(db, case.id, "start_screening", actor="cw")
    return case, ids


def assess(db, case, doc, outcome="grant", grounds=(), **kw):
    if "note" in kw:  # the text for the requester (before 2026.4: the redaction note)
        kw["reason"] = kw.pop("note")
    return fire(
        db,
        case.id,
        "assess_document",
        actor="cw",
        data={
            "document_id": doc,
            "outcome": outcome,
            "grounds": list(grounds),
            **texts_for(outcome, grounds),
            **kw,
        },
    )


def approve(db, case):
    fire(db, case.id, "submit_for_legal_review", actor="cw")
    fire(db, case.id, "approve_legal", actor="legal", note="Godkendt")


def events(db, case, trigger):
    with db.session() as s:
        return list(
            s.scalars(
                select(Event).where(Event.case_id == case.id, Event.trigger == trigger).order_by(Event.seq)
            )
        )


# --- partial decisions pass the decision's gates --------------------------------------------------------


def test_partial_decision_refused_while_flags_are_open_in_legal_review(db):
    case, (d1, d2) = screening_with(db, "Byggetilladelse", "Lægeerklæring")
    assess(db, case, d1, "grant")
    assess(db, case, d2, "refuse", ["ofl-30-1"])  # a § 30 flag
    fire(db, case.id, "flag_for_legal", actor="cw", note=f"CPR {CPR} i akterne")
    fire(db, case.id, "submit_for_legal_review", actor="cw")
    with pytest.raises(WorkflowError, match="juridisk"):
        fire(db, case.id, "send_partial_decision", actor="cw", note="Byggetilladelsen nu")
    assert not events(db, case, "send_partial_decision")
    fire(db, case.id, "approve_legal", actor="legal")
    fire(db, case.id, "send_partial_decision", actor="cw", note="Byggetilladelsen nu")
    assert events(db, case, "send_partial_decision")[-1].data["released"] == [d1]


def test_partial_decision_in_a_personnel_case_needs_the_section_41_notice(db):
    case, (d,) = screening_with(db, "Ansættelseskontrakt", emne="81.00.00", subject="Personalesag")
    assess(db, case, d, "grant")
    approve(db, case)  # a personnel case is flagged
    with pytest.raises(WorkflowError, match="OFL § 41"):
        fire(db, case.id, "send_partial_decision", actor="cw", note="Kontrakten nu")
    fire(db, case.id, "notify_employee", actor="cw", data={"employee": "Ole Madsen", "stage": "request"})
    fire(db, case.id, "send_partial_decision", actor="cw", note="Kontrakten nu")


def test_partial_decision_with_nothing_to_release_is_refused(db):
    case, (d1, d2) = screening_with(db, "Notat", "Referat")
    with pytest.raises(WorkflowError, match="ingen dokumenter at udlevere"):
        fire(db, case.id, "send_partial_decision", actor="cw", note="Intet endnu")
    assess(db, case, d1, "refuse", ["ofl-23"])  # refused documents are not released
    with pytest.raises(WorkflowError, match="ingen dokumenter at udlevere"):
        fire(db, case.id, "send_partial_decision", actor="cw", note="Intet endnu")
    assert not events(db, case, "send_partial_decision")


def test_partial_decision_releases_the_assessed_documents_not_released_before(db):
    case, (d1, d2, d3, d4) = screening_with(db, "Notat 1", "Notat 2", "Notat 3", "Notat 4")
    assess(db, case, d1, "grant")
    assess(db, case, d2, "partial", ["ofl-23"], note="Interne afsnit overstreget")
    assess(db, case, d3, "refuse", ["ofl-23"])
    fire(db, case.id, "send_partial_decision", actor="cw", note="Første del")
    first = events(db, case, "send_partial_decision")[-1]
    assert first.data["released"] == [d1, d2]
    with pytest.raises(WorkflowError, match="ingen dokumenter at udlevere"):
        fire(db, case.id, "send_partial_decision", actor="cw", note="Igen")
    assess(db, case, d4, "grant")
    fire(db, case.id, "send_partial_decision", actor="cw", note="Anden del")
    assert events(db, case, "send_partial_decision")[-1].data["released"] == [d4]


def test_partial_decision_letter_counts_the_released_documents(db):
    case, (d1, d2, d3) = screening_with(db, "Notat 1", "Notat 2", "Notat 3")
    assess(db, case, d1, "grant")
    assess(db, case, d2, "partial", ["ofl-23"])
    fire(db, case.id, "send_partial_decision", actor="cw", note="Første del")
    with db.session() as s:
        (letter,) = s.scalars(select(Letter).where(Letter.case_id == case.id, Letter.kind == "delafgoerelse"))
        text = docx_text(letter.content)
    assert "Du får nu aktindsigt i 2 dokumenter" in text
    assert "det sidste dokument " in text and "øvrige 1" not in text  # singular, never "de øvrige 1"
    assess(db, case, d3, "grant")
    fire(db, case.id, "send_partial_decision", actor="cw", note="Resten")
    with db.session() as s:
        rows = s.scalars(select(Letter).where(Letter.case_id == case.id, Letter.kind == "delafgoerelse"))
        text = docx_text(list(rows)[-1].content)
    assert "Du får nu aktindsigt i 1 dokument." in text
    assert "øvrige" not in text  # nothing is left: the earlier release is not counted as outstanding


# --- an approval sticks to what was approved ------------------------------------------------------------


def test_reassessment_to_grant_after_approval_needs_a_new_review(db):
    case, (d,) = screening_with(db, "Lægeerklæring")
    assess(db, case, d, "refuse", ["ofl-30-1"], note="Oplysninger om helbred")
    approve(db, case)
    assess(db, case, d, "grant")  # no new flag: today's main would send this
    for trigger in ("send_decision", "send_partial_decision"):
        with pytest.raises(WorkflowError, match=r"Lægeerklæring.*vurdering \(udleveres ikke → udleveres\)"):
            fire(db, case.id, trigger, actor="cw", note="x")
    assert case_view(db, case.id)["state"] == "drafting_decision"
    approve(db, case)
    fire(db, case.id, "send_decision", actor="cw")


def test_section_30_redaction_turned_into_a_section_33_refusal_needs_a_new_review(db):
    case, (d,) = screening_with(db, "Tilsynsrapport")
    assess(db, case, d, "partial", ["ofl-30-1"], note="Navne overstreget")
    approve(db, case)
    assess(db, case, d, "refuse", ["ofl-33-1"])  # § 33 raises no flag of its own
    with pytest.raises(WorkflowError, match="undtagelsesgrunde") as refused:
        fire(db, case.id, "send_decision", actor="cw")
    assert "submit_for_legal_review" in str(refused.value)
    approve(db, case)
    fire(db, case.id, "send_decision", actor="cw")


def test_draft_decision_after_return_is_refused_when_the_assessment_changed(db):
    case, (d,) = screening_with(db, "Klage fra nabo")
    assess(db, case, d, "partial", ["ofl-30-1"])
    approve(db, case)
    assess(db, case, d, "partial", ["ofl-30-1"], note="Også adressen overstreget")  # the note changed
    fire(db, case.id, "submit_for_legal_review", actor="cw")
    fire(db, case.id, "return_to_screening", actor="legal", note="Se på adressen")
    with pytest.raises(WorkflowError, match="juridisk"):  # the re-raised flag, or the lapsed approval
        fire(db, case.id, "draft_decision", actor="cw")


def test_an_unchanged_case_keeps_its_approval_and_a_partial_release_is_judged_on_what_it_releases(db):
    case, (d1, d2) = screening_with(db, "Notat", "Lægeerklæring")
    assess(db, case, d1, "grant")
    assess(db, case, d2, "refuse", ["ofl-30-1"])
    approve(db, case)
    assess(db, case, d2, "refuse", ["ofl-23"])  # no flag; not released by a partial decision
    fire(db, case.id, "send_partial_decision", actor="cw", note="Notatet nu")  # d1 is as approved
    with pytest.raises(WorkflowError, match="Lægeerklæring"):
        fire(db, case.id, "send_decision", actor="cw")  # the decision covers d2 too


def test_the_approval_records_what_was_approved(db):
    case, (d,) = screening_with(db, f"Notat om {CPR[:6]}-{CPR[6:]}")
    assess(db, case, d, "partial", ["ofl-30-1"], note="Navn overstreget")
    approve(db, case)
    data = events(db, case, "approve_legal")[-1].data["approved"]
    doc = data["documents"][str(d)]
    assert (doc["outcome"], doc["grounds"], doc["reason"]) == ("partial", ["ofl-30-1"], "Navn overstreget")
    assert doc["released_title"] is None  # the title holds a CPR number: the aktliste prints it neutrally
    assert CPR[6:] not in doc["title"]  # the log masks; the digest was taken of the real values
    assert data["outcome"] == "partial" and len(data["flags"]) >= 1
    assert approval_changes_of(db, case) == []


def approval_changes_of(db, case):
    with db.session() as s:
        return approval_changes(s, case.id)["changes"]


def test_document_changes_are_named_added_removed_and_changed():
    def doc(i, title, outcome="grant", grounds=(), sha=None):
        a = SimpleNamespace(
            outcome=outcome, grounds=list(grounds), extracted=False, meroffentlighed_note=None, note=None
        )
        return SimpleNamespace(id=i, title=title, sha256=sha, assessment=a)

    before = SimpleNamespace(documents=[doc(1, "A"), doc(2, "B")], open_flags=[])
    snap = approval.snapshot(before)
    after = SimpleNamespace(documents=[doc(1, "A", sha="ab" * 32), doc(3, "C")], open_flags=[])
    got = {(c.document_id, c.kind): c for c in approval.changes(snap, after)}
    assert set(got) == {(1, "changed"), (2, "removed"), (3, "added")}
    assert [f[0] for f in got[(1, "changed")].fields] == ["fil"]
    assert approval.changes(snap, before) == [] and approval.lapsed(snap, before) is None
    assert approval.changes(snap, after, [1]) == [got[(1, "changed")]]
    assert "C" in approval.lapsed(snap, after) and "fjernet" in approval.lapsed(snap, after)


def test_legal_sees_what_changed_since_the_approval(db):
    case, (d,) = screening_with(db, "Lægeerklæring")
    assess(db, case, d, "refuse", ["ofl-30-1"])
    approve(db, case)
    assess(db, case, d, "grant")
    fire(db, case.id, "submit_for_legal_review", actor="cw", note="Kan den nu udleveres?")
    row = next(r for r in legal_queue(db) if r["id"] == case.id)
    assert "Lægeerklæring" in row["changed_since_approval"] and "vurdering" in row["changed_since_approval"]
    with db.session() as s:
        ctx = review_context(s, case.id)
    (change,) = ctx["approval"]["changes"]
    fields = {f["name"]: (f["before"], f["after"]) for f in change["fields"]}
    assert fields["vurdering"] == ("refuse", "grant")
    assert fields["undtagelsesgrunde"] == (["ofl-30-1"], [])
    assert ctx["approval"]["outcome"] == ["refusal", "full"]


def test_legal_queue_shows_nothing_changed_for_a_case_never_approved(db):
    case, _ = screening_with(db, "Notat")
    fire(db, case.id, "flag_for_legal", actor="cw", note="tvivl")
    fire(db, case.id, "submit_for_legal_review", actor="cw")
    row = next(r for r in legal_queue(db) if r["id"] == case.id)
    assert row["changed_since_approval"] is None


# --- flags follow the current assessment ------------------------------------------------------------------


def test_reassessment_supersedes_the_flags_of_the_earlier_assessment(db):
    case, (d,) = screening_with(db, "Klage fra nabo")
    assess(db, case, d, "partial", ["ofl-30-1"])
    assess(db, case, d, "refuse", ["ofl-35"])
    reasons = case_view(db, case.id)["flag_reasons"]
    assert len(reasons) == 1 and "35" in reasons[0] and "30" not in reasons[0]
    with db.session() as s:
        flags = list(s.scalars(select(Flag).where(Flag.case_id == case.id).order_by(Flag.id)))
        ctx = review_context(s, case.id)
    assert [(f.superseded, f.cleared_at is None) for f in flags] == [(True, False), (False, True)]
    assert [f["superseded"] for f in ctx["flags"]] == [True, False]
    last = events(db, case, "assess_document")[-1]
    assert any("30" in r for r in last.data["flags_superseded"])


def test_reassessment_to_grant_closes_the_flag_and_keeps_other_sources(db):
    case, (d,) = screening_with(db, "Klage fra nabo")
    fire(db, case.id, "flag_for_legal", actor="cw", note="Tvivl")
    assess(db, case, d, "partial", ["ofl-30-1"])
    assess(db, case, d, "partial", ["ofl-30-1"], note="samme grund")  # raised again: kept, not duplicated
    assert len(case_view(db, case.id)["flag_reasons"]) == 2
    assess(db, case, d, "grant")
    reasons = case_view(db, case.id)["flag_reasons"]
    assert len(reasons) == 1 and "Tvivl" in reasons[0]  # the manual flag stays


# --- the pages -------------------------------------------------------------------------------------------


def _login(client, username: str) -> None:
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]*)"', page)[1]
    r = client.post("/login", data={"username": username, "password": "test-pass", "csrf_token": token})
    assert r.status_code in (302, 303)


def test_review_page_and_queue_show_what_changed_since_the_approval(client, db):
    case, (d1, d2) = screening_with(db, "Lægeerklæring", "Byggetilladelse")
    assess(db, case, d1, "refuse", ["ofl-30-1"])
    assess(db, case, d2, "grant")
    approve(db, case)
    assess(db, case, d1, "grant")
    fire(db, case.id, "submit_for_legal_review", actor="cw")
    _login(client, "legal")
    queue = client.get("/legal").get_data(as_text=True)
    assert "Ændret siden godkendelse" in queue and "Lægeerklæring" in queue
    page = client.get(f"/legal/cases/{case.id}").get_data(as_text=True)
    changed = page.split('id="h-changed"', 1)[1].split("</section>", 1)[0]
    assert "Lægeerklæring" in changed and "Byggetilladelse" not in changed
    assert "Udleveres ikke" in changed and "Udleveres" in changed and "private forhold" in changed
    assert "Afslag" not in changed  # the case outcome went from partial to full
    assert "Delvis aktindsigt" in changed and "Fuld aktindsigt" in changed


def test_cli_legal_queue_says_what_changed_since_the_approval(sqlite_db, runner):
    from aktflow.cli import cli

    case, (d,) = screening_with(sqlite_db, "Lægeerklæring")
    assess(sqlite_db, case, d, "refuse", ["ofl-30-1"])
    approve(sqlite_db, case)
    assess(sqlite_db, case, d, "grant")
    fire(sqlite_db, case.id, "submit_for_legal_review", actor="cw")
    out = runner.invoke(cli, ["legal", "queue"])
    assert out.exit_code == 0, out.output
    assert "ændret siden godkendelse: Dokument 'Lægeerklæring': vurdering" in out.output
