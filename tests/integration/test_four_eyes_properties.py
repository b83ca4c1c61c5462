"""Property-based: over random trigger sequences around the legal review, no decision letter and no partial
release leaves a flagged case without a legal approval that covers the released documents as they are at
sending (docs/domain.md, "Juridisk vurdering").

The oracle is written out here, apart from aktflow.approval: after each successful send_decision or
send_partial_decision, if any flag on the case was not superseded by a re-assessment, the latest
approve_legal event must have recorded each released document with the same title, file and assessment
as the document has now, and no flag may be open.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from aktflow import clock
from aktflow.errors import AktflowError
from aktflow.models import Case, Event, Flag
from aktflow.service import create_case, fire
from tests.assessing import texts_for

RECEIVED = (clock.today() - dt.timedelta(days=2)).isoformat()
GROUNDS = {
    "grant": [[]],
    "partial": [["ofl-30-1"], ["ofl-23"], ["ofl-30-2"]],
    "refuse": [["ofl-30-1"], ["ofl-35"], ["ofl-33-1"], ["ofl-23"], ["ofl-30-1", "ofl-23"]],
}
NOTES = [None, "Navne overstreget", "Helbredsoplysninger"]


@st.composite
def step(draw, n_docs: int):
    trigger = draw(
        st.sampled_from(
            [
                "assess_document",
                "assess_document",
                "assess_document",
                "flag_for_legal",
                "submit_for_legal_review",
                "approve_legal",
                "approve_legal",
                "return_to_screening",
                "draft_decision",
                "send_decision",
                "send_partial_decision",
                "send_partial_decision",
                "notify_employee",
            ]
        )
    )
    actor = "legal" if trigger in ("approve_legal", "return_to_screening") else "cw"
    note, data = None, {}
    if trigger == "assess_document":
        outcome = draw(st.sampled_from(sorted(GROUNDS)))
        data = {
            "document_id": draw(st.integers(0, n_docs - 1)),  # an index, resolved below
            "outcome": outcome,
            "grounds": draw(st.sampled_from(GROUNDS[outcome])),
        }
        data.update(texts_for(outcome, data["grounds"]))
        note = draw(st.sampled_from(NOTES))  # the event's note: stored as the internal note
        if outcome != "grant" and note:
            data["reason"] = note
    elif trigger in ("flag_for_legal", "return_to_screening", "send_partial_decision"):
        note = "Begrundelse"
    elif trigger == "notify_employee":
        data = {"employee": "Ole Madsen", "stage": "request"}
    return trigger, actor, note, data


def _current(doc) -> dict:
    a = doc.assessment
    return {
        "title": doc.title,
        "sha256": doc.sha256,
        "outcome": a.outcome if a else None,
        "grounds": list(a.grounds) if a else [],
        "extracted": bool(a and a.extracted),
        "meroffentlighed_note": a.meroffentlighed_note if a else None,
        "reason": a.reason if a else None,
        "internal_note": a.internal_note if a else None,
        "released_title": doc.released_title,
        "released_sender": doc.released_sender,
    }


def _check_sending(db, case_id: int, trigger: str) -> None:
    """The invariant, checked right after a successful send (nothing has changed since)."""
    with db.session() as s:
        case = s.get(Case, case_id)
        flags = list(s.scalars(select(Flag).where(Flag.case_id == case_id)))
        evs = list(s.scalars(select(Event).where(Event.case_id == case_id).order_by(Event.seq)))
        sent = evs[-1]
        assert sent.trigger == trigger
        if trigger == "send_partial_decision":
            earlier = {i for e in evs[:-1] if e.trigger == trigger for i in e.data["released"]}
            released = sent.data["released"]
            expected = [
                d.id
                for d in sorted(case.documents, key=lambda d: d.id)
                if d.assessment and d.assessment.outcome in ("grant", "partial") and d.id not in earlier
            ]
            assert released == expected and released, "a partial decision releases what is assessed for it"
        else:
            released = [d.id for d in case.documents]
        assert all(f.cleared_at is not None for f in flags), "sent with an open flag"
        if not any(not f.superseded for f in flags):
            event(f"{trigger} on an unflagged case")
            return  # never flagged (or only by assessments since replaced)
        approvals = [e for e in evs if e.trigger == "approve_legal"]
        assert approvals, f"{trigger} on a flagged case without any legal approval"
        recorded = approvals[-1].data.get("approved")
        assert recorded is not None, "the approval did not record what it approved"
        approved = recorded["documents"]
        event(f"{trigger} on a flagged case")
        docs = {d.id: d for d in case.documents}
        for i in released:
            snap = approved.get(str(i))
            assert snap is not None, f"document {i} released without being approved"
            assert {k: snap[k] for k in _current(docs[i])} == _current(docs[i]), (
                f"document {i} released as it was not approved"
            )
        if trigger == "send_decision":
            assert set(approved) == {str(i) for i in docs}, "the decision covers documents not approved"


def _run(db, data) -> None:
    emne = data.draw(st.sampled_from(["02.34.02", "02.34.02", "81.00.00"]), label="emne")
    n_docs = data.draw(st.integers(1, 3), label="documents")
    case = create_case(
        db,
        actor="cw",
        requester="Mette Hansen",
        received=RECEIVED,
        basis="ofl",
        subject="Aktindsigt i tilsynssagen",
        emne=emne,
        assign="cw",
    )
    fire(db, case.id, "register", actor="cw")
    fire(db, case.id, "start_collecting", actor="cw")
    docs = [
        fire(db, case.id, "add_document", actor="cw", data={"title": f"Notat {i}"}).documents[-1].id
        for i in range(n_docs)
    ]
    fire(db, case.id, "start_screening", actor="cw")
    for _ in range(data.draw(st.integers(1, 30), label="steps")):
        trigger, actor, note, payload = data.draw(step(n_docs))
        if "document_id" in payload:
            payload = {**payload, "document_id": docs[payload["document_id"]]}
        try:
            fire(db, case.id, trigger, actor=actor, note=note, data=payload)
        except AktflowError:
            continue
        if trigger in ("send_decision", "send_partial_decision"):
            _check_sending(db, case.id, trigger)
        if trigger == "send_decision":
            return


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_release_leaves_a_flagged_case_without_a_covering_approval(sqlite_db, data):
    _run(sqlite_db, data)


@pytest.mark.postgres
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_release_leaves_a_flagged_case_without_a_covering_approval_postgresql(pg_db, data):
    _run(pg_db, data)
