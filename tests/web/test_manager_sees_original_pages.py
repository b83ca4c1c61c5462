"""Managers see cases in full (docs/access.md), so the original page images of a document are theirs too,
as the caseworker's and the legal contact's (web/redactions.py)."""

from __future__ import annotations

import re

import pymupdf

from aktflow.documents import Attachment
from aktflow.service import fire

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _pdf() -> bytes:
    doc = pymupdf.open()
    page = doc.new_page(width=595.28, height=841.89)
    page.insert_text((72, 100), "Notat om vejarbejdet", fontsize=12)
    data = doc.tobytes()
    doc.close()
    return data


def _login(client, username: str) -> None:
    client._cookies.clear()
    page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={"username": username, "password": "test-pass", "csrf_token": CSRF_RE.search(page).group(1)},
    )


def test_a_manager_gets_the_original_page_image(client, db, new_case):
    cid = new_case().id
    for t in ("register", "start_collecting"):
        fire(db, cid, t, actor="cw")
    case = fire(
        db,
        cid,
        "add_document",
        actor="cw",
        data={"title": "Notat"},
        attachment=Attachment("notat.pdf", _pdf()),
    )
    doc_id = case.documents[-1].id
    for who in ("cw", "manager", "legal"):
        _login(client, who)
        r = client.get(f"/cases/{cid}/documents/{doc_id}/pages/1.png")
        assert r.status_code == 200 and r.mimetype == "image/png", who
