"""Access control as a generated matrix, and the session's security (fixation, logout, CSRF, throttling).

The expectations are written here from docs/domain.md (§1 who uses it, §4 who may fire what) — not read from
the product — and then compared with the product:

* pages: every GET route of the UI (found in the app's URL map, so a new page without a rule fails here)
  × role (anonymous, cw, cw2, legal, manager, admin), with the case page, letters and documents of the
  caseworker's own case and of a colleague's case;
* the JSON API: every endpoint × role (and missing/invalid/revoked keys);
* every non-system trigger × role × channel (the case page's form route and the API): allowed exactly for
  the roles §4 gives it, otherwise 403 with nothing changed — and the case page offers the form only to
  the roles that may use it.

The number of matrix cells asserted is recorded as a figure.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import shutil
from dataclasses import dataclass

import pytest
from sqlalchemy import delete, func, insert, select, update
from werkzeug.security import check_password_hash

from aktflow import audit, clock, states
from aktflow.documents import Attachment
from aktflow.events import NewEvent, append_events
from aktflow.models import (
    ApiToken,
    Case,
    CaseMember,
    CaseSensitivity,
    Document,
    Event,
    Letter,
    LoginFailure,
    Setting,
    User,
    utcnow,
)
from aktflow.service import create_case, fire
from aktflow.tokens import issue_token
from aktflow.vocabulary import SYSTEM_ACTOR

PASSWORD = "test-pass"
USERS = ("cw", "cw2", "legal", "manager", "admin")
ROLES = ("anonymous", *USERS)
ROLE_OF = {"cw": "caseworker", "cw2": "caseworker", "legal": "legal", "manager": "manager", "admin": "admin"}
CSRF_RE = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]*)"')
WAITING_RE = re.compile(r'data-waiting="([a-z_]+)"')
ACTION_RE = re.compile(r'<form[^>]*action="/cases/(\d+)/actions/([a-z_]+)"')
CELLS: dict[str, int] = {}


def cell(kind: str) -> None:
    CELLS[kind] = CELLS.get(kind, 0) + 1


@pytest.fixture(autouse=True)
def _figures(figures):
    yield
    if CELLS:
        figures("access matrix: cells asserted (total)", sum(CELLS.values()))
        figures("access matrix: cells per part", dict(CELLS))


# --- the rules, from docs/domain.md ----------------------------------------------------------------------------

CASEWORK = {
    "caseworker",
    "manager",
    "admin",
}  # "Managers and administrators may do everything a caseworker may"
LEGAL = {"legal", "admin"}  # "only legal (and administrators) may approve or return a legal review"
EVERYONE = {"caseworker", "legal", "manager", "admin"}


@dataclasses.dataclass(frozen=True)
class Acting:
    """An API cell that acts on one case: ``roles`` may, but a caseworker only when named in ``users`` (the
    case's own caseworker or a member added to it: docs/access.md); other caseworkers get 403."""

    users: set[str]
    roles: set[str]


def domain_roles(trigger: str) -> set[str]:
    """Who may fire a trigger, per docs/domain.md §4."""
    if trigger in ("approve_legal", "return_to_screening"):
        return LEGAL
    if trigger == "flag_for_legal":  # anyone unsure may ask legal
        return EVERYONE
    if trigger == "comment_review":  # the legal contact's comment on a document (workflow 2026.6)
        return LEGAL
    if trigger in MANAGE_ACCESS or trigger == "assign_legal_contact":  # refined by the case (docs/access.md)
        return EVERYONE
    if trigger == "unmark_case_sensitive":  # lifting a mark: a manager's or the legal contact's decision
        return {"legal", "manager", "admin"}
    return CASEWORK


#: The access actions only the case's caseworker, the legal contact or a manager take (a member may not widen
#: the circle, docs/access.md).
MANAGE_ACCESS = ("grant_case_access", "revoke_case_access", "mark_case_sensitive")
#: The dispatch actions (docs/dispatch.md) and the status of the dispatch each one needs.
DISPATCH_STATUS = {
    "choose_dispatch_channel": "failed",
    "retry_dispatch": "failed",
    "mark_dispatched_by_post": "printed",
}


# Pages (GET endpoints) and who may open them (docs/domain.md §1; one municipality per installation, so every
# role that works on cases may read every case — there is no per-caseworker wall, only roles).
PAGE_ROLES = {
    "cases.home": EVERYONE,
    "cases.case_list": EVERYONE,
    "cases.new_case": CASEWORK,
    "cases.kle_search": EVERYONE,
    "cases.case_page": EVERYONE,
    "cases.letter_docx": EVERYONE,
    "cases.letter_pdf_view": EVERYONE,
    "cases.letter_preview_file": EVERYONE,
    "cases.document_file": EVERYONE,
    "cases.document_page": EVERYONE,
    # Redaction (docs/redaction.md): the original page image for the caseworker and the legal contact only.
    "redactions.original_page": {"caseworker", "legal", "manager", "admin"},
    "redactions.released_page": EVERYONE,
    "redactions.released_file": EVERYONE,
    "release.package_pdf": EVERYONE,
    "release.package_zip": EVERYONE,
    # Letters out (docs/dispatch.md): the print file for everyone who may read the case; the list of letters
    # that did not go for those who may send them again.
    "dispatch.print_pdf": EVERYONE,
    "dispatch.not_sent": CASEWORK,
    "mail_intake.failures": CASEWORK,  # the mails the poller could not take in (docs/mail-intake.md)
    "legal.queue": LEGAL,
    "legal.review": LEGAL,
    "dashboard.index": {"manager", "admin"},
    "dashboard.cases_csv": {"manager", "admin"},
    "admin.index": {"admin"},
    "admin.template_download": {"admin"},
    "admin.audit_log": {"admin"},
    "access.case_log": {"manager", "admin", "legal"},
    "access.case_log_csv": {"manager", "admin", "legal"},
    "workflow.index": EVERYONE,
    "search.search": EVERYONE,
    "bulk.inline": EVERYONE,
    "auth.login": set(),  # the login page itself: anonymous only (a logged-in user is sent home)
    "static": None,  # public
}
HOME = {"caseworker": "/cases", "legal": "/legal", "manager": "/dashboard", "admin": "/admin"}


# --- helpers -------------------------------------------------------------------------------------------------


def make_app(db, **cfg):
    from web import create_app

    return create_app({"SECRET_KEY": "matrix-secret", "DATABASE_URL": db.url, **cfg})


def csrf_of(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "no csrf_token on the page"
    return m.group(1)


def login(client, username: str, password: str = PASSWORD):
    page = client.get("/login").get_data(as_text=True)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf_of(page)}
    )


@dataclass
class Actor:
    name: str
    client: object
    token: str | None  # the CSRF token of its session


def actor(app, name: str) -> Actor:
    c = app.test_client()
    if name == "anonymous":
        return Actor(name, c, csrf_of(c.get("/login").get_data(as_text=True)))
    r = login(c, name)
    assert r.status_code == 303, (name, r.status_code)
    return Actor(name, c, csrf_of(c.get("/workflow").get_data(as_text=True)))


def pop_flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as s:
        return list(s.pop("_flashes", []))


def danish_403(r) -> bool:
    return r.status_code == 403 and "Ingen adgang" in r.get_data(as_text=True)


def to_login(r) -> bool:
    return r.status_code == 302 and r.headers.get("Location", "").startswith("/login")


# --- cases in any state, written directly (valid hash chains; no letters, no deadlines) ---------------------

PATH = {
    "received": [],
    "registered": ["register"],
    "awaiting_clarification": ["register", "request_clarification"],
    "collecting": ["register", "start_collecting"],
    "screening": ["register", "start_collecting", "start_screening"],
    "third_party_hearing": ["register", "start_collecting", "start_screening", "request_hearing"],
    "legal_review": ["register", "start_collecting", "start_screening", "submit_for_legal_review"],
    "drafting_decision": ["register", "start_collecting", "start_screening", "draft_decision"],
    "decided": ["register", "start_collecting", "start_screening", "draft_decision", "send_decision"],
    "closed": ["register", "start_collecting", "start_screening", "draft_decision", "send_decision", "close"],
    "complaint_received": [
        "register",
        "start_collecting",
        "start_screening",
        "draft_decision",
        "send_decision",
        "receive_complaint",
    ],
    "appeal_pending": [
        "register",
        "start_collecting",
        "start_screening",
        "draft_decision",
        "send_decision",
        "receive_complaint",
        "uphold_and_forward",
    ],
}


def seed_case(
    db,
    state: str,
    *,
    assignee: str | None = "cw",
    basis: str = "ofl",
    emne: str = "02.34.02",
    documents: int = 0,
) -> int:
    now = utcnow()
    with db.session() as s:
        assignee_id = s.scalar(select(User.id).where(User.username == assignee)) if assignee else None
        cid = (s.scalar(select(func.max(Case.id))) or 0) + 1
        new, cur = [], None
        for trig in ["create", *PATH[state]]:
            to = "received" if trig == "create" else states.target(trig, cur)
            new.append(NewEvent(cid, trig, cur, to, "cw", now))
            cur = to
        s.execute(
            insert(Case.__table__),
            [
                {
                    "id": cid,
                    "state": cur,
                    "version": 0,
                    "requester_name": f"Borger {cid}",
                    "basis": basis,
                    "received": clock.today() - dt.timedelta(days=2),
                    "subject": "Adgangstest",
                    "emne": emne,
                    "assignee_id": assignee_id,
                    "created_at": now,
                    "updated_at": now,
                    "last_hash": audit.GENESIS,
                }
            ],
        )
        append_events(s, new)
        for i in range(documents):
            s.add(Document(case_id=cid, title=f"Dokument {i + 1}", created_at=now))
        s.commit()
    if db.dialect == "postgresql":
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases))"
            )
    return cid


def doc_id(db, cid: int) -> int:
    with db.session() as s:
        return s.scalar(select(Document.id).where(Document.case_id == cid).order_by(Document.id))


def version(db, cid: int) -> int:
    with db.session() as s:
        return s.scalar(select(Case.version).where(Case.id == cid))


def events_of(db, cid: int) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Event).where(Event.case_id == cid))


# --- a valid use of each trigger: the case it needs and the input it takes ----------------------------------


def setup_for(db, trigger: str, username: str, *, owner: str | None = None) -> tuple[int, dict]:
    """A fresh case on which ``username`` may fire ``trigger`` right now, and valid input for it.

    The case's caseworker is ``owner`` (default: ``username`` when a caseworker, else "cw"): acting on a case
    needs its caseworker, a manager, or the legal contact for legal actions (docs/access.md)."""
    owner = owner or (username if ROLE_OF.get(username) == "caseworker" else "cw")
    future = (clock.today() + dt.timedelta(days=14)).isoformat()
    spec = states.TRIGGERS[trigger]
    source = next(s for s in spec.sources if s in PATH)
    kw: dict = {}
    data: dict = {}
    note = None
    if trigger == "assign":
        kw["assignee"] = None  # a caseworker may take an unassigned case; a manager assigns anyone
        data = {"assignee": username if ROLE_OF.get(username) == "caseworker" else "cw"}
    elif trigger == "extend_deadline":
        kw["basis"] = "gdpr"
        data = {"reason": "Anmodningen er omfattende"}
    elif trigger == "close_complaint":
        kw["basis"] = "gdpr"  # a complaint that may not be forwarded (Datatilsynet)
    elif trigger == "notify_employee":
        kw["emne"] = "81.02.00"
        data = {"employee": "Jens Jensen", "stage": "request"}
    elif trigger in ("edit_document", "remove_document", "assess_document", "send_partial_decision"):
        kw["documents"] = 1
    elif trigger == "comment_review":
        kw["documents"] = 1
        data = {"text": "Overstreg navnet på side 2"}
    kw.setdefault("assignee", owner)
    cid = seed_case(db, source, **kw)
    member = "cw2" if owner == "cw" else "cw"
    if trigger in DISPATCH_STATUS:
        data = {"dispatch_id": seed_dispatch(db, cid, DISPATCH_STATUS[trigger])}
        if trigger == "choose_dispatch_channel":
            data["channel"] = "print"
    elif trigger == "grant_case_access":
        data = {"user": member, "reason": "Ferieafløser"}
    elif trigger == "revoke_case_access":
        seed_access(db, cid, member=member)
        data = {"user": member}
    elif trigger == "mark_case_sensitive":
        data = {"reason": "Helbredsoplysninger"}
    elif trigger == "unmark_case_sensitive":
        seed_access(db, cid, sensitive=True)
        data = {"reason": "Ikke længere fortrolig"}
    if trigger in REDACTION_TRIGGERS:  # a screened file to redact in (docs/redaction.md)
        data = redaction_input(db, cid, trigger, owner)
    # Triggers that need an earlier action on the case (fired by its caseworker).
    if trigger == "cancel_request_refusal":
        fire(db, cid, "refuse_request", actor=owner, data={"ground": "ofl-9-2-2", "reason": "Chikane"})
    elif trigger == "forward_delay_complaint":
        fire(db, cid, "receive_delay_complaint", actor=owner)
    elif trigger == "send_partial_decision":
        fire(
            db,
            cid,
            "assess_document",
            actor=owner,
            data={"document_id": doc_id(db, cid), "outcome": "grant", "grounds": []},
        )
    fields = {
        "forward": {"authority": "Skattestyrelsen"},
        "request_hearing": {"party": "Naboen", "reply_by": future},
        "hearing_completed": {"reply": "none"},
        "send_deadline_notice": {"reason": "Mange dokumenter", "expected": future},
        "add_document": {"title": "Notat"},
        "receive_mail": {"title": "E-mail: Svar"},
        "assign_legal_contact": {"legal_contact": "legal"},
        "mark_personnel": {"reason": "Sagen angår en ansats forhold"},
        "record_narrowing_attempt": {"date": clock.today().isoformat(), "how": "phone"},
        "refuse_request": {"ground": "ofl-9-2-2", "reason": "Anmodningen er åbenbart chikanøs"},
        "forward_delay_complaint": {"reason": "Sagen omfatter mange dokumenter"},
    }
    data = {**fields.get(trigger, {}), **data}
    if trigger in ("edit_document", "remove_document", "assess_document", "comment_review"):
        data["document_id"] = doc_id(db, cid)
        if trigger == "edit_document":
            data["title"] = "Nyt navn"
        if trigger == "assess_document":
            data["outcome"] = "grant"
    if any(f.name == "note" and f.required for f in spec.fields):
        note = "Begrundelse"
    if any(f.kind == "fingerprint" for f in spec.fields) and trigger != "approve_legal":
        data["letter_sha256"] = "unseen"  # a decision's letter: seen (its fingerprint) or explicitly not
    return cid, {"note": note, "data": data}


REDACTION_TRIGGERS = {t.name for t in states.redaction.TRIGGERS}


def seed_dispatch(db, cid: int, status: str) -> int:
    """A letter on case ``cid`` with its dispatch to the requester in ``status`` (as the outbox leaves one)."""
    from aktflow.models import Dispatch, Letter

    with db.session() as s:
        letter = Letter(
            case_id=cid,
            kind="kvittering",
            filename="kvittering.docx",
            sha256=hashlib.sha256(b"brev").hexdigest(),
            content=b"brev",
            created_at=utcnow(),
            archive_status="journalised",
        )
        s.add(letter)
        s.flush()
        d = Dispatch(
            case_id=cid,
            letter_id=letter.id,
            recipient_role="requester",
            recipient_name="Borger",
            recipient_address="Vestergade 3\n8000 Aarhus C",
            channel="print",
            chosen_by="rule",
            reason="",
            status=status,
            print_pdf=b"%PDF-1.7 print" if status == "printed" else None,
        )
        s.add(d)
        s.commit()
        return d.id


def seed_access(db, cid: int, *, member: str | None = None, sensitive: bool = False) -> None:
    """``member`` added to case ``cid`` and/or the case marked sensitive by hand (written directly)."""
    with db.session() as s:
        if member:
            uid = s.scalar(select(User.id).where(User.username == member))
            s.add(CaseMember(case_id=cid, user_id=uid, added_by="manager", added_at=utcnow(), reason="Test"))
        if sensitive:
            s.add(CaseSensitivity(case_id=cid, reason="Helbred", marked_by="manager", marked_at=utcnow()))
        s.commit()


def redaction_input(db, cid: int, trigger: str, owner: str = "cw") -> dict:
    """A screened text file on the case, and valid input for ``trigger`` on it."""
    import hashlib

    from aktflow.queries.redactions import document_redactions

    text = "Naboen Jens Hansen har klaget."
    with db.session() as s:
        doc = Document(
            case_id=cid,
            title="Klage",
            filename="klage.txt",
            content_type="text/plain",
            content=text.encode(),
            text=text,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            status="screened",
            complete=True,
            created_at=utcnow(),
        )
        s.add(doc)
        s.commit()
        did = doc.id
    data: dict = {"document_id": did}
    if trigger == "redact":
        data.update(term="Jens Hansen", ground="ofl-30-1")
    elif trigger == "remove_redaction":
        fire(db, cid, "redact", actor=owner, data={**data, "term": "Jens Hansen", "ground": "ofl-30-1"})
        data["redaction_id"] = document_redactions(db, cid, did)["redactions"][0]["id"]
    else:
        data["proposal"] = document_redactions(db, cid, did)["proposals"][0]["key"]
        if trigger == "accept_redaction":
            data["ground"] = "ofl-30-1"
    return data


def form_fields(body: dict) -> dict:
    out = {k: str(v) for k, v in body["data"].items()}
    if body["note"]:
        out["note"] = body["note"]
    return out


# --- the matrix world ------------------------------------------------------------------------------------


def ready_package(db, case_id: int) -> int:
    """A made release package on the case (as the outbox stores one), with its .zip; returns its id."""
    from aktflow.models import ReleasePackage

    with db.session() as s:
        seq = s.scalar(select(func.max(Event.seq)).where(Event.case_id == case_id))
        row = ReleasePackage(
            case_id=case_id,
            event_seq=seq,
            trigger="send_partial_decision",
            document_ids=[],
            status="ready",
            filename="udleveringspakke-sag.pdf",
            content=b"%PDF-1.7 pakke",
            sha256=hashlib.sha256(b"%PDF-1.7 pakke").hexdigest(),
            zip_content=b"PK zip",
            zip_sha256=hashlib.sha256(b"PK zip").hexdigest(),
            created_at=utcnow(),
            archive_status="journalised",
        )
        s.add(row)
        s.commit()
        return row.id


def printed_dispatch(db, case_id: int) -> int:
    """The case's receipt dispatch with its print file made (as the outbox stores one); returns its id."""
    from aktflow.models import Dispatch

    with db.session() as s:
        row = s.scalar(select(Dispatch).where(Dispatch.case_id == case_id).order_by(Dispatch.id))
        row.status, row.print_pdf = "printed", b"%PDF-1.7 print"
        s.commit()
        return row.id


@pytest.fixture
def world(sqlite_db):
    app = make_app(sqlite_db)
    db = sqlite_db
    own = create_case(
        db,
        actor="cw",
        requester="Mette Hansen",
        received=clock.today() - dt.timedelta(days=3),
        basis="ofl",
        subject="Byggesag",
        emne="02.34.02",
        assign="cw",
    ).id
    other = create_case(
        db,
        actor="cw2",
        requester="Hans Hansen",
        received=clock.today() - dt.timedelta(days=3),
        basis="ofl",
        subject="Vejsag",
        emne="02.34.02",
        assign="cw2",
    ).id
    for cid, who in ((own, "cw"), (other, "cw2")):
        fire(db, cid, "register", actor=who)
        fire(db, cid, "start_collecting", actor=who)
        fire(
            db,
            cid,
            "add_document",
            actor=who,
            data={"title": "Bilag"},
            attachment=Attachment("bilag.txt", b"Tekst"),
        )
    with db.session() as s:
        letters = {cid: s.scalar(select(Letter.id).where(Letter.case_id == cid)) for cid in (own, other)}
        docs = {cid: s.scalar(select(Document.id).where(Document.case_id == cid)) for cid in (own, other)}
    letters["packages"] = {cid: ready_package(db, cid) for cid in (own, other)}
    letters["dispatches"] = {cid: printed_dispatch(db, cid) for cid in (own, other)}
    actors = {name: actor(app, name) for name in ROLES}
    tokens = {u: issue_token(db, u, actor=SYSTEM_ACTOR) for u in USERS}
    yield app, db, actors, tokens, own, other, letters, docs
    app.extensions["aktflow_db"].dispose()


def page_urls(app, own: int, other: int, letters: dict, docs: dict) -> list[tuple[str, str, str]]:
    """(endpoint, label, url) for every GET route of the UI; fails for a route without a rule above."""
    urls = {
        "cases.home": [("home", "/")],
        "cases.case_list": [("mine", "/cases?mine=1"), ("all", "/cases?mine=0")],
        "cases.new_case": [("intake form", "/cases/new")],
        "cases.kle_search": [("kle", "/kle?q=byg")],
        "cases.case_page": [("own case", f"/cases/{own}"), ("other's case", f"/cases/{other}")],
        "cases.letter_docx": [
            (f"{w} letter", f"/cases/{c}/letters/{letters[c]}.docx")
            for w, c in (("own", own), ("other's", other))
        ],
        "cases.letter_pdf_view": [
            (f"{w} letter pdf", f"/cases/{c}/letters/{letters[c]}.pdf")
            for w, c in (("own", own), ("other's", other))
        ],
        "cases.letter_preview_file": [
            (f"{w} letter preview", f"/cases/{c}/letters/preview/send_decision.docx")
            for w, c in (("own", own), ("other's", other))
        ],
        "cases.document_file": [
            (f"{w} document", f"/cases/{c}/documents/{docs[c]}/file")
            for w, c in (("own", own), ("other's", other))
        ],
        "cases.document_page": [
            (f"{w} document page", f"/cases/{c}/documents/{docs[c]}")
            for w, c in (("own", own), ("other's", other))
        ],
        **{
            f"redactions.{name}": [
                (f"{w} {name}", f"/cases/{c}/documents/{docs[c]}/{path}")
                for w, c in (("own", own), ("other's", other))
            ]
            for name, path in (
                ("original_page", "pages/1.png"),
                ("released_page", "released/pages/1.png"),
                ("released_file", "released.pdf"),
            )
        },
        "release.package_pdf": [
            (f"{w} package", f"/cases/{c}/packages/{letters['packages'][c]}.pdf")
            for w, c in (("own", own), ("other's", other))
        ],
        "release.package_zip": [
            (f"{w} package zip", f"/cases/{c}/packages/{letters['packages'][c]}.zip")
            for w, c in (("own", own), ("other's", other))
        ],
        "dispatch.print_pdf": [
            (f"{w} print file", f"/cases/{c}/dispatches/{letters['dispatches'][c]}/print.pdf")
            for w, c in (("own", own), ("other's", other))
        ],
        "dispatch.not_sent": [("letters not sent", "/dispatches/not-sent")],
        "mail_intake.failures": [("mails not taken in", "/mail/failures")],
        "legal.queue": [("legal queue", "/legal")],
        "legal.review": [("legal review", f"/legal/cases/{own}")],
        "dashboard.index": [("dashboard", "/dashboard")],
        "dashboard.cases_csv": [
            ("csv open", "/dashboard/cases.csv"),
            ("csv all", "/dashboard/cases.csv?which=all"),
        ],
        "admin.index": [("admin", "/admin")],
        "admin.template_download": [("template", "/admin/templates/afgoerelse.docx")],
        "admin.audit_log": [("admin log", "/admin/audit"), ("admin log kind", "/admin/audit?kind=user.role")],
        "access.case_log": [("access log", f"/cases/{own}/access-log")],
        "access.case_log_csv": [("access log csv", f"/cases/{own}/access-log.csv")],
        "workflow.index": [("workflow", "/workflow")],
        "search.search": [
            ("search", "/search?q=hansen"),
            ("search sorted", "/search?sort=requester&dir=desc"),
        ],
        "bulk.inline": [
            (f"{w} document inline", f"/cases/{c}/documents/{docs[c]}/inline")
            for w, c in (("own", own), ("other's", other))
        ],
        "auth.login": [("login", "/login")],
        "static": [("css", "/static/app.css")],
    }
    out = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.startswith("api."):
            continue
        assert rule.endpoint in PAGE_ROLES and rule.endpoint in urls, (
            f"GET {rule.rule} ({rule.endpoint}) has no rule in the access matrix: add who may open it"
        )
        out.extend((rule.endpoint, label, url) for label, url in urls[rule.endpoint])
    return out


def test_generated_matrix_pages(world):
    app, db, actors, _, own, other, letters, docs = world
    pdf = bool(shutil.which("soffice") or shutil.which("libreoffice"))
    failures = []
    for endpoint, label, url in page_urls(app, own, other, letters, docs):
        allowed = PAGE_ROLES[endpoint]
        for name in ROLES:
            a = actors[name]
            r = a.client.get(url)
            role = ROLE_OF.get(name)
            cell("pages")
            if endpoint == "static":
                ok = r.status_code == 200
            elif endpoint == "auth.login":
                ok = (
                    r.status_code == 200
                    if role is None
                    else (r.status_code == 302 and r.headers["Location"] == HOME[role])
                )
            elif role is None:
                ok = to_login(r) and "next=" in r.headers["Location"]
            elif role in allowed:
                if endpoint == "cases.home":
                    ok = r.status_code == 302 and r.headers["Location"] == HOME[role]
                elif endpoint == "bulk.inline":
                    ok = r.status_code == 404  # a text file is never shown inline (only PDF and images)
                elif endpoint == "cases.letter_pdf_view" and not pdf:
                    ok = r.status_code == 303 and r.headers["Location"].endswith("#breve")
                    pop_flashes(a.client)
                else:
                    ok = r.status_code == 200
                    if endpoint in (
                        "cases.document_file",
                        "cases.document_page",
                        "cases.letter_docx",
                        "dashboard.cases_csv",
                        "release.package_pdf",
                        "release.package_zip",
                        "dispatch.print_pdf",
                    ):
                        ok = ok and "no-store" in r.headers.get("Cache-Control", "")
            else:
                ok = danish_403(r)
            if not ok:
                failures.append(
                    f"{name} GET {url} ({label}): {r.status_code} {r.headers.get('Location', '')}"
                )
    assert not failures, f"{len(failures)} page cells wrong:\n" + "\n".join(failures)


def test_generated_matrix_api(world):
    app, db, actors, tokens, own, other, letters, _ = world
    api = app.test_client()
    revoked = issue_token(db, "cw", actor=SYSTEM_ACTOR)
    from aktflow.tokens import revoke

    revoke(db, revoked, actor=SYSTEM_ACTOR)
    inactive = issue_token(db, "cw2", actor=SYSTEM_ACTOR)
    keys = {
        **{u: f"Bearer {t}" for u, t in tokens.items()},
        "anonymous": None,
        "garbage key": "Bearer akt_nope",
        "revoked key": f"Bearer {revoked}",
        "basic auth": "Basic Y3c6dGVzdC1wYXNz",
        "logged-in browser (cookie, no key)": "cookie",
    }
    intake = {
        "requester": "Mette",
        "received": clock.today().isoformat(),
        "basis": "ofl",
        "subject": "Sag",
        "emne": "02.34.02",
    }
    endpoints = [
        ("POST", "/api/v1/requests", intake, CASEWORK, 201),
        ("GET", "/api/v1/cases", None, EVERYONE, 200),
        ("GET", f"/api/v1/cases/{own}", None, EVERYONE, 200),
        ("GET", f"/api/v1/cases/{other}", None, EVERYONE, 200),
        ("GET", f"/api/v1/cases/{own}/letters/{letters[own]}", None, EVERYONE, 200),
        ("GET", f"/api/v1/cases/{other}/letters/{letters[other]}", None, EVERYONE, 200),
        ("POST", f"/api/v1/cases/{own}/letters/preview/send_decision", {}, EVERYONE, 200),
        ("GET", f"/api/v1/cases/{own}/redactions", None, EVERYONE, 200),
        ("GET", f"/api/v1/cases/{other}/redactions", None, EVERYONE, 200),
        ("GET", f"/api/v1/cases/{own}/packages", None, EVERYONE, 200),
        ("GET", f"/api/v1/cases/{other}/packages/{letters['packages'][other]}", None, EVERYONE, 200),
        ("GET", f"/api/v1/cases/{other}/packages/{letters['packages'][other]}/zip", None, EVERYONE, 200),
        ("GET", f"/api/v1/cases/{own}/package", None, EVERYONE, 200),
        ("GET", f"/api/v1/cases/{own}/access", None, EVERYONE, 200),
        ("GET", f"/api/v1/cases/{other}/access", None, EVERYONE, 200),
        ("GET", f"/api/v1/cases/{own}/dispatches", None, EVERYONE, 200),
        (
            "GET",
            f"/api/v1/cases/{other}/dispatches/{letters['dispatches'][other]}/print",
            None,
            EVERYONE,
            200,
        ),
        # the receipt's print file is made: choosing print again is refused (422) for those who may act on
        # the case (its caseworker, managers, administrators)
        (
            "POST",
            f"/api/v1/cases/{other}/dispatches/{letters['dispatches'][other]}/channel",
            {"channel": "print"},
            Acting({"cw2"}, CASEWORK),
            422,
        ),
        # on the caseworker's own case (need-to-know: a colleague's dispatch is refused, 403, below)
        (
            "POST",
            f"/api/v1/cases/{other}/dispatches/{letters['dispatches'][other]}/retry",
            None,
            Acting({"cw2"}, CASEWORK),
            422,
        ),
        (
            "POST",
            f"/api/v1/cases/{other}/dispatches/{letters['dispatches'][other] + 10**6}/posted",
            None,
            Acting({"cw2"}, CASEWORK),  # the action's own check first: a colleague learns nothing (403)
            404,
        ),
        ("GET", "/api/v1/openapi.json", None, None, 200),
    ]
    # Every API route is in the list above (the catch-all 404/405 route aside).
    listed = {re.sub(r"/\d+|(?<=/preview)/\w+", "/<>", u) for _, u, *_ in endpoints}
    for rule in app.url_map.iter_rules():
        # api.redact fires `redact` (needs If-Match and a case in screening): its roles are the trigger's,
        # checked with the triggers below and in tests/api/test_redactions_api.py.
        if rule.endpoint.startswith("api.") and rule.endpoint not in (
            "api.not_found",
            "api.advance",
            "api.redact",
            # Changing a case's access depends on how the user stands to it, not on the role alone:
            # test_generated_matrix_sensitive_case_routes and tests/api/test_case_access_api.py.
            "api.add_member",
            "api.remove_member",
            "api.mark",
            "api.unmark",
        ):
            assert re.sub(r"<[^>]+>", "<>", rule.rule) in listed, (
                f"API route {rule.rule} is not in the matrix"
            )
    failures = []
    for who, key in keys.items():
        for method, url, body, allowed, ok_status in endpoints:
            if key == "cookie":
                client, headers = actors["cw"].client, {}
            else:
                client, headers = api, ({"Authorization": key} if key else {})
            r = client.open(url, method=method, json=body, headers=headers)
            cell("api")
            role = ROLE_OF.get(who)
            user = "cw" if key == "cookie" else who
            if isinstance(allowed, Acting):  # need-to-know: these users by name, those roles on any case
                allowed = allowed.roles if user in allowed.users else allowed.roles - {"caseworker"}
            if allowed is None:
                ok = r.status_code == ok_status
            elif role is None:
                ok = (
                    r.status_code == 401
                    and r.headers.get("WWW-Authenticate", "").startswith("Bearer")
                    and r.get_json().get("error")
                )
            elif role in allowed:
                ok = r.status_code == ok_status
            else:
                ok = r.status_code == 403 and r.get_json().get("error")
            if not ok:
                failures.append(f"{who} {method} {url}: {r.status_code}")
    # A key whose user is deactivated stops working.
    with db.session() as s:
        s.execute(update(User).where(User.username == "cw2").values(active=False))
        s.commit()
    r = api.get("/api/v1/cases", headers={"Authorization": f"Bearer {inactive}"})
    cell("api")
    if r.status_code != 401:
        failures.append(f"deactivated user's key: {r.status_code}")
    assert not failures, "\n".join(failures)


NON_SYSTEM = [n for n, t in states.TRIGGERS.items() if not t.system]


def may_act(db, username: str, case_id: int, trigger: str) -> bool:
    """Whether ``username`` may fire ``trigger`` on the case by need-to-know (``case_access.can_act``)."""
    from aktflow import case_access

    with db.session() as s:
        user = s.scalar(select(User).where(User.username == username))
        return case_access.can_act(s, user, case_id, trigger)


def test_trigger_roles_in_the_definition_are_domain_md_section_4():
    wrong = {
        t: (sorted(states.TRIGGERS[t].roles), sorted(domain_roles(t)))
        for t in NON_SYSTEM
        if set(states.TRIGGERS[t].roles) != domain_roles(t)
    }
    for _ in NON_SYSTEM:
        cell("definition")
    assert not wrong, f"roles per trigger differ from docs/domain.md §4 (definition, domain): {wrong}"


def test_generated_matrix_triggers_via_form_and_api(world):
    app, db, actors, tokens, *_ = world
    api = app.test_client()
    failures: list[str] = []
    shared: dict[str, tuple[int, dict]] = {}
    for trigger in NON_SYSTEM:
        allowed_roles = domain_roles(trigger)
        for channel in ("form", "api"):
            for name in ROLES:
                role = ROLE_OF.get(name)
                may = role in allowed_roles
                if may:
                    cid, body = setup_for(db, trigger, name)
                else:  # a refusal changes nothing, so one case serves all refused roles of a trigger
                    if trigger not in shared:
                        shared[trigger] = setup_for(db, trigger, "cw")
                    cid, body = shared[trigger]
                before_v, before_n = version(db, cid), events_of(db, cid)
                a = actors[name]
                if channel == "form":
                    r = a.client.post(
                        f"/cases/{cid}/actions/{trigger}",
                        data={"csrf_token": a.token, "version": str(before_v), **form_fields(body)},
                    )
                    flashes = pop_flashes(a.client) if role else []
                    if role is None:
                        ok = to_login(r)
                    elif may:
                        ok = r.status_code == 303 and [c for c, _ in flashes] == ["ok"]
                    else:
                        ok = danish_403(r)
                    detail = f"{r.status_code} {flashes}"
                else:
                    headers = {"If-Match": f'"{before_v}"'}
                    if role:
                        headers["Authorization"] = f"Bearer {tokens[name]}"
                    r = api.post(f"/api/v1/cases/{cid}/events/{trigger}", json=body, headers=headers)
                    if role is None:
                        ok = r.status_code == 401
                    elif may:
                        ok = r.status_code == 200 and r.headers["ETag"] == f'"{before_v + 1}"'
                    else:
                        err = r.get_json().get("error", "")
                        # A sensitive case (unmark's is marked) is refused to who may not see it before its trigger.
                        hidden = "fortrolig" in err and is_sensitive_case(db, cid)
                        ok = r.status_code == 403 and ("må ikke" in err or hidden)
                    detail = f"{r.status_code} {r.get_data(as_text=True)[:160]}"
                cell(f"triggers ({channel})")
                after_v, after_n = version(db, cid), events_of(db, cid)
                if may and ok:
                    with db.session() as s:
                        last = s.scalar(select(Event).where(Event.case_id == cid).order_by(Event.seq.desc()))
                    ok = (
                        after_v == before_v + 1
                        and after_n == before_n + 1
                        and last.actor == name
                        and last.trigger == trigger
                    )
                elif not may:
                    ok = ok and after_v == before_v and after_n == before_n
                if not ok:
                    failures.append(
                        f"{trigger} by {name} via {channel}: expected "
                        f"{'allowed' if may else ('login/401' if role is None else '403')}, got {detail}"
                    )
    # The case page offers a trigger's form exactly to the roles that may use it; the actions drawn on their
    # own panels (the dispatch list, the access page, the legal review page) never as a form of the case page.
    for trigger, (cid, _) in shared.items():
        for name in USERS:
            # A document's assessment and redaction forms are on the document's own page (the case page
            # links to it).
            page = (
                f"/cases/{cid}/documents/{doc_id(db, cid)}"
                if trigger == "assess_document" or trigger in REDACTION_TRIGGERS
                else f"/cases/{cid}"
            )
            html = actors[name].client.get(page).get_data(as_text=True)
            offered = {t for c, t in ACTION_RE.findall(html) if int(c) == cid}
            # A step the user may not take now (a guard, or a colleague's case) is named under "Venter" with
            # its reason instead of a form: offered to the role, not drawn as a button that does nothing.
            offered |= set(WAITING_RE.findall(html))
            cell("offered forms")
            # The shared cases are cw's; a sensitive one (a personnel case) is not cw2's to see at all.
            visible = name != "cw2" or not is_sensitive_case(db, cid)
            # A case the user sees but may act on in no way (a colleague's) says who acts and what it waits
            # for instead of the forms (web/colleague.py): only where the user may indeed not act.
            if "data-colleague" in html:
                if ROLE_OF[name] in domain_roles(trigger) and may_act(db, name, cid, trigger):
                    failures.append(f"the case page says {name} may not act on {trigger}'s case")
                continue
            expected = (
                ROLE_OF[name] in domain_roles(trigger) and visible and trigger not in states.PANEL_TRIGGERS
            )
            if expected and page != f"/cases/{cid}":
                # a document's page draws its forms only for those who may act on the case (web.case_access
                # acting_triggers): a colleague sees the document without forms that would be refused
                expected = may_act(db, name, cid, trigger)
            if (trigger in offered) != expected:
                failures.append(
                    f"the case page {'offers' if trigger in offered else 'does not offer'} "
                    f"{trigger} to {name}"
                )
    # System triggers are nobody's: 404 on both channels, for every role.
    for name in USERS:
        cid = seed_case(db, "collecting")
        r = actors[name].client.post(
            f"/cases/{cid}/actions/recalculate_deadlines",
            data={"csrf_token": actors[name].token, "version": "3"},
        )
        r2 = api.post(
            f"/api/v1/cases/{cid}/events/recalculate_deadlines",
            json={},
            headers={"Authorization": f"Bearer {tokens[name]}", "If-Match": '"3"'},
        )
        cell("triggers (form)")
        cell("triggers (api)")
        if r.status_code != 404 or r2.status_code != 404 or version(db, cid) != 3:
            failures.append(f"system trigger by {name}: form {r.status_code}, api {r2.status_code}")
    assert not failures, f"{len(failures)} trigger cells wrong:\n" + "\n".join(failures)


# --- need to know: sensitive cases (docs/access.md) ------------------------------------------------------------

SEES_ALL = {"manager", "admin"}
#: How a user stands to a case: its caseworker, added to it, another's case, nobody's case yet; for the legal
#: contact (never a case's caseworker) also whether the case names its legal contact: "named" names them,
#: "legal other" names another legal contact (legal2); "other" and "unassigned" name none.
RELATIONS = {
    "caseworker": ("assigned", "added", "other", "unassigned"),
    "manager": ("assigned", "other", "unassigned"),
    "admin": ("assigned", "other", "unassigned"),
    "legal": ("other", "unassigned", "named", "legal other"),
}
#: The legal contact a case names, by relation (docs/access.md: on a sensitive case, the named one alone of
#: the legal contacts sees it in full).
NAMED = {"named": "legal", "legal other": "legal2"}


def add_second_legal_contact(db) -> None:
    """legal2, a second user with the legal contact's role, for a case that names another legal contact."""
    from aktflow.users import add_user

    add_user(
        db, "legal2", actor="admin", role="legal", password=PASSWORD, name="Jens Jurist", demo_password=True
    )


def is_sensitive_case(db, cid: int) -> bool:
    from aktflow.case_access import is_sensitive

    with db.session() as s:
        return is_sensitive(s, cid)


def sees_in_full(name: str, relation: str) -> bool:
    """docs/access.md, "Who sees what", for a sensitive case: managers; its caseworker and members; a legal
    contact unless the case names another legal contact."""
    if ROLE_OF[name] == "legal":
        return relation != "legal other"
    return ROLE_OF[name] in SEES_ALL or relation in ("assigned", "added")


def acts(name: str, relation: str, trigger: str, sensitive: bool) -> bool:
    """docs/access.md, "Who acts": the trigger's role (docs/domain.md §4), then the case's own rule."""
    role = ROLE_OF[name]
    if role not in domain_roles(trigger):
        return False
    if role in ("manager", "admin"):
        return True
    if role == "legal":  # only the triggers its role has (checked above), on a case it may see in full
        return not (sensitive and relation == "legal other")
    if trigger in MANAGE_ACCESS:  # a member acts, but does not widen the circle
        return relation == "assigned"
    return relation in ("assigned", "added") or (relation == "unassigned" and not sensitive)


def relate(db, cid: int, name: str, relation: str, *, sensitive: bool) -> None:
    """Make ``name`` stand to case ``cid`` as ``relation`` (written directly, like seed_case), and mark the
    case sensitive by hand when asked."""
    colleague = "cw2" if name == "cw" else "cw"
    assignee = {"assigned": name, "added": colleague, "unassigned": None}.get(relation, colleague)
    with db.session() as s:
        ids = dict(s.execute(select(User.username, User.id)).all())
        s.execute(update(Case).where(Case.id == cid).values(assignee_id=ids.get(assignee)))
        if relation == "added":
            s.execute(delete(CaseMember).where(CaseMember.case_id == cid, CaseMember.user_id == ids[name]))
            s.add(
                CaseMember(
                    case_id=cid, user_id=ids[name], added_by="manager", added_at=utcnow(), reason="Test"
                )
            )
        if sensitive and s.get(CaseSensitivity, cid) is None:
            s.add(CaseSensitivity(case_id=cid, reason="Helbred", marked_by="manager", marked_at=utcnow()))
        if relation in NAMED:  # the case names its legal contact (the event assign_legal_contact writes)
            state = s.scalar(select(Case.state).where(Case.id == cid))
            after = {"legal_contact": NAMED[relation]}
            append_events(
                s,
                [
                    NewEvent(
                        cid,
                        "assign_legal_contact",
                        state,
                        state,
                        "manager",
                        utcnow(),
                        data={**after, "before": None, "after": after},
                    )
                ],
            )
        s.commit()


def test_generated_matrix_acting_by_relation(sqlite_db):
    """Every non-system trigger × sensitive or not × user × how they stand to the case, through fire()
    (the one door every channel calls): refused exactly where docs/access.md refuses, nothing changed."""
    from aktflow.errors import PermissionDenied

    db = sqlite_db
    add_second_legal_contact(db)
    failures: list[str] = []
    for trigger in NON_SYSTEM:
        for sensitive in (False, True):
            for name in USERS:
                for relation in RELATIONS[ROLE_OF[name]]:
                    cid, body = setup_for(db, trigger, name)
                    relate(db, cid, name, relation, sensitive=sensitive)
                    if trigger == "assign":  # take it oneself, or (a manager) give it to cw
                        body["data"]["assignee"] = name if ROLE_OF[name] == "caseworker" else "cw"
                    before = version(db, cid)
                    # notify_employee's case is a personnel case (KLE 81): sensitive without a mark;
                    # unmark_case_sensitive's case is marked (setup_for).
                    marked = trigger in ("notify_employee", "unmark_case_sensitive")
                    expected = acts(name, relation, trigger, sensitive or marked)
                    try:
                        fire(db, cid, trigger, actor=name, note=body["note"], data=body["data"])
                        refused = False
                    except PermissionDenied:
                        refused = True
                    except Exception:  # a guard or the state: the access rule let it through
                        refused = False
                    cell("need to know: acting")
                    if refused == expected or (refused and version(db, cid) != before):
                        failures.append(
                            f"{trigger} by {name} ({relation}, {'sensitive' if sensitive else 'plain'}): "
                            f"expected {'allowed' if expected else 'refused'}"
                        )
    assert not failures, f"{len(failures)} cells wrong:\n" + "\n".join(failures)


def _case_urls(app, cid: int, ids: dict) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every route under case ``cid`` (web and API), from the URL map."""
    from flask import url_for

    values = {"trigger": "withdraw", "ext": "docx", "page": 1, "username": "cw2", **ids}
    out = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "case_id" not in rule.arguments:
                continue
            args = {k: values[k] for k in rule.arguments if k != "case_id"}
            url = url_for(rule.endpoint, case_id=cid, **args)
            out.extend((rule.endpoint, m, url) for m in sorted(rule.methods - {"HEAD", "OPTIONS"}))
    return out


def test_generated_matrix_sensitive_case_routes(world):
    """Every route under a case (pages, downloads, forms, the API) × user, on two sensitive cases: cw's own
    (cw2 added to it) and cw2's (cw not): 403 exactly for who may not see the case in full."""
    from aktflow import case_members
    from aktflow.models import AccessEntry

    app, db, actors, tokens, own, other, letters, docs = world
    case_members.mark_sensitive(db, own, actor="cw", reason="Helbredsoplysninger")
    case_members.mark_sensitive(db, other, actor="cw2", reason="Personalesag")
    case_members.add_member(db, own, "cw2", actor="cw", reason="Overtager under ferie")
    # cw's case names legal its legal contact; cw2's names another (legal2): legal named / legal other.
    add_second_legal_contact(db)
    case_members.assign_legal_contact(db, own, "legal", actor="cw")
    case_members.assign_legal_contact(db, other, "legal2", actor="cw2")
    relation = {
        (own, "cw"): "assigned",
        (own, "cw2"): "added",
        (other, "cw2"): "assigned",
        (other, "cw"): "other",
        (own, "legal"): "named",
        (other, "legal"): "legal other",
    }
    api = app.test_client()
    failures: list[str] = []
    for cid in (own, other):
        ids = {
            "letter_id": letters[cid],
            "document_id": docs[cid],
            "package_id": letters["packages"][cid],
            "dispatch_id": letters["dispatches"][cid],
        }
        for endpoint, method, url in _case_urls(app, cid, ids):
            is_api = endpoint.startswith("api.")
            for name in USERS:
                visible = sees_in_full(name, relation.get((cid, name), "other"))
                if visible and method != "GET":
                    continue  # allowed changes are the trigger matrices' and the API tests' business
                before = version(db, cid)
                if is_api:
                    r = api.open(
                        url, method=method, json={}, headers={"Authorization": f"Bearer {tokens[name]}"}
                    )
                    refused = r.status_code == 403 and "fortrolig" in r.get_json().get("error", "")
                else:
                    a = actors[name]
                    data = {"csrf_token": a.token} if method == "POST" else None
                    r = a.client.open(url, method=method, data=data)
                    refused = danish_403(r) and "fortrolig" in r.get_data(as_text=True)
                cell("need to know: routes")
                role_allows = is_api or ROLE_OF[name] in PAGE_ROLES.get(endpoint, EVERYONE)
                if visible:
                    ok = r.status_code != 403 if role_allows else r.status_code == 403
                else:
                    ok = refused and version(db, cid) == before
                if not ok:
                    failures.append(f"{name} {method} {url}: {r.status_code} (sees in full: {visible})")
    # The lists show the case exists, masked for cw (number and state stay).
    html = actors["cw"].client.get("/cases?mine=0").get_data(as_text=True)
    rows = api.get("/api/v1/cases", headers={"Authorization": f"Bearer {tokens['cw']}"}).get_json()
    by_id = {r["id"]: r for r in rows}
    cell("need to know: lists")
    if not (by_id[other]["masked"] and by_id[other]["subject"] == "Fortrolig sag" and "Vejsag" not in html):
        failures.append(f"cw's lists show cw2's sensitive case: {by_id[other]}")
    if by_id[own]["masked"] or by_id[own]["subject"] != "Byggesag":
        failures.append(f"cw's own sensitive case is masked for cw: {by_id[own]}")
    # legal: its own (named) case in full; the one that names another legal contact masked, and not in the
    # legal queue's review links.
    rows = api.get("/api/v1/cases", headers={"Authorization": f"Bearer {tokens['legal']}"}).get_json()
    by_id = {r["id"]: r for r in rows}
    html = actors["legal"].client.get("/cases?mine=0").get_data(as_text=True)
    cell("need to know: lists")
    if not (by_id[other]["masked"] and "Vejsag" not in html) or by_id[own]["masked"]:
        failures.append(f"legal's lists: own {by_id[own]}, other {by_id[other]}")
    # The package downloads of a sensitive case are in its access log (web and API).
    with db.session() as s:
        logged = {
            (e.actor, e.via) for e in s.scalars(select(AccessEntry).where(AccessEntry.what == "package"))
        }
    cell("need to know: access log")
    if not {("cw", "web"), ("cw", "api"), ("manager", "web")} <= logged:
        failures.append(f"package downloads missing from the access log: {sorted(logged)}")
    assert not failures, f"{len(failures)} cells wrong:\n" + "\n".join(failures)


# --- sessions -------------------------------------------------------------------------------------------------


def session_cookie(client) -> str | None:
    c = client.get_cookie("session")
    return c.value if c else None


def test_session_cookie_changes_at_login_and_the_old_one_is_not_authenticated(sqlite_db):
    app = make_app(sqlite_db)
    c = app.test_client()
    page = c.get("/login")
    before = session_cookie(c)
    assert before, "the login page sets a session cookie (it holds the CSRF token)"
    set_cookie = page.headers.get("Set-Cookie", "")
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    r = c.post(
        "/login",
        data={"username": "cw", "password": PASSWORD, "csrf_token": csrf_of(page.get_data(as_text=True))},
    )
    assert r.status_code == 303
    after = session_cookie(c)
    assert after and after != before, "the session cookie must change at login (session fixation)"
    assert c.get("/cases").status_code == 200
    planted = app.test_client()  # an attacker who planted the pre-login cookie
    planted.set_cookie("session", before)
    r = planted.get("/cases")
    assert to_login(r), "the pre-login cookie must not be authenticated after the victim logs in"
    assert planted.get("/api/v1/cases").status_code == 401


def test_logout_is_post_only_and_the_old_cookie_no_longer_works(sqlite_db):
    app = make_app(sqlite_db)
    c = app.test_client()
    assert login(c, "cw").status_code == 303
    stolen = session_cookie(c)  # e.g. copied from a shared computer before the user logged out
    token = csrf_of(c.get("/cases").get_data(as_text=True))
    assert c.get("/logout").status_code == 405, (
        "logout must not be a GET (a link or an <img> could log you out)"
    )
    assert c.get("/cases").status_code == 200, "a GET /logout must not log out"
    r = c.post("/logout", data={})
    assert r.status_code == 400, "logout without the CSRF token is refused"
    assert c.get("/cases").status_code == 200
    r = c.post("/logout", data={"csrf_token": token})
    assert r.status_code in (302, 303) and r.headers["Location"].startswith("/login")
    for url in ("/cases", "/cases/1", "/workflow", "/"):
        assert to_login(c.get(url)), url
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    r = replay.get("/cases")
    assert to_login(r), (
        f"the session cookie from before the logout still works after it ({r.status_code}): logout must end "
        "the session on the server, not only delete the cookie in this browser"
    )


def test_passwords_are_stored_as_salted_werkzeug_hashes(sqlite_db):
    app = make_app(sqlite_db)
    admin = app.test_client()
    assert login(admin, "admin").status_code == 303
    token = csrf_of(admin.get("/admin").get_data(as_text=True))
    r = admin.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "username": "ny.bruger",
            "role": "caseworker",
            "password": "Sommerfugl-i-haven-7",
            "name": "Ny Bruger",
        },
    )
    assert r.status_code == 303
    r = admin.post(
        "/admin/users/cw2/password", data={"csrf_token": token, "password": "Vinterbad-ved-molen-3"}
    )
    assert r.status_code == 303
    plain = {
        "cw": PASSWORD,
        "cw2": "Vinterbad-ved-molen-3",
        "legal": PASSWORD,
        "manager": PASSWORD,
        "admin": PASSWORD,
        "ny.bruger": "Sommerfugl-i-haven-7",
    }
    with sqlite_db.session() as s:
        rows = {u.username: u.password_hash for u in s.scalars(select(User))}
        dump = "\n".join(str(v) for row in s.execute(select(User.__table__)).all() for v in row)
    for user, pw in plain.items():
        h = rows[user]
        assert pw not in h and pw not in dump, f"{user}: the password is stored in plain text"
        assert re.match(r"^(scrypt|pbkdf2):[^$]+\$[^$]{8,}\$[0-9a-f]{32,}$", h), (
            f"{user}: not a werkzeug hash: {h[:20]}"
        )
        assert check_password_hash(h, pw)
        cell("passwords")
    same = [rows[u] for u, pw in plain.items() if pw == PASSWORD]
    assert len(set(same)) == len(same), "equal passwords give equal hashes: no salt"
    # API keys: only their SHA-256 is kept.
    key = issue_token(sqlite_db, "cw", actor=SYSTEM_ACTOR)
    with sqlite_db.session() as s:
        stored = [str(v) for row in s.execute(select(ApiToken.__table__)).all() for v in row]
    assert key not in "\n".join(stored) and hashlib.sha256(key.encode()).hexdigest() in stored


def test_login_is_throttled_after_five_failures(sqlite_db):
    app = make_app(sqlite_db)
    for _ in range(5):
        r = login(app.test_client(), "cw", "forkert")
        assert r.status_code == 401 and "Forkert brugernavn eller adgangskode" in r.get_data(as_text=True)
        cell("throttling")
    c = app.test_client()
    r = login(c, "cw", PASSWORD)
    text = r.get_data(as_text=True)
    assert r.status_code == 429, "the 6th attempt must be refused, even with the right password"
    assert "For mange mislykkede forsøg" in text and "spærret" in text, text[:400]
    assert to_login(c.get("/cases")), "a refused login gives no session"
    # The same user typed differently shares the counter; other users are not affected.
    for variant in ("CW", " cw ", "Cw"):
        assert login(app.test_client(), variant, PASSWORD).status_code == 429, variant
        cell("throttling")
    assert login(app.test_client(), "cw2", PASSWORD).status_code == 303
    # An unknown user name is throttled the same way (the answer never tells whether a user exists).
    for _ in range(5):
        assert login(app.test_client(), "findes.ikke", "x").status_code == 401
    assert login(app.test_client(), "findes.ikke", "x").status_code == 429
    # The lock ends 15 minutes after the latest failure.
    with sqlite_db.session() as s:
        s.execute(update(LoginFailure).values(at=utcnow() - dt.timedelta(minutes=16)))
        s.commit()
    assert login(app.test_client(), "cw", PASSWORD).status_code == 303
    cell("throttling")


def _post_routes(app) -> list:
    return [r for r in app.url_map.iter_rules() if "POST" in r.methods and not r.endpoint.startswith("api.")]


def test_every_state_changing_form_post_without_csrf_token_is_400(sqlite_db):
    app = make_app(sqlite_db)
    cid = seed_case(sqlite_db, "collecting", documents=1)
    admin = actor(app, "admin")
    legal = actor(app, "legal")
    other = actor(app, "cw")  # another session's token is no good either
    targets = {
        "auth.login": ["/login"],
        "auth.logout": ["/logout"],
        "cases.new_case": ["/cases/new"],
        "mail_intake.import_mail": ["/cases/new/mail"],
        "mail_intake.retry_failure": ["/mail/failures/1/retry"],
        "mail_intake.dismiss_failure": ["/mail/failures/1/dismiss"],
        "cases.case_action": [f"/cases/{cid}/actions/{t}" for t in NON_SYSTEM],
        "cases.letter_preview_page": [f"/cases/{cid}/letters/preview/send_decision"],
        "bulk.upload": [f"/cases/{cid}/documents/upload"],
        "bulk.assess": [f"/cases/{cid}/documents/assess"],
        "admin.user_add": ["/admin/users"],
        "admin.user_role": ["/admin/users/cw/role"],
        "admin.user_active": ["/admin/users/cw/active"],
        "admin.user_password": ["/admin/users/cw/password"],
        "admin.user_unlock": ["/admin/users/cw/unlock"],
        "admin.token_issue": ["/admin/tokens"],
        "admin.token_revoke": ["/admin/tokens/1/revoke"],
        "admin.calendar_flags": ["/admin/calendar"],
        "admin.closure_add": ["/admin/calendar/closures"],
        "admin.closure_remove": [f"/admin/calendar/closures/{clock.today().isoformat()}/remove"],
        "admin.template_upload": ["/admin/templates/kvittering"],
        "admin.template_reset": ["/admin/templates/kvittering/reset"],
        "admin.municipality_save": ["/admin/municipality"],
        "admin.kle_import": ["/admin/kle"],
        "admin.appeal_body_save": ["/admin/appeal-bodies"],
        "case_access.add_member": [f"/cases/{cid}/access/members"],
        "case_access.remove_member": [f"/cases/{cid}/access/members/cw2/remove"],
        "case_access.mark": [f"/cases/{cid}/access/mark"],
        "case_access.unmark": [f"/cases/{cid}/access/unmark"],
        "case_access.legal_contact": [f"/cases/{cid}/access/legal-contact"],
        "legal.comment": [f"/legal/cases/{cid}/documents/{doc_id(sqlite_db, cid)}/comments"],
        "dispatch.choose": [f"/cases/{cid}/dispatches/1/channel"],
        "dispatch.retry": [f"/cases/{cid}/dispatches/1/retry"],
        "dispatch.posted": [f"/cases/{cid}/dispatches/1/posted"],
    }
    for rule in _post_routes(app):
        assert rule.endpoint in targets, f"POST {rule.rule} ({rule.endpoint}) is not in the CSRF list"

    def snapshot():
        with sqlite_db.session() as s:
            return (
                s.scalar(select(func.count()).select_from(Event)),
                s.scalar(select(func.count()).select_from(User)),
                s.scalar(select(func.count()).select_from(Setting)),
                version(sqlite_db, cid),
                s.scalar(select(func.count()).select_from(Case)),
                s.scalar(select(func.count()).select_from(CaseMember)),
                s.scalar(select(func.count()).select_from(CaseSensitivity)),
                tuple(
                    s.execute(
                        select(User.username, User.role, User.active, User.password_hash).order_by(User.id)
                    ).all()
                ),
            )

    before = snapshot()
    failures = []
    form = {
        "version": "3",
        "note": "x",
        "title": "x",
        "document_id": str(doc_id(sqlite_db, cid)),
        "outcome": "grant",
        "username": "x.y",
        "role": "legal",
        "password": "nyt-kodeord",
        "name": "X",
        "active": "0",
        "date": "2030-01-02",
        "requester": "M",
        "received": clock.today().isoformat(),
        "basis": "ofl",
        "subject": "s",
        "emne": "02.34.02",
        "channel": "e-mail",
        "authority": "A",
        "reason": "r",
        "expected": "2099-01-01",
        "assignee": "cw2",
        "address": "a",
        "kle_prefix": "02",
        "kind": "klageinstans",
        "sample": "1",
        "grundlovsdag_closed": "on",
        "legal_contact": "legal",
    }
    for urls in targets.values():
        for url in urls:
            who = legal if url.endswith(("approve_legal", "return_to_screening")) else admin
            for label, token in (
                ("no token", None),
                ("a wrong token", "forged"),
                ("another session's token", other.token),
            ):
                data = dict(form)
                if token:
                    data["csrf_token"] = token
                r = who.client.post(url, data=data)
                cell("csrf")
                text = r.get_data(as_text=True)
                if r.status_code != 400 or "CSRF" not in text or 'lang="da"' not in text:
                    failures.append(f"POST {url} with {label}: {r.status_code}")
    assert not failures, "\n".join(failures)
    assert snapshot() == before, "a POST without a valid CSRF token changed something"
    # The JSON API is exempt from CSRF because it never accepts the session cookie (bearer keys only).
    r = admin.client.post(
        "/api/v1/requests",
        json={
            "requester": "M",
            "received": clock.today().isoformat(),
            "basis": "ofl",
            "subject": "s",
            "emne": "02.34.02",
        },
    )
    assert r.status_code == 401
    cell("csrf")
