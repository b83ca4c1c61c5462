"""The access log: every view or download of a sensitive case's documents and letters is recorded (who,
when, what) and shown to managers and the legal contact, also as CSV; ordinary cases are not logged."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

from aktflow import tokens
from aktflow.documents import Attachment
from aktflow.service import case_view, fire

PASSWORD = "test-pass"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def login(client, username: str) -> None:
    client._cookies.clear()  # a new browser: no session
    page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": CSRF_RE.search(page).group(1)},
    )


def _case_with_doc_and_letter(
    db, new_case, *, emne="02.34.02", text="Et notat om vejarbejdet."
) -> tuple[int, int, int]:
    case = new_case(emne=emne)
    fire(db, case.id, "register", actor="cw")
    fire(db, case.id, "start_collecting", actor="cw")
    c = fire(
        db,
        case.id,
        "add_document",
        actor="cw",
        data={"title": "Notat"},
        attachment=Attachment("notat.txt", text.encode()),
    )
    letter_id = case_view(db, case.id)["letters"][0]["id"]
    return case.id, c.documents[-1].id, letter_id


def _download_all(client, case_id: int, doc_id: int, letter_id: int) -> None:
    assert client.get(f"/cases/{case_id}/documents/{doc_id}").status_code == 200
    assert client.get(f"/cases/{case_id}/documents/{doc_id}/file").status_code == 200
    assert client.get(f"/cases/{case_id}/letters/{letter_id}.docx").status_code == 200


def _rows(html: str) -> list[tuple[str, str]]:
    return re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td>", unescape(html))


def test_a_personnel_case_logs_every_view_and_download_for_managers_and_legal(client, db, new_case):
    case_id, doc_id, letter_id = _case_with_doc_and_letter(db, new_case, emne="81.03.00")
    login(client, "cw")
    _download_all(client, case_id, doc_id, letter_id)
    assert client.get(f"/cases/{case_id}/access-log").status_code == 403  # a caseworker does not read it
    for reader in ("manager", "legal"):
        login(client, reader)
        page = client.get(f"/cases/{case_id}/access-log")
        assert page.status_code == 200 and page.headers["Cache-Control"].startswith("private, no-store")
        assert _rows(page.get_data(as_text=True)) == [
            ("Carla Caseworker (cw)", "brev hentet (Word)"),
            ("Carla Caseworker (cw)", "dokument hentet"),
            ("Carla Caseworker (cw)", "dokumentets tekst vist"),
        ]
        assert "Adgangslog" in unescape(client.get(f"/cases/{case_id}").get_data(as_text=True))
    r = client.get(f"/cases/{case_id}/access-log.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:4] == ["Tidspunkt (UTC)", "Bruger", "Navn", "Handling"]
    assert [(x[1], x[3], x[4]) for x in rows[1:]] == [
        ("cw", "brev hentet (Word)", str(letter_id)),
        ("cw", "dokument hentet", str(doc_id)),
        ("cw", "dokumentets tekst vist", str(doc_id)),
    ]
    # legal's own views of the page are not downloads: the log holds only cw's three
    assert client.get(f"/cases/{case_id + 1000}/access-log").status_code == 404
    assert client.get(f"/cases/{2**70}/access-log.csv").status_code == 404


def test_a_case_with_health_data_is_sensitive_an_ordinary_one_is_not_logged(client, db, new_case):
    plain = _case_with_doc_and_letter(db, new_case)
    health = _case_with_doc_and_letter(
        db, new_case, text="Borgeren er i behandling for diabetes og depression."
    )
    login(client, "cw")  # the caseworker of both: a colleague may not open the health case at all
    _download_all(client, *plain)
    _download_all(client, *health)
    login(client, "cw2")
    assert client.get(f"/cases/{health[0]}/documents/{health[1]}").status_code == 403
    login(client, "manager")
    plain_page = unescape(client.get(f"/cases/{plain[0]}/access-log").get_data(as_text=True))
    assert "Sagen er ikke følsom" in plain_page and _rows(plain_page) == []
    health_page = unescape(client.get(f"/cases/{health[0]}/access-log").get_data(as_text=True))
    assert "Sagen er følsom" in health_page and len(_rows(health_page)) == 3


def test_a_letter_fetched_through_the_api_is_logged_as_api(client, db, new_case):
    case_id, _doc, letter_id = _case_with_doc_and_letter(db, new_case, emne="81.03.00")
    token = tokens.issue_token(db, "cw", "test", actor="admin")
    r = client.get(
        f"/api/v1/cases/{case_id}/letters/{letter_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 200
    login(client, "manager")
    csv_text = client.get(f"/cases/{case_id}/access-log.csv").get_data(as_text=True)
    assert ";brev hentet (Word);" in csv_text and csv_text.rstrip().endswith(";api")
