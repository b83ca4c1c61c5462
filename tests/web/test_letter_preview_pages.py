"""The letter before it is sent, on the web: the case page leads to the preview, the preview page shows the
letter and sends exactly that one, and the legal review page shows the decision letter it approves."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
from html import unescape

import docx
import pytest
from sqlalchemy import select

from aktflow.models import Event, Letter
from aktflow.service import fire
from tests.assessing import texts_for
from tests.web.test_web_pages import add_doc, csrf_from, login, text_of

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SHA_RE = re.compile(r'name="letter_sha256" value="([0-9a-f]{64})"')


def drafting(db, new_case, *, flagged=False):
    case = new_case()
    fire(db, case.id, "register", actor="cw")
    fire(db, case.id, "start_collecting", actor="cw")
    doc = add_doc(db, case.id, "Tilsynsrapport")
    fire(db, case.id, "start_screening", actor="cw")
    grounds = ["ofl-30-1"] if flagged else []
    outcome = "refuse" if flagged else "grant"
    fire(
        db,
        case.id,
        "assess_document",
        actor="cw",
        data={"document_id": doc, "outcome": outcome, "grounds": grounds, **texts_for(outcome, grounds)},
    )
    if flagged:
        fire(db, case.id, "submit_for_legal_review", actor="cw")
    else:
        fire(db, case.id, "draft_decision", actor="cw")
    return case


def version_of(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html)[1]


def open_preview(client, case, note="Forstået som tilsyn i 2025"):
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    return client.post(
        f"/cases/{case.id}/letters/preview/send_decision",
        data={"csrf_token": csrf_from(page), "version": version_of(page), "note": note},
    )


def stored_letters(db, case_id):
    with db.session() as s:
        rows = s.scalars(select(Letter).where(Letter.case_id == case_id, Letter.kind == "afgoerelse"))
        return [(r.sha256, r.content) for r in rows]


def test_the_case_page_leads_to_the_preview_not_to_sending(client, db, new_case):
    case = drafting(db, new_case)
    login(client, "cw")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'data-preview="send_decision"' in html and "Se brevet før afsendelse" in html
    assert 'data-trigger="send_decision"' not in html
    # A send without the letter seen is refused with a Danish message, and nothing is sent.
    r = client.post(
        f"/cases/{case.id}/actions/send_decision",
        data={"csrf_token": csrf_from(html), "version": version_of(html)},
    )
    assert r.status_code == 303
    assert "se brevet først" in text_of(client.get(r.headers["Location"]))
    assert stored_letters(db, case.id) == []


def test_the_previewed_letter_is_the_letter_sent(client, db, new_case, monkeypatch):
    monkeypatch.setattr("web.cases.pdf_available", lambda: False)
    case = drafting(db, new_case)
    login(client, "cw")
    r = open_preview(client, case)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "private, no-store"
    html = r.get_data(as_text=True)
    sha = SHA_RE.search(html)[1]
    assert "PDF-visning kræver LibreOffice" in unescape(html)
    docx_url = unescape(re.search(r'href="([^"]+\.docx[^"]*)"', html)[1])
    got = client.get(docx_url)
    assert got.status_code == 200 and got.headers["X-Letter-SHA256"] == sha
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(got.data)).paragraphs)
    assert "Forstået som tilsyn i 2025" in text
    # The preview page's form sends exactly this letter.
    form = html.split('class="action main"', 1)[1].split("</form>", 1)[0]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    fields = {k: unescape(v) for k, v in fields.items()}
    assert fields["letter_sha256"] == sha and fields["note"] == "Forstået som tilsyn i 2025"
    r = client.post(f"/cases/{case.id}/actions/send_decision", data=fields)
    assert r.status_code == 303
    assert "Send afgørelse: udført" in text_of(client.get(r.headers["Location"]))
    assert stored_letters(db, case.id)[0][0] == sha


def test_a_case_changed_after_the_preview_refuses_the_send(client, db, new_case):
    case = drafting(db, new_case)
    login(client, "cw")
    html = open_preview(client, case).get_data(as_text=True)
    sha = SHA_RE.search(html)[1]
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    r = client.post(
        f"/cases/{case.id}/actions/send_decision",
        data={
            "csrf_token": csrf_from(page),
            "version": version_of(page),
            "note": "En anden forståelse",  # not what the preview showed
            "letter_sha256": sha,
        },
    )
    assert r.status_code == 422  # the case page again, the refusal in the decision's form
    assert "ikke det brev, der blev vist" in text_of(r)
    assert stored_letters(db, case.id) == []


def test_the_preview_masks_cpr_numbers_in_its_urls_and_the_letter_is_the_same(client, db, new_case):
    case = drafting(db, new_case)
    login(client, "cw")
    html = open_preview(client, case, note="Sagen om 120385-1237").get_data(as_text=True)
    sha = SHA_RE.search(html)[1]
    urls = [unescape(u) for u in re.findall(r'(?:src|href)="([^"]*/letters/preview/[^"]*)"', html)]
    assert urls and not any("1237" in u for u in urls)
    got = client.get(next(u for u in urls if ".docx" in u))
    assert got.headers["X-Letter-SHA256"] == sha


def test_other_letters_can_be_seen_from_their_form(client, db, new_case):
    case = new_case()
    fire(db, case.id, "register", actor="cw")
    login(client, "cw")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'data-preview="send_deadline_notice"' in html
    r = client.post(
        f"/cases/{case.id}/letters/preview/send_deadline_notice",
        data={"csrf_token": csrf_from(html), "version": version_of(html), "reason": "Mange dokumenter"},
    )
    # The expected date is missing: the case page again, the message at the field and the reason kept.
    assert r.status_code == 400
    html = text_of(r)
    assert "Forventet afgørelsesdato" in html and 'id="send_deadline_notice-expected-error"' in html
    assert "Mange dokumenter" in html
    # A date typed the Danish way is read, and the letter is shown.
    expected = (dt.date.today() + dt.timedelta(days=40)).strftime("%d.%m.%Y")
    r = client.post(
        f"/cases/{case.id}/letters/preview/send_deadline_notice",
        data={
            "csrf_token": csrf_from(html),
            "version": version_of(html),
            "reason": "Mange dokumenter",
            "expected": expected,
        },
    )
    assert r.status_code == 200 and "brevet, som det sendes" in text_of(r)
    assert client.get(f"/cases/{case.id}/letters/preview/assign.docx").status_code == 404


def test_the_pdf_preview_without_libreoffice_is_a_danish_page(client, db, new_case, monkeypatch):
    monkeypatch.setattr("letters._soffice", lambda: None)
    case = drafting(db, new_case)
    login(client, "cw")
    r = client.get(f"/cases/{case.id}/letters/preview/send_decision.pdf")
    assert r.status_code == 503 and "LibreOffice" in text_of(r)


def test_the_pdf_preview_with_libreoffice(client, db, new_case):
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        (pytest.fail if IN_CI else pytest.skip)("LibreOffice (soffice) is not installed")
    case = drafting(db, new_case)
    login(client, "cw")
    html = open_preview(client, case).get_data(as_text=True)
    assert "data-letter-preview" in html
    pdf_url = unescape(re.search(r'<iframe[^>]*src="([^"]+)"', html)[1])
    r = client.get(pdf_url)
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    assert r.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert r.headers["X-Letter-SHA256"] == SHA_RE.search(html)[1]


def test_the_legal_review_shows_the_decision_letter_and_approves_that_rendering(client, db, new_case):
    case = drafting(db, new_case, flagged=True)
    login(client, "legal")
    html = client.get(f"/legal/cases/{case.id}").get_data(as_text=True)
    assert "Afgørelsesbrevet, som det sendes" in html and "data-letter-docx" in html
    sha = SHA_RE.search(html)[1]
    r = client.post(
        f"/cases/{case.id}/actions/approve_legal",
        data={"csrf_token": csrf_from(html), "version": version_of(html), "letter_sha256": sha},
    )
    assert r.status_code == 303
    with db.session() as s:
        ev = s.scalars(select(Event).where(Event.case_id == case.id, Event.trigger == "approve_legal")).one()
        assert ev.data["approved"]["letter"]["sha256"] == sha


def test_a_fristbrev_sent_from_its_preview_page_is_the_letter_seen(client, db, new_case, monkeypatch):
    monkeypatch.setattr("web.cases.pdf_available", lambda: False)
    case = new_case()
    fire(db, case.id, "register", actor="cw")
    login(client, "cw")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    expected = (dt.date.today() + dt.timedelta(days=20)).isoformat()
    r = client.post(
        f"/cases/{case.id}/letters/preview/send_deadline_notice",
        data={
            "csrf_token": csrf_from(page),
            "version": version_of(page),
            "reason": "Mange dokumenter",
            "expected": expected,
        },
    )
    html = r.get_data(as_text=True)
    sha = SHA_RE.search(html)[1]
    form = html.split('class="action main"', 1)[1].split("</form>", 1)[0]
    fields = {
        k: unescape(v) for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
    }
    assert fields["letter_sha256"] == sha and fields["reason"] == "Mange dokumenter"
    r = client.post(f"/cases/{case.id}/actions/send_deadline_notice", data=fields)
    assert r.status_code == 303
    with db.session() as s:
        (stored,) = s.scalars(
            select(Letter.sha256).where(Letter.case_id == case.id, Letter.kind == "fristbrev")
        )
    assert stored == sha
