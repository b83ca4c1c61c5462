# ruff: noqa: F811 - the tests' parameters name the imported fixtures
"""A case that changes while one of its files is screened (a multi-file upload, a colleague's click) never
costs the file: the screening result is stored after a conflict retry, the CPR finding is flagged, and
even when storing the result fails for another reason the uploaded file stays stored."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from aktflow import document_screening, extraction
from aktflow.models import Document
from aktflow.service import fire
from tests.integration.test_document_screening import CPR, add, collecting, doc, reasons, worker_mode  # noqa: F401


def content(db, doc_id: int) -> bytes | None:
    with db.session() as s:
        return s.scalar(select(Document.content).where(Document.id == doc_id))


def test_a_change_of_the_case_during_screening_is_retried_not_a_lost_file(db, worker_mode, monkeypatch):
    c = collecting(db)
    d = add(db, c.id, title="Journal", content=f"Borgerens CPR-nummer er {CPR}.".encode())
    real_apply = document_screening._apply
    moved = []

    def apply_while_the_case_moves(ctx, case, document, result):
        if not moved:  # the first attempt has loaded the case: a colleague changes it now
            moved.append(True)
            fire(db, c.id, "assign", actor="manager", data={"assignee": "cw2"})
        return real_apply(ctx, case, document, result)

    monkeypatch.setattr(document_screening, "_apply", apply_while_the_case_moves)
    assert document_screening.process_pending(db, extraction.Limits())["done"] == 1
    assert moved
    stored = doc(db, d)
    assert stored.status == "screened" and content(db, d) is not None
    assert any("Journal" in r and "CPR-nummer" in r for r in reasons(db, c.id))


def test_a_result_that_cannot_be_stored_keeps_the_file(db, worker_mode, monkeypatch):
    c = collecting(db)
    d = add(db, c.id, title="Notat", content=b"Intet at bemaerke.")
    real_apply = document_screening._apply

    def breaks_on_a_read_file(ctx, case, document, result):
        if result.extraction is not None:
            raise RuntimeError("the database refused the text")
        return real_apply(ctx, case, document, result)

    monkeypatch.setattr(document_screening, "_apply", breaks_on_a_read_file)
    assert document_screening.process_pending(db, extraction.Limits())["done"] == 1
    stored = doc(db, d)
    assert stored.status == "refused"  # unread, never clean …
    assert content(db, d) == b"Intet at bemaerke."  # … but the uploaded file is not lost
    assert any("Notat" in r and "kunne ikke gemmes" in r for r in reasons(db, c.id))


def test_the_event_writer_turns_a_stale_flush_into_a_conflict(db, new_case):
    from aktflow.errors import ConflictError
    from aktflow.events import append_event
    from aktflow.models import Case, utcnow

    cid = new_case().id
    with db.session() as s:
        case = s.get_one(Case, cid)
        fire(db, cid, "register", actor="cw")  # another session moves the case's version
        case.subject = "Ændret"
        with pytest.raises(ConflictError):
            append_event(
                s,
                case,
                trigger="screen_document",
                from_state=case.state,
                to_state=case.state,
                actor="@system",
                note=None,
                data={},
                now=utcnow(),
            )
