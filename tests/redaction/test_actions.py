"""Redactions through fire(): redact, remove, accept and reject proposals while screening; the partial
release guard; a change after the legal approval lapses it."""

from __future__ import annotations

import datetime as dt

import pymupdf
import pytest

from aktflow import clock, states
from aktflow.documents import Attachment
from aktflow.errors import ValidationError, WorkflowError
from aktflow.queries.redactions import case_redactions, document_redactions
from aktflow.service import case_view, create_case, fire
from tests.assessing import texts_for

RECEIVED = (clock.today() - dt.timedelta(days=3)).isoformat()
CPR = "120385-1237"
BODY = f"Naboen Jens Hansen, CPR {CPR}, har klaget over støj. Sagen behandles af kommunen."


def pdf(*lines: str) -> bytes:
    doc = pymupdf.open()
    page = doc.new_page()
    for i, line in enumerate(lines):
        page.insert_text((72, 100 + 20 * i), line, fontsize=10)
    return doc.tobytes()


def screening(db, basis: str = "ofl", content: bytes | None = None) -> tuple[int, int]:
    c = create_case(
        db,
        actor="cw",
        requester="Mette Hansen",
        received=RECEIVED,
        basis=basis,
        subject="Aktindsigt i klagesag",
        emne="02.34.02",
        assign="cw",
    )
    fire(db, c.id, "register", actor="cw")
    fire(db, c.id, "start_collecting", actor="cw")
    fire(
        db,
        c.id,
        "add_document",
        actor="cw",
        data={"title": "Klage"},
        attachment=Attachment("klage.pdf", content or pdf(BODY)),
    )
    fire(db, c.id, "start_screening", actor="cw")
    doc_id = case_view(db, c.id)["documents"][0]["id"]
    return c.id, doc_id


def redact(db, case_id, doc_id, **data):
    data = {"document_id": doc_id, "ground": "ofl-30-1", **data}
    return fire(db, case_id, "redact", actor="cw", data=data)


def test_a_text_and_a_region_redaction_are_events_and_listed(sqlite_db):
    db = sqlite_db
    case_id, doc_id = screening(db)
    redact(db, case_id, doc_id, term="Jens Hansen")
    redact(db, case_id, doc_id, page=1, box="60,700,300,760")
    view = document_redactions(db, case_id, doc_id)
    kinds = [(r["kind"], r["term"], r["page"], r["box"], r["paragraph"]) for r in view["redactions"]]
    assert kinds == [
        ("text", "Jens Hansen", None, None, "OFL § 30, nr. 1"),
        ("region", None, 1, [60.0, 700.0, 300.0, 760.0], "OFL § 30, nr. 1"),
    ]
    events = [e["trigger"] for e in case_view(db, case_id)["events"]]
    assert events[-2:] == ["redact", "redact"]
    assert case_redactions(db, case_id)["documents"][0]["redactions"] == view["redactions"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"term": "Jens", "page": 1, "box": "0,0,10,10"}, "term"),
        ({}, "term"),
        ({"page": 1, "box": "1,2,3"}, "box"),
        ({"page": 2, "box": "0,0,100,100"}, "page"),
        ({"page": 1, "box": "5000,5000,6000,6000"}, "box"),
        ({"term": "Jens", "ground": "ofl-999"}, "ground"),
        ({"term": "Jens", "ground": "ofl-9-2-2"}, "ground"),
    ],
)
def test_bad_input_is_refused_in_danish_and_changes_nothing(sqlite_db, data, field):
    db = sqlite_db
    case_id, doc_id = screening(db)
    version = case_view(db, case_id)["version"]
    with pytest.raises(ValidationError) as err:
        redact(db, case_id, doc_id, **data)
    assert err.value.field == field
    assert case_view(db, case_id)["version"] == version
    assert document_redactions(db, case_id, doc_id)["redactions"] == []


def test_redactions_change_only_while_screening(sqlite_db):
    db = sqlite_db
    case_id, doc_id = screening(db, content=pdf("Naboen Jens Hansen har klaget over støj."))
    fire(db, case_id, "assess_document", actor="cw", data={"document_id": doc_id, "outcome": "grant"})
    fire(db, case_id, "draft_decision", actor="cw")
    with pytest.raises(WorkflowError, match="fortrolighedsgennemgangen"):
        redact(db, case_id, doc_id, term="Jens Hansen")
    assert set(states.redaction.SOURCES) == {"screening"}


def test_proposals_are_offered_and_decided_with_a_click(sqlite_db):
    db = sqlite_db
    case_id, doc_id = screening(db)
    proposals = document_redactions(db, case_id, doc_id)["proposals"]
    by_kind = {p["kind"]: p for p in proposals}
    assert by_kind["cpr"]["default"] and by_kind["cpr"]["term"] == "XXXXXX-XXXX"  # never shown as is
    assert by_kind["name"]["term"] == "Jens Hansen"
    assert document_redactions(db, case_id, doc_id)["redactions"] == []  # nothing applied by itself
    fire(
        db,
        case_id,
        "accept_redaction",
        actor="cw",
        data={"document_id": doc_id, "proposal": by_kind["cpr"]["key"], "ground": "ofl-30-1"},
    )
    fire(
        db,
        case_id,
        "reject_redaction",
        actor="cw",
        data={"document_id": doc_id, "proposal": by_kind["name"]["key"]},
    )
    view = document_redactions(db, case_id, doc_id)
    assert [(r["kind"], r["term"]) for r in view["redactions"]] == [("proposed", "XXXXXX-XXXX")]
    assert [r["state"] for r in view["rejected"]] == ["rejected"]
    assert {p["kind"] for p in view["proposals"]}.isdisjoint({"cpr", "name"})
    # The CPR number is in no event: the proposal travels by its key.
    assert CPR not in str(case_view(db, case_id)["events"])
    # Deciding twice is refused; removing the rejection offers the proposal again.
    with pytest.raises(ValidationError, match="allerede"):
        fire(
            db,
            case_id,
            "reject_redaction",
            actor="cw",
            data={"document_id": doc_id, "proposal": by_kind["name"]["key"]},
        )
    fire(
        db,
        case_id,
        "remove_redaction",
        actor="cw",
        data={"document_id": doc_id, "redaction_id": view["rejected"][0]["id"]},
    )
    assert "name" in {p["kind"] for p in document_redactions(db, case_id, doc_id)["proposals"]}


def test_an_unknown_proposal_is_refused(sqlite_db):
    db = sqlite_db
    case_id, doc_id = screening(db)
    with pytest.raises(ValidationError) as err:
        fire(
            db,
            case_id,
            "accept_redaction",
            actor="cw",
            data={"document_id": doc_id, "proposal": "cpr:0", "ground": "ofl-30-1"},
        )
    assert err.value.field == "proposal"


def test_partial_release_needs_a_redaction(sqlite_db):
    db = sqlite_db
    case_id, doc_id = screening(db, content=pdf("Notat om Jens Hansen og ministerens svar."))
    fire(
        db,
        case_id,
        "assess_document",
        actor="cw",
        data={
            "document_id": doc_id,
            "outcome": "partial",
            "grounds": ["ofl-23"],
            **texts_for("partial", ["ofl-23"]),
        },
    )
    with pytest.raises(WorkflowError, match="udleveres delvist, men har ingen overstregninger: 'Klage'"):
        fire(db, case_id, "send_partial_decision", actor="cw", note="Klagen udleveres delvist")
    fire(db, case_id, "draft_decision", actor="cw")
    with pytest.raises(WorkflowError, match="ingen overstregninger"):
        fire(db, case_id, "send_decision", actor="cw")
    # Back to screening through the legal contact, redact, and the decision may be sent.
    fire(db, case_id, "submit_for_legal_review", actor="cw")
    fire(db, case_id, "return_to_screening", actor="legal", note="Overstreg navnet")
    redact(db, case_id, doc_id, term="Jens Hansen", ground="ofl-23")
    fire(db, case_id, "send_partial_decision", actor="cw", note="Klagen udleveres delvist")
    fire(db, case_id, "draft_decision", actor="cw")
    fire(db, case_id, "send_decision", actor="cw")
    assert case_view(db, case_id)["state"] == "decided"


def test_a_redaction_changed_after_the_approval_lapses_it(sqlite_db):
    db = sqlite_db
    case_id, doc_id = screening(db)
    fire(
        db,
        case_id,
        "assess_document",
        actor="cw",
        data={
            "document_id": doc_id,
            "outcome": "partial",
            "grounds": ["ofl-30-1"],
            **texts_for("partial", ["ofl-30-1"]),
        },
    )
    redact(db, case_id, doc_id, term="Jens Hansen")
    fire(db, case_id, "submit_for_legal_review", actor="cw")
    fire(db, case_id, "approve_legal", actor="legal")
    fire(db, case_id, "submit_for_legal_review", actor="cw")
    fire(db, case_id, "return_to_screening", actor="legal", note="Et ord mere")
    rid = document_redactions(db, case_id, doc_id)["redactions"][0]["id"]
    fire(db, case_id, "remove_redaction", actor="cw", data={"document_id": doc_id, "redaction_id": rid})
    redact(db, case_id, doc_id, term="Hansen")
    with pytest.raises(WorkflowError, match="overstregninger"):
        fire(db, case_id, "draft_decision", actor="cw")


@pytest.mark.parametrize("trigger", sorted(t.name for t in states.redaction.TRIGGERS))
def test_each_redaction_action_from_screening_writes_one_event(sqlite_db, trigger):
    db = sqlite_db
    case_id, doc_id = screening(db)
    key = document_redactions(db, case_id, doc_id)["proposals"][0]["key"]
    data = {
        "redact": {"term": "Jens Hansen", "ground": "ofl-30-1"},
        "accept_redaction": {"proposal": key, "ground": "ofl-30-1"},
        "reject_redaction": {"proposal": key},
    }.get(trigger)
    if trigger == "remove_redaction":
        redact(db, case_id, doc_id, term="Jens Hansen")
        data = {"redaction_id": document_redactions(db, case_id, doc_id)["redactions"][0]["id"]}
    before = case_view(db, case_id)["version"]
    fire(db, case_id, trigger, actor="cw", data={"document_id": doc_id, **data})
    view = case_view(db, case_id)
    assert view["version"] == before + 1 and view["events"][-1]["trigger"] == trigger
    assert view["state"] == "screening"
