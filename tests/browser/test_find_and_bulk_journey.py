# ruff: noqa: F811 - the test's parameters name the imported fixtures
"""Finding a case and working in bulk, in a real browser (Debian's Chromium, Playwright): the header's
search finds a case by requester and by sagsnummer; two files uploaded at once; several documents
assessed at once; a case with 500 documents shown in pages; files dropped on the drop zone; a PDF shown
in the page."""

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


def _pdf(text: str) -> bytes:
    import pymupdf

    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), text)
    return doc.tobytes()


def _screened(db, cid: int) -> None:
    """Wait until the worker has read every stored file of the case."""
    deadline = time.monotonic() + 20
    while any(d["screening"] == "pending" for d in case_view(db, cid)["documents"]):
        assert time.monotonic() < deadline
        time.sleep(0.2)


#: Two files dropped on the drop zone, as a browser's drag and drop hands them to the page.
DROP = """() => {
  const dt = new DataTransfer();
  dt.items.add(new File(["Tegning af carport"], "Tegning.txt", {type: "text/plain"}));
  dt.items.add(new File(["Naboen klager over støj"], "Mail fra naboen.txt", {type: "text/plain"}));
  const zone = document.querySelector("[data-dropzone]");
  for (const type of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(type, {dataTransfer: dt, bubbles: true, cancelable: true}));
  }
}"""


def test_two_files_dropped_on_the_drop_zone_become_two_documents(browser_page, server, sqlite_db):
    page = browser_page
    cid = _case(sqlite_db, "Mette Hansen", "Byggesag", "register", "start_collecting")
    login(page, server, "cw")
    page.goto(f"{server}/cases/{cid}")
    assert page.locator("#upload-many-files").evaluate("i => i.files.length") == 0  # nothing chosen
    page.evaluate(DROP)
    rows = page.locator("[data-upload-list] li")
    assert rows.count() == 2  # each dropped file listed before sending
    assert "Tegning.txt" in rows.nth(0).inner_text() and "Mail fra naboen.txt" in rows.nth(1).inner_text()
    page.get_by_role("button", name="Tilføj filerne").click()
    page.locator('[data-upload-done="2"]').wait_for()
    assert page.locator('[data-upload="ok"]').count() == 2
    docs = case_view(sqlite_db, cid)["documents"]
    assert [(d["title"], d["filename"]) for d in docs] == [
        ("Tegning", "Tegning.txt"),
        ("Mail fra naboen", "Mail fra naboen.txt"),
    ]
    _screened(sqlite_db, cid)
    page.goto(f"{server}/cases/{cid}")
    assert page.locator("#dokumenter li.doc").count() == 2
    shot(page, "dropped-two-files")


def test_a_pdf_is_shown_inline_on_the_document_page(browser_page, server, sqlite_db):
    from aktflow.documents import Attachment

    page = browser_page
    cid = _case(sqlite_db, "Mette Hansen", "Byggesag", "register", "start_collecting")
    case = fire(
        sqlite_db,
        cid,
        "add_document",
        actor="cw",
        data={"title": "Byggetilladelse"},
        attachment=Attachment("tilladelse.pdf", _pdf("Tilladelse til carport")),
    )
    doc = case.documents[-1].id
    _screened(sqlite_db, cid)
    login(page, server, "cw")
    with page.expect_response(lambda r: r.url.endswith(f"/documents/{doc}/inline")) as answer:
        page.goto(f"{server}/cases/{cid}/documents/{doc}")
    resp = answer.value
    assert resp.status == 200
    assert resp.headers["content-type"] == "application/pdf"
    assert resp.headers["content-disposition"].startswith("inline")
    # Chromium hands the answer to its PDF viewer; the same address fetched in the session is the file
    again = page.request.get(resp.url)
    assert again.headers["content-type"] == "application/pdf" and again.body().startswith(b"%PDF-")
    assert again.headers["x-content-type-options"] == "nosniff"
    frame = page.locator("#visning iframe.doc-viewer")
    assert frame.get_attribute("src").endswith(f"/documents/{doc}/inline")
    assert frame.get_attribute("title") == "Byggetilladelse (PDF)"
    assert frame.bounding_box()["height"] > 200  # shown, not collapsed
    page.wait_for_load_state("load")
    shot(page, "pdf-inline")
    # browser_page fails the test on any console error or blocked resource (the frame's CSP included)
