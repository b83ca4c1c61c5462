"""The law's rules tried as a lawyer, a caseworker and an attacker would: through the service, the web
forms and the JSON API. Each test is a way around a rule that must stay shut."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest

from aktflow import clock
from aktflow.errors import ValidationError, WorkflowError
from aktflow.service import case_view, fire, submit_case
from tests.assessing import texts_for
from tests.integration.test_intake_once import body, fields
from tests.integration.test_request_rules import add, assess, collecting, new, personnel_case_to_decided

FUTURE = (clock.today() + dt.timedelta(days=20)).isoformat()
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]*)"')


# --- the service ---------------------------------------------------------------------------------------------


def test_a_personnel_case_is_not_closed_by_the_appeal_body_without_the_release_notice(db):
    case = personnel_case_to_decided(db)
    fire(db, case.id, "send_decision", actor="cw")
    fire(db, case.id, "receive_complaint", actor="cw")
    fire(db, case.id, "uphold_and_forward", actor="cw")
    with pytest.raises(WorkflowError, match="det udleverede"):
        fire(db, case.id, "appeal_decided", actor="cw")
    fire(db, case.id, "notify_employee", actor="cw", data={"employee": "Ole Madsen", "stage": "release"})
    fire(db, case.id, "appeal_decided", actor="cw")
    assert case_view(db, case.id)["state"] == "closed"


def test_a_decided_personnel_case_is_not_ended_by_withdrawal_without_the_release_notice(db):
    case = personnel_case_to_decided(db)
    fire(db, case.id, "send_decision", actor="cw")
    fire(db, case.id, "receive_complaint", actor="cw")
    with pytest.raises(WorkflowError, match="det udleverede"):
        fire(db, case.id, "withdraw", actor="cw", note="Klagen er trukket tilbage")
    fire(db, case.id, "notify_employee", actor="cw", data={"employee": "Ole Madsen", "stage": "release"})
    fire(db, case.id, "withdraw", actor="cw", note="Klagen er trukket tilbage")
    assert case_view(db, case.id)["state"] == "withdrawn"


def test_an_undecided_personnel_case_is_withdrawn_without_notices(db):
    case = collecting(db, emne="81.00.00", subject="Personalesag")
    fire(db, case.id, "withdraw", actor="cw")
    assert case_view(db, case.id)["state"] == "withdrawn"


def test_a_case_marked_personnel_after_the_decision_closes_only_after_both_notices(db):
    case = collecting(db)
    for t in ("start_screening", "draft_decision", "send_decision"):
        fire(db, case.id, t, actor="cw")
    fire(db, case.id, "mark_personnel", actor="cw", data={"reason": "Sagen angår en ansats advarsel"})
    with pytest.raises(WorkflowError, match="anmodningen og det udleverede"):
        fire(db, case.id, "close", actor="cw")


@pytest.mark.parametrize(
    "reason",
    [
        "Sagsbehandleren holder ferie indtil 3. august",
        "Jeg har ferie i uge 30",
        "Sagsbehandleren er syg i denne uge",
        "Sagsbehandler er på kursus",
    ],
)
def test_fristbrev_absence_in_other_words_is_still_absence(db, reason):
    case = collecting(db)
    with pytest.raises(ValidationError, match="alene er ikke en begrundelse"):
        fire(db, case.id, "send_deadline_notice", actor="cw", data={"reason": reason, "expected": FUTURE})


def test_fristbrev_naming_the_case_and_a_holiday_stands(db):
    case = collecting(db)
    fire(
        db,
        case.id,
        "send_deadline_notice",
        actor="cw",
        data={"reason": "Sagen omfatter 300 dokumenter, og der er ferie i juli", "expected": FUTURE},
    )


def test_a_document_released_early_is_not_withheld_afterwards(db):
    case = collecting(db)
    d1, d2 = add(db, case, "Notat"), add(db, case, "Referat")
    fire(db, case.id, "start_screening", actor="cw")
    assess(db, case, d1, "grant")
    fire(db, case.id, "send_partial_decision", actor="cw", note="Notatet nu")
    for outcome in ("refuse", "partial"):
        with pytest.raises(WorkflowError, match="allerede udleveret"):
            assess(db, case, d1, outcome, ["ofl-23"])
    assess(db, case, d1, "grant", internal_note="Rettet note")  # released more or as much: allowed
    assess(db, case, d2, "refuse", ["ofl-23"])  # not released: assessed freely


def test_re_assessing_back_and_forth_after_approval_opens_the_flag_again(db):
    case = collecting(db)
    d = add(db, case, "Lægeerklæring")
    fire(db, case.id, "start_screening", actor="cw")
    assess(db, case, d, "refuse", ["ofl-30-1"])
    fire(db, case.id, "submit_for_legal_review", actor="cw")
    fire(db, case.id, "approve_legal", actor="legal")
    assess(db, case, d, "grant")
    assess(db, case, d, "refuse", ["ofl-30-1"])
    with pytest.raises(WorkflowError, match="juridisk"):
        fire(db, case.id, "send_decision", actor="cw")


def test_an_administrator_cannot_approve_the_assessments_they_made(db):
    case = collecting(db)
    d = add(db, case, "Lægeerklæring")
    fire(db, case.id, "start_screening", actor="cw")
    fire(
        db,
        case.id,
        "assess_document",
        actor="admin",
        data={
            "document_id": d,
            "outcome": "refuse",
            "grounds": ["ofl-30-1"],
            **texts_for("refuse", ["ofl-30-1"]),
        },
    )
    fire(db, case.id, "submit_for_legal_review", actor="admin")
    with pytest.raises(WorkflowError, match="en anden end den, der har vurderet"):
        fire(db, case.id, "approve_legal", actor="admin")
    fire(db, case.id, "approve_legal", actor="legal")
    assert case_view(db, case.id)["state"] == "drafting_decision"


def test_a_delay_complaint_dated_day_14_is_refused_on_day_13(db):
    from tests.integration.test_clocks import at, go, make

    case = make(db, "2026-11-02")
    go(db, case, "register", "start_collecting", day="2026-11-03")
    with pytest.raises(ValidationError, match="fremtiden"):
        fire(
            db,
            case.id,
            "receive_delay_complaint",
            actor="cw",
            now=at("2026-11-19"),
            data={"received": "2026-11-20"},
        )


def test_the_same_key_from_two_users_makes_two_cases(db):
    a = submit_case(db, idempotency_key="k-1", **fields())
    b = submit_case(db, idempotency_key="k-1", **{**fields(), "actor": "cw2"})
    assert a.created and b.created and a.case.id != b.case.id


# --- the web forms -------------------------------------------------------------------------------------------


def _login(client, username="cw"):
    page = client.get("/login").get_data(as_text=True)
    r = client.post(
        "/login", data={"username": username, "password": "test-pass", "csrf_token": CSRF_RE.search(page)[1]}
    )
    assert r.status_code in (302, 303)


def _post(client, case_id, trigger, **form):
    token = CSRF_RE.search(client.get(f"/cases/{case_id}").get_data(as_text=True))[1]
    return client.post(f"/cases/{case_id}/actions/{trigger}", data={"csrf_token": token, **form})


def test_the_form_refuses_a_fristbrev_giving_ferie_as_the_reason(db, client):
    case = collecting(db)
    _login(client)
    v = case_view(db, case.id)["version"]
    r = _post(
        client,
        case.id,
        "send_deadline_notice",
        version=str(v),
        reason="ferie",
        expected=FUTURE,
        letter_sha256="unseen",
    )
    assert r.status_code == 400  # the case page again, the reason kept and the message at it
    page = unescape(r.get_data(as_text=True))
    assert "alene er ikke en begrundelse" in page and 'id="send_deadline_notice-reason-error"' in page
    assert case_view(db, case.id)["version"] == v
    # The preview refuses it too, before any letter is shown.
    token = CSRF_RE.search(client.get(f"/cases/{case.id}").get_data(as_text=True))[1]
    r = client.post(
        f"/cases/{case.id}/letters/preview/send_deadline_notice",
        data={"csrf_token": token, "version": str(v), "reason": "ferie", "expected": FUTURE},
    )
    assert r.status_code == 400
    assert "alene er ikke en begrundelse" in unescape(r.get_data(as_text=True))


def test_the_form_refuses_a_clarification_dated_in_the_future(db, client):
    case = collecting(db)
    fire(db, case.id, "request_clarification", actor="cw", data={"note": "Hvilken periode?"})
    _login(client)
    v = case_view(db, case.id)["version"]
    later = (clock.today() + dt.timedelta(days=3)).isoformat()
    _post(
        client, case.id, "clarification_received", version=str(v), received=later, identification_lacking="1"
    )
    assert (
        case_view(db, case.id)["version"] == v and case_view(db, case.id)["state"] == "awaiting_clarification"
    )


# --- the JSON API --------------------------------------------------------------------------------------------


@pytest.fixture
def api(db):
    from aktflow.tokens import issue_token
    from aktflow.vocabulary import SYSTEM_ACTOR
    from web import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": db.url})
    tokens = {u: issue_token(db, u, name="t", actor=SYSTEM_ACTOR) for u in ("cw", "cw2")}
    client = app.test_client()

    def call(user, url, payload, **headers):
        return client.post(url, json=payload, headers={"Authorization": f"Bearer {tokens[user]}", **headers})

    def fire_api(case_id, trigger, payload):
        v = case_view(db, case_id)["version"]
        return call("cw", f"/api/v1/cases/{case_id}/events/{trigger}", payload, **{"If-Match": f'"{v}"'})

    call.fire = fire_api  # type: ignore[attr-defined]
    yield call
    app.extensions["aktflow_db"].dispose()


def test_api_re_assessment_after_approval_cannot_be_sent(db, api):
    case = collecting(db)
    d = add(db, case, "Lægeerklæring")
    fire(db, case.id, "start_screening", actor="cw")
    assess(db, case, d, "refuse", ["ofl-30-1"])
    fire(db, case.id, "submit_for_legal_review", actor="cw")
    fire(db, case.id, "approve_legal", actor="legal")
    r = api.fire(case.id, "assess_document", {"data": {"document_id": d, "outcome": "grant", "grounds": []}})
    assert r.status_code == 200, r.get_json()
    unseen = {"letter_sha256": "unseen"}  # the letter need not be seen for the refusal to show
    assert api.fire(case.id, "send_decision", {"data": unseen}).status_code == 422
    assert (
        api.fire(case.id, "send_partial_decision", {"note": "Lægeerklæringen", "data": unseen}).status_code
        == 422
    )


def test_api_refusal_for_resources_needs_the_attempt_to_narrow(db, api):
    case = collecting(db)
    r = api.fire(case.id, "refuse_request", {"data": {"ground": "ofl-9-2-1", "hours": 80}})
    assert r.status_code == 422 and "afgrænse" in r.get_json()["error"]


def test_api_cannot_forward_an_unregistered_request(db, api):
    case = new(db)
    r = api.fire(case.id, "forward", {"data": {"authority": "Miljøstyrelsen", "letter_sha256": "unseen"}})
    assert r.status_code == 422
    assert case_view(db, case.id)["state"] == "received"


def test_api_the_same_key_from_two_users_is_two_cases_and_shows_no_other_users_case(db, api):
    r1 = api("cw", "/api/v1/requests", body(), **{"Idempotency-Key": "same"})
    r2 = api("cw2", "/api/v1/requests", body(), **{"Idempotency-Key": "same"})
    assert r1.status_code == r2.status_code == 201
    assert r1.get_json()["id"] != r2.get_json()["id"]
    r3 = api("cw2", "/api/v1/requests", body(subject="Noget andet"), **{"Idempotency-Key": "same"})
    assert r3.status_code == 422
