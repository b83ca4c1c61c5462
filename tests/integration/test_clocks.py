"""The clocks the law runs: Danish dates, clarification, closures, delay complaints, the fristbrev's checks."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from html import unescape

import pytest

from aktflow import figure_counts
from aktflow.service import case_view, create_case, fire
from tests.assessing import texts_for

UTC = dt.UTC
# 00:30 on 1 January 2027 in Denmark (CET, UTC+1) is still 31 December 2026 in UTC.
NEW_YEAR_NIGHT = dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def deadline(view: dict, rule: str) -> dict:
    found = [d for d in view["deadlines"] if d["rule"] == rule]
    assert len(found) == 1, (rule, view["deadlines"])
    return found[0]


def make(db, received: str, basis: str = "ofl", now: dt.datetime | None = None, **kw):
    return create_case(
        db,
        actor="cw",
        requester="Mette Hansen",
        received=received,
        basis=basis,
        subject="Byggesag Havnevej 12",
        emne="02.34.02",
        now=now or at(received),
        **kw,
    )


def go(db, case, *triggers, day: str | None = None, now: dt.datetime | None = None, **kw):
    for t in triggers:
        fire(db, case.id, t, actor="cw", now=now or at(day or "2026-01-01"), **kw)


# --- Danish dates everywhere ------------------------------------------------------------------------------


def test_new_year_night_in_denmark_numbers_the_case_in_the_new_year(db):
    case = make(db, "2027-01-01", now=NEW_YEAR_NIGHT)
    go(db, case, "register", now=NEW_YEAR_NIGHT)
    assert case_view(db, case.id)["sagsnummer"].endswith("-27")


def test_new_year_night_hearing_and_figures_count_on_1_january(db):
    case = make(db, "2027-01-01", now=NEW_YEAR_NIGHT)
    go(db, case, "register", "start_collecting", now=NEW_YEAR_NIGHT)
    fire(db, case.id, "add_document", actor="cw", now=NEW_YEAR_NIGHT, data={"title": "Notat"})
    go(db, case, "start_screening", now=NEW_YEAR_NIGHT)
    doc_id = case_view(db, case.id)["documents"][0]["id"]
    fire(
        db,
        case.id,
        "assess_document",
        actor="cw",
        now=NEW_YEAR_NIGHT,
        data={"document_id": doc_id, "outcome": "refuse", "grounds": ["ofl-19"], **texts_for("refuse")},
    )
    fire(
        db,
        case.id,
        "request_hearing",
        actor="cw",
        now=NEW_YEAR_NIGHT,
        data={"party": "Byg A/S", "reply_by": "2027-01-15"},
    )
    assert case_view(db, case.id)["hearings"][0]["sent"] == "2027-01-01"
    with db.session() as s:
        days = {k[1] for k in figure_counts.stored(s) if k[0] == "ground"}
        assert days == {dt.date(2027, 1, 1)}
        # the reference computed in SQL agrees (the dashboard's check and rebuild)
        assert figure_counts.check(s) == []
        assert {k[1] for k in figure_counts.reference(s) if k[0] == "ground"} == {dt.date(2027, 1, 1)}


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC), dt.date(2027, 1, 1)),  # CET: +1
        (dt.datetime(2026, 12, 31, 22, 30, tzinfo=UTC), dt.date(2026, 12, 31)),
        (dt.datetime(2026, 6, 30, 22, 30, tzinfo=UTC), dt.date(2026, 7, 1)),  # CEST: +2
        (dt.datetime(2026, 6, 30, 21, 30, tzinfo=UTC), dt.date(2026, 6, 30)),
        (dt.datetime(2026, 3, 28, 23, 30, tzinfo=UTC), dt.date(2026, 3, 29)),  # before the switch (01:00 UTC)
        (dt.datetime(2026, 10, 24, 22, 30, tzinfo=UTC), dt.date(2026, 10, 25)),  # still summer time
    ],
)
def test_figures_reference_counts_the_danish_day_in_sql(db, moment, day):
    case = make(db, day.isoformat(), now=moment)
    go(db, case, "register", "start_collecting", now=moment)
    fire(db, case.id, "add_document", actor="cw", now=moment, data={"title": "Notat"})
    go(db, case, "start_screening", now=moment)
    doc_id = case_view(db, case.id)["documents"][0]["id"]
    fire(
        db,
        case.id,
        "assess_document",
        actor="cw",
        now=moment,
        data={"document_id": doc_id, "outcome": "refuse", "grounds": ["ofl-19"], **texts_for("refuse")},
    )
    with db.session() as s:
        assert {k[1] for k in figure_counts.reference(s) if k[0] == "ground"} == {day}
        assert figure_counts.check(s) == []


def test_letter_dates_are_danish():
    from letters.compose import as_date, danish_date

    assert as_date(NEW_YEAR_NIGHT) == dt.date(2027, 1, 1)
    assert as_date(NEW_YEAR_NIGHT.isoformat()) == dt.date(2027, 1, 1)
    assert danish_date(NEW_YEAR_NIGHT) == "1. januar 2027"
    assert as_date("2026-12-31") == dt.date(2026, 12, 31)


# --- clarification (OFL § 9, stk. 1) ------------------------------------------------------------------------


def clarify(db, case, day: str, **data):
    go(db, case, "register", day="2026-11-02")
    fire(db, case.id, "request_clarification", actor="cw", note="Hvilken periode?", now=at("2026-11-03"))
    fire(db, case.id, "clarification_received", actor="cw", note="Perioden 2025", now=at(day), data=data)


def test_clarification_of_an_unidentified_request_restarts_the_deadlines(db):
    from aktflow.queries.deadlines import sweep

    case = make(db, "2026-11-02")
    assert deadline(case_view(db, case.id), "ofl-decision")["due"] == "2026-11-11"
    clarify(db, case, "2026-11-20", identification_lacking=True)
    view = case_view(db, case.id, today=dt.date(2026, 11, 20))
    decision = deadline(view, "ofl-decision")
    assert decision["due"] == "2026-12-01" and decision["status"] == "ok"  # 7 wd after Fri 20.11
    assert decision["start"] == "2026-11-20"
    assert "efter modtagelse af præcisering 20.11.2026" in decision["explanation"]
    assert deadline(view, "ofl-notice")["due"] == "2026-12-01"
    assert deadline(view, "ofl-delay-complaint")["due"] == "2026-12-10"
    assert view["events"][-1]["data"]["clarification"] == {
        "received": "2026-11-20",
        "identification_lacking": True,
    }
    # on the day the answer arrives: not overdue, no missing fristbrev
    day = sweep(db, dt.date(2026, 11, 20))
    assert day["counts"] == {"due_soon": 0, "overdue": 0, "missing_notice": 0}


def test_clarification_given_earlier_counts_from_its_own_date(db):
    case = make(db, "2026-11-02")
    clarify(db, case, "2026-11-20", identification_lacking=True, received="2026-11-05")
    assert deadline(case_view(db, case.id), "ofl-decision")["due"] == "2026-11-16"


def test_narrowing_an_identifiable_request_keeps_the_original_dates(db):
    case = make(db, "2026-11-02")
    clarify(db, case, "2026-11-20", identification_lacking=False)
    view = case_view(db, case.id, today=dt.date(2026, 11, 20))
    assert deadline(view, "ofl-decision")["due"] == "2026-11-11"
    assert deadline(view, "ofl-decision")["status"] == "overdue"
    assert view["events"][-1]["data"]["clarification"]["identification_lacking"] is False


def test_mol_clarification_restarts_the_month_too(db):
    case = make(db, "2026-11-02", basis="mol")
    clarify(db, case, "2026-11-20", identification_lacking=True)
    view = case_view(db, case.id, today=dt.date(2026, 11, 20))
    assert deadline(view, "mol-decision")["due"] == "2026-12-20"
    assert "fristen er en søndag og flyttes ikke" in deadline(view, "mol-decision")["explanation"]


@pytest.mark.parametrize(
    ("received", "message"),
    [("2026-11-21", "fremtiden"), ("2026-11-01", "før anmodningen")],
)
def test_clarification_date_not_in_the_future_nor_before_the_request(db, received, message):
    from aktflow.errors import ValidationError

    case = make(db, "2026-11-02")
    with pytest.raises(ValidationError) as e:
        clarify(db, case, "2026-11-20", identification_lacking=True, received=received)
    assert e.value.field == "received" and message in str(e.value)


# --- the fristbrev, checked (OFL § 36, stk. 2) ------------------------------------------------------------


def notice(db, case, reason: str, expected: str, actor: str = "cw", day: str = "2026-11-05"):
    return fire(
        db,
        case.id,
        "send_deadline_notice",
        actor=actor,
        now=at(day),
        data={"reason": reason, "expected": expected},
    )


@pytest.mark.parametrize(
    "reason",
    ["Ferie", "sagsbehandlerens ferie", "Pga. sygdom", "Sygdom og ferie.", "fravær", "Min sommerferie"],
)
def test_fristbrev_refuses_the_caseworkers_absence_alone(db, reason):
    from aktflow.errors import ValidationError

    case = make(db, "2026-11-02")
    with pytest.raises(ValidationError) as e:
        notice(db, case, reason, "2026-11-20")
    assert e.value.field == "reason" and "fravær (ferie, sygdom o.l.) alene" in str(e.value)


@pytest.mark.parametrize(
    "reason",
    ["Sagens omfang (120 dokumenter) og ferie", "Høring af tredjemand", "Mange dokumenter skal gennemgås"],
)
def test_fristbrev_accepts_a_reason_about_the_case(db, reason):
    case = make(db, "2026-11-02")
    notice(db, case, reason, "2026-11-20")
    assert deadline(case_view(db, case.id), "expected-decision")["due"] == "2026-11-20"


def test_fristbrev_expected_date_must_lie_after_today(db):
    from aktflow.errors import ValidationError

    case = make(db, "2026-11-02")
    with pytest.raises(ValidationError) as e:
        notice(db, case, "Mange dokumenter", "2026-11-05", day="2026-11-05")
    assert e.value.field == "expected" and "efter i dag" in str(e.value)


def test_fristbrev_beyond_the_39_date_warns_on_the_event_and_the_page(db, client):
    case = make(db, "2026-11-02")
    notice(db, case, "Mange dokumenter", "2026-11-24")  # the § 39 date is 20.11 (14 working days)
    event = case_view(db, case.id)["events"][-1]
    assert event["trigger"] == "send_deadline_notice"
    assert len(event["data"]["warnings"]) == 1
    assert "20.11.2026 (14 arbejdsdage)" in event["data"]["warnings"][0]
    assert "OFL § 39" in event["data"]["warnings"][0]
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login).group(1)
    client.post("/login", data={"username": "cw", "password": "test-pass", "csrf_token": token})
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "data-event-warning" in page and "OFL § 39" in page
    quiet = make(db, "2026-11-02")
    notice(db, quiet, "Mange dokumenter", "2026-11-20")
    assert "warnings" not in case_view(db, quiet.id)["events"][-1]["data"]


def test_fristbrev_beyond_40_working_days_only_by_a_manager(db):
    from aktflow.errors import ValidationError

    case = make(db, "2026-11-02")
    outer = deadline(case_view(db, case.id), "ofl-outer")["due"]
    assert outer == "2026-12-29"  # 40 working days: 25.12 and 26.12 skipped
    notice(db, case, "Mange dokumenter", outer)  # on the 40th working day: a caseworker may
    with pytest.raises(ValidationError) as e:
        notice(db, case, "Mange dokumenter", "2026-12-30")
    assert e.value.field == "expected" and "kræver en leders godkendelse" in str(e.value)
    notice(db, case, "Mange dokumenter", "2026-12-30", actor="manager")
    event = case_view(db, case.id)["events"][-1]
    assert event["actor"] == "manager"
    assert any("godkendt af leder manager" in w for w in event["data"]["warnings"])


def docx_text(content: bytes) -> str:
    z = zipfile.ZipFile(io.BytesIO(content))
    return "\n".join(
        unescape(re.sub(r"<[^>]+>", "", z.read(n).decode()))
        for n in z.namelist()
        if n.startswith("word/") and n.endswith(".xml")
    )


def test_mol_extension_letter_states_the_new_date(db):
    from aktflow.queries.cases import case_letters
    from aktflow.queries.letters import letter_content

    case = make(db, "2026-11-02", basis="mol")
    fire(
        db,
        case.id,
        "extend_deadline",
        actor="cw",
        now=at("2026-11-05"),
        data={"reason": "Omfattende materiale"},
    )
    assert deadline(case_view(db, case.id), "mol-decision")["due"] == "2027-01-02"
    letter = case_letters(db, case.id)[-1]
    body = docx_text(letter_content(db, letter["id"]))
    assert "forlænget til den 2. januar 2027" in body
    assert "Du får vores afgørelse senest den 2. januar 2027." in body


# --- complaints about the time taken (OFL § 39) -----------------------------------------------------------


def test_delay_complaint_from_day_14_starts_its_own_7_day_deadline_and_is_forwarded(db):
    from aktflow.errors import WorkflowError

    case = make(db, "2026-11-02")
    go(db, case, "register", "start_collecting", day="2026-11-03")
    assert deadline(case_view(db, case.id), "ofl-delay-complaint")["due"] == "2026-11-20"
    with pytest.raises(WorkflowError) as e:
        fire(db, case.id, "receive_delay_complaint", actor="cw", now=at("2026-11-19"))
    assert "14. arbejdsdag" in str(e.value) and "20.11.2026" in str(e.value)
    fire(
        db,
        case.id,
        "receive_delay_complaint",
        actor="cw",
        now=at("2026-11-23"),
        data={"received": "2026-11-20"},
    )
    view = case_view(db, case.id, today=dt.date(2026, 11, 23))
    forward = deadline(view, "delay-complaint-forward")
    assert (forward["start"], forward["due"]) == ("2026-11-20", "2026-12-01")
    assert view["state"] == "collecting"  # an action: the case goes on
    with pytest.raises(WorkflowError):  # one complaint at a time
        fire(db, case.id, "receive_delay_complaint", actor="cw", now=at("2026-11-24"))
    fire(
        db,
        case.id,
        "forward_delay_complaint",
        actor="cw",
        now=at("2026-11-30"),
        data={"reason": "Sagen omfatter 400 dokumenter, der skal høres hos tredjemand"},
    )
    view = case_view(db, case.id, today=dt.date(2026, 11, 30))
    assert deadline(view, "delay-complaint-forward")["done_on"] == "2026-11-30"
    assert deadline(view, "delay-complaint-forward")["status"] == "met"
    assert view["events"][-1]["data"]["reason"].startswith("Sagen omfatter")
    with pytest.raises(WorkflowError) as e:  # nothing left to forward
        fire(db, case.id, "forward_delay_complaint", actor="cw", now=at("2026-12-01"), data={"reason": "x"})
    assert "ingen klage over sagsbehandlingstiden" in str(e.value)


def test_deciding_the_case_in_time_meets_the_delay_complaint(db):
    case = make(db, "2026-11-02")
    go(db, case, "register", "start_collecting", day="2026-11-03")
    fire(db, case.id, "receive_delay_complaint", actor="cw", now=at("2026-11-23"))
    go(db, case, "start_screening", "draft_decision", "send_decision", day="2026-11-25")
    view = case_view(db, case.id, today=dt.date(2026, 12, 10))
    assert deadline(view, "delay-complaint-forward")["status"] == "met"


def test_delay_complaint_only_while_undecided_and_overdue_when_left(db):
    from aktflow.errors import WorkflowError

    case = make(db, "2026-11-02")
    go(db, case, "register", "start_collecting", day="2026-11-03")
    fire(db, case.id, "receive_delay_complaint", actor="cw", now=at("2026-11-23"))
    assert deadline(case_view(db, case.id, today=dt.date(2026, 12, 3)), "delay-complaint-forward")[
        "status"
    ] == ("overdue")
    decided = make(db, "2026-11-02")
    go(
        db,
        decided,
        "register",
        "start_collecting",
        "start_screening",
        "draft_decision",
        "send_decision",
        day="2026-11-03",
    )
    with pytest.raises(WorkflowError):
        fire(db, decided.id, "receive_delay_complaint", actor="cw", now=at("2026-11-23"))


def test_dashboard_and_case_page_warn_about_a_statutory_deadline_on_a_closure(db, app, new_case):
    from aktflow import clock
    from aktflow.administration import change_calendar

    case = new_case()
    outer = dt.date.fromisoformat(deadline(case_view(db, case.id), "ofl-outer")["due"])
    change_calendar(db, actor="admin", close=[outer])
    assert deadline(case_view(db, case.id), "ofl-outer")["due"] == outer.isoformat()  # not moved

    def page(user: str, url: str) -> str:
        client = app.test_client()
        login = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login).group(1)
        client.post("/login", data={"username": user, "password": "test-pass", "csrf_token": token})
        return client.get(url).get_data(as_text=True)

    board = page("manager", "/dashboard")
    assert "Lovbestemte frister på lukkedage" in board and f'data-closure-case="{case.id}"' in board
    assert outer.strftime("%d.%m.%Y") in board
    assert "data-closure-warning" in page("cw", f"/cases/{case.id}")
    assert clock.today() <= outer


def test_delay_complaint_is_offered_only_from_day_14(db):
    from aktflow.service import action_hints

    case = make(db, "2026-11-02")
    go(db, case, "register", "start_collecting", day="2026-11-03")
    triggers = ["receive_delay_complaint"]
    early = action_hints(db, case.id, "cw", triggers, now=at("2026-11-19"))
    late = action_hints(db, case.id, "cw", triggers, now=at("2026-11-20"))
    assert "14. arbejdsdag" in early["receive_delay_complaint"]
    assert late["receive_delay_complaint"] is None
