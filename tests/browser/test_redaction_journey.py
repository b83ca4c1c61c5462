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
