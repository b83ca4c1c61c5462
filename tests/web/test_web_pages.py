"""The web UI's pages per role, CSRF on every form, intake, the case page, upload, assessment, letters, legal.

Through Flask's test client with CSRF protection on, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from html import unescape

import docx
import pytest
from sqlalchemy import select

from aktflow import clock, kle
from aktflow.models import Case, Document
from aktflow.service import case_view, fire
from aktflow.vocabulary import SYSTEM_ACTOR
from tests.assessing import texts_for

PASSWORD = "test-pass"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "no csrf_token on the page"
    return m.group(1)


def text_of(resp) -> str:
    return unescape(resp.get_data(as_text=True))


def login(client, username: str, password: str = PASSWORD):
    page = client.get("/login")
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )


def token(client, path: str = "/workflow") -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


def to_state(db, case_id: int, *triggers: str, actor: str = "cw") -> None:
    for t in triggers:
        fire(db, case_id, t, actor=actor)


def add_doc(db, case_id: int, title: str = "Notat", text: str | None = None, actor: str = "cw") -> int:
    from aktflow.documents import Attachment

    att = Attachment("notat.txt", text.encode()) if text is not None else None
    c = fire(db, case_id, "add_document", actor=actor, data={"title": title}, attachment=att)
    return c.documents[-1].id


# --- pages per role ---------------------------------------------------------------------------------------------

PAGES = {
    "/cases": {"caseworker", "legal", "manager", "admin"},
    "/cases/new": {"caseworker", "manager", "admin"},
    "/cases/{id}": {"caseworker", "legal", "manager", "admin"},
    "/legal": {"legal", "admin"},
    "/legal/cases/{id}": {"legal", "admin"},
    "/dashboard": {"manager", "admin"},
    "/dashboard/cases.csv": {"manager", "admin"},
    "/admin": {"admin"},
    "/workflow": {"caseworker", "legal", "manager", "admin"},
    "/kle?q=02": {"caseworker", "legal", "manager", "admin"},
}
USER_OF = {"caseworker": "cw", "legal": "legal", "manager": "manager", "admin": "admin"}


@pytest.mark.parametrize("role", ["caseworker", "legal", "manager", "admin"])
def test_every_page_is_allowed_or_forbidden_for_each_role(client, db, new_case, role):
    case = new_case()
    login(client, USER_OF[role])
    for path, roles in PAGES.items():
        r = client.get(path.format(id=case.id))
        expected = 200 if role in roles else 403
        assert r.status_code == expected, (role, path, r.status_code)
        if expected == 403:
            assert "Ingen adgang" in text_of(r)


def test_anonymous_is_sent_to_login_from_every_page(client, db, new_case):
    case = new_case()
    for path in PAGES:
        r = client.get(path.format(id=case.id))
        assert r.status_code in (302, 303), path
        assert "/login" in r.headers["Location"]


@pytest.mark.parametrize(
    "user,home", [("cw", "/cases"), ("legal", "/legal"), ("manager", "/dashboard"), ("admin", "/admin")]
)
def test_each_role_lands_on_its_home(client, user, home):
    r = login(client, user)
    assert r.status_code in (302, 303) and r.headers["Location"].endswith(home)
    r = client.get("/")
    assert r.headers["Location"].endswith(home)


def test_menu_shows_only_what_the_role_may_open(client):
    login(client, "legal")
    html = text_of(client.get("/legal"))
    assert 'href="/legal"' in html and 'href="/workflow"' in html
    for hidden in ('href="/dashboard"', 'href="/admin"', 'href="/cases/new"'):
        assert hidden not in html
    client.post("/logout", data={"csrf_token": csrf_from(html)})
    login(client, "manager")
    html = text_of(client.get("/dashboard"))
    assert 'href="/dashboard"' in html and 'href="/cases/new"' in html and 'href="/admin"' not in html


def test_security_headers_and_cookie_flags(client):
    r = client.get("/login")
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert r.headers["X-Frame-Options"] == "DENY"
    r = login(client, "cw")
    cookie = r.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_behind_https(db, monkeypatch):
    from web import create_app

    monkeypatch.setenv("AKTFLOW_SECURE_COOKIES", "1")
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": db.url})
    c = app.test_client()
    r = login(c, "cw")
    assert "Secure" in r.headers["Set-Cookie"]
    app.extensions["aktflow_db"].dispose()


# --- CSRF on every form ------------------------------------------------------------------------------------------


def test_every_post_without_csrf_token_is_400_and_changes_nothing(client, db, new_case):
    case = new_case()
    login(client, "admin")
    before = case_view(db, case.id)
    posts = [
        "/cases/new",
        f"/cases/{case.id}/actions/register",
        f"/cases/{case.id}/actions/add_document",
        f"/cases/{case.id}/actions/assess_document",
        "/admin/users",
        "/admin/users/cw/role",
        "/admin/users/cw/active",
        "/admin/users/cw/password",
        "/admin/calendar",
        "/admin/calendar/closures",
        "/admin/calendar/closures/2030-01-02/remove",
        "/admin/templates/kvittering",
        "/admin/templates/kvittering/reset",
        "/admin/municipality",
        "/admin/kle",
        "/logout",
        "/login",
    ]
    for path in posts:
        r = client.post(
            path,
            data={
                "version": "1",
                "requester": "X",
                "role": "legal",
                "active": "0",
                "username": "zz",
                "password": "12345678",
                "name": "Z",
            },
        )
        assert r.status_code == 400, path
        assert "Sikkerhedsnøglen" in text_of(r) or path == "/login"
    assert case_view(db, case.id) == before
    from aktflow.administration import users

    with db.session() as s:
        assert {u["username"]: u["role"] for u in users(s)}["cw"] == "caseworker"
        assert "zz" not in {u["username"] for u in users(s)}


# --- intake ----------------------------------------------------------------------------------------------------

GOOD = {
    "requester": "Mette Hansen",
    "email": "mette@example.dk",
    "cpr": "010190-1234",
    "cvr": "",
    "received": None,
    "channel": "e-mail",
    "basis": "ofl",
    "subject": "Byggesagen for Havnevej 12",
    "emne": "02.34.02",
    "assign": "cw",
}


def _intake(client, **changes):
    data = {**GOOD, "received": clock.today().isoformat(), **changes}
    data["csrf_token"] = token(client, "/cases/new")
    return client.post("/cases/new", data=data)


def test_intake_happy_path_creates_the_case_and_keeps_the_cpr_out_of_urls(client, db):
    login(client, "cw")
    html = text_of(client.get("/cases/new"))
    for label in (
        "Navn",
        "E-mail til svar",
        "CPR-nummer",
        "CVR-nummer",
        "Modtaget",
        "Kanal",
        "Retsgrundlag",
        "KLE-emne",
        "Sagsbehandler",
    ):
        assert label in html
    for fid in (
        "requester",
        "email",
        "cpr",
        "cvr",
        "received",
        "channel",
        "basis",
        "subject",
        "emne",
        "assign",
    ):
        assert f'<label for="{fid}"' in html, fid
    r = _intake(client)
    assert r.status_code == 303
    loc = r.headers["Location"]
    assert "010190" not in loc and "1234" not in loc and "cpr" not in loc
    case_id = int(loc.rsplit("/", 1)[1])
    with db.session() as s:
        c = s.get(Case, case_id)
        assert (
            c.requester_name,
            c.requester_email,
            c.requester_cpr,
            c.emne,
            c.channel,
            c.assignee.username,
        ) == ("Mette Hansen", "mette@example.dk", "0101901234", "02.34.02", "e-mail", "cw")
    page = text_of(client.get(loc))
    assert "registreret som sag" in page and "Mette Hansen" in page and "Modtaget" in page
    assert "0101901234" not in page and "010190-1234" not in page


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("email", "ikke-en-mail", "ugyldig e-mailadresse"),
        ("cpr", "12345", "CPR-nummer skal være 10 cifre"),
        ("cvr", "12", "CVR-nummer skal være 8 cifre"),
        ("received", "", "skriv datoen, anmodningen blev modtaget"),
        ("received", (clock.today() + dt.timedelta(days=5)).isoformat(), "ligger i fremtiden"),
        ("received", "31.02.2026", "datoen 31.02.2026 findes ikke"),
        ("received", "i går", "skriv datoen som dd.mm.åååå"),
        ("channel", "brevdue", "ukendt kanal"),
        ("cpr", "0000000000", "ikke en gyldig fødselsdato"),
        ("basis", "xyz", "ukendt retsgrundlag"),
        ("subject", "", "emnet for anmodningen skal udfyldes"),
        ("emne", "2.34.2", "ugyldigt KLE-emne"),
        ("assign", "nobody", "ukendt eller inaktiv bruger"),
    ],
)
def test_intake_refuses_each_bad_field_and_says_why(client, db, field, value, message):
    login(client, "cw")
    r = _intake(client, **{field: value})
    assert r.status_code == 400
    html = text_of(r)
    assert message.lower() in html.lower()
    assert f'id="{field}-error"' in html and 'aria-invalid="true"' in html
    assert "Anmodningen er ikke registreret" in html
    if field != "cpr":
        assert 'value="Mette Hansen"' in html or field == "requester"  # what was typed is kept
    with db.session() as s:
        assert s.scalar(select(Case.id)) is None


def test_intake_checks_the_emne_against_the_kle_plan_when_there_is_one(client, db):
    login(client, "cw")
    assert _intake(client, emne="99.99.99").status_code == 303  # no plan: any well-formed emne
    kle.load_sample(db, actor=SYSTEM_ACTOR)
    r = _intake(client, emne="99.99.98")
    assert r.status_code == 400 and "findes ikke i kommunens KLE-plan" in text_of(r)
    assert _intake(client, emne="02.34.00").status_code == 303  # an emne in the plan
    assert _intake(client, emne="02.00.00").status_code == 303  # a main group, written NN.00.00


def test_kle_search_endpoint(client, db):
    login(client, "cw")
    assert client.get("/kle?q=byg").get_json() == {"plan": False, "results": []}
    kle.load_sample(db, actor=SYSTEM_ACTOR)
    data = client.get("/kle?q=byggetill").get_json()
    assert data["plan"] is True
    assert [r["emne"] for r in data["results"]] == ["02.34.02"]
    data = client.get("/kle?q=02.34").get_json()
    assert {r["emne"] for r in data["results"]} >= {"02.34.00", "02.34.02", "02.34.10"}


def test_only_case_roles_may_register_a_request(client, db):
    login(client, "legal")
    r = client.post("/cases/new", data={**GOOD, "csrf_token": token(client)})
    assert r.status_code == 403


# --- case list ---------------------------------------------------------------------------------------------------


def test_my_cases_show_state_next_deadline_with_status_and_flag(client, db, new_case):
    cal_today = clock.today()
    old = new_case(received=(cal_today - dt.timedelta(days=30)).isoformat(), subject="Gammel sag")
    fire(db, old.id, "flag_for_legal", actor="cw", note="Usikker")
    new_case(received=cal_today.isoformat(), subject="Ny sag")
    new_case(assign="cw2", subject="Kollegas sag")
    login(client, "cw")
    html = text_of(client.get("/cases"))
    assert "Gammel sag" in html and "Ny sag" in html and "Kollegas sag" not in html
    assert html.index("Gammel sag") < html.index("Ny sag")  # most urgent first
    row = html[html.index("Gammel sag") - 800 : html.index("Gammel sag") + 800]
    assert "Overskredet" in row and 'class="due overdue"' in row and "⚑ Juridisk" in row
    assert "Modtaget" in html  # the state, in Danish


# --- case page: actions, upload, assessment -----------------------------------------------------------------------


def test_case_page_shows_deadlines_with_explanations_and_colours(client, db, new_case):
    case = new_case(received=(clock.today() - dt.timedelta(days=20)).isoformat())
    login(client, "cw")
    html = text_of(client.get(f"/cases/{case.id}"))
    assert "Afgørelse (OFL § 36)" in html and "7 arbejdsdage efter modtagelse" in html
    assert 'class="due overdue"' in html and "Overskredet" in html
    assert re.search(r"\d\d\.\d\d\.\d{4}", html)


def test_upload_adds_the_document_screens_it_and_offers_the_file(client, db, new_case):
    case = new_case()
    to_state(db, case.id, "register", "start_collecting")
    login(client, "cw")
    page = text_of(client.get(f"/cases/{case.id}"))
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
    r = client.post(
        f"/cases/{case.id}/actions/add_document",
        content_type="multipart/form-data",
        data={
            "csrf_token": csrf_from(page),
            "version": "3",
            "title": "Mail fra borger",
            "date": "2026-10-02",
            "sender": "Borger",
            "file": (io.BytesIO(b"Borgerens CPR er 010190-1234."), "mail.txt"),
        },
    )
    assert r.status_code == 303
    view = case_view(db, case.id)
    doc = view["documents"][0]
    assert (doc["title"], doc["filename"], doc["date"], doc["sender"]) == (
        "Mail fra borger",
        "mail.txt",
        "2026-10-02",
        "Borger",
    )
    assert view["flagged"] and any("CPR" in r for r in view["flag_reasons"])
    html = text_of(client.get(f"/cases/{case.id}"))
    assert "Mail fra borger" in html and "⚑ Markeret til juridisk vurdering" in html
    assert "010190-1234" not in html  # the flag names the reason, never the number
    f = client.get(f"/cases/{case.id}/documents/{doc['id']}/file")
    assert (
        f.status_code == 200 and b"010190-1234" in f.data and "attachment" in f.headers["Content-Disposition"]
    )


def test_upload_of_a_bad_file_is_refused_with_a_reason(client, db, new_case):
    case = new_case()
    to_state(db, case.id, "register", "start_collecting")
    login(client, "cw")
    page = text_of(client.get(f"/cases/{case.id}"))
    r = client.post(
        f"/cases/{case.id}/actions/add_document",
        content_type="multipart/form-data",
        data={
            "csrf_token": csrf_from(page),
            "version": "3",
            "title": "Program",
            "file": (io.BytesIO(b"MZ\x00\x00"), "program.exe"),
        },
    )
    # The page is drawn again with the title kept and the reason next to the file field, in the form's
    # error summary (no redirect: the title would be lost).
    assert r.status_code == 400
    html = text_of(r)
    assert 'id="add-title" name="title" value="Program"' in html
    assert 'id="add-file-error"' in html and "filtypen .exe understøttes ikke" in html
    assert 'aria-describedby="add-file-error"' in html
    form = html[html.index('actions/add_document"') :]
    assert form.index("data-error-summary") < form.index("</form>")  # the summary is in the upload form
    assert case_view(db, case.id)["documents"] == []


def test_assessment_with_grounds_from_the_multi_select(client, db, new_case):
    case = new_case()
    to_state(db, case.id, "register", "start_collecting")
    d1, d2 = add_doc(db, case.id, "Internt notat"), add_doc(db, case.id, "Brev")
    fire(db, case.id, "start_screening", actor="cw")
    login(client, "cw")
    case_page = text_of(client.get(f"/cases/{case.id}"))
    # The case page sends no assessment form (and no list of grounds) per document: each document's page
    # holds the one form, on demand.
    assert "actions/assess_document" not in case_page and case_page.count('value="ofl-23"') <= 1  # bulk form
    assert f'href="/cases/{case.id}/documents/{d1}#vurdering"' in case_page
    page = text_of(client.get(f"/cases/{case.id}/documents/{d1}"))
    assert page.count(f'action="/cases/{case.id}/actions/assess_document"') == 1
    assert f'id="assess-{d1}-grounds" data-grounds' in page and 'name="grounds" value="ofl-23"' in page
    assert 'value="ofl-23"' in page and 'value="fvl-15-1"' not in page  # only the basis' grounds
    # Each free text says who reads it: the requester (printed) or nobody outside (the internal note).
    assert page.count("Vises for anmoderen i afgørelsen") == 6
    assert page.count("Intern note – kommer aldrig i brevet") == 1
    assert f'href="/cases/{case.id}/documents/{d2}#vurdering"' in page  # the next document
    v = case_view(db, case.id)["version"]
    r = client.post(
        f"/cases/{case.id}/actions/assess_document",
        data={
            "csrf_token": csrf_from(page),
            "version": str(v),
            "document_id": str(d1),
            "outcome": "partial",
            "grounds": ["ofl-23", "ofl-27-1"],
            "extracted": "on",
            "extraction_note": "Datoerne for møderne",
            "reason": "Interne overvejelser er overstreget.",
            "internal_note": "Drøftet med chefen",
            "next": f"/cases/{case.id}/documents/{d1}",  # as the document page's form sends it
        },
    )
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/cases/{case.id}/documents/{d1}")
    doc = case_view(db, case.id)["documents"][0]
    assert (doc["outcome"], doc["grounds"], doc["extracted"]) == ("partial", ["ofl-23", "ofl-27-1"], True)
    assert (doc["reason"], doc["internal_note"]) == (
        "Interne overvejelser er overstreget.",
        "Drøftet med chefen",
    )
    # partial without a ground: refused with the service's reason, nothing stored
    page = text_of(client.get(f"/cases/{case.id}"))
    r = client.post(
        f"/cases/{case.id}/actions/assess_document",
        data={
            "csrf_token": csrf_from(page),
            "version": str(v + 1),
            "document_id": str(d2),
            "outcome": "refuse",
            "reason": "Oplysningerne er interne.",
        },
    )
    assert r.status_code == 400
    html = text_of(r)
    assert "Undtagelsesgrunde: delvis udlevering eller afslag kræver mindst én undtagelsesgrund" in html
    # drawn again on the document's page, where the form is: the choice and the text kept, the message at
    # the grounds
    assert f'id="assess-{d2}-grounds-error"' in html
    assert 'value="refuse" checked' in html and "Oplysningerne er interne.</textarea>" in html
    assert case_view(db, case.id)["documents"][1]["outcome"] is None
    # draft_decision is offered but cannot be done yet, and the page says why
    html = text_of(client.get(f"/cases/{case.id}"))
    assert "Kan ikke endnu: 1 dokument er ikke vurderet" in html


def test_action_needing_input_reports_the_missing_field_in_danish(client, db, new_case):
    case = new_case()
    fire(db, case.id, "register", actor="cw")
    login(client, "cw")
    page = text_of(client.get(f"/cases/{case.id}"))
    # A letter's form opens its preview first: the preview names the missing field.
    r = client.post(
        f"/cases/{case.id}/letters/preview/forward", data={"csrf_token": csrf_from(page), "version": "2"}
    )
    assert r.status_code == 400
    html = text_of(r)
    assert "Rette myndighed: skal udfyldes" in html
    assert 'id="forward-authority-error"' in html or 'aria-invalid="true"' in html
    assert case_view(db, case.id)["state"] == "registered"


def test_stale_assessment_form_gives_the_conflict_message_and_the_fresh_page(client, db, new_case):
    case = new_case()
    to_state(db, case.id, "register", "start_collecting")
    d1 = add_doc(db, case.id)
    fire(db, case.id, "start_screening", actor="cw")
    login(client, "cw")
    page = text_of(client.get(f"/cases/{case.id}"))
    v = case_view(db, case.id)["version"]
    # … while a manager (who may act on any case) assesses it first
    fire(db, case.id, "assess_document", actor="manager", data={"document_id": d1, "outcome": "grant"})
    r = client.post(
        f"/cases/{case.id}/actions/assess_document",
        data={
            "csrf_token": csrf_from(page),
            "version": str(v),
            "document_id": str(d1),
            "outcome": "refuse",
            "grounds": ["ofl-23"],
        },
    )
    assert r.status_code == 409
    html = text_of(r)
    assert "ændret af en anden, siden du åbnede den" in html and "Version" not in html
    assert f'name="version" value="{v + 1}"' in html  # the fresh case: sending again is possible
    assert case_view(db, case.id)["documents"][0]["outcome"] == "grant"  # never an overwrite


def test_caseworker_takes_an_unassigned_case(client, db, new_case):
    case = new_case(assign=None)
    login(client, "cw")
    page = text_of(client.get(f"/cases/{case.id}"))
    assert "Tag sagen" in page
    r = client.post(
        f"/cases/{case.id}/actions/assign",
        data={"csrf_token": csrf_from(page), "version": "1", "assignee": "cw"},
    )
    assert r.status_code == 303
    assert case_view(db, case.id)["assignee"] == "cw"
    page = text_of(client.get(f"/cases/{case.id}"))
    assert "Kan ikke: sagen er allerede fordelt; kun en leder kan omfordele den" in page


def test_a_manager_chooses_the_assignee_and_sees_all_open_cases_first(client, db, new_case):
    case = new_case(assign=None)
    login(client, "manager")
    page = text_of(client.get(f"/cases/{case.id}"))
    assert "Tag sagen" not in page and 'name="assignee" value="manager"' not in page
    assert 'id="assign-assignee"' in page  # the assignee is chosen from the list
    listing = client.get("/cases").get_data(as_text=True)
    assert re.search(r'mine=0"\s+aria-current="page"', listing)  # "Alle åbne sager" is the default list
    with client.session_transaction() as sess:
        sess.clear()
    login(client, "cw")
    listing = client.get("/cases").get_data(as_text=True)
    assert re.search(r'mine=1"\s+aria-current="page"', listing)  # a caseworker's own cases first


# --- letters ---------------------------------------------------------------------------------------------------------


def test_letters_are_listed_with_archive_status_and_download_as_docx(client, db, new_case, monkeypatch):
    case = new_case()
    fire(db, case.id, "register", actor="cw")
    view = case_view(db, case.id)
    letter = view["letters"][0]
    login(client, "cw")
    monkeypatch.setattr("web.cases.pdf_available", lambda: False)
    html = text_of(client.get(f"/cases/{case.id}"))
    assert "Kvittering" in html and "PDF kræver LibreOffice" in html
    assert {"local": "Gemt lokalt", "journalised": "Journaliseret", "pending": "Venter på journalisering"}[
        letter["archive_status"]
    ] in html
    r = client.get(f"/cases/{case.id}/letters/{letter['id']}.docx")
    assert r.status_code == 200
    assert r.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert r.headers["Content-Disposition"].startswith("attachment")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(r.data)).paragraphs)
    assert view["sagsnummer"] in text
    assert client.get(f"/cases/{case.id + 1000}/letters/{letter['id']}.docx").status_code == 404


def test_pdf_without_libreoffice_says_so(client, db, new_case, monkeypatch):
    case = new_case()
    fire(db, case.id, "register", actor="cw")
    letter = case_view(db, case.id)["letters"][0]
    monkeypatch.setattr("aktflow.case_letters.pdf_available", lambda: False)
    login(client, "cw")
    r = client.get(f"/cases/{case.id}/letters/{letter['id']}.pdf")
    assert r.status_code == 303
    assert "PDF kræver LibreOffice" in text_of(client.get(r.headers["Location"]))


def test_failed_archive_letter_shows_the_reason(client, db, new_case):
    from aktflow.models import Letter

    case = new_case()
    fire(db, case.id, "register", actor="cw")
    with db.session() as s:
        row = s.scalar(select(Letter).where(Letter.case_id == case.id))
        s.execute(
            Letter.__table__.update()
            .where(Letter.__table__.c.id == row.id)
            .values(archive_status="failed", archive_error="SBSYS svarede 503")
        )
        s.commit()
    login(client, "cw")
    html = text_of(client.get(f"/cases/{case.id}"))
    assert "Fejlet" in html and "SBSYS svarede 503" in html


# --- hearings, timeline --------------------------------------------------------------------------------------------


def test_hearings_and_timeline_are_shown(client, db, new_case):
    case = new_case()
    to_state(db, case.id, "register", "start_collecting")
    add_doc(db, case.id)
    fire(db, case.id, "start_screening", actor="cw")
    reply_by = (clock.today() + dt.timedelta(days=14)).isoformat()
    fire(
        db,
        case.id,
        "request_hearing",
        actor="cw",
        data={"party": "Firma ApS", "question": "Forretningshemmeligheder?", "reply_by": reply_by},
    )
    login(client, "cw")
    html = text_of(client.get(f"/cases/{case.id}"))
    assert "Høringer" in html and "Firma ApS" in html and "Afventer svar" in html
    assert "Send i høring hos tredjemand" in html and "Fortrolighedsgennemgang → Høring af tredjemand" in html


# --- legal ---------------------------------------------------------------------------------------------------------------


def test_legal_queue_oldest_deadline_first_and_review_page(client, db, new_case):
    today = clock.today()
    newer = new_case(received=(today - dt.timedelta(days=2)).isoformat(), subject="Nyere sag")
    older = new_case(received=(today - dt.timedelta(days=9)).isoformat(), subject="Ældre sag")
    for c in (newer, older):
        to_state(db, c.id, "register", "start_collecting")
        d = add_doc(db, c.id, "Lægeerklæring", text="Borgeren 010190-1234 har en diagnose.")
        fire(db, c.id, "start_screening", actor="cw")
        fire(
            db,
            c.id,
            "assess_document",
            actor="cw",
            data={
                "document_id": d,
                "outcome": "refuse",
                "grounds": ["ofl-30-1"],
                **texts_for("refuse", ["ofl-30-1"]),
            },
        )
        fire(db, c.id, "submit_for_legal_review", actor="cw", note="Må diagnosen udleveres?")
    login(client, "legal")
    html = text_of(client.get("/legal"))
    assert html.index("Ældre sag") < html.index("Nyere sag")
    html = text_of(client.get(f"/legal/cases/{older.id}"))
    assert "CPR-nummer" in html and "OFL § 30" in html or "Offentlighedslovens § 30" in html
    assert "Må diagnosen udleveres?" in html and "Udleveres ikke" in html and "Lægeerklæring" in html
    assert "010190-1234" not in html
    tok = csrf_from(html)
    v = case_view(db, older.id)["version"]
    r = client.post(
        f"/cases/{older.id}/actions/return_to_screening",
        data={"csrf_token": tok, "version": str(v), "next": "/legal"},
    )
    assert "Kommentar: skal udfyldes" in text_of(client.get(r.headers["Location"]))
    r = client.post(
        f"/cases/{older.id}/actions/return_to_screening",
        data={"csrf_token": tok, "version": str(v), "note": "Overstreg diagnosen", "next": "/legal"},
    )
    assert r.status_code == 303 and r.headers["Location"] == "/legal"
    assert case_view(db, older.id)["state"] == "screening"
    fire(db, older.id, "submit_for_legal_review", actor="cw")
    v = case_view(db, older.id)["version"]
    r = client.post(
        f"/cases/{older.id}/actions/approve_legal",
        data={"csrf_token": tok, "version": str(v), "note": "OK", "next": "/legal"},
    )
    assert r.status_code == 303
    view = case_view(db, older.id)
    assert view["state"] == "drafting_decision" and not view["flagged"]
    assert "Ældre sag" not in text_of(client.get("/legal"))


# --- workflow --------------------------------------------------------------------------------------------------------------


def _workflow_svg(html: str) -> str:
    start = html.index('<svg class="workflow"')
    return html[start : html.index("</svg>", start)]


def test_workflow_page_draws_every_state_with_danish_labels(client):
    from aktflow import states

    login(client, "cw")
    html = text_of(client.get("/workflow"))
    svg = _workflow_svg(html)
    for name, s in states.STATES.items():
        assert re.search(
            rf'<g id="state_{name}" class="node state">\s*<title>{re.escape(s.label)}</title>', svg
        )
        assert f">{s.label}</text>" in svg
    for t in states.TRIGGERS.values():
        if t.dest and not t.system:
            assert f">{t.label}</text>" in svg, t.name  # drawn on an edge
            assert t.label in html
    assert "current" not in svg  # the general diagram marks no state
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        'xmlns:xlink="http://www.w3.org/1999/xlink"', ""
    )  # nothing from outside
    # the drawn file is served as it is, with its Graphviz source
    for name, kind in (("workflow.svg", "image/svg+xml"), ("workflow.dot", "")):
        r = client.get(f"/static/{name}")
        assert r.status_code == 200 and r.content_type.startswith(kind)
        r.close()


def test_case_page_marks_where_the_case_is_in_the_workflow(client, db, new_case):
    from aktflow import states

    case = new_case()
    to_state(db, case.id, "register", "start_collecting")
    login(client, "cw")
    html = text_of(client.get(f"/cases/{case.id}"))
    svg = _workflow_svg(html)
    assert re.findall(r'<g id="state_(\w+)" class="node state current">', svg) == ["collecting"]
    # in words too, not by colour alone: the caption and the diagram's own description
    assert "Sagen er i tilstanden <strong>Dokumentindsamling</strong>" in html
    assert re.search(r'<desc id="wf-desc">Sagen er i tilstanden »Dokumentindsamling«', svg)
    # the ways on from here are the machine's transitions out of the state (withdrawal from every open one)
    nxt = set(re.findall(r'<g id="edge_(\w+?)__(\w+)" class="edge from_\w+ next">', svg))
    expected = {
        ("any_open" if set(states.NON_FINAL) <= set(t.sources) else "collecting", t.dest)
        for t in states.TRIGGERS.values()
        if t.dest and not t.system and "collecting" in t.sources
    }
    assert nxt == expected and ("collecting", "screening") in nxt


def test_unknown_document_or_letter_is_404(client, db, new_case):
    case = new_case()
    login(client, "cw")
    assert client.get(f"/cases/{case.id}/documents/999/file").status_code == 404
    assert client.get(f"/cases/{case.id}/letters/999.docx").status_code == 404
    assert client.get("/legal/cases/999").status_code in (403, 404)
    with db.session() as s:
        assert s.scalar(select(Document.id)) is None
