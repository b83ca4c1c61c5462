"""The document page's redaction panel: proposals with accept/reject, the list, the text and region forms,
the page images (original for caseworker and legal contact only) and the released PDF."""

from __future__ import annotations

import re

import pymupdf

from tests.redaction.test_actions import CPR, screening
from tests.web.test_web_core import csrf_from, login


def _page(client, case_id, doc_id):
    r = client.get(f"/cases/{case_id}/documents/{doc_id}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def _form(html: str, trigger: str) -> dict[str, str]:
    """The hidden fields of the first form posting to ``trigger``."""
    start = html.index(f"/actions/{trigger}")
    form = html[start : html.index("</form>", start)]
    return dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))


def test_accept_a_proposal_redact_text_and_a_region_and_see_it_released(app, db):
    client = app.test_client()
    case_id, doc_id = screening(db)
    login(client, "cw")
    html = _page(client, case_id, doc_id)
    assert "Forslag fra screeningen" in html and "XXXXXX-XXXX" in html
    assert CPR not in html
    assert "Kan ikke udleveres endnu" in html  # the CPR number is still in the released version
    data = _form(html, "accept_redaction")
    data["ground"] = "ofl-30-1"
    r = client.post(f"/cases/{case_id}/actions/accept_redaction", data=data)
    assert r.status_code == 303
    html = _page(client, case_id, doc_id)
    data = {
        **_form(html, "redact"),
        "term": "Jens Hansen",
        "ground": "ofl-30-1",
        "csrf_token": csrf_from(html),
    }
    assert client.post(f"/cases/{case_id}/actions/redact", data=data).status_code == 303
    html = _page(client, case_id, doc_id)
    region = html[html.index('id="redact-region"') :]
    data = {**dict(re.findall(r'name="([^"]+)" value="([^"]*)"', region[: region.index("</form>")]))}
    data.update({"box": "60,600,200,620", "ground": "ofl-30-1"})
    assert client.post(f"/cases/{case_id}/actions/redact", data=data).status_code == 303
    html = _page(client, case_id, doc_id)
    assert "«Jens Hansen» (alle forekomster)" in html and "Felt på side 1" in html
    assert "Lækagekontrol: den udleverede udgave" in html
    released = client.get(f"/cases/{case_id}/documents/{doc_id}/released.pdf")
    assert released.status_code == 200 and released.mimetype == "application/pdf"
    text = pymupdf.open(stream=released.data)[0].get_text()
    assert "Jens Hansen" not in text and "1237" not in text and "Sagen behandles af kommunen." in text
    for path in ("pages/1.png", "released/pages/1.png"):
        r = client.get(f"/cases/{case_id}/documents/{doc_id}/{path}")
        assert r.status_code == 200 and r.mimetype == "image/png"


def test_the_original_page_image_is_for_managers_too(app, db):
    client = app.test_client()
    case_id, doc_id = screening(db)
    login(client, "manager")  # managers see cases in full (docs/access.md)
    assert client.get(f"/cases/{case_id}/documents/{doc_id}/pages/1.png").status_code == 200
    assert client.get(f"/cases/{case_id}/documents/{doc_id}/released/pages/1.png").status_code == 200
    html = _page(client, case_id, doc_id)
    assert "Som udleveret" in html and 'id="page-image"' in html
