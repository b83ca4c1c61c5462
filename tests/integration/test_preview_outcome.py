"""The decision letter seen before every document is assessed (the preview, ``aktflow case package
--preview``) says what the assessments made so far imply: never "vi har ikke fundet nogen" for a case
that has documents (letters/compose.py, aktflow/case_letters.py)."""

from __future__ import annotations

import datetime as dt

from aktflow import clock
from aktflow.case_letters import context
from aktflow.documents import Attachment
from aktflow.models import Case
from aktflow.service import create_case, fire
from letters.compose import _outcome_sentence
from tests.assessing import texts_for


def _case(db, n_docs: int) -> int:
    case = create_case(
        db,
        actor="cw",
        requester="Mette Hansen",
        received=(clock.today() - dt.timedelta(days=3)).isoformat(),
        basis="ofl",
        subject="Aktindsigt i tilsynssagen",
        emne="02.34.02",
        assign="cw",
    )
    for t in ("register", "start_collecting"):
        fire(db, case.id, t, actor="cw")
    for i in range(n_docs):
        fire(
            db, case.id, "add_document", actor="cw", data={"title": f"Notat {i}"},
            attachment=Attachment(f"notat{i}.txt", f"Notat nummer {i}.".encode()),
        )  # fmt: skip
    return case.id


def _assess(db, case_id: int, doc_no: int, outcome: str) -> None:
    with db.session() as s:
        doc_id = sorted(d.id for d in s.get_one(Case, case_id).documents)[doc_no]
    grounds = [] if outcome == "grant" else ["ofl-30-1"]
    data = {"document_id": doc_id, "outcome": outcome, "grounds": grounds, **texts_for(outcome, grounds)}
    fire(db, case_id, "assess_document", actor="cw", data=data)


def _sentence(db, case_id: int) -> tuple[str, str]:
    with db.session() as s:
        ctx = context(
            s, s.get_one(Case, case_id), {"_trigger": "send_decision"}, actor=None, today=clock.today()
        )
    return ctx["outcome"], _outcome_sentence(ctx["outcome"], ctx["documents"], "ofl")


def test_a_preview_with_documents_left_to_assess_counts_what_is_assessed(db):
    cid = _case(db, 3)
    fire(db, cid, "start_screening", actor="cw")
    _assess(db, cid, 0, "grant")
    _assess(db, cid, 1, "partial")
    outcome, sentence = _sentence(db, cid)
    assert outcome == "partial"
    assert "ikke fundet nogen" not in sentence
    assert "fuld aktindsigt i" in sentence and "delvis aktindsigt i" in sentence


def test_none_found_is_said_only_without_documents(db):
    outcome, sentence = _sentence(db, _case(db, 0))
    assert outcome == "none_found" and "ikke fundet nogen" in sentence
