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
