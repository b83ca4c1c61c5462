"""The dashboard's period and the manager's actions: a chart for any period, refused filter dates, a
reassignment to the same person, closure days that cannot be closed."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest

from aktflow import clock
from aktflow.administration import add_closure_day
from aktflow.errors import PermissionDenied, ValidationError, WorkflowError
from aktflow.queries import dashboard as read
from aktflow.service import case_view, fire
from tests.assessing import texts_for

PASSWORD = "test-pass"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def text_of(resp) -> str:
    return unescape(resp.get_data(as_text=True))


def login(client, username: str):
    page = client.get("/login").get_data(as_text=True)
    return client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": CSRF_RE.search(page).group(1)},
    )


def at(d: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(d, dt.time(hour), dt.UTC)


def decided_on(db, new_case, day: dt.date) -> int:
    """A case received and decided (one document released in full) on ``day``."""
    cid = new_case(received=day.isoformat(), now=at(day, 8)).id
    for t in ("register", "start_collecting"):
        fire(db, cid, t, actor="cw", now=at(day, 8))
    doc = fire(db, cid, "add_document", actor="cw", data={"title": "Dok"}, now=at(day, 8)).documents[-1].id
    fire(db, cid, "start_screening", actor="cw", now=at(day, 8))
    data = {"document_id": doc, "outcome": "grant", "grounds": [], **texts_for("grant", [])}
    fire(db, cid, "assess_document", actor="cw", now=at(day, 9), data=data)
    fire(db, cid, "draft_decision", actor="cw", now=at(day, 9))
    fire(db, cid, "send_decision", actor="cw", now=at(day, 10))
    return cid


def weekday_back(today: dt.date, days: int) -> dt.date:
    d = today - dt.timedelta(days=days)
    while d.weekday() >= 5:
        d -= dt.timedelta(days=1)
    return d


# --- the chart's slots ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "unit"),
    [
        (dt.date(2026, 1, 1), dt.date(2026, 12, 31), "month"),
        (dt.date(2025, 1, 1), dt.date(2026, 12, 31), "month"),  # 24 months
        (dt.date(2024, 12, 1), dt.date(2026, 12, 31), "quarter"),  # 25 months
        (dt.date(2019, 1, 1), dt.date(2026, 12, 31), "quarter"),  # 96 months
        (dt.date(2018, 12, 1), dt.date(2026, 12, 31), "year"),
    ],
)
def test_the_chart_groups_a_long_period_in_fewer_slots(start, end, unit):
    assert read.chart_unit(start, end)[0] == unit


def test_the_chart_covers_a_period_beyond_24_months(db, new_case):
    today = clock.today()
    old = weekday_back(today, 3 * 365)  # about three years back: outside the last 24 months
    decided_on(db, new_case, old)
    f = read.Filters(start=dt.date(old.year, 1, 1), end=today)
    with db.session() as s:
        slots = read.decided_in_time(s, today, f)
    assert {m["unit"] for m in slots} == {"quarter"}
    assert sum(m["decided"] for m in slots) == 1
    hit = next(m for m in slots if m["decided"])
    assert hit["month"] <= old < read.month_start(hit["month"], 3) and hit["in_time"] == 1
    assert slots[0]["month"] == dt.date(old.year, 1, 1) and slots[-1]["month"] <= today


def test_dashboard_page_shows_decisions_of_a_long_period(client, db, new_case):
    today = clock.today()
    old = weekday_back(today, 3 * 365)
    decided_on(db, new_case, old)
    login(client, "manager")
    html = text_of(client.get(f"/dashboard?start={dt.date(old.year, 1, 1):%d.%m.%Y}&end={today:%d.%m.%Y}"))
    assert "1 af 1 afgørelser (100 %)" in html and "Ingen afgørelser i perioden" not in html
    assert f"{(old.month - 1) // 3 + 1}. kvt. {old.year}" in html and "Pr. kvartal" in html
    # the default (last 12 months) does not count it
    assert "Ingen afgørelser i perioden" in text_of(client.get("/dashboard"))


# --- refused filter dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("start=31.02.2026", "start", "ikke en dato"),
        ("start=nonsens", "start", "ikke en dato"),
        ("end=01.01.0900", "end", "året skal ligge mellem"),
        ("start=01.06.2026&end=01.03.2026", "end", "slutter (01.03.2026) før den begynder (01.06.2026)"),
        ("start=2026-06-01&end=2026-03-01", "end", "før den begynder"),
    ],
)
def test_bad_filter_dates_are_refused_with_a_message(client, db, query, field, words):
    login(client, "manager")
    r = client.get(f"/dashboard?{query}")
    html = text_of(r)
    assert r.status_code == 200 and "Filteret blev ikke brugt" in html  # the page, with the default period
    assert re.search(rf'<p class="field-error" id="f-{field}-error">[^<]*{re.escape(words)}', html)
    assert f'id="f-{field}"' in html and 'aria-invalid="true"' in html
    # what was typed stays in the field; the figures are the default period's, said so
    typed = dict(p.split("=") for p in query.split("&"))
    assert f'value="{typed[field]}"' in html
    default = read.Filters.default(clock.today())
    assert f"Perioden {default.start:%d.%m.%Y}–{default.end:%d.%m.%Y}" in html
    # the CSV of the same filters is refused too, not made for another period
    csv = client.get(f"/dashboard/cases.csv?{query}")
    assert csv.status_code == 400 and words.split(" ")[0] in csv.get_data(as_text=True)


def test_good_filter_dates_in_both_forms(client, db):
    login(client, "manager")
    forms = (
        "start=01.03.2026&end=31.03.2026",
        "start=2026-03-01&end=2026-03-31",
        "start=1.3.2026&end=31/3/2026",
    )
    for q in forms:
        html = text_of(client.get(f"/dashboard?{q}"))
        assert "Filteret blev ikke brugt" not in html and "Perioden 01.03.2026–31.03.2026" in html
        assert 'value="01.03.2026"' in html


def test_filter_errors_names_each_field():
    assert read.filter_errors({}) == {}
    assert read.filter_errors({"start": "01.01.2026", "end": "2026-12-31"}) == {}
    errors = read.filter_errors({"start": "x", "end": "32.01.2026"})
    assert set(errors) == {"start", "end"} and all("ikke en dato" in m for m in errors.values())
    # a refused period falls back to the default, never to a swapped one
    today = dt.date(2026, 11, 15)
    f = read.parse_filters({"start": "01.06.2026", "end": "01.03.2026"}, today)
    assert (f.start, f.end) == (read.Filters.default(today).start, today)


# --- reassigning to the same person -----------------------------------------------------------------------------


def test_reassigning_to_the_same_person_is_no_change(client, db, new_case):
    cid = new_case().id  # assigned to cw
    before = case_view(db, cid)
    with pytest.raises(WorkflowError, match="allerede .* som sagsbehandler; intet er ændret"):
        fire(db, cid, "assign", actor="manager", data={"assignee": "cw"})
    assert case_view(db, cid)["version"] == before["version"]  # no event
    login(client, "manager")
    page = client.get("/dashboard").get_data(as_text=True)
    r = client.post(
        f"/cases/{cid}/actions/assign",
        data={
            "csrf_token": CSRF_RE.search(page).group(1),
            "version": str(before["version"]),
            "assignee": "cw",
            "next": "/dashboard#opmaerksomhed",
        },
    )
    assert r.status_code in (303, 302, 400, 422)
    shown = text_of(client.get("/dashboard")) if r.status_code in (302, 303) else text_of(r)
    assert "intet er ændret" in shown
    after = case_view(db, cid)
    assert after["version"] == before["version"] and after["assignee"] == "cw"
    # another person is a change
    fire(db, cid, "assign", actor="manager", data={"assignee": "cw2"})
    assert case_view(db, cid)["assignee"] == "cw2"


# --- closure days -----------------------------------------------------------------------------------------------


def test_closure_days_in_the_past_or_on_weekends_are_refused(db):
    today = clock.today()
    past = today - dt.timedelta(days=1)
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)
    with pytest.raises(ValidationError, match="allerede passeret"):
        add_closure_day(db, actor="admin", day=past)
    with pytest.raises(ValidationError, match="lørdag"):
        add_closure_day(db, actor="admin", day=saturday)
    with pytest.raises(ValidationError, match="søndag"):
        add_closure_day(db, actor="admin", day=saturday + dt.timedelta(days=1))
    monday = saturday + dt.timedelta(days=2)
    assert add_closure_day(db, actor="admin", day=monday)["changed"] is True
    with pytest.raises(PermissionDenied):
        add_closure_day(db, actor="manager", day=monday + dt.timedelta(days=7))


def test_closure_day_refused_on_the_admin_page(client, db):
    today = clock.today()
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)
    login(client, "admin")
    page = client.get("/admin").get_data(as_text=True)
    tok = CSRF_RE.search(page).group(1)
    for day, why in ((today - dt.timedelta(days=2), "allerede passeret"), (saturday, "lørdag")):
        r = client.post("/admin/calendar/closures", data={"csrf_token": tok, "date": f"{day:%d.%m.%Y}"})
        html = text_of(r)
        assert r.status_code == 400 and "Lukkedagen blev ikke tilføjet" in html
        error = re.search(r'<p class="field-error" id="closure-date-error">([^<]+)</p>', html)
        assert error and why in error.group(1)  # the reason next to the field
        assert f'value="{day:%d.%m.%Y}" aria-invalid="true"' in html  # the date typed is kept
