"""Rules about the request as a whole: refusals under OFL § 9, stk. 2, the two OFL § 41 notices, personnel
matters marked by a caseworker, and the grounds of withheld documents in MOL cases."""

from __future__ import annotations

import datetime as dt
import io

import docx
import pytest
from sqlalchemy import select

from aktflow import clock
from aktflow.errors import ValidationError, WorkflowError
from aktflow.models import Letter
from aktflow.service import case_view, create_case, fire
from tests.assessing import texts_for

RECEIVED = clock.today() - dt.timedelta(days=6)
ATTEMPT = clock.today() - dt.timedelta(days=2)


def new(db, **kw):
    args = dict(
        actor="cw",
        requester="Mette Hansen",
        received=RECEIVED.isoformat(),
        basis="ofl",
        subject="Alle dokumenter om vejvedligehold 2015-2026",
        emne="05.01.00",
        assign="cw",
    )
    args.update(kw)
    return create_case(db, **args)


def collecting(db, **kw):
    case = new(db, **kw)
    for t in ("register", "start_collecting"):
        fire(db, case.id, t, actor="cw")
    return case


def add(db, case, title="Notat"):
    return fire(db, case.id, "add_document", actor="cw", data={"title": title}).documents[-1].id


def assess(db, case, doc, outcome="refuse", grounds=(), **kw):
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


def attempt(db, case, answer=None, how="phone", when=ATTEMPT):
    data = {"date": when.isoformat(), "how": how}
    if answer is not None:
        data["answer"] = answer
    return fire(db, case.id, "record_narrowing_attempt", actor="cw", data=data)


def refuse(db, case, ground="ofl-9-2-1", **data):
    return fire(db, case.id, "refuse_request", actor="cw", data={"ground": ground, **data})


def decision_text(db, case_id) -> str:
    with db.session() as s:
        letter = s.scalars(
            select(Letter)
            .where(Letter.case_id == case_id, Letter.kind == "afgoerelse")
            .order_by(Letter.id.desc())
        ).first()
        d = docx.Document(io.BytesIO(letter.content))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def to_legal_and_back(db, case):
    fire(db, case.id, "submit_for_legal_review", actor="cw")
    fire(db, case.id, "approve_legal", actor="legal", note="Afslaget efter § 9 kan gives")


# --- OFL § 9, stk. 2, nr. 1: excessive resources -------------------------------------------------------------


def test_resources_refusal_needs_a_recorded_attempt_to_narrow_the_request_first(db):
    case = collecting(db)
    with pytest.raises(WorkflowError, match="afgrænse anmodningen"):
        refuse(db, case, hours=60)
    assert case_view(db, case.id)["request_refusal"] is None
    attempt(db, case)
    with pytest.raises(ValidationError) as e:
        refuse(db, case)  # no estimate of the hours
    assert e.value.field == "hours"
    refuse(db, case, hours=60)
    view = case_view(db, case.id)
    assert view["request_refusal"]["ground"] == "ofl-9-2-1" and view["request_refusal"]["hours"] == 60
    assert view["outcome"] == "refusal"


def test_resources_refusal_with_no_documents_goes_to_legal_and_the_letter_states_only_the_record(db):
    case = collecting(db)
    attempt(db, case, how="phone")  # no answer recorded
    refuse(db, case, hours=40)
    view = case_view(db, case.id)
    assert view["flagged"] and any("§ 9, stk. 2, nr. 1" in r for r in view["flag_reasons"])
    fire(db, case.id, "start_screening", actor="cw")  # an empty register
    with pytest.raises(WorkflowError, match="juridisk"):
        fire(db, case.id, "draft_decision", actor="cw")
    to_legal_and_back(db, case)
    fire(db, case.id, "send_decision", actor="cw")
    text = decision_text(db, case.id)
    assert "afslag på aktindsigt i hele din anmodning" in text
    assert "offentlighedslovens § 9, stk. 2, nr. 1" in text
    day = f"{ATTEMPT.day}. "
    assert f"Den {day}" in text and "telefonisk" in text
    assert "Vi har ikke fået svar fra dig." in text
    assert "ca. 40 timer" in text
    assert "dialog med dig" not in text and "Du svarede" not in text
    assert "Klagevejledning" in text


def test_the_letter_quotes_the_answer_the_requester_gave(db):
    case = collecting(db)
    attempt(db, case, answer="Jeg vil have alt, også e-mails.", how="mail")
    refuse(db, case, hours=80)
    fire(db, case.id, "start_screening", actor="cw")
    to_legal_and_back(db, case)
    fire(db, case.id, "send_decision", actor="cw")
    text = decision_text(db, case.id)
    assert "pr. e-mail" in text and "Du svarede: Jeg vil have alt, også e-mails." in text
    assert "Vi har ikke fået svar" not in text


def test_a_refusal_recorded_after_the_legal_approval_needs_a_new_approval(db):
    case = collecting(db)
    add(db, case, "Vejplan")
    fire(db, case.id, "start_screening", actor="cw")
    fire(db, case.id, "flag_for_legal", actor="cw", note="Tvivl")
    to_legal_and_back(db, case)  # approved while the request was decided document by document
    attempt(db, case)
    refuse(db, case, hours=50)
    with pytest.raises(WorkflowError, match="juridisk"):
        fire(db, case.id, "send_decision", actor="cw")
    to_legal_and_back(db, case)
    fire(db, case.id, "send_decision", actor="cw")  # the unassessed document does not hold it back
    assert case_view(db, case.id)["state"] == "decided"


def test_the_request_approved_guard_holds_even_without_a_flag(db):
    # The approval must come after the refusal, whatever happened to the flags.
    case = collecting(db)
    fire(db, case.id, "start_screening", actor="cw")
    fire(db, case.id, "submit_for_legal_review", actor="cw")
    fire(db, case.id, "approve_legal", actor="legal")
    attempt(db, case)
    refuse(db, case, hours=30)
    from aktflow.models import Flag, utcnow

    with db.session() as s:  # a flag cleared by other means than an approval
        for f in s.scalars(select(Flag).where(Flag.case_id == case.id)):
            f.cleared_at = utcnow()
        s.commit()
    with pytest.raises(WorkflowError, match="godkendes af juridisk kontakt"):
        fire(db, case.id, "send_decision", actor="cw")


def test_an_estimate_within_the_25_hours_is_pointed_out_to_legal(db):
    case = collecting(db)
    attempt(db, case)
    refuse(db, case, hours=12)
    (reason,) = case_view(db, case.id)["flag_reasons"]
    assert "skøn: 12 timer" in reason and "25 timer" in reason
    fire(db, case.id, "cancel_request_refusal", actor="cw")
    refuse(db, case, hours=26)
    (reason,) = case_view(db, case.id)["flag_reasons"]
    assert "skøn" not in reason


def test_a_request_ground_is_never_a_documents_ground(db):
    case = collecting(db)
    d = add(db, case)
    fire(db, case.id, "start_screening", actor="cw")
    with pytest.raises(ValidationError, match="hele anmodningen"):
        assess(db, case, d, "refuse", ["ofl-9-2-1"])


def test_cancelling_the_refusal_returns_to_the_documents_and_lifts_its_flag(db):
    case = collecting(db)
    d = add(db, case)
    attempt(db, case, answer="Kun 2025")
    refuse(db, case, hours=45)
    fire(db, case.id, "cancel_request_refusal", actor="cw", note="Afgrænset til 2025")
    view = case_view(db, case.id)
    assert view["request_refusal"] is None and not view["flagged"] and view["outcome"] is None
    assert len(view["narrowing_attempts"]) == 1 and view["narrowing_attempts"][0]["answer"] == "Kun 2025"
    with pytest.raises(WorkflowError, match="ikke givet afslag"):
        fire(db, case.id, "cancel_request_refusal", actor="cw")
    fire(db, case.id, "start_screening", actor="cw")
    assess(db, case, d, "grant")
    assert case_view(db, case.id)["outcome"] == "full"


def test_an_attempt_cannot_be_dated_in_the_future_or_before_the_request(db):
    case = collecting(db)
    for when in (clock.today() + dt.timedelta(days=1), RECEIVED - dt.timedelta(days=1)):
        with pytest.raises(ValidationError) as e:
            attempt(db, case, when=when)
        assert e.value.field == "date"
    assert case_view(db, case.id)["narrowing_attempts"] == []


# --- OFL § 9, stk. 2, nr. 2 and other bases ------------------------------------------------------------------


def test_unlawful_purpose_refusal_needs_reasons_but_no_narrowing(db):
    case = collecting(db)
    with pytest.raises(ValidationError) as e:
        refuse(db, case, ground="ofl-9-2-2")
    assert e.value.field == "reason"
    refuse(db, case, ground="ofl-9-2-2", reason="Du har sendt den samme anmodning 14 gange siden januar.")
    fire(db, case.id, "start_screening", actor="cw")
    to_legal_and_back(db, case)
    fire(db, case.id, "send_decision", actor="cw")
    text = decision_text(db, case.id)
    assert "§ 9, stk. 2, nr. 2" in text and "14 gange siden januar" in text
    assert "timer" not in text and "afgrænset" not in text


def test_a_request_ground_must_fit_the_basis(db):
    case = collecting(db, basis="fvl")
    attempt(db, case)
    with pytest.raises(ValidationError) as e:
        refuse(db, case, hours=60)
    assert e.value.field == "ground"
    refuse(db, case, ground="fvl-9a-2", reason="Oplysningerne skal bruges til chikane af naboen.")
    assert case_view(db, case.id)["request_refusal"]["ground"] == "fvl-9a-2"


# --- OFL § 41: two notices ------------------------------------------------------------------------------------


def personnel_case_to_decided(db, **kw):
    case = collecting(db, emne="81.00.00", subject="Personalesag om en afskedigelse", **kw)
    fire(db, case.id, "notify_employee", actor="cw", data={"employee": "Ole Madsen", "stage": "request"})
    fire(db, case.id, "start_screening", actor="cw")
    to_legal_and_back(db, case)
    return case


def test_no_release_notice_before_there_is_a_decision(db):
    case = collecting(db, emne="81.00.00", subject="Personalesag")
    with pytest.raises(WorkflowError, match="afgørelsen er truffet"):
        fire(db, case.id, "notify_employee", actor="cw", data={"employee": "Ole Madsen", "stage": "release"})
    assert case_view(db, case.id)["employee_notices"] == []


def test_closing_a_personnel_case_needs_both_notices(db):
    case = personnel_case_to_decided(db)
    fire(db, case.id, "send_decision", actor="cw")
    with pytest.raises(WorkflowError, match="det udleverede"):
        fire(db, case.id, "close", actor="cw")
    fire(db, case.id, "notify_employee", actor="cw", data={"employee": "Ole Madsen", "stage": "release"})
    fire(db, case.id, "close", actor="cw")
    assert [n["stage"] for n in case_view(db, case.id)["employee_notices"]] == ["request", "release"]


def test_an_ordinary_case_closes_without_notices(db):
    case = collecting(db)
    fire(db, case.id, "start_screening", actor="cw")
    fire(db, case.id, "draft_decision", actor="cw")
    fire(db, case.id, "send_decision", actor="cw")
    fire(db, case.id, "close", actor="cw")


# --- personnel matters marked by a caseworker ------------------------------------------------------------------


def test_a_caseworker_marks_any_case_as_a_personnel_matter(db):
    case = collecting(db, emne="00.01.00", subject="Korrespondance med en medarbejder om en advarsel")
    assert "notify_employee" not in case_view(db, case.id)["allowed_triggers"]
    with pytest.raises(ValidationError):
        fire(db, case.id, "mark_personnel", actor="cw", data={})  # a reason is required
    fire(db, case.id, "mark_personnel", actor="cw", data={"reason": "Sagen angår en ansats advarsel"})
    view = case_view(db, case.id)
    assert view["personnel"] and "notify_employee" in view["allowed_triggers"]
    assert any("OFL § 41" in r for r in view["flag_reasons"])
    with pytest.raises(WorkflowError, match="allerede en personalesag"):
        fire(db, case.id, "mark_personnel", actor="cw", data={"reason": "igen"})
    fire(db, case.id, "start_screening", actor="cw")
    to_legal_and_back(db, case)
    with pytest.raises(WorkflowError, match="OFL § 41"):
        fire(db, case.id, "send_decision", actor="cw")
    fire(db, case.id, "notify_employee", actor="cw", data={"employee": "Ole Madsen", "stage": "request"})
    fire(db, case.id, "send_decision", actor="cw")
    with pytest.raises(WorkflowError, match="OFL § 41"):
        fire(db, case.id, "close", actor="cw")


def test_a_kle_81_case_is_a_personnel_matter_without_marking(db):
    case = new(db, emne="81.00.00", subject="Personalesag")
    view = case_view(db, case.id)
    assert view["personnel"] and "mark_personnel" in view["allowed_triggers"]
    with pytest.raises(WorkflowError, match="allerede en personalesag"):
        fire(db, case.id, "mark_personnel", actor="cw", data={"reason": "KLE 81"})


# --- MOL: grounds the environmental rules allow, the weighing, emissions ----------------------------------------


def mol_screening(db):
    case = collecting(db, basis="mol", subject="Miljøtilsyn med Fabrikken A/S", emne="09.02.00")
    d = add(db, case, "Målerapport for udledning til luft")
    fire(db, case.id, "start_screening", actor="cw")
    return case, d


WEIGHING = "Offentlighedens interesse i målingerne vejer ikke tungere end virksomhedens tab ved udlevering."


def test_a_withheld_environmental_document_cites_a_mol_ground(db):
    case, d = mol_screening(db)
    with pytest.raises(ValidationError, match="miljøoplysningsloven tillader") as e:
        assess(db, case, d, "refuse", ["ofl-30-2"], weighing_note=WEIGHING)
    assert e.value.field == "grounds"
    assert case_view(db, case.id)["documents"][0]["outcome"] is None


def test_a_withheld_environmental_document_needs_the_weighing(db):
    case, d = mol_screening(db)
    with pytest.raises(ValidationError) as e:
        assess(db, case, d, "refuse", ["ofl85-13"], weighing_note=None)
    assert e.value.field == "weighing_note"
    assess(db, case, d, "refuse", ["ofl85-13"], weighing_note=WEIGHING)
    assert case_view(db, case.id)["documents"][0]["weighing_note"] == WEIGHING


@pytest.mark.parametrize("secrecy", ["ofl85-12-1-2", "ofl-30-2"])
def test_emission_information_is_never_withheld_as_a_business_secret(db, secrecy):
    case, d = mol_screening(db)
    grounds = ["ofl85-12-1-2"] if secrecy == "ofl85-12-1-2" else ["ofl85-13", "ofl-30-2"]
    with pytest.raises(ValidationError, match="emissioner til miljøet"):
        assess(db, case, d, "partial", grounds, weighing_note=WEIGHING, emission=True)
    assess(db, case, d, "partial", grounds, weighing_note=WEIGHING, emission=False)
    doc = case_view(db, case.id)["documents"][0]
    assert doc["outcome"] == "partial" and doc["emission"] is False


def test_the_decision_prints_the_weighing(db):
    case, d = mol_screening(db)
    assess(db, case, d, "partial", ["ofl85-12-1-2"], weighing_note=WEIGHING, emission=False)
    to_legal_and_back(db, case)
    fire(db, case.id, "send_decision", actor="cw")
    assert WEIGHING in decision_text(db, case.id)


def test_a_granted_environmental_document_needs_no_weighing(db):
    case, d = mol_screening(db)
    assess(db, case, d, "grant", emission=True)
    assert case_view(db, case.id)["documents"][0]["emission"] is True


def test_emissions_only_in_mol_cases_a_weighing_wherever_something_is_withheld(db):
    case = collecting(db)
    d = add(db, case)
    fire(db, case.id, "start_screening", actor="cw")
    assess(db, case, d, "refuse", ["ofl-23"], weighing_note=WEIGHING)  # the main considerations (FVL § 24)
    assert case_view(db, case.id)["documents"][0]["weighing_note"] == WEIGHING
    with pytest.raises(ValidationError) as e:
        assess(db, case, d, "grant", weighing_note=WEIGHING)  # nothing withheld, nothing weighed
    assert e.value.field == "weighing_note"
    with pytest.raises(ValidationError) as e:
        assess(db, case, d, "refuse", ["ofl-23"], emission=True)
    assert e.value.field == "emission"


# --- the case page ------------------------------------------------------------------------------------------------


def test_the_case_page_shows_the_personnel_marking_the_attempts_and_the_refusal(client, db):
    from html import unescape

    from tests.web.test_web_core import login

    case = collecting(db)
    fire(db, case.id, "mark_personnel", actor="cw", data={"reason": "En ansats advarsel"})
    attempt(db, case, answer="Nej tak")
    refuse(db, case, hours=70)
    login(client, "cw")
    html = unescape(client.get(f"/cases/{case.id}").get_data(as_text=True))
    assert "Personalesag" in html and "medarbejderen underrettes (OFL § 41)" in html
    assert "uforholdsmæssigt ressourceforbrug" in html and "skøn: 70 timer" in html
    assert "(Telefon): Nej tak" in html


def test_no_partial_decision_from_a_request_refused_as_a_whole(db):
    case = collecting(db)
    c = fire(db, case.id, "add_document", actor="cw", data={"title": "Notat"})
    doc = c.documents[-1].id
    fire(db, case.id, "start_screening", actor="cw")
    assess(db, case, doc, outcome="grant")
    attempt(db, case)
    refuse(db, case, hours=60)
    to_legal_and_back(db, case)
    with pytest.raises(WorkflowError, match="afslag på hele anmodningen"):
        fire(db, case.id, "send_partial_decision", actor="cw", note="Notatet udleveres nu")
