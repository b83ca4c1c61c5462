# ruff: noqa: F811 - the test's parameters name the imported fixtures
"""A request by e-mail in a real browser, to the decision in the requester's inbox: the .eml is imported on
"Ny anmodning", the case has the requester from the sender, the mail is assessed and the decision sent;
the outbox sends it by e-mail to a real SMTP server (tests/smtp_sink.py, aiosmtpd) with the letter and the
release package attached, and the case page shows "Sendt" with the time (docs/mail-intake.md,
docs/dispatch.md). Debian's Chromium driven by Playwright, never downloaded."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest

from aktflow import bootstrap, clock
from aktflow.release import convert
from aktflow.vocabulary import SYSTEM_ACTOR
from tests import mailbuild
from tests.browser.test_journeys import (  # noqa: F401 - fixtures
    IN_CI,
    act,
    browser_page,
    flash,
    login,
    playwright,
    shot,
    submit,
)
from tests.smtp_sink import SmtpSink

pytestmark = pytest.mark.browser


@pytest.fixture
def sink():
    with SmtpSink() as s:
        yield s


@pytest.fixture
def mail_server(sqlite_db, sink, monkeypatch):
    """The app on a real HTTP server with e-mail configured to the SMTP sink; the base URL."""
    from werkzeug.serving import make_server

    from aktflow import kle
    from web import create_app

    if not convert.soffice():
        (pytest.fail if IN_CI else pytest.skip)("LibreOffice (soffice) is not installed")
    monkeypatch.setenv("AKTFLOW_SMTP_URL", sink.url)
    monkeypatch.setenv("AKTFLOW_MAIL_FROM", "aktindsigt@eksempel.dk")
    bootstrap.reset()
    kle.load_sample(sqlite_db, actor=SYSTEM_ACTOR)
    app = create_app({"SECRET_KEY": "browser-test", "DATABASE_URL": sqlite_db.url})
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join(5)
    app.extensions["aktflow_db"].dispose()


def run_outbox(db) -> dict[str, int]:
    """What `aktflow outbox run --now` does: the packages first, then the letters that carry them."""
    from aktflow.outbox_delivery import run

    return run(db, ignore_backoff=True)


def test_a_mail_becomes_a_case_is_decided_and_the_decision_arrives_by_email(
    browser_page, mail_server, sink, sqlite_db
):
    page = browser_page
    day = clock.today() - dt.timedelta(days=1)
    raw = mailbuild.eml(
        sender="Mette Hansen <mette@example.dk>",
        subject="Anmodning om aktindsigt i byggesag",
        date=f"{day.strftime('%a, %d %b %Y')} 10:00:00 +0100",
        message_id="<journey-1@example.dk>",
    )
    login(page, mail_server, "cw")
    page.get_by_role("link", name="Ny anmodning").first.click()
    page.locator("#mail-file").set_input_files(
        {"name": "anmodning.eml", "mimeType": "message/rfc822", "buffer": raw}
    )
    submit(page, page.get_by_role("button", name="Importér e-mail", exact=True))
    assert "registreret som ny anmodning" in flash(page), flash(page)
    case_url = page.url
    assert re.search(r"/cases/\d+$", case_url)
    body = page.locator("main").inner_text()
    assert "Mette Hansen" in body and "mette@example.dk" in body  # the requester from the sender
    act(page, "register")
    act(page, "start_collecting")
    assert page.locator("li.doc").count() >= 1  # the mail itself is the case's first document
    act(page, "start_screening")
    while page.locator("li.doc a", has_text="Vurdér dokumentet").count():
        submit(page, page.locator("li.doc a", has_text="Vurdér dokumentet").first)
        form = page.locator("form.assess")
        form.get_by_label("Udleveres", exact=True).check()
        submit(page, form.get_by_role("button", name="Gem vurdering"))
        assert "Vurdér dokument: udført" in flash(page), flash(page)
        page.goto(case_url)
    act(page, "draft_decision")
    with page.expect_navigation():
        page.locator('button[data-preview="send_decision"]').click()
    act(page, "send_decision")
    assert page.locator(".state.big").inner_text() == "Afgørelse sendt"

    assert run_outbox(sqlite_db)["failed"] == 0
    decision = [r for r in sink.received if r.message["Subject"].startswith("Afgørelse om aktindsigt")]
    assert len(decision) == 1 and decision[0].rcpt_tos == ["mette@example.dk"]
    files = [(p.get_filename(), p.get_content()) for p in decision[0].message.iter_attachments()]
    assert len(files) == 2
    assert files[0][1].startswith(b"%PDF") and files[1][0].startswith("udleveringspakke-")
    assert files[1][1].startswith(b"%PDF")

    page.goto(case_url)
    page.reload()  # the same URL as the page after sending: load it again from the server
    row = page.locator("#forsendelser tr", has_text="Afgørelse")
    text = row.inner_text()
    assert "Sendt" in text and "E-mail" in text, text
    from sqlalchemy import select

    from aktflow.models import Dispatch
    from web.filters import da_datetime

    with sqlite_db.session() as s:
        sent_at = s.scalars(
            select(Dispatch.sent_at).where(Dispatch.status == "sent").order_by(Dispatch.id)
        ).all()[-1]
    assert (
        re.search(r"Sendt \d{2}\.\d{2}\.\d{4} \d{2}:\d{2}", text) and f"Sendt {da_datetime(sent_at)}" in text
    ), text
    shot(page, "journey-mail-decision-sent")
