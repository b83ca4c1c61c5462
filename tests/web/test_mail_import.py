"""Importing an e-mail on *Ny anmodning* (web/mail_intake.py): the file becomes a case, a refused mail
comes back with a Danish reason, the form needs a caseworker's role and a CSRF token."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from aktflow import clock
from aktflow.kle import load_sample
from tests import mailbuild

PASSWORD = "test-pass"


def _login(client, username="cw"):
    res = client.post("/login", data={"username": username, "password": PASSWORD})
    assert res.status_code in (302, 303), res.data[:300]


def _date(days_ago: int) -> str:
    day = clock.today() - dt.timedelta(days=days_ago)
    return f"{day.strftime('%a, %d %b %Y')} 10:00:00 +0100"


@pytest.fixture
def web(app, db):
    app.config["WTF_CSRF_ENABLED"] = False
    load_sample(db, actor="admin")
    client = app.test_client()
    _login(client)
    return client


def test_the_intake_page_offers_the_mail_import(web):
    page = web.get("/cases/new").get_data(as_text=True)
    assert "Importér e-mail (.eml/.msg)" in page
    assert 'action="/cases/new/mail"' in page and 'enctype="multipart/form-data"' in page


def test_an_imported_mail_becomes_a_case_and_shows_it(web):
    raw = mailbuild.eml(date=_date(2))
    res = web.post(
        "/cases/new/mail",
        data={"mail": (io.BytesIO(raw), "anmodning.eml")},
        content_type="multipart/form-data",
    )
    assert res.status_code == 303
    page = web.get(res.headers["Location"]).get_data(as_text=True)
    assert "registreret som ny anmodning" in page
    assert "er foreslået ud fra e-mailens tekst" in page
    assert "Jens Hansen" in page and "E-mail: Anmodning om aktindsigt i byggesag" in page


def test_a_refused_mail_returns_to_the_form_with_the_reason(web):
    res = web.post(
        "/cases/new/mail",
        data={"mail": (io.BytesIO(b"\x00 ikke en e-mail"), "x.eml")},
        content_type="multipart/form-data",
    )
    assert res.status_code == 303 and res.headers["Location"].endswith("/cases/new")
    page = web.get("/cases/new").get_data(as_text=True)
    assert "E-mailen er ikke importeret: filen er ikke en e-mail" in page


def test_no_file_is_a_clear_message(web):
    res = web.post("/cases/new/mail", data={}, content_type="multipart/form-data")
    assert res.status_code == 303
    assert "vælg en .eml- eller .msg-fil" in web.get("/cases/new").get_data(as_text=True)


def test_the_legal_contact_may_not_import(app, db):
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    _login(client, "legal")
    res = client.post(
        "/cases/new/mail",
        data={"mail": (io.BytesIO(mailbuild.eml()), "a.eml")},
        content_type="multipart/form-data",
    )
    assert res.status_code == 403
