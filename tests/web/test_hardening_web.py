"""Hardening of the web layer: out-of-range input is a clear answer (never a 500), and the headers that keep
personal data out of caches and the site on HTTPS."""

from __future__ import annotations

import pytest

from tests.web.test_web_admin import login

HUGE = "99999999999999999999"  # past 64 bits
PAST_INT = str(2**31)  # past PostgreSQL's integer, inside SQLite's 64 bits


@pytest.mark.parametrize(
    "query",
    [
        "start=9999-12-31&end=9999-12-31",
        "start=9999-12-01",
        "end=9999-12-31",
        "start=0001-01-01&end=0001-01-31",
        f"assignee={HUGE}",
        "assignee=²",
    ],
)
def test_dashboard_filters_out_of_range_are_ignored(client, query):
    """Out of range: never a server error. A date is refused with a Danish message (the page shows the
    default period, the CSV is not made); a bad assignee is ignored."""
    login(client, "manager")
    dates = "start=" in query or "end=" in query
    r = client.get(f"/dashboard?{query}")
    assert r.status_code == 200, (query, r.status_code)
    assert ("Filteret blev ikke brugt" in r.get_data(as_text=True)) == dates
    r = client.get(f"/dashboard/cases.csv?{query}")
    assert r.status_code == (400 if dates else 200), (query, r.status_code)


@pytest.mark.parametrize("big", [HUGE, PAST_INT])
def test_ids_beyond_the_database_are_404(client, big):
    login(client, "cw")
    for path in (
        f"/cases/{big}",
        f"/cases/1/letters/{big}.docx",
        f"/cases/{big}/documents/{big}",
        f"/legal/cases/{big}",
    ):
        r = client.get(path)
        assert r.status_code in (403, 404), (path, r.status_code)
    r = client.post(f"/cases/{big}/actions/assign", data={})
    assert r.status_code in (400, 404), r.status_code


def test_api_ids_beyond_the_database_are_json_404(client, app):
    from aktflow.tokens import issue_token
    from aktflow.vocabulary import SYSTEM_ACTOR

    token = issue_token(app.extensions["aktflow_db"], "cw", actor=SYSTEM_ACTOR)
    r = client.get(f"/api/v1/cases/{HUGE}", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 404 and r.is_json
    assert r.headers["Cache-Control"] == "no-store"


def test_pages_with_personal_data_are_not_cached(client):
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    login(client, "manager")
    for path in ("/dashboard", "/dashboard/cases.csv", "/cases"):
        r = client.get(path)
        assert r.status_code == 200
        assert "no-store" in r.headers["Cache-Control"], path
    r = client.get("/static/app.css")
    assert r.status_code == 200 and "no-store" not in r.headers.get("Cache-Control", "")


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    r = client.get("/login", base_url="https://aktflow.example")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")
    assert int(r.headers["Strict-Transport-Security"].split("=")[1]) >= 15552000  # at least half a year
