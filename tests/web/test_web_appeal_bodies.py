"""The administrator's page edits the appeal-body table (OFL § 37 stk. 1, § 38 stk. 1)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from aktflow import appeal_bodies

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf(client, path: str) -> str:
    return CSRF_RE.search(client.get(path).get_data(as_text=True)).group(1)


def login(client, username: str) -> None:
    client.post(
        "/login", data={"username": username, "password": "test-pass", "csrf_token": csrf(client, "/login")}
    )


def post(client, data: dict):
    return client.post("/admin/appeal-bodies", data={"csrf_token": csrf(client, "/admin"), **data})


def page(client, resp=None) -> str:
    return unescape(
        client.get(resp.headers["Location"] if resp is not None else "/admin").get_data(as_text=True)
    )


@pytest.fixture
def admin(client):
    login(client, "admin")
    return client


def test_the_page_lists_adds_and_removes_rows(admin, db):
    html = page(admin)
    assert 'id="klageinstanser"' in html and "Byggeklageenheden" in html and "Datatilsynet" in html
    r = post(admin, {"kle_prefix": "05", "basis": "ofl", "kind": "klageinstans", "name": "Vejdirektoratet",
                     "address": "Carsten Niebuhrs Gade 43, 1577 København V"})  # fmt: skip
    assert "Klageinstanserne er gemt" in page(admin, r)
    with db.session() as s:
        assert appeal_bodies.resolve(appeal_bodies.rows(s), "05.01.00", "ofl").name == "Vejdirektoratet"
    r = post(admin, {"kle_prefix": "05", "basis": "gdpr", "kind": "tilsyn", "name": "X", "address": "Y"})
    assert "Klageinstansen blev ikke gemt: Slags" in page(admin, r)
    r = post(admin, {"kle_prefix": "05", "basis": "ofl", "remove": "1"})
    assert "Klageinstanserne er gemt" in page(admin, r)
    with db.session() as s:
        assert appeal_bodies.resolve(appeal_bodies.rows(s), "05.01.00", "ofl").kind == "tilsyn"


def test_a_caseworker_cannot_edit_the_table(client):
    login(client, "cw")
    tok = csrf(client, "/dashboard")
    r = client.post(
        "/admin/appeal-bodies", data={"csrf_token": tok, "kle_prefix": "", "basis": "ofl", "remove": "1"}
    )
    assert r.status_code == 403


def test_a_new_address_keeps_the_saved_cvr_and_email_and_a_dash_clears_them(admin, db):
    row = {"kle_prefix": "02.34", "basis": "ofl", "kind": "klageinstans", "name": "Særligt Nævn"}
    post(admin, {**row, "address": "Nævnvej 1, 9999 By", "cvr": "12345678", "email": "naevn@example.dk"})
    post(admin, {**row, "address": "Nævnvej 2, 9999 By", "cvr": "", "email": ""})  # the form comes blank

    def saved():
        (r,) = [r for r in appeal_bodies.rows_of(db) if r["kle_prefix"] == "02.34" and r["basis"] == "ofl"]
        return r["address"], r["cvr"], r["email"]

    assert saved() == ("Nævnvej 2, 9999 By", "12345678", "naevn@example.dk")
    post(admin, {**row, "address": "Nævnvej 2, 9999 By", "cvr": "-", "email": "-"})
    assert saved()[1:] in ((None, None), ("", ""))
