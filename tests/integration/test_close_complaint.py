"""A complaint that may not be forwarded is closed without forwarding (close_complaint): a GDPR art. 15
complaint (the complainant complains to Datatilsynet directly, GDPR art. 77) and a partsaktindsigt complaint
whose main case has no appeal body; any other complaint is forwarded or reconsidered."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from aktflow.errors import ValidationError, WorkflowError
from aktflow.models import Event
from aktflow.service import fire
from tests.integration.test_appeal_bodies import decided, last_letter


def closing_event(db, case_id):
    with db.session() as s:
        return s.scalars(
            select(Event).where(Event.case_id == case_id, Event.trigger == "close_complaint")
        ).one()


def test_a_gdpr_complaint_is_closed_with_the_complainant_told_of_datatilsynet(db, new_case):
    case = decided(new_case, db, basis="gdpr", requester="Mette Hansen")
    fire(db, case.id, "receive_complaint", actor="cw")
    with pytest.raises(ValidationError) as e:
        fire(db, case.id, "close_complaint", actor="cw")  # the note is required
    assert e.value.field == "note"
    c = fire(
        db, case.id, "close_complaint", actor="cw", note="Klageren er vejledt om at klage til Datatilsynet"
    )
    assert c.state == "decided"
    ev = closing_event(db, case.id)
    assert ev.data["complainant_told"] == "datatilsynet"
    assert ev.note == "Klageren er vejledt om at klage til Datatilsynet"
    assert last_letter(db, case.id)[0] == "afgoerelse"  # nothing forwarded, no letter
    fire(db, case.id, "close", actor="cw")


def test_a_party_complaint_without_an_appeal_body_is_closed_the_same_way(db, new_case):
    case = decided(new_case, db, basis="fvl", emne="17.01.00")
    fire(db, case.id, "receive_complaint", actor="cw")
    fire(db, case.id, "close_complaint", actor="cw", note="Der er ingen klageinstans; klageren er vejledt")
    assert closing_event(db, case.id).data["complainant_told"] == "ingen_klageinstans"


def test_a_complaint_that_may_be_forwarded_is_not_closed_here(db, new_case):
    case = decided(new_case, db, basis="ofl")
    fire(db, case.id, "receive_complaint", actor="cw")
    with pytest.raises(WorkflowError, match="uphold_and_forward"):
        fire(db, case.id, "close_complaint", actor="cw", note="Vejledt")
    fire(db, case.id, "uphold_and_forward", actor="cw")
