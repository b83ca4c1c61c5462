# ruff: noqa: F811 - the test's parameters name the imported fixtures
"""Finding a case and working in bulk, in a real browser (Debian's Chromium, Playwright): the header's
search finds a case by requester and by sagsnummer; two files uploaded at once; several documents
assessed at once; a case with 500 documents shown in pages."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import insert

from aktflow import clock
from aktflow.models import Document
from aktflow.service import case_view, create_case, fire

# The journeys' fixtures (browser_page, playwright, server) are imported to be used here by name.
from tests.browser.test_journeys import (  # noqa: F401
    browser_page,
    flash,
    login,
    playwright,
    server,
    shot,
    submit,
)

pytestmark = pytest.mark.browser


def _case(db, requester: str, subject: str, *triggers: str) -> int:
    cid = create_case(
        db,
        actor="cw",
        requester=requester,
        received=clock.today().isoformat(),
        basis="ofl",
        subject=subject,
        emne="02.34.02",
        assign="cw",
    ).id
    for t in triggers:
        fire(db, cid, t, actor="cw")
    return cid


def _search(page, text: str) -> None:
    box = page.locator("#header-q")
    box.fill(text)
    with page.expect_navigation():
        box.press("Enter")


def test_search_from_the_header_finds_by_requester_and_by_sagsnummer(browser_page, server, sqlite_db):
    page = browser_page
    a = _case(sqlite_db, "Mette Hansen", "Byggesag på Havnevej")
    b = _case(sqlite_db, "Ole Sørensen", "Referater fra skoleudvalget", "register")
    nr = case_view(sqlite_db, b)["sagsnummer"]
    login(page, server, "cw")
    _search(page, "hansen")
    assert "/search?q=hansen" in page.url
    rows = page.locator("table.search-results tbody tr")
    assert rows.count() == 1 and f"#{a}" in rows.first.inner_text()
    _search(page, nr)
    rows = page.locator("table.search-results tbody tr")
    assert rows.count() == 1 and f"#{b}" in rows.first.inner_text()
    with page.expect_navigation():
        rows.first.get_by_role("link", name=f"#{b}").click()
    assert page.url.endswith(f"/cases/{b}")
    # A CPR number is refused with the reason, and it is not kept in the address.
    _search(page, "120385-1237")
    assert "Der kan ikke søges på CPR-numre" in page.locator(".error-summary").inner_text()
    assert "1237" not in page.url and page.locator("#header-q").input_value() == ""
    shot(page, "search-cpr-refused")


def test_two_files_at_once_then_both_assessed_at_once(browser_page, server, sqlite_db):
    page = browser_page
    cid = _case(sqlite_db, "Mette Hansen", "Byggesag", "register", "start_collecting")
    login(page, server, "cw")
    page.goto(f"{server}/cases/{cid}")
    page.locator("#upload-many-files").set_input_files(
        [
            {"name": "Tegning.txt", "mimeType": "text/plain", "buffer": b"Tegning af carport"},
            {"name": "Mail fra naboen.txt", "mimeType": "text/plain", "buffer": b"Naboen klager"},
        ]
    )
    assert page.locator("[data-upload-list] li").count() == 2  # each file listed before sending
    page.get_by_role("button", name="Tilføj filerne").click()
    page.locator('[data-upload-done="2"]').wait_for()
    assert page.locator('[data-upload="ok"]').count() == 2
    assert [d["title"] for d in case_view(sqlite_db, cid)["documents"]] == ["Tegning", "Mail fra naboen"]
    # Screening reads the files after commit; then the review starts.
    deadline = time.monotonic() + 20
    while any(d["screening"] == "pending" for d in case_view(sqlite_db, cid)["documents"]):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    fire(sqlite_db, cid, "start_screening", actor="cw")
    page.goto(f"{server}/cases/{cid}")
    page.get_by_label("Vælg alle på siden").check()
    assert page.locator("input[data-bulk-select]:checked").count() == 2
    page.locator("#vurder-valgte summary").click()
    form = page.locator("#bulk-assess")
    form.get_by_label("Udleveres", exact=True).check()
    submit(page, form.get_by_role("button", name="Vurdér valgte"))
    assert "Vurdering gemt for 2 dokumenter" in flash(page)
    assert [d["outcome"] for d in case_view(sqlite_db, cid)["documents"]] == ["grant", "grant"]
    shot(page, "bulk-assessed")


def test_a_case_with_500_documents_is_shown_in_pages(browser_page, server, sqlite_db):
    page = browser_page
    cid = _case(sqlite_db, "Mette Hansen", "Stor sag", "register", "start_collecting")
    # Seeded directly (test set-up only): 500 register entries without files.
    with sqlite_db.engine.begin() as con:
        con.execute(
            insert(Document.__table__),
            [{"case_id": cid, "title": f"Bilag {i}", "status": "screened"} for i in range(1, 501)],
        )
    login(page, server, "cw")
    started = time.monotonic()
    page.goto(f"{server}/cases/{cid}")
    took = time.monotonic() - started
    docs = page.locator("#dokumenter")
    assert "Dokumenter (500)" in docs.locator("h2").inner_text()
    assert docs.locator("li.doc").count() == 50
    assert "Side 1 af 10" in docs.locator(".pager").first.inner_text()
    with page.expect_navigation():
        docs.locator(".pager").first.get_by_role("link", name="Næste").click()
    assert "side=2" in page.url
    assert page.locator("#dokumenter li.doc").first.inner_text().startswith("51.")
    assert took < 15, took
    shot(page, "case-500-documents")
