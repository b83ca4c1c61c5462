# ruff: noqa: F811 - the test's parameters name the imported fixtures
"""Browser journey: the caseworker draws a region redaction on the rendered page, sees it on the page as
released beside the original, and downloads the released PDF (docs/redaction.md)."""

from __future__ import annotations

import pymupdf
import pytest

# The journeys' fixtures (browser_page, playwright, server) are imported to be used here by name.
from tests.browser.test_journeys import act, browser_page, flash, login, playwright, server, shot  # noqa: F401
from tests.redaction.test_actions import screening

pytestmark = pytest.mark.browser


def test_d_caseworker_draws_a_region_redaction_and_downloads_the_released_pdf(
    browser_page, server, sqlite_db
):
    page = browser_page
    case_id, doc_id = screening(sqlite_db)
    login(page, server, "cw")
    page.goto(f"{server}/cases/{case_id}/documents/{doc_id}#overstregning")
    image = page.locator("#page-image")
    image.wait_for()
    page.wait_for_function("document.getElementById('page-image').naturalWidth > 0")
    box = image.bounding_box()
    assert box is not None
    # The first line of the PDF is 100 pt from the top of an A4 page (595 pt wide): drag across it.
    k = box["width"] / 595.0
    x0, y0 = box["x"] + 60 * k, box["y"] + 88 * k
    x1, y1 = box["x"] + 560 * k, box["y"] + 104 * k
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2)
    page.mouse.move(x1, y1)
    page.mouse.up()
    value = page.locator("#redact-box").input_value()
    nx0, ny0, nx1, ny1 = (float(v) for v in value.split(","))
    assert 55 < nx0 < 65 and 555 < nx1 < 565  # PDF points
    assert 842 - 104 - 2 < ny0 < ny1 < 842 - 88 + 2  # origin bottom-left
    page.locator("#redact-region-ground").select_option("ofl-30-1")
    act(page, "redact-region")
    assert "Overstreg: udført" in flash(page), flash(page)
    assert page.locator("table.redactions").inner_text().count("Felt på side 1") == 1
    page.locator("figure.page-released img").wait_for()
    shot(page, "redaction-region")
    # The CPR number on that line is gone: the released PDF passes the leak check and can be downloaded.
    with page.expect_download() as dl:
        page.get_by_role("link", name="Hent som udleveret (PDF)").click()
    text = pymupdf.open(dl.value.path())[0].get_text()
    assert "Jens Hansen" not in text and "1237" not in text
    assert "OFL § 30, nr. 1" in text


def test_e_a_region_drawn_in_the_browser_is_gone_from_the_package_the_requester_receives(
    browser_page, server, sqlite_db
):
    from aktflow import bootstrap
    from aktflow.outbox import run_once
    from aktflow.release import convert
    from aktflow.release import service as release
    from aktflow.service import fire
    from tests.assessing import texts_for

    if not convert.soffice():
        pytest.skip("LibreOffice (soffice) is not installed: no decision letter, no package")
    page = browser_page
    case_id, doc_id = screening(sqlite_db)
    login(page, server, "cw")
    page.goto(f"{server}/cases/{case_id}/documents/{doc_id}#overstregning")
    image = page.locator("#page-image")
    image.wait_for()
    page.wait_for_function("document.getElementById('page-image').naturalWidth > 0")
    box = image.bounding_box()
    assert box is not None
    k = box["width"] / 595.0  # the first line: 100 pt from the top of an A4 page
    x0, y0 = box["x"] + 60 * k, box["y"] + 88 * k
    x1, y1 = box["x"] + 560 * k, box["y"] + 104 * k
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x1, y1)
    page.mouse.up()
    drawn = [float(v) for v in page.locator("#redact-box").input_value().split(",")]
    page.locator("#redact-region-ground").select_option("ofl-30-1")
    act(page, "redact-region")
    assert "Overstreg: udført" in flash(page), flash(page)
    # Assessed "udleveres delvist" and approved by the legal contact; the caseworker decides in the browser.
    grounds = ["ofl-30-1"]
    fire(
        sqlite_db,
        case_id,
        "assess_document",
        actor="cw",
        data={
            "document_id": doc_id,
            "outcome": "partial",
            "grounds": grounds,
            **texts_for("partial", grounds),
        },
    )
    fire(sqlite_db, case_id, "submit_for_legal_review", actor="cw")
    fire(sqlite_db, case_id, "approve_legal", actor="legal", note="Godkendt")
    page.goto(f"{server}/cases/{case_id}")
    with page.expect_navigation():
        page.locator('button[data-preview="send_decision"]').click()
    act(page, "send_decision")
    assert page.locator(".state.big").inner_text() == "Afgørelse sendt"
    # The worker makes the package after commit (never the web request).
    made = run_once(sqlite_db, bootstrap.current().deliver, case_id=case_id, kinds=(release.KIND,))
    assert made["done"] == 1
    page.reload()  # the case page as it is now (the package was made meanwhile)
    section = page.locator("#udlevering")
    assert "Klar" in section.inner_text() and "Kontrol: alle 2 filer bestået" in section.inner_text()
    with page.expect_download() as dl:
        section.get_by_role("link", name="PDF", exact=True).click()
    package = pymupdf.open(dl.value.path())
    everything = "".join(p.get_text() for p in package)
    assert "Jens Hansen" not in everything and "1237" not in everything
    # Under the drawn box, on the document's page in the package, only the printed ground remains.
    last = package[-1]
    assert "Dokument 1 - side 1 af 1" in last.get_text()
    height = last.rect.height
    under = pymupdf.Rect(drawn[0] + 1, height - drawn[3] + 1, drawn[2] - 1, height - drawn[1] - 1)
    assert last.get_text(clip=under).strip() in ("", "OFL § 30, nr. 1")
    shot(page, "package-downloaded")
