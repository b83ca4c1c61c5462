# ruff: noqa: F811 - the test's parameters name the imported fixtures
"""The draft kept over an ended session (web/static/app.js) stays with the person who typed it: another
user logging in in the same tab never gets it, and a value holding a CPR number is never kept in the
browser's storage, whatever the field is called."""

from __future__ import annotations

import pytest

from tests.browser.test_forms_journey import browser_page  # noqa: F401
from tests.browser.test_journeys import login, playwright, server, submit  # noqa: F401

pytestmark = pytest.mark.browser

CPR = "120385-1237"  # made up, a valid date
SUBJECT = f"Alle referater om {CPR} fra vejudvalget"


def _type_and_lose_the_session(page, server, db, name: str) -> None:
    from aktflow import web_sessions

    page.goto(f"{server}/cases/new")
    page.get_by_label("Navn").fill(name)
    page.get_by_label("Hvad der søges aktindsigt i").fill(SUBJECT)
    sid = next(c["value"] for c in page.context.cookies() if c["name"] == "session")
    web_sessions.end(db, sid)
    submit(page, page.get_by_role("button", name="Registrér anmodning"))
    assert "/login" in page.url
    stored = page.evaluate("window.sessionStorage.getItem('aktflow-draft')") or ""
    assert name in stored  # the draft is kept …
    assert "1237" not in stored and "120385" not in stored  # … but never the CPR number


def _log_in_again(page, username: str) -> None:
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill("test-pass")
    submit(page, page.get_by_role("button", name="Log ind"))
    assert page.url.endswith("/cases/new")


def test_another_user_never_gets_the_draft_and_a_cpr_number_is_never_kept(browser_page, server, sqlite_db):
    page = browser_page
    login(page, server, "cw")
    _type_and_lose_the_session(page, server, sqlite_db, "Jens Jensen")
    _log_in_again(page, "cw2")  # a colleague at the same screen
    assert page.get_by_label("Navn").input_value() == ""
    assert page.locator("[data-draft-restored]").count() == 0
    assert page.evaluate("window.sessionStorage.getItem('aktflow-draft')") is None

    _type_and_lose_the_session(page, server, sqlite_db, "Karen Blixen")
    _log_in_again(page, "cw2")  # the same user: the draft comes back, without the value with the number
    assert page.get_by_label("Navn").input_value() == "Karen Blixen"
    assert page.get_by_label("Hvad der søges aktindsigt i").input_value() == ""
    assert page.locator("[data-draft-restored]").count() == 1
