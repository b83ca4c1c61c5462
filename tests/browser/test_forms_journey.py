# ruff: noqa: F811 - the test's parameters name the imported fixtures
"""Browser journeys for forms that respect the user: a failed upload keeps the title and shows its error in
view; an empty intake lists every problem in one summary that takes the focus; dates typed in both forms;
the fristbrev opened as a letter from the main step; a draft kept over an ended session."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest

from aktflow import clock
from aktflow.calendar import get_calendar
from aktflow.service import case_view, create_case, fire

# The journeys' fixtures (browser_page, playwright, server) are imported to be used here by name.
from tests.browser.test_journeys import (  # noqa: F401
    ARGS,
    CHROMIUM,
    act,
    flash,
    login,
    playwright,
    server,
    shot,
    submit,
)

pytestmark = pytest.mark.browser

# A failed form is answered with its page and a 4xx status (400, 409, 422), which Chromium notes on the
# console; any other console error or page error still fails the journey.
_FORM_STATUS_NOTE = re.compile(
    r"Failed to load resource: the server responded with a status of 4(00|09|22)\b"
)


@pytest.fixture
def browser_page(playwright, tmp_path):
    """As the journeys' page (test_journeys.browser_page), but a form answered with 4xx is no error."""
    ctx = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        args=ARGS,
        headless=True,
        locale="da-DK",
        viewport={"width": 1280, "height": 900},
        timezone_id="Europe/Copenhagen",
        env={**os.environ, "LANG": "da_DK.UTF-8", "LANGUAGE": "da"},
    )
    ctx.set_default_timeout(10_000)
    page = ctx.pages[0] if ctx.pages else ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "console",
        lambda m: (
            errors.append(m.text) if m.type == "error" and not _FORM_STATUS_NOTE.search(m.text) else None
        ),
    )
    yield page
    ctx.close()
    assert not errors, errors


IN_VIEW = """el => { const r = el.getBoundingClientRect();
  return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0; }"""


def _case(db, *, received: dt.date | None = None, state: str = "collecting"):
    case = create_case(
        db,
        actor="cw",
        requester="Mette Hansen",
        received=(received or clock.today()).isoformat(),
        basis="ofl",
        subject="Byggesagen for Havnevej 12",
        emne="02.34.02",
        assign="cw",
    )
    fire(db, case.id, "register", actor="cw")
    if state == "collecting":
        fire(db, case.id, "start_collecting", actor="cw")
    return case


def _focused_summary(page) -> bool:
    return page.evaluate(
        "document.activeElement && document.activeElement.hasAttribute('data-error-summary')"
    )


def test_e_a_failed_upload_keeps_the_title_and_shows_the_error_in_view(browser_page, server, sqlite_db):
    page = browser_page
    case = _case(sqlite_db)
    login(page, server, "cw")
    page.goto(f"{server}/cases/{case.id}")
    page.locator("#add-file").set_input_files(
        {"name": "program.exe", "mimeType": "application/octet-stream", "buffer": b"MZ\x90\x00"}
    )
    page.locator("#add-title").fill("Tegninger fra arkitekten")
    act(page, "add_document")
    assert page.locator("#add-title").input_value() == "Tegninger fra arkitekten"
    error = page.locator("#add-file-error")
    assert ".exe" in error.inner_text()
    assert error.evaluate(IN_VIEW), "the error is out of sight"
    assert _focused_summary(page)
    assert page.locator("#add-file").get_attribute("aria-invalid") == "true"
    shot(page, "forms-upload-error", full=False)
    assert case_view(sqlite_db, case.id)["documents"] == []


def test_f_an_empty_intake_lists_every_problem_and_a_danish_date_is_taken(browser_page, server, sqlite_db):
    page = browser_page
    login(page, server, "cw")
    page.goto(f"{server}/cases/new")
    page.get_by_label("Retsgrundlag").select_option("fvl")  # a party's request: the name is needed
    page.locator("#received").fill("")
    submit(page, page.get_by_role("button", name="Registrér anmodning"))
    summary = page.locator("[data-error-summary]")
    assert summary.count() == 1 and _focused_summary(page)
    links = summary.locator("a")
    assert links.count() >= 4, summary.inner_text()
    hrefs = {links.nth(i).get_attribute("href") for i in range(links.count())}
    assert {"#requester", "#received", "#subject", "#emne"} <= hrefs
    summary.locator('a[href="#subject"]').click()
    assert page.evaluate("document.activeElement.id") == "subject"
    shot(page, "forms-intake-errors", full=False)
    # Filled in, with the date the Danish way: registered.
    received = clock.today() - dt.timedelta(days=2)
    page.get_by_label("Navn").fill("Mette Hansen")
    page.locator("#received").fill(f"{received:%d.%m.%Y}")
    page.get_by_label("Hvad der søges aktindsigt i").fill("Byggesagen for Havnevej 12")
    page.locator("#emne").fill("02.34.02")
    submit(page, page.get_by_role("button", name="Registrér anmodning"))
    assert "registreret som sag" in flash(page), flash(page)
    assert f"{received:%d.%m.%Y}" in page.locator(".summary").inner_text()


def test_g_the_fristbrev_opens_as_a_letter_from_the_main_step_and_takes_an_iso_date(
    browser_page, server, sqlite_db
):
    page = browser_page
    case = _case(sqlite_db, received=get_calendar().add_working_days(clock.today(), -12), state="registered")
    login(page, server, "cw")
    page.goto(f"{server}/cases/{case.id}")
    assert "Fristbrevet skulle være sendt senest" in page.locator("[data-banners]").inner_text()
    step = page.locator("form.first-step")
    assert step.get_attribute("data-step") == "send_deadline_notice"
    step.locator("textarea[name=reason], input[name=reason]").first.fill("Sagen har mange dokumenter")
    expected = clock.today() + dt.timedelta(days=30)
    step.locator("input[name=expected]").fill(expected.isoformat())  # the other form of a date
    with page.expect_navigation():
        step.locator('button[data-preview="send_deadline_notice"]').click()
    assert "brevet, som det sendes" in page.locator("h1").inner_text()
    act(page, "send_deadline_notice")
    assert "udført" in flash(page), flash(page)
    assert "Fristbrevet skulle være sendt" not in page.content()


def test_h_a_draft_comes_back_after_the_session_ended(browser_page, server, sqlite_db):
    from aktflow import web_sessions

    page = browser_page
    login(page, server, "cw")
    page.goto(f"{server}/cases/new")
    page.get_by_label("Navn").fill("Jens Jensen")
    page.get_by_label("Hvad der søges aktindsigt i").fill("Alle referater fra vejudvalget i 2025")
    sid = next(c["value"] for c in page.context.cookies() if c["name"] == "session")
    web_sessions.end(sqlite_db, sid)  # e.g. idle too long: the server no longer knows the session
    submit(page, page.get_by_role("button", name="Registrér anmodning"))
    assert "/login" in page.url
    assert "Du blev logget ud, fordi" in page.locator("[data-session-ended]").inner_text()
    page.get_by_label("Brugernavn").fill("cw")
    page.get_by_label("Adgangskode").fill("test-pass")
    submit(page, page.get_by_role("button", name="Log ind"))
    assert page.url.endswith("/cases/new")
    assert page.get_by_label("Navn").input_value() == "Jens Jensen"
    assert (
        page.get_by_label("Hvad der søges aktindsigt i").input_value()
        == "Alle referater fra vejudvalget i 2025"
    )
    assert page.locator("[data-draft-restored]").count() == 1
    page.reload()  # the draft is put back once
    assert page.locator("[data-draft-restored]").count() == 0
