"""Letters made by the workflow say what the law requires for the case's basis: the kvittering's date
(MOL and GDPR one month, never a past date), the fristbrev and the extension (the reason and the date as
recorded)."""

from __future__ import annotations

import datetime as dt
import io

import docx
from sqlalchemy import select

from aktflow import clock
from aktflow.models import CaseDeadline
from aktflow.queries.cases import case_letters
from aktflow.queries.letters import letter_content
from aktflow.service import fire


def text_of(content: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)


def last_letter(db, case_id: int) -> str:
    letter = case_letters(db, case_id)[-1]
    return text_of(letter_content(db, letter["id"]))


def due(db, case_id: int, rule: str) -> dt.date:
    with db.session() as s:
        return s.scalar(
            select(CaseDeadline.due).where(
                CaseDeadline.case_id == case_id, CaseDeadline.rule == rule, CaseDeadline.active.is_(True)
            )
        )


def danish(d: dt.date) -> str:
    import letters

    return letters.danish_date(d)


def test_a_mol_kvittering_promises_the_one_month_date_not_the_ofl_seven_days(db, new_case):
    received = clock.today() - dt.timedelta(days=2)
    case = new_case(basis="mol", received=received.isoformat(), emne="09.02.00")
    fire(db, case.id, "register", actor="cw")
    body = last_letter(db, case.id)
    month = due(db, case.id, "mol-decision")
    assert f"senest den {danish(month)}" in body
    assert danish(due(db, case.id, "ofl-decision")) not in body
    assert "miljøoplysningslovens § 4, stk. 3" in body


def test_a_late_registration_never_promises_a_past_date(db, new_case):
    case = new_case(basis="ofl", received=(clock.today() - dt.timedelta(days=30)).isoformat())
    fire(db, case.id, "register", actor="cw")
    body = last_letter(db, case.id)
    assert danish(due(db, case.id, "ofl-decision")) not in body
    assert "Vi træffer afgørelse hurtigst muligt" in body


def test_an_extension_letter_says_extended_to_which_date_and_why(db, new_case):
    case = new_case(basis="gdpr", received=(clock.today() - dt.timedelta(days=3)).isoformat())
    fire(db, case.id, "register", actor="cw")
    fire(db, case.id, "extend_deadline", actor="cw", data={"reason": "Anmodningen omfatter 14 systemer."})
    body = last_letter(db, case.id)
    new_due = due(db, case.id, "gdpr-decision")
    assert f"forlænget til den {danish(new_due)}" in body
    assert "Anmodningen omfatter 14 systemer." in body
    assert "databeskyttelsesforordningens artikel 12, stk. 3" in body


def gdpr_case_ready_to_decide(db, new_case):
    """A GDPR art. 15 case with one document assessed as released, in drafting_decision."""
    from aktflow.service import case_view

    case = new_case(basis="gdpr", received=(clock.today() - dt.timedelta(days=3)).isoformat())
    fire(db, case.id, "register", actor="cw")
    fire(db, case.id, "start_collecting", actor="cw")
    fire(db, case.id, "add_document", actor="cw", data={"title": "Journalnotat", "date": "2026-03-01"})
    doc_id = case_view(db, case.id)["documents"][0]["id"]
    fire(db, case.id, "start_screening", actor="cw")
    fire(db, case.id, "assess_document", actor="cw", data={"document_id": doc_id, "outcome": "grant"})
    fire(db, case.id, "draft_decision", actor="cw")
    return case


def test_a_gdpr_decision_carries_the_decisions_own_texts_and_the_municipalitys_defaults(db, new_case):
    case = gdpr_case_ready_to_decide(db, new_case)
    fire(
        db,
        case.id,
        "send_decision",
        actor="cw",
        data={"art15_purposes": "Sagsbehandling af din ansøgning om boligstøtte.", "art15_transfers": ""},
    )
    body = last_letter(db, case.id)
    assert "litra a): Sagsbehandling af din ansøgning om boligstøtte." in body
    assert "Vi træffer ikke afgørelser om dig alene på grundlag af automatisk behandling" in body  # default
    assert "artikel 15, stk. 2" not in body  # nothing transferred
    assert "Datatilsynet" in body  # the klagevejledning, also on a full grant


def test_a_gdpr_decision_without_an_art_15_text_is_refused_with_the_field_named(db, new_case):
    from aktflow.administration import save_municipality
    from aktflow.case_letters import DEFAULT_MUNICIPALITY
    from aktflow.errors import ValidationError

    save_municipality(db, actor="admin", values={**DEFAULT_MUNICIPALITY, "art15_storage": ""})
    case = gdpr_case_ready_to_decide(db, new_case)
    try:
        fire(db, case.id, "send_decision", actor="cw")
    except ValidationError as e:
        assert e.field == "art15_storage" and "artikel 15" in e.detail
    else:
        raise AssertionError("the decision was sent without the storage period (art. 15(1)(d))")
    fire(db, case.id, "send_decision", actor="cw", data={"art15_storage": "5 år efter sagens afslutning."})
    assert "litra d): 5 år efter sagens afslutning." in last_letter(db, case.id)


def test_a_hearing_letter_names_its_documents_and_the_partys_address(db, new_case):
    import pytest

    from aktflow.errors import WorkflowError
    from aktflow.service import case_view

    case = new_case()
    fire(db, case.id, "register", actor="cw")
    fire(db, case.id, "start_collecting", actor="cw")
    fire(db, case.id, "add_document", actor="cw", data={"title": "Tilbud med prisbilag"})
    fire(db, case.id, "add_document", actor="cw", data={"title": "Kontrakt"})
    docs = case_view(db, case.id)["documents"]
    fire(db, case.id, "start_screening", actor="cw")
    later = (clock.today() + dt.timedelta(days=10)).isoformat()
    data = {"party": "Byg A/S", "party_address": "Industrivej 7, 1234 By", "reply_by": later}
    with pytest.raises(WorkflowError, match="findes ikke på sagen"):
        fire(
            db, case.id, "request_hearing", actor="cw", data={**data, "document_ids": [docs[0]["id"], 999999]}
        )
    fire(db, case.id, "request_hearing", actor="cw", data={**data, "document_ids": [docs[0]["id"]]})
    body = last_letter(db, case.id)
    assert body.startswith("Byg A/S\nIndustrivej 7, 1234 By")
    assert "Dokument nr. 1 (Tilbud med prisbilag)" in body and "Kontrakt" not in body
    assert "Vi overvejer at give aktindsigt i dokumentet" in body
    assert f"senest den {danish(dt.date.fromisoformat(later))}" in body
