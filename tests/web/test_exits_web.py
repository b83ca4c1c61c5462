"""The exit filter on the web's exits: pages, the JSON API, flash messages, downloads and log lines.

The case of tests/exits_scenario.py holds a made-up CPR number in every free-text place; each test reads
one exit of the web app (as a logged-in user, or with an API token) and asserts the number is absent and
the mask ``XXXXXX-XXXX`` stands where it was.
"""

from __future__ import annotations

import logging
import re

import pytest

from aktflow import exits
from aktflow.cli import cli
from aktflow.screening import CPR_MASK
from aktflow.service import case_view
from aktflow.tokens import issue_token
from aktflow.vocabulary import SYSTEM_ACTOR
from tests.exits_scenario import DASH, PLAIN, assert_masked, decided_case, queued_case

PASSWORD = "test-pass"
CSRF_RE = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]*)"')


def login(client, username: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    r = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": CSRF_RE.search(page)[1]}
    )
    assert r.status_code in (302, 303)


def page(client, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200, url
    return r.get_data(as_text=True)


# --- HTML pages -------------------------------------------------------------------------------------------


def test_the_case_page_shows_the_mask(client, db):
    case_id = decided_case(db)
    login(client, "cw")
    html = page(client, f"/cases/{case_id}")
    assert_masked(
        html,
        f"Aktindsigt om {CPR_MASK}",  # the subject
        f"Borger {CPR_MASK}",  # the requester
        f"Notat om {CPR_MASK}",  # a document's title
        f"Afsender {CPR_MASK}",
        f"Modtager {CPR_MASK}",
        f"{CPR_MASK}_klage.txt",  # the file name shown
        f"Nævner {CPR_MASK}",  # the flag's reason
        f"Svar om {CPR_MASK}",  # a note in the history
    )


def test_the_case_list_legal_queue_and_review_show_the_mask(client, db):
    case_id = queued_case(db)
    login(client, "legal")
    assert_masked(page(client, "/cases"), f"Anden Borger {CPR_MASK}")
    assert_masked(page(client, "/legal"), f"Anden Borger {CPR_MASK}")
    assert_masked(
        page(client, f"/legal/cases/{case_id}"), f"Personnummer {CPR_MASK} i akterne", f"Se {CPR_MASK}"
    )


def test_the_dashboard_and_its_csv_show_the_mask(client, db):
    queued_case(db)
    login(client, "manager")
    assert_masked(page(client, "/dashboard"))
    r = client.get("/dashboard/cases.csv?which=all")
    assert r.status_code == 200
    assert_masked(r.get_data(as_text=True), f"Sagen om {CPR_MASK}")


# --- downloads ------------------------------------------------------------------------------------------


def test_a_downloaded_document_is_named_with_the_mask(client, db):
    case_id = decided_case(db)
    (doc,) = case_view(db, case_id)["documents"]
    login(client, "cw")
    r = client.get(f"/cases/{case_id}/documents/{doc['id']}/file")
    assert r.status_code == 200
    disposition = r.headers["Content-Disposition"]
    assert_masked(disposition, f"{CPR_MASK}_klage.txt")


# --- flash messages ------------------------------------------------------------------------------------------


def test_a_flash_message_is_masked_in_the_cookie_and_on_the_next_page(app, client, db):
    login(client, "admin")
    admin = page(client, "/admin")
    r = client.post(
        "/admin/users",
        data={
            "username": PLAIN,  # a username may be ten digits; the message repeats it
            "role": "caseworker",
            "password": "en-lang-adgangskode-1",
            "name": "Ny Bruger",
            "csrf_token": CSRF_RE.search(admin)[1],
        },
    )
    assert r.status_code in (302, 303)
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    assert len(cookie.value) == 43  # the cookie holds only the session's id; its data is on the server
    from sqlalchemy import select

    from aktflow.models import WebSession

    with db.session() as s:
        stored = " ".join(s.scalars(select(WebSession.data)))
    assert f"Brugeren {CPR_MASK} er oprettet." in stored, stored
    assert_masked(stored)
    html = page(client, "/cases")  # the next page shows the message
    assert_masked(html, f"Brugeren {CPR_MASK} er oprettet.")


# --- the JSON API -----------------------------------------------------------------------------------------


@pytest.fixture
def bearer(db):
    return {"Authorization": f"Bearer {issue_token(db, 'cw', name='exits', actor=SYSTEM_ACTOR)}"}


def test_the_api_case_and_list_carry_the_mask(client, db, bearer):
    case_id = decided_case(db)
    r = client.get(f"/api/v1/cases/{case_id}", headers=bearer)
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    view = r.get_json()
    assert view["subject"] == f"Aktindsigt om {CPR_MASK}" and view["requester"] == f"Borger {CPR_MASK}"
    assert_masked(body, f"Notat om {CPR_MASK}", f"Afsender {CPR_MASK}", f"Modtager {CPR_MASK}")
    listed = client.get("/api/v1/cases", headers=bearer)
    assert listed.status_code == 200
    assert_masked(listed.get_data(as_text=True), f"Aktindsigt om {CPR_MASK}", f"Borger {CPR_MASK}")


# --- log lines ------------------------------------------------------------------------------------------


@pytest.fixture
def pristine_logging():
    """Logging as the process had it before aktflow installed its filter; put back afterwards."""
    factory = logging.getLogRecordFactory()
    held = {
        name: (
            list(logging.getLogger(name).filters),
            [list(h.filters) for h in logging.getLogger(name).handlers],
        )
        for name in exits._LOGGERS
    }
    logging.setLogRecordFactory(logging.LogRecord)
    for name in exits._LOGGERS:
        logger = logging.getLogger(name)
        logger.removeFilter(exits._FILTER)
        for h in logger.handlers:
            h.removeFilter(exits._FILTER)
    yield
    logging.setLogRecordFactory(factory)
    for name, (filters, handler_filters) in held.items():
        logger = logging.getLogger(name)
        logger.filters[:] = filters
        for h, hf in zip(logger.handlers, handler_filters, strict=False):
            h.filters[:] = hf


def _log_everywhere(app=None) -> None:
    logging.getLogger("aktflow.service").warning("sag om %s", DASH)
    logging.getLogger("werkzeug").info(f"GET /cases?q={PLAIN} 200")
    logging.getLogger("gunicorn.error").error("worker for %s", PLAIN)
    try:
        raise ValueError(f"ugyldig {DASH}")
    except ValueError:
        logging.getLogger("aktflow.uow").exception("fejl")
    if app is not None:
        app.logger.warning("flask om %s", PLAIN)


def _assert_records_masked(caplog, n: int) -> None:
    records = [
        r
        for r in caplog.records
        if r.name in {"aktflow.service", "werkzeug", "gunicorn.error", "aktflow.uow", "web"}
    ]
    assert len(records) >= n
    for r in records:
        text = r.getMessage() + (r.exc_text or "")
        assert_masked(text, CPR_MASK)
    handler_text = caplog.text
    assert_masked(handler_text, f"sag om {CPR_MASK}", f"ugyldig {CPR_MASK}")


def test_the_web_app_installs_the_log_filter(pristine_logging, db, caplog):
    from web import create_app

    caplog.set_level(logging.DEBUG)
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": db.url})
    try:
        _log_everywhere(app)
        _assert_records_masked(caplog, 5)
    finally:
        app.extensions["aktflow_db"].dispose()


def test_the_cli_installs_the_log_filter(pristine_logging, db, runner, caplog):
    caplog.set_level(logging.DEBUG)
    out = runner.invoke(cli, ["case", "list"])
    assert out.exit_code == 0, out.output
    _log_everywhere()
    _assert_records_masked(caplog, 4)


def test_without_the_filter_the_number_would_be_logged(pristine_logging, caplog):
    """The control: the tests above see the filter's work, not logging's own behaviour."""
    caplog.set_level(logging.DEBUG)
    logging.getLogger("aktflow.service").warning("sag om %s", DASH)
    assert DASH in caplog.text
