"""Forms that respect the user: a failed form keeps what was typed and says what is wrong next to the
field, in one error summary; dates typed the Danish way; an ended session explained; the case page's
banners and next step; no code names on the pages or in the CSV."""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from aktflow import clock, web_sessions
from aktflow.calendar import get_calendar
from aktflow.models import Case
from aktflow.service import case_view, fire
from aktflow.users import end_sessions, set_password
from tests.assessing import texts_for
from tests.web.test_web_pages import GOOD, add_doc, csrf_from, login, text_of, to_state, token
from web.filters import archive_ref, parse_form_date, plain

# --- the one date parser of the web forms ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("18.12.2026", dt.date(2026, 12, 18)),
        ("1.2.2026", dt.date(2026, 2, 1)),
        (" 01-02-2026 ", dt.date(2026, 2, 1)),
        ("2026-12-18", dt.date(2026, 12, 18)),
        ("", None),
        (None, None),
    ],
)
def test_form_dates_are_read_as_dd_mm_aaaa_or_iso(typed, expected):
    assert parse_form_date(typed) == expected


@pytest.mark.parametrize("typed", ["31.02.2026", "i går", "18/12", "2026-13-01", "18.12.26"])
def test_a_date_that_is_not_one_says_how_to_write_it(typed):
    with pytest.raises(ValueError, match="dd.mm.åååå"):
        parse_form_date(typed)


def test_code_names_in_messages_become_labels_and_archive_ids_are_words():
    assert plain("brug 'submit_for_legal_review'") == "brug »Send til juridisk vurdering«"
    assert plain("ukendt 'noget_andet'") == "ukendt 'noget_andet'"
    assert archive_ref("local-7") == "lokalt nr. 7" and archive_ref("D-123") == "nr. D-123"


# --- intake: every problem at once ------------------------------------------------------------------------------


def test_an_empty_intake_lists_every_problem_in_one_summary_with_links(client, db):
    login(client, "cw")
    r = client.post(
        "/cases/new",
        data={"csrf_token": token(client, "/cases/new"), "basis": "fvl", "received": "", "cpr": "12345"},
    )
    assert r.status_code == 400
    html = text_of(r)
    assert html.count("data-error-summary") == 1
    summary = html[html.index("data-error-summary") : html.index("</div>", html.index("data-error-summary"))]
    for fid in ("requester", "cpr", "received", "subject", "emne"):
        assert f'href="#{fid}"' in summary, fid
        assert f'id="{fid}-error"' in html, fid
    assert "''" not in summary and "ÅÅÅÅ" not in summary  # plain Danish, no empty quotes, no ISO jargon
    assert 'value="12345"' in html  # what was typed stays
    with db.session() as s:
        assert s.scalar(select(Case.id)) is None


@pytest.mark.parametrize("fmt", ["%d.%m.%Y", "%Y-%m-%d"])
def test_intake_takes_the_date_in_both_forms(client, db, fmt):
    login(client, "cw")
    received = clock.today() - dt.timedelta(days=3)
    data = {**GOOD, "received": received.strftime(fmt), "csrf_token": token(client, "/cases/new")}
    r = client.post("/cases/new", data=data)
    assert r.status_code == 303, text_of(r)[:2000]
    case_id = int(r.headers["Location"].rsplit("/", 1)[1])
    assert case_view(db, case_id)["received"] == received.isoformat()


def test_the_intake_form_shows_the_date_the_danish_way(client):
    login(client, "cw")
    html = text_of(client.get("/cases/new"))
    assert f'value="{clock.today():%d.%m.%Y}"' in html and "dd.mm.åååå" in html
    assert 'type="date"' not in html


# --- the case page's forms ---------------------------------------------------------------------------------------


def _screening(db, new_case, **kw):
    case = new_case(**kw)
    to_state(db, case.id, "register", "start_collecting")
    doc = add_doc(db, case.id, "Notat")
    fire(db, case.id, "start_screening", actor="cw")
    return case, doc


def test_a_failed_hearing_keeps_the_text_and_names_the_date_field(client, db, new_case):
    case, _ = _screening(db, new_case)
    login(client, "cw")
    page = text_of(client.get(f"/cases/{case.id}"))
    v = case_view(db, case.id)["version"]
    r = client.post(
        f"/cases/{case.id}/actions/request_hearing",
        data={
            "csrf_token": csrf_from(page),
            "version": str(v),
            "party": "Firma ApS",
            "question": "Er der forretningshemmeligheder i tilbuddet?",
            "reply_by": "31.02.2027",
        },
    )
    assert r.status_code == 400
    html = text_of(r)
    assert 'value="Firma ApS"' in html and "Er der forretningshemmeligheder i tilbuddet?" in html
    assert 'id="request_hearing-reply_by-error"' in html and "findes ikke" in html
    assert 'value="31.02.2027"' in html  # the date as typed, to correct
    assert case_view(db, case.id)["version"] == v
    # The same form with the date the Danish way is done, and a reload sends nothing (a redirect).
    reply_by = clock.today() + dt.timedelta(days=14)
    r = client.post(
        f"/cases/{case.id}/actions/request_hearing",
        data={
            "csrf_token": csrf_from(html),
            "version": str(v),
            "party": "Firma ApS",
            "question": "Er der forretningshemmeligheder i tilbuddet?",
            "reply_by": f"{reply_by:%d.%m.%Y}",
            "letter_sha256": "unseen",  # the preview's send form carries the letter's fingerprint
        },
    )
    assert r.status_code == 303
    page = text_of(client.get(r.headers["Location"]))
    assert f"Venter på høringssvar fra Firma ApS til {reply_by:%d.%m.%Y}" in page


def test_a_failed_fristbrev_keeps_the_reason_and_opens_its_form(client, db, new_case):
    case = new_case()
    fire(db, case.id, "register", actor="cw")
    login(client, "cw")
    page = text_of(client.get(f"/cases/{case.id}"))
    r = client.post(
        f"/cases/{case.id}/actions/send_deadline_notice",
        data={
            "csrf_token": csrf_from(page),
            "version": "2",
            "reason": "Mange dokumenter skal høres",
            "letter_sha256": "unseen",
        },
    )
    assert r.status_code == 400
    html = text_of(r)
    assert "Mange dokumenter skal høres" in html
    assert 'id="send_deadline_notice-expected-error"' in html
    form = html[html.index('actions/send_deadline_notice"') :]
    assert form.index("data-error-summary") < form.index("</form>")


def test_removal_and_edit_forms_keep_their_text_on_a_conflict(client, db, new_case):
    case = new_case()
    to_state(db, case.id, "register", "start_collecting")
    doc = add_doc(db, case.id, "Notat")
    login(client, "cw")
    page = text_of(client.get(f"/cases/{case.id}"))
    v = case_view(db, case.id)["version"]
    add_doc(db, case.id, "Et andet notat", actor="manager")  # a colleague changes the case meanwhile
    r = client.post(
        f"/cases/{case.id}/actions/remove_document",
        data={"csrf_token": csrf_from(page), "version": str(v), "document_id": str(doc), "note": "Dublet"},
    )
    assert r.status_code == 409
    html = text_of(r)
    assert "Sagen er ændret af en anden, siden du åbnede den" in html
    assert f'id="remove-{doc}-note" name="note" rows="2">Dublet</textarea>' in html
    assert "Et andet notat" in html  # the fresh case
    assert re.search(r"Version \d", html) is None


def test_a_failed_template_upload_is_shown_at_its_row(client, db):
    login(client, "admin")
    r = client.post(
        "/admin/templates/kvittering",
        data={"csrf_token": token(client, "/admin"), "file": (io.BytesIO(b"not a docx"), "x.docx")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 400
    html = text_of(r)
    assert "data-error-summary" in html and 'href="#tpl-kvittering"' in html
    assert re.search(r'id="tpl-kvittering"[^>]*aria-invalid="true"', html)
    assert "En skabelon må højst fylde 25 MB" in html


def test_file_fields_name_the_limit_and_a_too_large_file_leads_back_to_the_case(db, new_case):
    from web import create_app

    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": db.url, "MAX_CONTENT_LENGTH": 2048}
    )
    client = app.test_client()
    case = new_case()
    to_state(db, case.id, "register", "start_collecting")
    login(client, "cw")
    page = text_of(client.get(f"/cases/{case.id}"))
    assert "højst 2 kB" in page
    r = client.post(
        f"/cases/{case.id}/actions/add_document",
        data={
            "csrf_token": csrf_from(page),
            "version": "3",
            "title": "Stor",
            "file": (io.BytesIO(b"a" * 4096), "a.txt"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 413
    html = text_of(r)
    assert "Filen er for stor" in html and "2 kB" in html and "AKTFLOW_" not in html
    assert f'href="/cases/{case.id}#dokumenter"' in html
    app.extensions["aktflow_db"].dispose()


# --- an ended session ---------------------------------------------------------------------------------------------


def _session_id(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_an_expired_session_is_explained_on_the_login_page(client, db):
    login(client, "cw")
    web_sessions.end(db, _session_id(client))  # idle too long, or ended: the server no longer knows it
    r = client.get("/cases?mine=0")
    assert r.status_code == 302
    url = urlsplit(r.headers["Location"])
    assert url.path == "/login" and parse_qs(url.query) == {"why": ["expired"], "next": ["/cases?mine=0"]}
    html = text_of(client.get(r.headers["Location"]))
    assert "Du blev logget ud, fordi du ikke har brugt aktflow i 30 minutter" in html


def test_a_form_sent_after_the_session_ended_goes_to_the_login_and_back_to_its_page(client, db, new_case):
    case = new_case()
    to_state(db, case.id, "register", "start_collecting")
    login(client, "cw")
    page = text_of(client.get(f"/cases/{case.id}"))
    web_sessions.end(db, _session_id(client))
    r = client.post(
        f"/cases/{case.id}/actions/add_document",
        data={"csrf_token": csrf_from(page), "version": "3", "title": "Notat"},
        headers={"Referer": f"http://localhost/cases/{case.id}"},
    )
    assert r.status_code == 302
    url = urlsplit(r.headers["Location"])
    assert url.path == "/login" and parse_qs(url.query) == {"why": ["expired"], "next": [f"/cases/{case.id}"]}
    html = text_of(client.get(r.headers["Location"]))
    assert "data-session-ended" in html and "sættes ind igen" in html
    assert case_view(db, case.id)["documents"] == []


def test_a_password_change_ends_every_session_and_says_so(client, db):
    login(client, "cw")
    set_password(db, actor="admin", username="cw", password="Et-helt-nyt-kodeord-2026")
    r = client.get("/cases")
    assert parse_qs(urlsplit(r.headers["Location"]).query)["why"] == ["ended"]
    assert "din adgangskode eller rolle er ændret" in text_of(client.get(r.headers["Location"]))
    end_sessions(db, "cw")


def test_logging_out_ends_this_session_only(app, db):
    one, two = app.test_client(), app.test_client()
    login(one, "cw")
    login(two, "cw")
    r = one.post("/logout", data={"csrf_token": token(one, "/cases")})
    assert r.status_code == 302
    assert one.get("/cases").status_code == 302
    assert two.get("/cases").status_code == 200  # the other browser goes on


# --- what the case page says ---------------------------------------------------------------------------------------


def _flagged_in_review(db, new_case):
    case, doc = _screening(db, new_case)
    fire(
        db,
        case.id,
        "assess_document",
        actor="cw",
        data={"document_id": doc, "outcome": "grant", **texts_for("grant", [])},
    )
    fire(db, case.id, "flag_for_legal", actor="cw", note="Usikker på navnene")
    fire(db, case.id, "submit_for_legal_review", actor="cw", note="Må navnene udleveres?")
    return case


def test_returned_and_approved_banners_name_the_legal_contact(client, db, new_case):
    case = _flagged_in_review(db, new_case)
    fire(db, case.id, "return_to_screening", actor="legal", note="Overstreg navnene på side 2")
    login(client, "cw")
    html = text_of(client.get(f"/cases/{case.id}"))
    assert re.search(
        r'data-banner="returned"><strong>Returneret af juridisk kontakt</strong> \(Lise Legal', html
    )
    assert "Overstreg navnene på side 2" in html
    fire(db, case.id, "submit_for_legal_review", actor="cw")
    fire(db, case.id, "approve_legal", actor="legal", note="I orden")
    html = text_of(client.get(f"/cases/{case.id}"))
    assert 'data-banner="returned"' not in html
    assert f"Godkendt af Lise Legal den {clock.today():%d.%m.%Y}" in html
    # After the approval the decision is the next step, and it opens the letter first.
    first = re.search(r'class="action main first-step" data-step="([a-z_]+)"', html)
    assert first and first.group(1) == "send_decision"
    assert 'data-preview="send_decision"' in html


def test_an_overdue_case_without_fristbrev_suggests_the_fristbrev_with_its_letter(client, db, new_case):
    received = get_calendar().add_working_days(clock.today(), -12)
    case = new_case(received=received.isoformat())
    fire(db, case.id, "register", actor="cw")
    login(client, "cw")
    html = text_of(client.get(f"/cases/{case.id}"))
    assert "Fristbrevet skulle være sendt senest" in html
    first = re.search(r'class="action main first-step" data-step="([a-z_]+)"', html)
    assert first and first.group(1) == "send_deadline_notice"
    step = html[first.start() : html.index("</form>", first.start())]
    assert 'data-preview="send_deadline_notice"' in step and 'data-trigger="send_deadline_notice"' not in step


def test_the_main_steps_never_hold_a_disabled_button(client, db, new_case):
    case, _ = _screening(db, new_case)  # draft_decision waits for the unassessed document
    login(client, "cw")
    html = text_of(client.get(f"/cases/{case.id}"))
    for form in re.findall(r'<form[^>]*class="action main[^"]*".*?</form>', html, re.S):
        assert "disabled" not in form
    assert re.search(r'data-waiting="draft_decision">.*Kan ikke endnu: 1 dokument er ikke vurderet', html)


def test_a_fristbrev_due_today_says_so(db, new_case):
    from aktflow.queries.case_page import status_facts

    case = new_case()
    today = clock.today()
    notice = {"rule": "ofl-notice", "due": today.isoformat(), "done_on": None, "status": "due_soon"}
    with db.session() as s:
        c = s.get(Case, case.id)
        facts = status_facts(s, c, [], [notice], [], today)
        assert facts["notice"] == {"due": today.isoformat(), "today": True, "overdue": False}
        later = {**notice, "due": (today + dt.timedelta(days=3)).isoformat(), "status": "ok"}
        assert status_facts(s, c, [], [later], [], today)["notice"]["today"] is False
        met = {**notice, "done_on": today.isoformat(), "status": "met"}
        assert status_facts(s, c, [], [met], [], today)["notice"] is None


def test_the_csv_and_the_pages_use_words_not_code_names(client, db, new_case):
    case = new_case()
    fire(db, case.id, "register", actor="cw")
    login(client, "manager")
    csv_text = client.get("/dashboard/cases.csv").get_data(as_text=True)
    assert "ofl-" not in csv_text
    assert "Afgørelse (OFL § 36)" in csv_text or "Fristbrev (OFL § 36)" in csv_text
    html = text_of(client.get(f"/cases/{case.id}"))
    assert "local-" not in html and "lokalt nr." in html
    assert "submit_for_legal_review" not in re.sub(r"<[^>]+>", "", html)
