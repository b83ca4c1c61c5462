"""Personal data: CPR numbers never leave the places that need them, and document text stays confidential.

A realistic day, run against the app on a real HTTP server (werkzeug, in a thread) with every log record
captured at DEBUG (the root logger, the app's loggers and werkzeug's request log) and every URL requested
or redirected to recorded, every Set-Cookie session decoded (flashed messages travel in the cookie) and
every API error body kept:

* requests come in with a CPR number through the intake form and through the API;
* documents whose text holds CPR numbers are uploaded (.txt and .docx) and screening flags the case;
* legal reviews it; the manager reads the dashboard and exports CSV;
* errors are provoked with CPR numbers in bad input — in the wrong form field, in a date, as a user name,
  in API bodies, field names and If-Match.

Then: none of the test CPR numbers (with or without dash, or with a space) is in any log record, any URL,
any flashed message or session cookie, any API error body, any page (apart from the form field that echoes
what the user just typed), the case list, the dashboard or the CSV export, the API's case JSON or a letter.

Document text: aktflow extracts it for screening only and never shows it — not on the case page, the legal
review, the API, the lists or the letters. The document file itself is served to the case-working roles of
the municipality (caseworker, legal, manager, administrator: docs/domain.md §1 and §4 give managers and
administrators everything a caseworker may do, and legal reviews the documents), never to anyone not
logged in, and never through the API (bearer keys are for integrations, which get the case's metadata).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import threading
import zipfile
from html import unescape

import httpx
import pytest
from sqlalchemy import select

from aktflow import clock
from aktflow.models import Case, Document, Letter
from aktflow.tokens import issue_token
from aktflow.vocabulary import SYSTEM_ACTOR
from tests.assessing import texts_for

PASSWORD = "test-pass"
# Test CPR numbers (valid dates, so screening treats them as CPR numbers).
CPRS = {
    "intake form": "0101901234",
    "api intake": "2512841111",
    "document text": "1503674321",
    "docx text": "0707075005",
    "typed wrong": "1811803333",
}
SECRET_TEXT = "FORTROLIGT-Q7X9 helbredsoplysninger om borgeren"
CSRF_RE = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]*)"')
VERSION_RE = re.compile(r'<input[^>]*name="version"[^>]*value="(\d+)"')


def forms_of(cpr: str) -> tuple[str, ...]:
    return (cpr, f"{cpr[:6]}-{cpr[6:]}", f"{cpr[:6]} {cpr[6:]}")


ALL_FORMS = [(name, f) for name, cpr in CPRS.items() for f in forms_of(cpr)]


def cprs_in(text: str) -> list[str]:
    return [f"{name}: {f}" for name, f in ALL_FORMS if f in text]


def without_form_values(html: str) -> str:
    """The page without what form fields hold (the intake form keeps what the user typed when it re-asks)."""
    html = re.sub(r'value="[^"]*"', 'value=""', html)
    return re.sub(r"(<textarea[^>]*>).*?(</textarea>)", r"\1\2", html, flags=re.S)


def make_app(db):
    from web import create_app

    return create_app({"SECRET_KEY": "personal-data-secret", "DATABASE_URL": db.url})


@pytest.fixture
def server(sqlite_db):
    from werkzeug.serving import make_server

    app = make_app(sqlite_db)
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield app, f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    t.join(5)
    app.extensions["aktflow_db"].dispose()


class Recorder:
    """What left the server: URLs, redirects, session cookies (decoded), flashes, API error bodies, pages."""

    def __init__(self, app, db):
        self.db = db  # sessions are kept on the server: the cookie holds only an id (aktflow.web_sessions)
        self._seen: set[str] = set()
        self.urls: list[str] = []
        self.cookies: list[str] = []
        self.flashes: list[str] = []
        self.api_errors: list[str] = []
        self.api_bodies: list[str] = []
        self.pages: list[tuple[str, str]] = []

    def _server_sessions(self) -> None:
        """Every stored session's data as it is now (flashes included), once per distinct state."""
        from sqlalchemy import select

        from aktflow.models import WebSession
        from web.sessions import _SERIALIZER

        with self.db.session() as s:
            rows = list(s.scalars(select(WebSession.data)))
        for raw in rows:
            if raw in self._seen:
                continue
            self._seen.add(raw)
            data = _SERIALIZER.loads(raw)
            self.cookies.append(json.dumps(data, ensure_ascii=False, default=str))
            self.flashes.extend(msg for _, msg in data.get("_flashes", []))

    def on_request(self, request: httpx.Request) -> None:
        self.urls.append(str(request.url))

    def on_response(self, response: httpx.Response) -> None:
        response.read()
        if "location" in response.headers:
            self.urls.append(response.headers["location"])
        self.cookies.extend(response.headers.get_list("set-cookie"))
        self._server_sessions()
        url = str(response.request.url)
        ctype = response.headers.get("content-type", "")
        if "/api/" in url:
            if response.status_code >= 400:
                self.api_errors.append(response.text)
            elif ctype.startswith("application/json"):
                self.api_bodies.append(response.text)
        elif ctype.startswith("text/html"):
            self.pages.append((url, response.text))
            self.flashes.extend(
                unescape(m)
                for m in re.findall(r'<div class="flash[^"]*"[^>]*>(.*?)</div>', response.text, re.S)
            )
            self.flashes.extend(
                unescape(m) for m in re.findall(r'<p class="field-error"[^>]*>(.*?)</p>', response.text, re.S)
            )

    def client(self, base: str) -> httpx.Client:
        return httpx.Client(
            base_url=base,
            follow_redirects=True,
            timeout=30,
            event_hooks={"request": [self.on_request], "response": [self.on_response]},
        )


def csrf(c: httpx.Client, path: str) -> tuple[str, str]:
    html = c.get(path).text
    return CSRF_RE.search(html).group(1), html


def web_login(c: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    token, _ = csrf(c, "/login")
    return c.post("/login", data={"username": username, "password": password, "csrf_token": token})


def act(c: httpx.Client, cid: int, trigger: str, files=None, **fields) -> httpx.Response:
    token, html = csrf(c, f"/cases/{cid}")
    data = {"csrf_token": token, "version": VERSION_RE.search(html).group(1), **fields}
    return c.post(f"/cases/{cid}/actions/{trigger}", data=data, files=files)


def docx_with(text: str) -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("Notat om borgerens sag")
    d.add_paragraph(text)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def docx_text(content: bytes) -> str:
    z = zipfile.ZipFile(io.BytesIO(content))
    return "\n".join(
        unescape(re.sub(r"<[^>]+>", "", z.read(n).decode()))
        for n in z.namelist()
        if n.startswith("word/") and n.endswith(".xml")
    )


def without_messages(html: str) -> str:
    """The page without its flashed messages and form errors (checked on their own)."""
    html = re.sub(r'<div class="flash[^"]*"[^>]*>.*?</div>', "", html, flags=re.S)
    return re.sub(r'<p class="field-error"[^>]*>.*?</p>', "", html, flags=re.S)


def run_day(server, sqlite_db, caplog):
    """The scenario; returns everything that left the server."""
    app, base = server
    caplog.set_level(logging.DEBUG)
    for name in ("werkzeug", "aktflow", "web", "flask.app", app.logger.name):
        caplog.set_level(logging.DEBUG, logger=name)
    rec = Recorder(app, sqlite_db)
    today = clock.today()
    cw, legal, manager, admin = (rec.client(base) for _ in range(4))
    for c, user in ((cw, "cw"), (legal, "legal"), (manager, "manager"), (admin, "admin")):
        assert web_login(c, user).status_code == 200
    api = rec.client(base)
    key = issue_token(sqlite_db, "cw", actor=SYSTEM_ACTOR)
    auth = {"Authorization": f"Bearer {key}"}

    # 1. Intake through the form, with the requester's CPR number (dashed, as people type it).
    token, _ = csrf(cw, "/cases/new")
    r = cw.post(
        "/cases/new",
        data={
            "csrf_token": token,
            "requester": "Mette Hansen",
            "email": "mette@example.dk",
            "cpr": "010190-1234",
            "received": (today - dt.timedelta(days=9)).isoformat(),
            "channel": "e-mail",
            "basis": "fvl",
            "subject": "Aktindsigt i min sag om hjemmehjælp",
            "emne": "02.34.02",
            "assign": "cw",
        },
    )
    assert r.status_code == 200 and re.search(r"/cases/\d+$", str(r.url)), r.url
    a = int(str(r.url).rsplit("/", 1)[1])

    # 2. Intake through the API (a self-service form), CPR in the body only.
    r = api.post(
        "/api/v1/requests",
        headers=auth,
        json={
            "requester": "Hans Jensen",
            "received": today.isoformat(),
            "basis": "gdpr",
            "emne": "02.34.02",
            "subject": "Hvilke oplysninger har I om mig?",
            "cpr": "251284-1111",
            "channel": "selvbetjening",
            "assign": "cw",
        },
    )
    assert r.status_code == 201
    b = r.json()["id"]
    with sqlite_db.session() as s:  # both numbers are kept (SBSYS needs them to find the party) …
        assert s.get(Case, a).requester_cpr == CPRS["intake form"]
        assert s.get(Case, b).requester_cpr == CPRS["api intake"]

    # 3. Documents whose text holds CPR numbers; screening flags the case.
    assert act(cw, a, "register").status_code == 200
    assert act(cw, a, "start_collecting").status_code == 200
    r = act(
        cw,
        a,
        "add_document",
        title="Notat fra hjemmeplejen",
        files={
            "file": (
                "notat.txt",
                f"Borger med CPR {CPRS['document text'][:6]}-{CPRS['document text'][6:]}. "
                f"{SECRET_TEXT}.".encode(),
                "text/plain",
            )
        },
    )
    assert r.status_code == 200
    r = act(
        cw,
        a,
        "add_document",
        title="Visitationsnotat",
        files={
            "file": (
                "visitation.docx",
                docx_with(f"CPR-nr. {CPRS['docx text']} — {SECRET_TEXT}"),
                "application/octet-stream",
            )
        },
    )
    assert r.status_code == 200
    view = api.get(f"/api/v1/cases/{a}", headers=auth).json()
    assert view["flagged"] and any("CPR-nummer" in f for f in view["flag_reasons"]), view["flag_reasons"]
    assert len(view["documents"]) == 2

    # 4. Errors provoked with CPR numbers in bad input: forms …
    wrong = CPRS["typed wrong"]
    dashed = f"{wrong[:6]}-{wrong[6:]}"
    bad_forms = [
        {"email": wrong},
        {"received": dashed},
        {"cpr": wrong + "9"},
        {"cvr": wrong},
        {"emne": dashed},
        {"requester": "", "basis": "fvl"},  # a party must be named (anonymous only under OFL and MOL)
    ]
    for bad in bad_forms:
        token, _ = csrf(cw, "/cases/new")
        form = {
            "csrf_token": token,
            "requester": "Ole Olsen",
            "email": "",
            "cpr": dashed,
            "received": today.isoformat(),
            "channel": "e-mail",
            "basis": "ofl",
            "subject": "Byggesag",
            "emne": "02.34.02",
            "assign": "cw",
            **bad,
        }
        r = cw.post("/cases/new", data=form)
        assert r.status_code == 400, (bad, r.status_code)
    for trigger, fields in (
        ("send_deadline_notice", {"reason": "Mange sider", "expected": dashed}),
        ("assign", {"assignee": wrong}),
        ("add_document", {"title": "Bilag", "date": dashed}),
        ("edit_document", {"document_id": wrong, "title": "x"}),
    ):
        r = act(cw, a, trigger, **fields)
        assert r.status_code in (400, 422)  # refused: the case page again, with the form's error summary
    # … the login form (a CPR number typed as the user name, until the lock) …
    anon = rec.client(base)
    for _ in range(6):
        r = web_login(anon, wrong, "forkert")
    assert r.status_code == 429
    # … and the API: bodies, field names, query parameters, headers.
    version = api.get(f"/api/v1/cases/{a}", headers=auth).json()["version"]
    for method, url, kwargs in [
        (
            "POST",
            "/api/v1/requests",
            {
                "json": {
                    "requester": "Ole",
                    "received": dashed,
                    "basis": "ofl",
                    "subject": "x",
                    "emne": "02.34.02",
                }
            },
        ),
        (
            "POST",
            "/api/v1/requests",
            {
                "json": {
                    "requester": "Ole",
                    "received": today.isoformat(),
                    "basis": "ofl",
                    "subject": "x",
                    "emne": "02.34.02",
                    "email": wrong,
                }
            },
        ),
        (
            "POST",
            "/api/v1/requests",
            {
                "json": {
                    "requester": "Ole",
                    "received": today.isoformat(),
                    "basis": "ofl",
                    "subject": "x",
                    "emne": dashed,
                    "cpr": wrong + "1",
                }
            },
        ),
        (
            "POST",
            "/api/v1/requests",
            {
                "json": {
                    "requester": "Ole",
                    "received": today.isoformat(),
                    "basis": wrong,
                    "subject": "x",
                    "emne": "02.34.02",
                }
            },
        ),
        ("POST", "/api/v1/requests", {"json": {wrong: "x"}}),
        (
            "POST",
            "/api/v1/requests",
            {
                "json": {
                    "requester": "Ole",
                    "assign": wrong,
                    "received": today.isoformat(),
                    "basis": "ofl",
                    "subject": "x",
                    "emne": "02.34.02",
                }
            },
        ),
        (
            "POST",
            f"/api/v1/cases/{a}/events/send_deadline_notice",
            {"json": {"data": {"reason": "x", "expected": dashed}}, "headers": {"If-Match": f'"{version}"'}},
        ),
        (
            "POST",
            f"/api/v1/cases/{a}/events/assign",
            {"json": {"data": {"assignee": wrong}}, "headers": {"If-Match": f'"{version}"'}},
        ),
        (
            "POST",
            f"/api/v1/cases/{a}/events/flag_for_legal",
            {"json": {"data": {wrong: 1}}, "headers": {"If-Match": f'"{version}"'}},
        ),
        ("POST", f"/api/v1/cases/{a}/events/register", {"headers": {"If-Match": dashed}}),
        ("POST", f"/api/v1/cases/{a}/events/register", {"headers": {"If-Match": f'"{wrong}"'}}),
    ]:
        headers = {**auth, **kwargs.pop("headers", {})}
        r = api.request(method, url, headers=headers, **kwargs)
        assert 400 <= r.status_code < 500, (url, kwargs, r.status_code)
    r = api.post("/api/v1/requests", json={"requester": "x"}, headers={"Authorization": f"Bearer {wrong}"})
    assert r.status_code == 401

    # 5. The legal contact reviews, the manager reads figures and exports, everyone lists cases.
    assert act(cw, a, "start_screening").status_code == 200
    assert act(cw, a, "submit_for_legal_review", note="Se CPR-markeringen").status_code == 200
    for c, path in (
        (legal, "/legal"),
        (legal, f"/legal/cases/{a}"),
        (legal, f"/cases/{a}"),
        (cw, "/cases?mine=1"),
        (cw, "/cases?mine=0"),
        (cw, f"/cases/{b}"),
        (manager, "/dashboard"),
        (manager, "/cases?mine=0"),
        (admin, "/admin"),
    ):
        assert c.get(path).status_code == 200, path
    csvs = [manager.get("/dashboard/cases.csv").text, manager.get("/dashboard/cases.csv?which=all").text]
    listing = api.get("/api/v1/cases", headers=auth).text
    case_json = (
        api.get(f"/api/v1/cases/{a}", headers=auth).text + api.get(f"/api/v1/cases/{b}", headers=auth).text
    )
    with sqlite_db.session() as s:
        letters = [docx_text(x) for x in s.scalars(select(Letter.content))]
        assert letters, "the scenario made letters"

    assert caplog.records and any(r.name == "werkzeug" for r in caplog.records), (
        "request logging not captured"
    )
    return rec, csvs, listing, case_json, letters


class Problems(list):
    def check(self, where: str, text: str) -> None:
        found = cprs_in(text)
        if found:
            at = text.find(found[0].split(": ")[1])
            self.append(f"{where}: {found} in {text[max(0, at - 80) :][:200]!r}")


def test_cpr_numbers_never_in_logs_urls_api_pages_lists_csv_or_letters(server, sqlite_db, caplog, figures):
    rec, csvs, listing, case_json, letters = run_day(server, sqlite_db, caplog)
    problems = Problems()
    check = problems.check
    for rec_ in caplog.records:
        check(f"log record {rec_.name}/{rec_.levelname}", rec_.getMessage() + (rec_.exc_text or ""))
    check("captured log text", caplog.text)
    for u in rec.urls:
        check("URL", u)
    for body in rec.api_errors:
        check("API error body", body)
    for body in rec.api_bodies:
        check("API body", body)
    for url, html in rec.pages:
        check(f"page {url}", without_messages(without_form_values(html)))
    for i, text in enumerate(csvs):
        check(f"CSV export {i}", text)
    check("API case list", listing)
    check("API case JSON", case_json)
    for text in letters:
        check("letter", text)
    figures(
        "personal data: log records / URLs / pages / API bodies checked for CPR numbers",
        f"{len(caplog.records)} / {len(rec.urls)} / {len(rec.pages)} / {len(rec.api_errors) + len(rec.api_bodies)}",
    )
    assert not problems, f"{len(problems)} places hold a CPR number:\n" + "\n".join(dict.fromkeys(problems))


def test_cpr_numbers_never_in_messages_to_the_user_nor_the_session_cookie(server, sqlite_db, caplog, figures):
    """A CPR number typed into the wrong field, a date or the user name comes back in the error message —
    which is flashed, i.e. stored in the (signed, not encrypted) session cookie. The API masks such numbers
    as XXXXXX-XXXX (docs/api.md); the forms must do the same."""
    rec, *_ = run_day(server, sqlite_db, caplog)
    assert any("_user_id" in c for c in rec.cookies), "the server-side sessions were not read"
    assert rec.flashes, "no flashed message was read from the sessions"
    problems = Problems()
    for m in rec.flashes:
        problems.check("message to the user", m)
    for ck in rec.cookies:
        problems.check("session cookie", ck)
    figures(
        "personal data: messages to the user and session cookies checked for CPR numbers",
        f"{len(rec.flashes)} / {len(rec.cookies)}",
    )
    assert not problems, f"{len(problems)} messages hold a CPR number:\n" + "\n".join(dict.fromkeys(problems))


ALL_ROLES = ("cw", "cw2", "legal", "manager", "admin")


def test_document_text_is_never_shown_and_the_file_only_to_case_roles(sqlite_db):
    from aktflow.documents import Attachment
    from aktflow.service import create_case, fire

    app = make_app(sqlite_db)
    c = create_case(
        sqlite_db,
        actor="cw",
        requester="Mette Hansen",
        received=clock.today(),
        basis="ofl",
        subject="Byggesag",
        emne="02.34.02",
        assign="cw",
    )
    for t in ("register", "start_collecting"):
        fire(sqlite_db, c.id, t, actor="cw")
    text = f"{SECRET_TEXT}; CPR {CPRS['document text']}"
    fire(
        sqlite_db,
        c.id,
        "add_document",
        actor="cw",
        data={"title": "Lægeerklæring"},
        attachment=Attachment("laege.txt", text.encode()),
    )
    fire(
        sqlite_db,
        c.id,
        "add_document",
        actor="cw",
        data={"title": "Visitation"},
        attachment=Attachment("visitation.docx", docx_with(text)),
    )
    fire(sqlite_db, c.id, "start_screening", actor="cw")
    fire(sqlite_db, c.id, "submit_for_legal_review", actor="cw")
    with sqlite_db.session() as s:
        docs = s.scalars(select(Document).where(Document.case_id == c.id).order_by(Document.id)).all()
        assert all(SECRET_TEXT in (d.text or "") for d in docs), "the text was extracted (for screening)"
        ids = [(d.id, d.filename, d.content) for d in docs]
    clients = {}
    for user in ALL_ROLES:
        cl = app.test_client()
        page = cl.get("/login").get_data(as_text=True)
        r = cl.post(
            "/login",
            data={"username": user, "password": PASSWORD, "csrf_token": CSRF_RE.search(page).group(1)},
        )
        assert r.status_code == 303
        clients[user] = cl
    anon = app.test_client()
    role_pages = {
        "cw": ["/cases", f"/cases/{c.id}"],
        "cw2": ["/cases?mine=0"],  # the case is sensitive (a CPR number): not cw2's to open (below)
        "legal": ["/legal", f"/legal/cases/{c.id}", f"/cases/{c.id}"],
        "manager": ["/dashboard", "/dashboard/cases.csv?which=all", f"/cases/{c.id}"],
        "admin": ["/admin", f"/cases/{c.id}", f"/legal/cases/{c.id}"],
    }
    # Need-to-know (docs/access.md): a colleague who is not on the case gets the Danish 403 page, no text.
    r = clients["cw2"].get(f"/cases/{c.id}")
    assert r.status_code == 403 and SECRET_TEXT not in unescape(r.get_data(as_text=True))
    for user, paths in role_pages.items():
        for path in paths:
            r = clients[user].get(path)
            assert r.status_code == 200, (user, path)
            body = r.get_data(as_text=True)
            assert SECRET_TEXT not in unescape(body), f"{user} {path}: the document's text is shown"
            assert not cprs_in(body), f"{user} {path}: a CPR number from the document is shown"
    for user in ALL_ROLES:
        key = issue_token(sqlite_db, user, actor=SYSTEM_ACTOR)
        r = app.test_client().get(f"/api/v1/cases/{c.id}", headers={"Authorization": f"Bearer {key}"})
        assert (
            r.status_code == (403 if user == "cw2" else 200)  # need-to-know: cw2 is not on the case
            and SECRET_TEXT not in r.get_data(as_text=True)
            and not cprs_in(r.get_data(as_text=True))
        )
        for d, _, _ in ids:  # no document route in the API, whoever asks
            r = app.test_client().get(
                f"/api/v1/cases/{c.id}/documents/{d}/file", headers={"Authorization": f"Bearer {key}"}
            )
            assert r.status_code == 404 and r.get_json()["error"]
    # The file: to the municipality's case roles, private and not cached; never to someone not logged in.
    for d, name, content in ids:
        url = f"/cases/{c.id}/documents/{d}/file"
        for user in ALL_ROLES:
            r = clients[user].get(url)
            if user == "cw2":  # need-to-know: not on the case (a CPR number makes it sensitive)
                assert r.status_code == 403 and r.data.find(content) < 0
                continue
            assert r.status_code == 200 and r.data == content, (user, url, r.status_code)
            assert r.headers["Cache-Control"] == "private, no-store"
            assert (
                r.headers["Content-Disposition"].startswith("attachment")
                and name in r.headers["Content-Disposition"]
            )
            assert r.headers["X-Content-Type-Options"] == "nosniff"
        r = anon.get(url)
        assert (
            r.status_code == 302 and r.headers["Location"].startswith("/login") and r.data.find(content) < 0
        )
        r = anon.get(url, headers={"Authorization": "Bearer akt_x"})
        assert r.status_code == 302
        # A document id on another case does not open it.
        r = clients["cw"].get(f"/cases/{c.id + 1000}/documents/{d}/file")
        assert r.status_code == 404
    # The letters never carry the documents' text either.
    fire(sqlite_db, c.id, "approve_legal", actor="legal")
    for d, _, _ in ids:
        fire(
            sqlite_db,
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
    fire(sqlite_db, c.id, "submit_for_legal_review", actor="cw")
    fire(sqlite_db, c.id, "approve_legal", actor="legal")
    fire(sqlite_db, c.id, "send_decision", actor="cw")
    with sqlite_db.session() as s:
        for content in s.scalars(select(Letter.content).where(Letter.case_id == c.id)):
            t = docx_text(content)
            assert SECRET_TEXT not in t and not cprs_in(t)


def test_cpr_typed_into_free_text_is_not_repeated_in_case_list_dashboard_or_csv(sqlite_db):
    """Citizens write their CPR number into the request text (self-service forms, e-mails). The case page
    may show the text to the caseworker, but the overviews — the case list, the manager's dashboard and
    above all the CSV export, which leaves the system — must not repeat the number (masked XXXXXX-XXXX, as
    the API masks it in its messages)."""
    app = make_app(sqlite_db)
    key = issue_token(sqlite_db, "cw", actor=SYSTEM_ACTOR)
    cpr = CPRS["typed wrong"]
    r = app.test_client().post(
        "/api/v1/requests",
        headers={"Authorization": f"Bearer {key}"},
        json={
            "requester": "Ole Olsen",
            "received": (clock.today() - dt.timedelta(days=20)).isoformat(),
            "basis": "ofl",
            "subject": f"Aktindsigt i min sag. Mit CPR-nr. er {cpr[:6]}-{cpr[6:]}",
            "emne": "02.34.02",
            "channel": "selvbetjening",
            "assign": "cw",
        },
    )
    assert r.status_code == 201
    assert any("CPR-nummer" in f for f in r.get_json()["flag_reasons"])  # screening saw it
    m = app.test_client()
    page = m.get("/login").get_data(as_text=True)
    m.post(
        "/login",
        data={"username": "manager", "password": PASSWORD, "csrf_token": CSRF_RE.search(page).group(1)},
    )
    leaks = []
    for path in ("/cases?mine=0", "/dashboard", "/dashboard/cases.csv", "/dashboard/cases.csv?which=all"):
        body = m.get(path).get_data(as_text=True)
        assert "Ole Olsen" in body or "Aktindsigt i min sag" in body, f"{path}: the case is not listed"
        if cprs_in(body):
            leaks.append(path)
    assert not leaks, f"a CPR number from the request text is repeated in {leaks}"
