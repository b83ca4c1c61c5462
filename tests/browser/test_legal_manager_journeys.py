"""The legal contact's and the manager's journeys in a real browser (Playwright on Debian's Chromium).

(d) legal: the queue shows the deadline and the caseworker's question; the review page shows both
    decision letters and each released document beside its original; a comment on one document reaches
    the caseworker on the case page and the document page.
(e) manager: the dashboard's chart over a period of more than 24 months; a bad date in the filter is
    refused with a message beside the field, what was typed kept.
"""

from __future__ import annotations

import datetime as dt

import pytest

from aktflow import clock
from tests.assessing import texts_for
from tests.browser import test_journeys as journeys
from tests.browser.test_journeys import flash, login, logout, shot, submit

# The journeys' fixtures: the browser, the served app, a fresh page.
playwright = journeys.playwright
server = journeys.server
browser_page = journeys.browser_page

pytestmark = pytest.mark.browser


def at(d: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(d, dt.time(hour), dt.UTC)


def test_d_legal_reviews_letters_and_documents_and_comments_reach_the_caseworker(
    browser_page,
    server,
    sqlite_db,
):
    from aktflow.documents import Attachment
    from aktflow.service import create_case, fire

    case = create_case(
        sqlite_db,
        actor="cw",
        requester="Lokalavisen",
        received=clock.today().isoformat(),
        basis="ofl",
        subject="Tilsyn med plejehjemmet Solbakken",
        emne="27.12.04",
        assign="cw",
    )
    for t in ("register", "start_collecting"):
        fire(sqlite_db, case.id, t, actor="cw")
    ids = []
    for title, text in (("Tilsynsrapport", "Rapport om tilsynet i 2025."), ("Lægeerklæring", "En diagnose.")):
        c = fire(
            sqlite_db,
            case.id,
            "add_document",
            actor="cw",
            data={"title": title},
            attachment=Attachment(f"{title}.txt", text.encode()),
        )
        ids.append(c.documents[-1].id)
    fire(sqlite_db, case.id, "start_screening", actor="cw")
    for doc, outcome, grounds in ((ids[0], "grant", []), (ids[1], "refuse", ["ofl-30-1"])):
        data = {"document_id": doc, "outcome": outcome, "grounds": grounds, **texts_for(outcome, grounds)}
        fire(sqlite_db, case.id, "assess_document", actor="cw", data=data)
    fire(sqlite_db, case.id, "submit_for_legal_review", actor="cw", note="Kan rapporten udleveres nu?")

    page = browser_page
    login(page, server, "legal")
    row = page.locator(f'tr[data-queue-case="{case.id}"]')
    assert "Kan rapporten udleveres nu?" in row.locator("[data-question]").inner_text()
    assert row.locator("[data-deadline]").inner_text().strip()[:2].isdigit()  # a date, dd.mm.åååå
    assert "Første vurdering" in row.inner_text()
    with page.expect_navigation(wait_until="domcontentloaded"):
        row.get_by_role("link", name="Vurdér").click()
    # the final decision's letter at once; the partial decision's once its text is written
    assert page.locator('[data-letter="send_decision"] [data-letter-sha256]').count() == 1
    part = page.locator('[data-letter="send_partial_decision"]')
    part.get_by_label("Hvad udleveres nu").fill("Tilsynsrapporten udleveres nu.")
    with page.expect_navigation(wait_until="domcontentloaded"):  # the letters' PDFs load in their frames
        part.get_by_role("button", name="Vis delafgørelsesbrevet").click()
    part = page.locator('[data-letter="send_partial_decision"]')
    assert part.locator("[data-letter-sha256]").count() == 1
    assert page.locator('button[data-letter-trigger="send_partial_decision"]').count() == 1
    # the released document beside the original: both page images drawn
    pair = page.locator(f'[data-review-doc="{ids[0]}"] [data-side-by-side]')
    for img in (pair.locator(".page-original img"), pair.locator(".page-released img")):
        img.scroll_into_view_if_needed()
        page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=img.element_handle())
    assert page.locator(f'[data-review-doc="{ids[1]}"] [data-not-released]').count() == 1
    # a comment on the report
    doc = page.locator(f'[data-review-doc="{ids[0]}"]')
    doc.get_by_label("Ny kommentar til dokument 1").fill("Sløjf navnet på tilsynsførende på side 1.")
    with page.expect_navigation(wait_until="domcontentloaded"):
        doc.get_by_role("button", name="Gem kommentar").click()
    assert "Kommentaren er gemt" in flash(page)
    assert "Sløjf navnet" in page.locator(f'[data-review-doc="{ids[0]}"] [data-comments]').inner_text()
    shot(page, "journey-d-legal-review")
    logout(page)

    login(page, server, "cw")
    page.goto(f"{server}/cases/{case.id}")
    comments = page.locator("[data-review-comments]")
    assert (
        "Sløjf navnet på tilsynsførende" in comments.inner_text()
        and "Tilsynsrapport" in comments.inner_text()
    )
    submit(page, comments.get_by_role("link", name="Tilsynsrapport"))
    assert "Sløjf navnet på tilsynsførende" in page.locator("[data-review-comments]").inner_text()
    page.goto(f"{server}/cases/{case.id}/documents/{ids[1]}")
    assert page.locator("[data-review-comments]").count() == 0


def test_e_manager_sees_a_long_period_and_a_bad_date_is_refused(browser_page, server, sqlite_db):
    from aktflow.service import create_case, fire

    today = clock.today()
    old = today - dt.timedelta(days=3 * 365)
    while old.weekday() >= 5:
        old -= dt.timedelta(days=1)
    case = create_case(
        sqlite_db,
        actor="cw",
        requester="Jens Jensen",
        received=old.isoformat(),
        basis="ofl",
        subject="Vejbelysning",
        emne="05.01.08",
        assign="cw",
        now=at(old, 8),
    )
    for t in ("register", "start_collecting"):
        fire(sqlite_db, case.id, t, actor="cw", now=at(old, 8))
    doc = fire(sqlite_db, case.id, "add_document", actor="cw", data={"title": "Notat"}, now=at(old, 8))
    fire(sqlite_db, case.id, "start_screening", actor="cw", now=at(old, 8))
    data = {"document_id": doc.documents[-1].id, "outcome": "grant", "grounds": [], **texts_for("grant", [])}
    fire(sqlite_db, case.id, "assess_document", actor="cw", data=data, now=at(old, 9))
    fire(sqlite_db, case.id, "draft_decision", actor="cw", now=at(old, 9))
    fire(sqlite_db, case.id, "send_decision", actor="cw", now=at(old, 10))

    page = browser_page
    login(page, server, "manager")
    assert page.url.endswith("/dashboard")
    page.locator("#f-start").fill(f"01.01.{old.year}")
    page.locator("#f-end").fill(today.strftime("%d.%m.%Y"))
    submit(page, page.get_by_role("button", name="Vis"))
    chart = page.locator("#h-chart").locator("xpath=..")
    assert "1 af 1 afgørelser (100 %)" in chart.inner_text() and "Pr. kvartal" in chart.inner_text()
    assert f"kvt. {old.year}" in page.locator("svg.chart desc").text_content()
    shot(page, "journey-e-dashboard-long-period")
    # a date that does not exist: refused, said beside the field, the typed text kept
    page.locator("#f-start").fill("31.02.2026")
    submit(page, page.get_by_role("button", name="Vis"))
    summary = page.locator("[data-filter-errors]")
    assert summary.is_visible() and "Filteret blev ikke brugt" in summary.inner_text()
    assert "ikke en dato" in page.locator("#f-start-error").inner_text()
    assert page.locator("#f-start").input_value() == "31.02.2026"
    assert page.locator("#f-start").get_attribute("aria-invalid") == "true"
    # an end before the start: refused, not swapped
    page.locator("#f-start").fill("01.06.2026")
    page.locator("#f-end").fill("01.03.2026")
    submit(page, page.get_by_role("button", name="Vis"))
    assert "slutter (01.03.2026) før den begynder (01.06.2026)" in page.locator("#f-end-error").inner_text()
    shot(page, "journey-e-dashboard-bad-dates")
