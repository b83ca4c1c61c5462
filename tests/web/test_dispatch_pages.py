"""Letters out on the web: the address at intake, the case page's "Forsendelser" with the print file,
"Sendt med post", the caseworker's channel, a decision that did not go, and the dashboard's count."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest

from aktflow import bootstrap, clock
from aktflow.dispatch.channel import DeliveryResult
from aktflow.dispatch.print import PrintChannel
from aktflow.outbox import run_once
from aktflow.queries.dispatches import case_dispatches
from aktflow.release import convert
from aktflow.service import fire

PASSWORD = "test-pass"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(autouse=True)
def _soffice():
    if not convert.soffice():
        pytest.skip("LibreOffice (soffice) is not installed")


def login(client, username: str) -> None:
    client._cookies.clear()
    page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": CSRF_RE.search(page).group(1)},
    )


def csrf(client, url: str) -> str:
    return CSRF_RE.search(client.get(url).get_data(as_text=True)).group(1)


class Refusing:
    name = "email"

    def send(self, letter):
        return DeliveryResult("rejected", dt.datetime.now(dt.UTC), detail="postkassen findes ikke")


def test_intake_address_print_file_and_sent_by_post(client, db):
    login(client, "cw")
    token = csrf(client, "/cases/new")
    page = client.get("/cases/new").get_data(as_text=True)
    assert 'name="address"' in page
    intake = re.search(r'name="intake_token" value="([^"]+)"', page).group(1)
    resp = client.post(
        "/cases/new",
        data={
            "csrf_token": token,
            "intake_token": intake,
            "requester": "Søren Ørsted",
            "address": "Vestergade 3\r\n8000 Aarhus C",
            "received": (clock.today() - dt.timedelta(days=1)).isoformat(),
            "channel": "brev",
            "basis": "ofl",
            "subject": "Byggesagen",
            "emne": "02.34.02",
            "assign": "cw",
        },
    )
    assert resp.status_code in (302, 303)
    case_id = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    fire(db, case_id, "register", actor="cw")
    bootstrap.current().channels = {"print": PrintChannel()}
    assert run_once(db, bootstrap.current().deliver, kinds=("dispatch",), ignore_backoff=True)["done"] == 1
    html = unescape(client.get(f"/cases/{case_id}").get_data(as_text=True))
    assert "Vestergade 3, 8000 Aarhus C" in html
    assert 'id="forsendelser"' in html and "Klar til post" in html and "Sendt med post" in html
    [d] = case_dispatches(db, case_id)
    pdf = client.get(f"/cases/{case_id}/dispatches/{d['id']}/print.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # a reader may download but not confirm
    login(client, "legal")
    token = csrf(client, f"/cases/{case_id}")
    assert (
        client.post(f"/cases/{case_id}/dispatches/{d['id']}/posted", data={"csrf_token": token}).status_code
        == 403
    )
    login(client, "cw")
    token = csrf(client, f"/cases/{case_id}")
    resp = client.post(f"/cases/{case_id}/dispatches/{d['id']}/posted", data={"csrf_token": token})
    assert resp.status_code == 303
    [d] = case_dispatches(db, case_id)
    assert d["status"] == "sent" and d["sent_at"]
    assert "Sendt " in unescape(client.get(f"/cases/{case_id}").get_data(as_text=True))


def test_a_refused_letter_is_counted_on_the_dashboard_and_sent_by_another_channel(
    client, db, new_case, monkeypatch
):
    from tests.integration.test_dispatch import use_channels

    use_channels(monkeypatch, email=Refusing())
    case = new_case(email="mette@example.dk", channel="e-mail", address="Vestergade 3;8000 Aarhus C")
    fire(db, case.id, "register", actor="cw")
    run_once(db, bootstrap.current().deliver, kinds=("dispatch",), ignore_backoff=True)
    login(client, "manager")
    dash = client.get("/dashboard").get_data(as_text=True)
    assert re.search(r'data-kpi="not_sent">1<', dash)
    listing = unescape(client.get("/dispatches/not-sent").get_data(as_text=True))
    assert f"/cases/{case.id}#forsendelser" in listing and "postkassen findes ikke" in listing
    [d] = case_dispatches(db, case.id)
    login(client, "cw2")  # a colleague sees the letters but is offered no form to act on them
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "data-colleague" in page and "postkassen findes ikke" in page
    assert f"/dispatches/{d['id']}/retry" not in page and f"/dispatches/{d['id']}/channel" not in page
    login(client, "cw")
    assert f"/dispatches/{d['id']}/retry" in client.get(f"/cases/{case.id}").get_data(as_text=True)
    token = csrf(client, f"/cases/{case.id}")
    client.post(
        f"/cases/{case.id}/dispatches/{d['id']}/channel", data={"csrf_token": token, "channel": "print"}
    )
    [d] = case_dispatches(db, case.id)
    assert (d["channel"], d["status"], d["chosen_by"]) == ("print", "queued", "caseworker")
    login(client, "manager")
    assert re.search(r'data-kpi="not_sent">0<', client.get("/dashboard").get_data(as_text=True))


def test_a_letter_not_sent_on_a_sensitive_case_is_masked_for_a_colleague(client, db, new_case, monkeypatch):
    from aktflow.case_members import mark_sensitive
    from tests.integration.test_dispatch import use_channels

    use_channels(monkeypatch, email=Refusing())
    case = new_case(email="mette@example.dk", channel="e-mail", requester="Mette Hemmelig")
    fire(db, case.id, "register", actor="cw")
    run_once(db, bootstrap.current().deliver, kinds=("dispatch",), ignore_backoff=True)
    mark_sensitive(db, case.id, actor="cw", reason="Helbred")
    login(client, "cw2")
    listing = unescape(client.get("/dispatches/not-sent").get_data(as_text=True))
    assert f'data-masked-case="{case.id}"' in listing and "Fortrolig sag" in listing
    assert f"/cases/{case.id}#forsendelser" not in listing  # no link to a page that answers 403
    assert "Mette Hemmelig" not in listing and "postkassen findes ikke" not in listing
    login(client, "cw")
    listing = unescape(client.get("/dispatches/not-sent").get_data(as_text=True))
    assert f"/cases/{case.id}#forsendelser" in listing and "postkassen findes ikke" in listing
    assert "Mette Hemmelig" in listing  # the recipient, hidden from the colleague above


def test_the_api_lists_and_changes_dispatches(client, db, new_case):
    from aktflow import tokens

    case = new_case(email="mette@example.dk", channel="e-mail", address="Vestergade 3;8000 Aarhus C")
    fire(db, case.id, "register", actor="cw")
    auth = {"Authorization": f"Bearer {tokens.issue_token(db, 'cw', 'test', actor='admin')}"}
    body = client.get(f"/api/v1/cases/{case.id}", headers=auth).get_json()
    assert body["address"] == "Vestergade 3\n8000 Aarhus C" and body["has_cpr"] is False
    [d] = client.get(f"/api/v1/cases/{case.id}/dispatches", headers=auth).get_json()
    assert d["channel"] == "print" and d["status"] == "queued"  # no SMTP relay in the tests' settings
    bad = client.post(
        f"/api/v1/cases/{case.id}/dispatches/{d['id']}/channel", json={"channel": "fax"}, headers=auth
    )
    assert bad.status_code == 400
    assert (
        client.post(f"/api/v1/cases/{case.id}/dispatches/{d['id']}/posted", headers=auth).status_code == 422
    )
    assert client.get(f"/api/v1/cases/{case.id}/dispatches/{d['id']}/print", headers=auth).status_code == 404
    run_once(db, bootstrap.current().deliver, kinds=("dispatch",), ignore_backoff=True)
    pdf = client.get(f"/api/v1/cases/{case.id}/dispatches/{d['id']}/print", headers=auth)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    done = client.post(f"/api/v1/cases/{case.id}/dispatches/{d['id']}/posted", headers=auth).get_json()
    assert done["status"] == "sent" and done["sent_at"]
