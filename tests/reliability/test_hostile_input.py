"""Hostile input against the JSON API, the forms, the uploads and the letters.

Part 1 is property-based: hypothesis drives the WSGI app in-process (Flask's test client, SQLite) with
hostile strings, wrong types, wrong states, wrong versions, odd headers, random files and random
redirect targets — well over 10,000 generated requests per run (the count is a figure). The rule every
answer must keep: no 5xx; a refusal is a clear 4xx — ``{"error": …}`` from the API, a Danish message
(a flash on the redirect, an error page or the re-rendered form) from the UI; a redirect never leaves
the site. The fuzz loops run with CSRF off (CSRF has its own tests in test_access_matrix.py).

Part 2 is deterministic, with CSRF on, through the real login: XSS and template-injection payloads in
every text field a user can type end up inert in every page (escaped, never a live tag or attribute —
checked in the raw HTML and, for the case page, the legal review, the legal queue, the dashboard and the
admin page, in Chromium with the CSP switched off so that escaping alone is what is tested) and literal
in every letter; oversized uploads give 413; files that are not what their name says are refused; path
traversal in file names is refused and nothing is written to disk.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import threading
import time
import zipfile
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, urlsplit
from xml.sax.saxutils import escape as xml_escape

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import select

from aktflow import clock, letter_preview, states
from aktflow import grounds as catalogue
from aktflow.exits import mask
from aktflow.extraction import TYPES
from aktflow.models import Case, Document, Letter
from aktflow.service import case_view, create_case, fire
from aktflow.tokens import issue_token
from aktflow.vocabulary import ANONYMOUS_REQUESTER, SYSTEM_ACTOR

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "test-pass"
USERS = ("cw", "cw2", "legal", "manager", "admin")
SECRET = "hemmelig-noegle-7f3a9c"  # the app's SECRET_KEY: must never show up anywhere
CSRF_RE = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]*)"')
VERSION_RE = re.compile(r'<input[^>]*name="version"[^>]*value="(\d+)"')
FINAL = states.FINAL
USER_TRIGGERS = [n for n, t in states.TRIGGERS.items() if not t.system]
GROUND_CODES = [g.code for g in catalogue.all_grounds()]

# --- how many generated inputs were sent (a figure) --------------------------------------------------------

INPUTS: dict[str, int] = {}
FUZZ_SECONDS: dict[str, float] = {}
FUZZ_FAILED: set[str] = set()
FUZZ_TESTS = (
    "api_intake",
    "api_events",
    "api_reads",
    "form_intake",
    "form_actions",
    "admin_forms",
    "login_and_pages",
    "uploads",
)
MIN_INPUTS = 10_000
# AKTFLOW_FUZZ_SCALE=0.1 runs a tenth of the examples (a quick local look); the 10,000 check then skips.
SCALE = float(os.environ.get("AKTFLOW_FUZZ_SCALE", "1") or 1)


def examples(n: int) -> int:
    return max(5, int(n * SCALE))


def tally(target: str, n: int = 1) -> None:
    INPUTS[target] = INPUTS.get(target, 0) + n


@pytest.fixture(autouse=True)
def _figures(figures):
    yield
    if INPUTS:
        figures("hostile input: generated requests (total)", sum(INPUTS.values()))
        figures("hostile input: generated requests per target", dict(INPUTS))
        figures("hostile input: fuzz time (s)", round(sum(FUZZ_SECONDS.values()), 1))


def timed(name: str):
    """Wrap a fuzz test body: adds its wall time to FUZZ_SECONDS."""

    class _T:
        def __enter__(self):
            self.t = time.monotonic()

        def __exit__(self, exc_type, *exc):
            FUZZ_SECONDS[name] = FUZZ_SECONDS.get(name, 0.0) + time.monotonic() - self.t
            if exc_type is not None and issubclass(exc_type, Exception):  # not hypothesis' own StopTest
                FUZZ_FAILED.add(name)

    return _T()


# --- hostile strings ---------------------------------------------------------------------------------------

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg/onload=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "javascript:alert(1)",
    " JaVaScRiPt:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "{{7*7}}",
    "{% raw %}",
    "{{ config }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{% for x in range(99999999) %}x{% endfor %}",
    "${7*7}",
    "#{7*7}",
    "<%= 7*7 %>",
    "<!--",
    "]]><x>",
    "&lt;&amp;&#x27;&#0;",
    "' OR '1'='1",
    "'; DROP TABLE cases; --",
    '" OR 1=1 --',
    "%s%s%s%n",
    "{0}{1}{__class__}",
    "%(password)s",
    "../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "/etc/passwd",
    "file:///etc/passwd",
    "\x00",
    "a\x00b",
    "\r\nSet-Cookie: x=1",
    "\u202etxt.exe",
    "\ufeff\u200b\u200d",
    "ǅ Ⓐ ß ﬁ",
    "🙂" * 20,
    "A" * 10_001,
    "x" * 301,
    "0",
    "-1",
    "1e309",
    "NaN",
    "null",
    "[]",
    "{}",
    "010190-1234",
    "2026-02-30",
    "9999-12-31",
    "0000-00-00",
    " ",
    "\t\n",
]
REDIRECTS = [
    "/\t/evil.example",
    "/\n/evil.example",
    "/x\r\nX-Injected: 1",
    "//evil.example",
    "/\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/%2F%2Fevil.example",
    "/legal",
    "/cases",
    "",
]
# Text without lone surrogates (forms are UTF-8 encoded by the client, so those cannot be sent).
form_chars = st.characters(exclude_categories=("Cs",))
hostile_form_text = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(form_chars, max_size=40),
    st.builds(lambda a, b: a + b, st.sampled_from(PAYLOADS), st.text(form_chars, max_size=8)),
)
# JSON can carry lone surrogates (as \ud800 escapes); the API must refuse them with a 400.
hostile_json_text = st.one_of(hostile_form_text, st.text(max_size=30))
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | hostile_json_text
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_json_text, inner, max_size=3),
    max_leaves=8,
)
raw_bodies = st.one_of(
    st.binary(max_size=60),
    st.sampled_from(
        [
            b"{",
            b"[1,2",
            b'{"a": NaN}',
            b'{"a": Infinity}',
            b"1e999999",
            b'"\\ud800"',
            b"\xff\xfe{}",
            b'{"requester": "\\u0000"}',
            b"[" * 5000 + b"]" * 5000,
            b'{"a":' * 3000 + b"1" + b"}" * 3000,
            b"\x00",
            b"null",
            b"true",
            b'""',
        ]
    ),
)

# No shrinking: a failure is reported with the generated input as drawn (the message names what broke), and
# a failing run stays within the time budget.
FUZZ = settings(
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
    print_blob=True,
)


# --- helpers -------------------------------------------------------------------------------------------------


def make_app(db, **cfg):
    from web import create_app

    return create_app({"SECRET_KEY": SECRET, "DATABASE_URL": db.url, **cfg})


def csrf_of(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "no csrf_token input on the page"
    return m.group(1)


def login(client, username: str, password: str = PASSWORD):
    page = client.get("/login").get_data(as_text=True)
    m = CSRF_RE.search(page)
    data = {"username": username, "password": password}
    if m:
        data["csrf_token"] = m.group(1)
    return client.post("/login", data=data)


def logged_in_client(app, username: str):
    c = app.test_client()
    r = login(c, username)
    assert r.status_code == 303, (username, r.status_code)
    return c


def multipart(
    fields: dict[str, str | list[str]],
    filename: str | None = None,
    content: bytes = b"",
    file_field: str = "file",
) -> tuple[bytes, str]:
    """A multipart/form-data body built by hand, so that a file name arrives byte for byte as sent (Flask's
    test client drops names with a double quote and eats backslashes); quotes and backslashes are escaped
    as in an HTTP quoted-string, everything else is sent raw."""
    b = "----aktflow7MA4YWxkTrZu0gW"
    out = []
    for k, vs in fields.items():
        for v in vs if isinstance(vs, list) else [vs]:
            out.append(
                f'--{b}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'.encode()
                + v.encode("utf-8", "surrogatepass")
                + b"\r\n"
            )
    if filename is not None:
        q = filename.replace("\\", "\\\\").replace('"', '\\"')
        out.append(
            f'--{b}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{q}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n".encode("utf-8", "surrogatepass")
            + content
            + b"\r\n"
        )
    out.append(f"--{b}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={b}"


def pop_flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as s:
        return list(s.pop("_flashes", []))


def local_location(r) -> None:
    """A redirect must stay on this site: a path, never another host (also not via //, \\ or a tab)."""
    loc = r.headers.get("Location", "")
    parts = urlsplit(loc)
    assert not parts.scheme and not parts.netloc, f"redirect leaves the site: {loc!r}"
    assert loc.startswith("/") and not loc.startswith("//") and "\\" not in loc, f"odd redirect {loc!r}"
    assert not re.search(r"[\x00-\x20\x7f]", loc), f"control character or blank in redirect {loc!r}"


def merged_slashes(r) -> bool:
    """werkzeug answers a path with "//" in it with a 308 to the same path with one "/": same site, harmless."""
    if r.status_code != 308:
        return False
    parts = urlsplit(r.headers.get("Location", ""))
    return parts.netloc in ("", "localhost") and "//" not in parts.path


API_REFUSALS = {400, 401, 403, 404, 405, 412, 413, 415, 422, 428}


def check_api(r, ok=(200, 201)) -> None:
    assert r.status_code < 500, (r.status_code, r.get_data(as_text=True)[:500])
    if r.status_code in ok:
        return
    assert r.status_code in API_REFUSALS, (r.status_code, r.get_data(as_text=True)[:300])
    body = r.get_json(silent=True)
    assert isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"].strip(), (
        r.status_code,
        r.get_data(as_text=True)[:300],
    )
    if r.status_code == 401:
        assert r.headers.get("WWW-Authenticate", "").startswith("Bearer")


DANISH_FLASH = re.compile(
    r"udført|blev ikke udført|Sagen er ændret af en anden|"
    r"blev ikke (oprettet|ændret|gemt|tilføjet|fjernet|nulstillet|indlæst)|er oprettet|har nu rollen|"
    r"er deaktiveret|er aktiveret|ny adgangskode|Kalenderen|Lukkedag|skabelon|Kommunens oplysninger|KLE-planen|"
    r"Vælg en Word-fil|Standardskabelonen|PDF kræver|API-nøgle|[Ss]pærring"
)


def check_flashes(flashes: list[tuple[str, str]], where: str) -> None:
    assert flashes, f"{where}: a redirect without a message to the user"
    for cat, msg in flashes:
        assert cat in ("ok", "error", "conflict", "info"), (where, cat, msg)
        assert msg.strip() and DANISH_FLASH.search(msg), f"{where}: not a clear Danish message: {msg!r}"
        assert "Traceback" not in msg and "Exception" not in msg, (where, msg)


def check_page(r, where: str) -> None:
    """A UI answer: no 5xx; a 4xx is a Danish page (the error template or the re-rendered form)."""
    assert r.status_code < 500, (where, r.status_code, r.get_data(as_text=True)[:300])
    if r.status_code >= 400:
        text = r.get_data(as_text=True)
        assert "<html" in text and 'lang="da"' in text, (where, r.status_code, text[:200])


def case_state(db, cid: int) -> tuple[str, int] | None:
    if not 0 < cid < 2**31:
        return None
    with db.session() as s:
        row = s.execute(select(Case.state, Case.version).where(Case.id == cid)).first()
        return (row[0], row[1]) if row else None


class Pool:
    """Cases in various states for the fuzz loops; a case that reaches a final state is replaced."""

    def __init__(self, db, seed):
        self.db, self.seed = db, seed
        self.origin: dict[int, str] = {}
        for state in ("received", "registered", "collecting", "screening"):
            for cid in seed(db, 2, state):
                self.origin[cid] = state
        self.doc_ids: list[int] = []
        # Richer cases: documents on a collecting case, assessed ones on a screening case, a legal review.
        for target in ("collecting", "screening", "legal_review"):
            (cid,) = seed(db, 1, "collecting")
            for i in range(2):
                c = fire(db, cid, "add_document", actor="cw", data={"title": f"Notat {i}"})
                self.doc_ids.append(c.documents[-1].id)
            if target != "collecting":
                fire(db, cid, "start_screening", actor="cw")
            if target == "legal_review":
                fire(db, cid, "submit_for_legal_review", actor="cw")
            self.origin[cid] = "collecting" if target == "collecting" else "screening"

    def ids(self) -> list[int]:
        return sorted(self.origin)

    def version(self, cid: int) -> int:
        st_ = case_state(self.db, cid)
        return st_[1] if st_ else 1

    def refresh(self, cid: int) -> None:
        st_ = case_state(self.db, cid)
        if st_ is not None and st_[0] in FINAL and cid in self.origin:
            origin = self.origin.pop(cid)
            (new,) = self.seed(
                self.db,
                1,
                origin if origin in ("received", "registered", "collecting", "screening") else "screening",
            )
            self.origin[new] = origin


@pytest.fixture
def fz(sqlite_db, seed):
    """The app with CSRF off (fuzz loops only), a logged-in client per role, API tokens, a pool of cases."""
    app = make_app(sqlite_db, WTF_CSRF_ENABLED=False)
    clients = {u: logged_in_client(app, u) for u in USERS}
    clients["anonymous"] = app.test_client()
    tokens = {u: issue_token(sqlite_db, u, actor=SYSTEM_ACTOR) for u in USERS}
    pool = Pool(sqlite_db, seed)
    yield SimpleNamespace(
        app=app, db=sqlite_db, clients=clients, tokens=tokens, pool=pool, api=app.test_client()
    )
    app.extensions["aktflow_db"].dispose()


def auth_header(fz, who: str) -> dict[str, str]:
    if who in fz.tokens:
        return {"Authorization": f"Bearer {fz.tokens[who]}"}
    return {
        "anonymous": {},
        "badtoken": {"Authorization": "Bearer akt_thisisnotatoken"},
        "basic": {"Authorization": "Basic Y3c6dGVzdC1wYXNz"},
        "empty-bearer": {"Authorization": "Bearer "},
    }[who]


API_WHO = st.sampled_from([*USERS, "anonymous", "badtoken", "basic", "empty-bearer"])


def field_value(f: states.Field, doc_ids: list[int], *, form: bool):
    """Plausible values for a trigger field (often valid), or hostile ones."""
    today = clock.today()
    text = hostile_form_text if form else hostile_json_text
    valid = {
        "text": text,
        "date": st.dates(today - dt.timedelta(days=400), today).map(dt.date.isoformat),
        "future_date": st.dates(today + dt.timedelta(days=1), today + dt.timedelta(days=90)).map(
            dt.date.isoformat
        ),
        "document": st.sampled_from(doc_ids or [1]) | st.integers(-3, 2**40),
        "documents": st.lists(st.sampled_from(doc_ids or [1]) | st.integers(-3, 2**40), max_size=3),
        "bool": st.booleans(),
        "int": st.integers(-5, 10_000) | st.integers(-(2**70), 2**70),
        "choice": st.sampled_from(f.choices or ("x",)),
        "grounds": st.lists(st.sampled_from([*GROUND_CODES[:6], "ofl-30-1", "x", ""]) | text, max_size=3),
        "user": st.sampled_from([*USERS, "nobody"]),
        # A file travels beside the data; text where it belongs is refused in JSON and ignored in a form.
        "file": text,
        # A letter's fingerprint from the preview, "unseen", or anything else.
        "fingerprint": st.sampled_from(["unseen", "0" * 64, "A" * 64]) | text,
    }[f.kind]
    return valid | text if form else valid | json_values


# ============================================================================================================
# Part 1: property-based fuzzing (counts towards the 10,000 generated inputs)
# ============================================================================================================


def _intake_body():
    today = clock.today()
    good = {
        "requester": hostile_json_text | st.just("Mette Hansen"),
        "received": st.dates(today - dt.timedelta(days=60), today).map(dt.date.isoformat) | hostile_json_text,
        "basis": st.sampled_from(["ofl", "fvl", "mol", "gdpr"]) | hostile_json_text,
        "subject": hostile_json_text | st.just("Byggesagen"),
        "emne": st.sampled_from(["02.34.02", "15.17.12", "81.01.00"]) | hostile_json_text,
    }
    optional = {
        "email": st.sampled_from(["a@b.dk", "x"]) | hostile_json_text,
        "cpr": st.sampled_from(["0101901234", "010190-1234"]) | hostile_json_text,
        "cvr": st.sampled_from(["12345678"]) | hostile_json_text,
        "address": st.lists(
            st.sampled_from(["Vestergade 3", "8000 Aarhus C"]) | hostile_json_text, max_size=7
        )
        | hostile_json_text,
        "channel": st.sampled_from(["selvbetjening", "e-mail"]) | hostile_json_text,
        "assign": st.sampled_from([*USERS, "nobody"]) | hostile_json_text,
        "unknown": json_values,
    }
    targeted = st.fixed_dictionaries(
        {k: v | json_values for k, v in good.items()},
        optional={k: v | json_values for k, v in optional.items()},
    )
    return st.one_of(targeted, targeted, targeted, json_values)


@settings(FUZZ, max_examples=examples(1400))
@given(
    body=_intake_body(),
    raw=st.none() | st.none() | raw_bodies,
    who=API_WHO,
    ctype=st.sampled_from(
        ["application/json", "application/json", "text/plain", "application/x-www-form-urlencoded"]
    ),
)
def test_api_intake_hostile(fz, body, raw, who, ctype):
    with timed("api_intake"):
        h = auth_header(fz, who)
        if raw is not None:
            r = fz.api.post("/api/v1/requests", data=raw, headers=h, content_type=ctype)
        else:
            r = fz.api.post("/api/v1/requests", data=json.dumps(body), headers=h, content_type=ctype)
        tally("api_intake")
        check_api(r)
        if r.status_code == 201:
            # Accepted text comes back literally (stripped), never evaluated, never with the CPR number.
            case = r.get_json()
            # (A CPR number in them is masked on the way out: aktflow/exits.py.)
            assert case["requester"] == shown(body["requester"])
            assert case["subject"] == mask(body["subject"].strip())
            assert "cpr" not in case and "requester_cpr" not in case
            assert r.headers["Location"] == f"/api/v1/cases/{case['id']}"


def shown(requester: str) -> str:
    """The requester's name as the API and the pages show it: stripped, CPR numbers masked, and the
    anonymous label where no name was given (OFL and MOL requests may be anonymous)."""
    return mask(requester.strip()) or ANONYMOUS_REQUESTER


def _trigger_names():
    return (
        st.sampled_from(USER_TRIGGERS)
        | st.sampled_from(
            [
                "recalculate_deadlines",
                "create",
                "REGISTER",
                "register ",
                "../register",
                "<script>",
                "__init__",
                "fire",
                "%00",
                "approve_legal;DROP",
            ]
        )
        | st.text(max_size=12)
    )


@settings(FUZZ, max_examples=examples(2000))
@given(data=st.data())
def test_api_events_hostile(fz, data):
    with timed("api_events"):
        cid = data.draw(st.sampled_from(fz.pool.ids()) | st.sampled_from([0, 999_999, 2**31, 2**63]))
        trigger = data.draw(st.sampled_from(USER_TRIGGERS) | _trigger_names())
        who = data.draw(API_WHO)
        version = fz.pool.version(cid)
        if_match = data.draw(
            st.sampled_from(
                [
                    f'"{version}"',
                    str(version),
                    f'W/"{version}"',
                    f'"{version - 1}"',
                    f'"{version + 1}"',
                    "*",
                    "",
                    None,
                    '"99999999999999999999"',
                ]
            )
            | header_text
        )
        spec = states.TRIGGERS.get(trigger)
        if spec is not None and data.draw(st.booleans()):
            fields = [f for f in spec.fields if f.name != "note"]
            data_obj = data.draw(
                st.fixed_dictionaries(
                    {}, optional={f.name: field_value(f, fz.pool.doc_ids, form=False) for f in fields}
                )
            )
            body = data.draw(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "note": hostile_json_text | json_values,
                        "data": st.just(data_obj) | json_values,
                    },
                )
            )
        else:
            body = data.draw(
                json_values | st.fixed_dictionaries({}, optional={"note": json_values, "data": json_values})
            )
        raw = data.draw(st.none() | st.none() | st.none() | raw_bodies)
        h = auth_header(fz, who)
        if if_match is not None:
            h["If-Match"] = if_match
        url = f"/api/v1/cases/{cid}/events/{quote(trigger, safe='')}"
        if raw is not None:
            r = fz.api.post(url, data=raw, headers=h, content_type="application/json")
        else:
            r = fz.api.post(url, data=json.dumps(body), headers=h, content_type="application/json")
        tally("api_events")
        check_api(r)
        if r.status_code == 200:
            assert r.headers["ETag"] == f'"{r.get_json()["version"]}"'
        fz.pool.refresh(cid)


@settings(FUZZ, max_examples=examples(1700))
@given(data=st.data())
def test_api_reads_and_odd_requests_hostile(fz, data):
    with timed("api_reads"):
        who = data.draw(API_WHO)
        h = auth_header(fz, who)
        kind = data.draw(st.sampled_from(["list", "case", "letter", "path", "method"]))
        if kind == "list":
            params = data.draw(
                st.dictionaries(
                    st.sampled_from(["state", "assignee", "limit", "x", "state[]"])
                    | st.text(form_chars, max_size=6),
                    st.sampled_from(["screening", "cw", "10", "500", "501", "0", "-1", "1e3"])
                    | hostile_form_text,
                    max_size=3,
                )
            )
            r = fz.api.get("/api/v1/cases", query_string=params, headers=h)
        elif kind == "case":
            cid = data.draw(st.sampled_from(fz.pool.ids()) | st.integers(0, 2**64))
            r = fz.api.get(f"/api/v1/cases/{cid}", headers=h)
        elif kind == "letter":
            cid = data.draw(st.sampled_from(fz.pool.ids()) | st.integers(0, 2**40))
            lid = data.draw(st.integers(0, 2**40))
            r = fz.api.get(f"/api/v1/cases/{cid}/letters/{lid}", headers=h)
        elif kind == "path":
            segs = data.draw(
                st.lists(
                    hostile_form_text | st.sampled_from(["cases", "events", "letters", "..", "1"]),
                    min_size=1,
                    max_size=4,
                )
            )
            r = fz.api.get("/api/v1/" + "/".join(quote(s, safe="") for s in segs), headers=h)
        else:
            method = data.draw(st.sampled_from(["PUT", "PATCH", "DELETE", "OPTIONS", "POST", "GET"]))
            path = data.draw(
                st.sampled_from(
                    [
                        "/api/v1/requests",
                        "/api/v1/cases",
                        f"/api/v1/cases/{fz.pool.ids()[0]}",
                        "/api/v1/openapi.json",
                        "/api/v1/",
                    ]
                )
            )
            r = fz.api.open(path, method=method, headers=h, data=data.draw(st.binary(max_size=20)))
        tally("api_reads")
        if r.status_code == 200 and r.mimetype != "application/json":
            assert kind == "letter" or r.request.method == "OPTIONS", (kind, r.mimetype)
        if r.request.method == "OPTIONS" and r.status_code == 200:
            return
        if r.status_code == 308 and kind == "path":  # werkzeug merges "//" in a path: same host, same API
            assert urlsplit(r.headers["Location"]).netloc in ("", "localhost"), r.headers["Location"]
            return
        check_api(r)


INTAKE = (
    "requester",
    "email",
    "cpr",
    "cvr",
    "address",
    "received",
    "channel",
    "basis",
    "subject",
    "emne",
    "assign",
)


@settings(FUZZ, max_examples=examples(1400))
@given(data=st.data())
def test_form_intake_hostile(fz, data):
    with timed("form_intake"):
        today = clock.today()
        valid = {
            "requester": st.just("Mette Hansen"),
            "email": st.just("mette@example.dk"),
            "cpr": st.just(""),
            "cvr": st.just(""),
            "address": st.just("Vestergade 3\n8000 Aarhus C"),
            "received": st.just(today.isoformat()),
            "channel": st.just("e-mail"),
            "basis": st.just("ofl"),
            "subject": st.just("Byggesag"),
            "emne": st.just("02.34.02"),
            "assign": st.sampled_from(["cw", ""]),
        }
        form = {
            k: data.draw(valid[k] | hostile_form_text) for k in INTAKE if data.draw(st.integers(0, 9)) > 0
        }
        who = data.draw(st.sampled_from(["cw", "cw", "manager", "admin", "legal"]))
        r = fz.clients[who].post("/cases/new", data=form)
        tally("form_intake")
        check_page(r, "intake")
        if who == "legal":
            assert r.status_code == 403
            return
        if r.status_code == 303:
            local_location(r)
            m = re.fullmatch(r"/cases/(\d+)", r.headers["Location"])
            assert m, r.headers["Location"]
            view = case_view(fz.db, int(m.group(1)))
            assert view["requester"] == shown(form["requester"])
            assert view["subject"] == mask(form["subject"].strip())
            pop_flashes(fz.clients[who])
        else:
            assert r.status_code in (400, 413), r.status_code
            if r.status_code == 400:
                assert "Anmodningen er ikke registreret" in r.get_data(as_text=True)


def _action_form(data, fz, trigger: str) -> dict:
    spec = states.TRIGGERS.get(trigger)
    form: dict = {}
    if spec is not None:
        for f in spec.fields:
            if not data.draw(st.integers(0, 5)):
                continue  # leave a field out now and then
            v = data.draw(field_value(f, fz.pool.doc_ids, form=True))
            if f.kind == "bool":
                v = "on" if v is True else ("" if v is False else v)
            elif isinstance(v, bool):
                v = str(v).lower()
            form[f.name] = [str(x) for x in v] if isinstance(v, list) else str(v)
    for key in ("next", "back"):  # where to go after success / after a refusal
        if data.draw(st.booleans()):
            form[key] = data.draw(st.sampled_from(REDIRECTS) | hostile_form_text)
    form.update(
        data.draw(
            st.dictionaries(
                st.sampled_from(["document_id", "junk", "data", "note"]), hostile_form_text, max_size=2
            )
        )
    )
    return form


@settings(FUZZ, max_examples=examples(2000))
@given(data=st.data())
def test_form_actions_hostile(fz, data):
    with timed("form_actions"):
        cid = data.draw(st.sampled_from(fz.pool.ids()) | st.sampled_from([999_999]))
        trigger = data.draw(st.sampled_from(USER_TRIGGERS) | _trigger_names())
        who = data.draw(st.sampled_from([*USERS, "anonymous"]))
        form = _action_form(data, fz, trigger)
        version = fz.pool.version(cid)
        form["version"] = data.draw(
            st.sampled_from(
                [str(version), str(version), str(version - 1), "", "x", "-1", "99999999999999999999999"]
            )
            | hostile_form_text
        )
        if trigger == "add_document" and data.draw(st.booleans()):
            form["file"] = (
                io.BytesIO(data.draw(st.binary(max_size=200))),
                data.draw(st.sampled_from(["a.txt", "a.pdf", "a.docx", "a.exe"]) | hostile_form_text),
            )
        client = fz.clients[who]
        r = client.post(f"/cases/{cid}/actions/{quote(trigger, safe='')}", data=form)
        tally("form_actions")
        if merged_slashes(r):
            return
        check_page(r, f"action {trigger}")
        if who == "anonymous":  # to the login page (or 404 when the path is no route at all, e.g. ../x)
            assert (
                r.status_code == 302 and r.headers["Location"].startswith("/login")
            ) or r.status_code == 404, r.status_code
            return
        if r.status_code in (302, 303):
            local_location(r)
            check_flashes(pop_flashes(client), f"action {trigger!r} as {who}")
        elif r.status_code in (400, 409, 422):  # refused: the form's page again, with its error summary
            assert "data-error-summary" in r.get_data(as_text=True), (trigger, who, r.status_code)
        else:
            assert r.status_code in (403, 404, 413), (trigger, who, r.status_code)
            if r.status_code == 403:
                assert "Ingen adgang" in r.get_data(as_text=True)
        fz.pool.refresh(cid)


ADMIN_POSTS = (
    "municipality",
    "user_add",
    "user_role",
    "user_active",
    "user_password",
    "user_unlock",
    "token_issue",
    "token_revoke",
    "calendar",
    "closure_add",
    "closure_remove",
    "template_upload",
    "template_reset",
    "kle",
    "appeal_bodies",
)


@settings(FUZZ, max_examples=examples(800))
@given(data=st.data())
def test_admin_forms_hostile(fz, data):
    with timed("admin_forms"):
        admin = fz.clients["admin"]
        what = data.draw(st.sampled_from(ADMIN_POSTS))
        text = hostile_form_text
        target_user = data.draw(st.sampled_from(["cw2", "manager", "nobody"]) | text)
        files = None
        if what == "municipality":
            keys = [
                "name",
                "address",
                "phone",
                "email",
                "web",
                "logo_text",
                "junk",
            ]
            form = {
                k: data.draw(st.sampled_from(["Eksempel Kommune", "a@b.dk"]) | text)
                for k in keys
                if data.draw(st.booleans())
            }
            url = "/admin/municipality"
        elif what == "user_add":
            form = {
                "username": data.draw(st.sampled_from(["ny.bruger", "cw"]) | text),
                "role": data.draw(st.sampled_from(["caseworker", "legal", "root"]) | text),
                "password": data.draw(st.sampled_from(["langt-kodeord"]) | text),
                "name": data.draw(text),
            }
            url = "/admin/users"
        elif what == "token_issue":
            form = {
                "username": data.draw(st.sampled_from(["cw", "nobody"]) | text),
                "name": data.draw(st.sampled_from(["selvbetjening"]) | text),
                "days": data.draw(st.sampled_from(["90", "0", "99999999999999999999"]) | text),
            }
            url = "/admin/tokens"
        elif what == "token_revoke":
            form = {}
            url = f"/admin/tokens/{quote(data.draw(st.sampled_from(['1', '99999999999999999999']) | text), safe='')}/revoke"
        elif what in ("user_role", "user_active", "user_password", "user_unlock"):
            form = {
                "role": data.draw(st.sampled_from(["caseworker", "manager", "x"]) | text),
                "active": data.draw(st.sampled_from(["0", "1"]) | text),
                "password": data.draw(st.sampled_from(["nyt-kodeord-123"]) | text),
            }
            url = f"/admin/users/{quote(target_user, safe='')}/{what.split('_')[1]}"
        elif what == "calendar":
            form = {
                k: "on"
                for k in (
                    "grundlovsdag_closed",
                    "juleaften_closed",
                    "nytaarsaften_closed",
                    "first_may_closed",
                )
                if data.draw(st.booleans())
            }
            url = "/admin/calendar"
        elif what == "closure_add":
            form = {"date": data.draw(st.dates().map(dt.date.isoformat) | text)}
            url = "/admin/calendar/closures"
        elif what == "closure_remove":
            form = {}
            url = f"/admin/calendar/closures/{quote(data.draw(st.dates().map(dt.date.isoformat) | text), safe='')}/remove"
        elif what in ("template_upload", "template_reset"):
            kind = data.draw(st.sampled_from(["kvittering", "afgoerelse", "nope"]) | text)
            form = {}
            if what == "template_upload":
                content = data.draw(st.binary(max_size=300) | st.just(b"PK\x03\x04" + b"\x00" * 40))
                files = {"file": (io.BytesIO(content), data.draw(st.sampled_from(["t.docx", ""]) | text))}
                url = f"/admin/templates/{quote(kind, safe='')}"
            else:
                url = f"/admin/templates/{quote(kind, safe='')}/reset"
        elif what == "appeal_bodies":
            keys = ["kle_prefix", "basis", "kind", "name", "address", "email", "cvr", "remove", "junk"]
            form = {
                k: data.draw(
                    st.sampled_from(["02", "ofl", "gdpr", "klageinstans", "tilsyn", "ingen", "1"]) | text
                )
                for k in keys
                if data.draw(st.booleans())
            }
            url = "/admin/appeal-bodies"
        else:
            content = data.draw(
                st.binary(max_size=300)
                | st.sampled_from(
                    [
                        b"<KLE-Emneplan/>",
                        b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
                        b"<KLE-Emneplan>&e;</KLE-Emneplan>",
                        b"<a>" * 2000,
                    ]
                )
            )
            form = {"sample": data.draw(st.sampled_from(["", "0"]) | text)}
            files = {"file": (io.BytesIO(content), "kle.xml")}
            url = "/admin/kle"
        if files:
            form = {**form, **files}
        r = admin.post(url, data=form)
        tally("admin_forms")
        if merged_slashes(r):
            return
        check_page(r, f"admin {what}")
        if r.status_code in (302, 303):
            local_location(r)
            assert r.headers["Location"].startswith("/admin"), r.headers["Location"]
            check_flashes(pop_flashes(admin), f"admin {what}")
        elif what == "token_issue" and r.status_code == 200:
            assert "Ny API-nøgle" in r.get_data(as_text=True)  # the token is shown once, on this answer
        else:
            assert r.status_code in (400, 404, 405, 413), (what, r.status_code)
            if r.status_code == 400:
                expected = (
                    "Lukkedagen blev ikke tilføjet" if what == "closure_add" else "blev ikke taget i brug"
                )
                assert expected in r.get_data(as_text=True)


PAGES = (
    "/cases",
    "/cases/new",
    "/kle",
    "/legal",
    "/dashboard",
    "/dashboard/cases.csv",
    "/admin",
    "/workflow",
    "/",
    "/cases/{cid}",
    "/legal/cases/{cid}",
    "/cases/{cid}/letters/{n}.docx",
    "/cases/{cid}/documents/{n}/file",
    "/cases/{cid}/documents/{n}/inline",
    "/search",
    "/cases/{cid}/packages/{n}.pdf",
    "/cases/{cid}/packages/{n}.zip",
    "/admin/templates/{kind}.docx",
    "/static/{kind}",
    "/login",
)


@settings(FUZZ, max_examples=examples(1000))
@given(data=st.data())
def test_login_and_pages_hostile(fz, data):
    with timed("login_and_pages"):
        if data.draw(st.integers(0, 3)) == 0:
            client = fz.app.test_client()
            nxt = data.draw(st.sampled_from(REDIRECTS) | hostile_form_text)
            if data.draw(st.integers(0, 3)) == 0:  # the right password ("manager" is never sent a wrong one)
                r = client.post(  # from an address of its own: the hostile attempts may lock 127.0.0.1
                    "/login",
                    query_string={"next": nxt},
                    data={"username": "manager", "password": PASSWORD},
                    environ_base={"REMOTE_ADDR": "10.0.0.200"},
                )
                tally("login_and_pages")
                check_page(r, "login")
                assert r.status_code == 303, r.status_code
                local_location(r)
                return
            form = {
                "username": data.draw(st.sampled_from(["cw", "CW ", "admin"]) | hostile_form_text),
                "password": data.draw(hostile_form_text),
            }
            r = client.post("/login", query_string={"next": nxt}, data=form)
            tally("login_and_pages")
            check_page(r, "login")
            assert r.status_code in (400, 401, 429), r.status_code
            text = unescape(r.get_data(as_text=True))
            assert (
                "Forkert brugernavn eller adgangskode" in text
                or "For mange mislykkede forsøg" in text
                or "Skriv dit brugernavn" in text
                or "Skriv din adgangskode" in text
            ), text[:300]
            return
        who = data.draw(st.sampled_from([*USERS, "anonymous"]))
        path = data.draw(st.sampled_from(PAGES)).format(
            cid=data.draw(st.sampled_from(fz.pool.ids()) | st.integers(0, 2**40)),
            n=data.draw(st.integers(0, 2**40)),
            kind=quote(
                data.draw(
                    st.sampled_from(["kvittering", "app.css", "../web/__init__.py", "..%2F..%2Fetc%2Fpasswd"])
                    | hostile_form_text
                ),
                safe="",
            ),
        )
        params = data.draw(
            st.dictionaries(
                st.sampled_from(
                    ["state", "mine", "q", "start", "end", "assignee", "basis", "which", "next"]
                    + ["sort", "dir", "flagged", "overdue", "dok", "side", "delafgoerelse"]
                )
                | st.text(form_chars, max_size=5),
                st.sampled_from(
                    [
                        "screening",
                        "1",
                        "0",
                        "all",
                        "2026-13-01",
                        "31.02.2026",
                        "01.01.0900",
                        "-1",
                        "99999999999",
                    ]
                )
                | hostile_form_text,
                max_size=4,
            )
        )
        r = fz.clients[who].get(path, query_string=params)
        tally("login_and_pages")
        if merged_slashes(r):
            return
        check_page(r, path)
        if r.status_code in (301, 302, 303, 308):
            local_location(r)
            pop_flashes(fz.clients[who])


@settings(FUZZ, max_examples=examples(650))
@given(data=st.data())
def test_uploads_hostile(fz, data):
    with timed("uploads"):
        cid = data.draw(st.sampled_from([c for c, o in fz.pool.origin.items() if o == "collecting"]))
        st_ = case_state(fz.db, cid)
        if st_[0] != "collecting":
            (cid,) = fz.pool.seed(fz.db, 1, "collecting")
            fz.pool.origin[cid] = "collecting"
            st_ = case_state(fz.db, cid)
        name = data.draw(
            st.builds(
                lambda stem, ext: stem + ext,
                hostile_form_text | st.sampled_from(["notat", "brev"]),
                st.sampled_from(
                    [".txt", ".docx", ".pdf", ".PDF", ".exe", ".html", ".svg", "", ".txt.exe", ".pdf\x00.txt"]
                ),
            )
        )
        name = name.replace("\r", "%0D").replace(
            "\n", "%0A"
        )  # as browsers send them (a raw one ends the header)
        content = data.draw(
            st.one_of(
                st.binary(max_size=400),
                st.text(form_chars, max_size=200).map(str.encode),
                st.binary(max_size=200).map(lambda b: b"%PDF-1.7\n" + b),
                st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b),
                st.sampled_from(
                    [b"<script>alert(1)</script>", b"MZ\x90\x00\x03", b"\x89PNG\r\n\x1a\n\x00\x00"]
                ),
            )
        )
        title = data.draw(st.sampled_from(["Notat"]) | hostile_form_text)
        before = st_[1]
        client = fz.clients["cw"]
        body, ctype = multipart({"version": str(before), "title": title}, name, content)
        r = client.post(f"/cases/{cid}/actions/add_document", data=body, content_type=ctype)
        tally("uploads")
        check_page(r, "upload")
        assert r.status_code in (303, 400, 409, 413, 422), r.status_code
        if r.status_code == 413:
            return
        if r.status_code != 303:  # refused: the case page again, the message in the upload form's summary
            assert case_state(fz.db, cid)[1] == before, "a refused upload changed the case"
            assert "data-error-summary" in r.get_data(as_text=True)
            return
        local_location(r)
        flashes = pop_flashes(client)
        check_flashes(flashes, "upload")
        after = case_state(fz.db, cid)[1]
        if any(c == "ok" for c, _ in flashes):
            with fz.db.session() as s:
                doc = s.scalars(
                    select(Document).where(Document.case_id == cid).order_by(Document.id.desc())
                ).first()
                if not name:  # an empty file name is how a browser says "no file chosen"
                    assert after == before + 1
                    assert doc.filename is None and doc.content is None
                    return
                # The upload, then (the suite reads stored files at once) the worker's screen_document.
                assert after == before + 2 and doc.status in ("screened", "refused"), (after, doc.status)
                if doc.status == "refused":  # read by the worker and refused: nothing of it is kept
                    assert doc.content is None and doc.error
                    return
                # What was accepted is a plain name with an accepted type, and the bytes are what was sent.
                assert (
                    doc.filename
                    and not re.search(r"[\x00-\x1f\x7f/\\]", doc.filename)
                    and ".." not in doc.filename
                )
                assert os.path.splitext(doc.filename)[1].lower() in TYPES
                assert doc.content == content
                if doc.filename.lower().endswith(".pdf"):
                    assert content.lstrip().startswith(b"%PDF-")
                if doc.filename.lower().endswith(".docx"):
                    assert content.startswith(b"PK")
        else:
            assert after == before, "a refused upload changed the case"
            assert any("blev ikke udført" in m for _, m in flashes)


def test_zz_at_least_10000_generated_inputs(figures):
    """All fuzz loops of this file together sent at least 10,000 generated requests (run as a whole)."""
    if set(FUZZ_SECONDS) != set(FUZZ_TESTS) or FUZZ_FAILED or SCALE < 1:
        pytest.skip(
            "only meaningful when every fuzz loop of this file ran to the end, at full size "
            f"(stopped early: {sorted(FUZZ_FAILED) or 'none'})"
        )
    total = sum(INPUTS.values())
    figures("hostile input: generated requests (total)", total)
    assert total >= MIN_INPUTS, f"only {total} generated inputs; raise max_examples"


# ============================================================================================================
# Part 2: deterministic hostile input, CSRF on, through the real login
# ============================================================================================================


USED: dict[str, str] = {}  # tag -> the payload typed into that field


def P(tag: str) -> str:
    """An XSS + template-injection payload carrying a tag naming the field it was typed into."""
    USED[tag] = (
        f"<script>alert('{tag}')</script>\"><img src=x onerror=alert('{tag}')>"
        f"<svg/onload=alert('{tag}')>javascript:alert('{tag}') {{{{7*7}}}}{tag} {{% raw %}}{tag}"
    )
    return USED[tag]


def S(tag: str) -> str:
    """A short payload (for fields of 40 characters)."""
    USED[tag] = f"<script>alert('{tag}')</script>{{{{7*7}}}}{tag}"[:40]
    return USED[tag]


def E(tag: str) -> str:
    """A payload that is still a valid e-mail address."""
    USED[tag] = f"\"><img/src=x/onerror=alert('{tag}')>{{{{7*7}}}}{tag}@x.dk"
    return USED[tag]


class TagAudit(HTMLParser):
    """Everything in a page that could run script: script tags, event-handler attributes, script URLs."""

    URL_ATTRS = (
        "href",
        "src",
        "action",
        "formaction",
        "xlink:href",
        "data",
        "srcdoc",
        "poster",
        "background",
    )

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            v = re.sub(r"[\x00-\x20]", "", (value or "")).lower()
            if name in self.URL_ATTRS and v.startswith(("javascript:", "vbscript:", "data:text/html")):
                self.problems.append(f"<{tag} {name}={value!r}>")
        a = dict(attrs)
        letter_frame = (
            tag == "iframe"
            and {"class", "src", "title", "data-letter-preview"}
            <= set(a)
            <= {
                "class",
                "src",
                "title",
                "data-letter-preview",
                "loading",
            }
            and a["class"] == "letter-frame"
            and re.fullmatch(r"/cases/\d+/letters/preview/\w+\.pdf(\?[^\s\"'<>]*)?", a["src"] or "")
        )  # the app's letter preview as PDF, same origin
        document_view = (
            tag in ("iframe", "img")
            and a.get("class") in ("doc-viewer", "doc-viewer-img")
            and re.fullmatch(r"/cases/\d+/documents/\d+/inline", a.get("src") or "")
        )  # a stored PDF or image shown inline: served only as PDF/PNG/JPEG/GIF, sandboxed (docs/search.md)
        letter_frame = letter_frame or document_view
        if (
            tag in ("iframe", "object", "embed", "img", "frame", "base", "image")
            and not letter_frame
            and not self._page_image(tag, attrs)
        ):
            self.problems.append(f"<{tag} {dict(attrs)!r}>")  # the app itself uses none of these
        if tag == "meta" and any(n == "http-equiv" for n, _ in attrs):
            self.problems.append(f"<meta {dict(attrs)!r}>")
        if tag == "script":
            self._in_script = True
            a = dict(attrs)
            if not (a.get("src") or "").startswith("/static/"):
                self.problems.append(f"<script {a!r}> (not the app's own script file)")

    @staticmethod
    def _page_image(tag, attrs) -> bool:
        """The one image the app shows: a document's rendered page (docs/redaction.md), from its own route."""
        src = dict(attrs).get("src") or ""
        return (
            tag == "img"
            and re.fullmatch(r"/cases/\d+/documents/\d+/(released/)?pages/\d+\.png", src) is not None
        )

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._in_script = False

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline script: {data[:80]!r}")


def assert_inert(html: str, where: str, expect: tuple[str, ...] = ()) -> int:
    """No live markup from the payloads; each expected field's payload is there, escaped, not evaluated.

    Returns the number of payload fields found on the page."""
    audit = TagAudit()
    audit.feed(html)
    audit.close()
    assert not audit.problems, f"{where}: live markup: {audit.problems[:5]}"
    # Every quote of every payload is escaped, so the raw page never holds a payload's call as markup.
    assert "alert('" not in html and "<script>alert" not in html and "<svg/onload" not in html, (
        f"{where}: a payload is in the page unescaped"
    )
    text = unescape(html)
    assert SECRET not in text, f"{where}: the secret key leaked"
    found = sorted(set(re.findall(r"alert\('([a-z0-9_]+)'\)", text)))
    for tag in found:
        assert f"49{tag}" not in text, f"{where}: {{{{7*7}}}} was evaluated in the {tag!r} field"
    for tag in expect:
        shortened = tag.endswith("~")  # shown shortened: only the start of the payload is on the page
        tag = tag.rstrip("~")
        assert tag in found and f"alert(&#39;{tag}&#39;)" in html, (
            f"{where}: the {tag!r} field is not on the page (escaped)"
        )
        if f"{{{{7*7}}}}{tag}" in USED.get(tag, "") and not shortened:
            assert f"{{{{7*7}}}}{tag}" in text, f"{where}: {{{{7*7}}}}{tag} is not shown literally"
    return len(found)


class Ui:
    """A logged-in test client that posts the real forms with their CSRF token and the case version."""

    def __init__(self, app, username: str):
        self.client = app.test_client()
        r = login(self.client, username)
        assert r.status_code == 303, (username, r.status_code)
        self.username = username

    def get(self, url: str):
        r = self.client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        return r.get_data(as_text=True)

    def act(self, case_id: int, trigger: str, ok: bool = True, page: str | None = None, **fields):
        if trigger in letter_preview.confirmed_triggers() and "letter_sha256" not in fields:
            # A letter to a person is sent from its preview, as the case page does.
            fields["letter_sha256"], _ = self.seen(case_id, trigger, **fields)
        html = self.get(page or f"/cases/{case_id}")
        data = {"csrf_token": csrf_of(html), "version": VERSION_RE.search(html).group(1), **fields}
        r = self.client.post(f"/cases/{case_id}/actions/{trigger}", data=data)
        assert r.status_code == 303, (trigger, r.status_code, r.get_data(as_text=True)[:300])
        local_location(r)
        flashes = pop_flashes(self.client)
        if ok:
            assert any(c == "ok" for c, _ in flashes), (trigger, flashes)
        return flashes

    def seen(self, case_id: int, trigger: str, **fields) -> tuple[str, str]:
        """Open the letter's preview page as the send form would: (the letter's fingerprint, the page)."""
        html = self.get(f"/cases/{case_id}")
        data = {"csrf_token": csrf_of(html), "version": VERSION_RE.search(html).group(1), **fields}
        r = self.client.post(f"/cases/{case_id}/letters/preview/{trigger}", data=data)
        assert r.status_code == 200, (trigger, r.status_code, pop_flashes(self.client))
        html = r.get_data(as_text=True)
        return re.search(r'name="letter_sha256" value="([0-9a-f]{64})"', html)[1], html

    def post(self, url: str, page: str, **fields):
        html = self.get(page)
        return self.client.post(url, data={"csrf_token": csrf_of(html), **fields})


def kle_xml(titles: dict[str, str]) -> bytes:
    """A small KLE plan; ``titles`` maps emne numbers to their titles."""
    groups: dict[str, dict[str, list[str]]] = {}
    for emne in titles:
        hg, gr, _ = emne.split(".")
        groups.setdefault(hg, {}).setdefault(f"{hg}.{gr}", []).append(emne)
    parts = ["<?xml version='1.0' encoding='UTF-8'?><KLE-Emneplan>"]
    for hg, grs in groups.items():
        parts.append(
            f"<Hovedgruppe><HovedgruppeNr>{hg}</HovedgruppeNr><HovedgruppeTitel>H {hg}</HovedgruppeTitel>"
        )
        for gr, emner in grs.items():
            parts.append(f"<Gruppe><GruppeNr>{gr}</GruppeNr><GruppeTitel>G {gr}</GruppeTitel>")
            for e in emner:
                parts.append(
                    f"<Emne><EmneNr>{e}</EmneNr><EmneTitel>{xml_escape(titles[e])}</EmneTitel></Emne>"
                )
            parts.append("</Gruppe>")
        parts.append("</Hovedgruppe>")
    parts.append("</KLE-Emneplan>")
    return "".join(parts).encode()


def build_payload_world(app, db) -> SimpleNamespace:
    """Cases full of payloads, typed through the forms (CSRF on) by the roles who would type them."""
    today = clock.today()
    admin, cw, legal, manager = (Ui(app, u) for u in ("admin", "cw", "legal", "manager"))
    pages: dict[str, str] = {}

    # Administrator: municipality settings, a user with a payload name, a KLE plan with payload titles.
    muni = {
        "name": P("mname"),
        "address": P("maddr"),
        "phone": S("mphone"),
        "email": E("memail"),
        "web": "javascript:alert('mweb')",
        "logo_text": P("mlogo"),
    }
    r = admin.post("/admin/municipality", "/admin", **muni)
    assert r.status_code == 303 and any(c == "ok" for c, _ in pop_flashes(admin.client)), muni
    for prefix, kind in (("", "tilsyn"), ("02", "klageinstans")):  # the appeal bodies the letters name
        appeal = {
            "kle_prefix": prefix,
            "basis": "ofl",
            "kind": kind,
            "name": P("mappeal"),
            "address": P("mappaddr"),
        }
        r = admin.post("/admin/appeal-bodies", "/admin", **appeal)
        assert r.status_code == 303 and any(c == "ok" for c, _ in pop_flashes(admin.client)), appeal
    r = admin.post(
        "/admin/users",
        "/admin",
        username="xss.bruger",
        role="caseworker",
        password="langt-kodeord",
        name=P("uname"),
    )
    assert r.status_code == 303 and any(c == "ok" for c, _ in pop_flashes(admin.client))
    html = admin.get("/admin")
    r = admin.client.post(
        "/admin/kle",
        data={
            "csrf_token": csrf_of(html),
            "file": (
                io.BytesIO(
                    kle_xml({"02.34.02": P("kle"), "81.02.00": "Personalesager", "15.17.12": "Tilsyn"})
                ),
                "kle.xml",
            ),
        },
    )
    assert r.status_code == 303 and any(c == "ok" for c, _ in pop_flashes(admin.client))
    # A template that is not a Word file, with a payload file name: the problems page names the file.
    html = admin.get("/admin")
    r = admin.client.post(
        "/admin/templates/kvittering",
        data={
            "csrf_token": csrf_of(html),
            "file": (io.BytesIO(b"not a docx"), "<img src=x onerror=alert('tplfile')>.docx"),
        },
    )
    assert r.status_code == 400
    pages["admin: template problems"] = r.get_data(as_text=True)

    # Intake through the form: requester, subject and e-mail are payloads.
    html = cw.get("/cases/new")
    r = cw.client.post(
        "/cases/new",
        data={
            "csrf_token": csrf_of(html),
            "requester": P("req"),
            "email": E("email"),
            "cpr": "",
            "cvr": "",
            "received": (today - dt.timedelta(days=20)).isoformat(),
            "channel": "e-mail",
            "basis": "ofl",
            "subject": P("subj"),
            "emne": "02.34.02",
            "assign": "cw",
        },
    )
    assert r.status_code == 303, r.get_data(as_text=True)[:500]
    a = int(r.headers["Location"].rsplit("/", 1)[1])
    pop_flashes(cw.client)

    # Case A through the workflow; every text a user types is a payload.
    future = (today + dt.timedelta(days=21)).isoformat()
    cw.act(a, "register")
    cw.act(a, "send_deadline_notice", reason=P("reason"), expected=future)
    cw.act(a, "request_clarification", note=P("clarify"))
    cw.act(a, "clarification_received", note=P("understood"))
    html = cw.get(f"/cases/{a}")
    body, ctype = multipart(
        {
            "csrf_token": csrf_of(html),
            "version": VERSION_RE.search(html).group(1),
            "title": P("title1"),
            "sender": P("sender"),
            "recipient": P("recip"),
            "archive_doc_id": S("docid"),
            "date": (today - dt.timedelta(days=30)).isoformat(),
        },
        "\"><img src=x onerror=alert('fname')>.txt",
        P("filetext").encode(),
    )
    USED["fname"] = "\"><img src=x onerror=alert('fname')>.txt"
    r = cw.client.post(f"/cases/{a}/actions/add_document", data=body, content_type=ctype)
    assert r.status_code == 303 and any(c == "ok" for c, _ in pop_flashes(cw.client)), "upload refused"
    cw.act(a, "add_document", title=P("title2"))
    docs = case_view(db, a)["documents"]
    cw.act(a, "edit_document", document_id=str(docs[1]["id"]), recipient=P("recip2"))
    cw.act(a, "flag_for_legal", note=P("flag"))
    cw.act(a, "start_screening")
    cw.act(
        a,
        "assess_document",
        document_id=str(docs[0]["id"]),
        outcome="partial",
        grounds="ofl-30-1",
        meroffentlighed_note=P("mer"),
        reason=P("redaction"),
        weighing_note=P("weighing"),
        internal_note=P("internal"),
    )
    cw.act(a, "assess_document", document_id=str(docs[1]["id"]), outcome="grant")
    # Released in part: a redaction (docs/redaction.md), its term a payload shown on the document page.
    cw.act(a, "redact", document_id=str(docs[0]["id"]), term=P("redterm"), ground="ofl-30-1")
    pages["document: redactions"] = cw.get(f"/cases/{a}/documents/{docs[0]['id']}")
    cw.act(a, "request_hearing", party=P("party"), question=P("question"), reply_by=future)
    cw.act(a, "hearing_completed", reply="received", note=P("reply"))
    cw.act(a, "submit_for_legal_review", note=P("tolegal"))
    pages["legal: queue"] = legal.get("/legal")
    pages["legal: review"] = legal.get(f"/legal/cases/{a}")
    legal.act(a, "return_to_screening", note=P("returned"), page=f"/legal/cases/{a}")
    cw.act(a, "submit_for_legal_review", note=P("tolegal2"))
    legal.act(a, "approve_legal", note=P("approved"), page=f"/legal/cases/{a}")
    # The case is flagged: its documents are released early only once the legal contact has approved them.
    seen, pages["caseworker: partial decision letter preview"] = cw.seen(
        a, "send_partial_decision", note=P("partial")
    )
    cw.act(a, "send_partial_decision", note=P("partial"), letter_sha256=seen)
    seen, pages["caseworker: decision letter preview"] = cw.seen(a, "send_decision", note=P("decision"))
    cw.act(a, "send_decision", note=P("decision"), letter_sha256=seen)
    cw.act(a, "receive_complaint", note=P("complaint"))
    cw.act(a, "uphold_and_forward", note=P("uphold"))

    # Case B: from the API, forwarded to another authority. A payload as the channel is refused: intake
    # accepts only the known channels, through every door.
    token = issue_token(db, "cw", actor=SYSTEM_ACTOR)
    body = {
        "requester": P("apireq"),
        "received": today.isoformat(),
        "basis": "ofl",
        "subject": P("apisubj"),
        "emne": "02.34.02",
        "channel": S("chan"),
        "email": E("apiemail"),
    }
    r = app.test_client().post("/api/v1/requests", json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 400 and r.get_json()["field"] == "channel", r.get_json()
    body["channel"] = "selvbetjening"
    r = app.test_client().post("/api/v1/requests", json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.get_json()
    b = r.get_json()["id"]
    cw.act(b, "register")
    cw.act(b, "forward", authority=P("authority"), note=P("fwdnote"))

    # Case C: a personnel case (OFL § 41 notice to the employee), then withdrawn.
    html = cw.get("/cases/new")
    r = cw.client.post(
        "/cases/new",
        data={
            "csrf_token": csrf_of(html),
            "requester": P("req3"),
            "received": today.isoformat(),
            "channel": "brev",
            "basis": "ofl",
            "subject": "Personalesag",
            "emne": "81.02.00",
            # A personnel case is sensitive: assigned at intake (an unassigned one is a manager's to assign).
            "assign": "cw",
        },
    )
    assert r.status_code == 303
    c = int(r.headers["Location"].rsplit("/", 1)[1])
    pop_flashes(cw.client)
    cw.act(c, "notify_employee", employee=P("employee"), stage="request", note=P("notify"))
    cw.act(c, "withdraw", note=P("withdraw"))

    # Case D: GDPR, extended, reassigned by the manager to the user with the payload name; overdue.
    html = cw.get("/cases/new")
    r = cw.client.post(
        "/cases/new",
        data={
            "csrf_token": csrf_of(html),
            "requester": P("req4"),
            "received": (today - dt.timedelta(days=12)).isoformat(),
            "channel": "brev",
            "basis": "gdpr",
            "subject": P("subj4"),
            "emne": "15.17.12",
            "assign": "cw",
        },
    )
    assert r.status_code == 303
    d = int(r.headers["Location"].rsplit("/", 1)[1])
    pop_flashes(cw.client)
    cw.act(d, "extend_deadline", reason=P("extend"))
    manager.act(d, "assign", assignee="xss.bruger")

    # Case E: from the API, flagged and left with the legal contact.
    body = {
        "requester": P("req5"),
        "received": today.isoformat(),
        "basis": "fvl",
        "subject": P("subj5"),
        "emne": "15.17.12",
        "assign": "cw",
    }
    r = app.test_client().post("/api/v1/requests", json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201
    e = r.get_json()["id"]
    cw.act(e, "register")
    cw.act(e, "start_collecting")
    cw.act(e, "flag_for_legal", note=P("flag5"))
    cw.act(e, "start_screening")
    cw.act(e, "submit_for_legal_review", note=P("tolegal5"))

    # The login form and the throttling message echo a payload user name.
    anon = app.test_client()
    for _ in range(6):
        r = login(anon, "<script>alert('login')</script>", "forkert")
    assert r.status_code == 429
    pages["login: throttled"] = r.get_data(as_text=True)
    return SimpleNamespace(
        a=a, b=b, c=c, d=d, e=e, cw=cw, legal=legal, manager=manager, admin=admin, pages=pages
    )


CASE_A_FIELDS = (
    "req",
    "email",
    "subj",
    "reason",
    "clarify",
    "understood",
    "title1",
    "title2",
    "sender",
    "recip",
    "recip2",
    "fname",
    "flag",
    "mer",
    "redaction",
    "weighing",
    "internal",
    "party",
    "question",
    "reply",
    "partial",
    "tolegal",
    "returned",
    "tolegal2",
    "approved",
    "decision",
    "complaint",
    "uphold",
    "kle",
)


def test_xss_and_template_payloads_are_inert_in_every_page(sqlite_db, figures):
    app = make_app(sqlite_db)
    w = build_payload_world(app, sqlite_db)
    checked: dict[str, int] = {}

    def check(where, html, expect=()):
        checked[where] = assert_inert(html, where, expect)

    check("legal: queue (during review)", w.pages["legal: queue"], ("req", "subj", "flag"))
    check(
        "legal: review (during review)",
        w.pages["legal: review"],
        ("req", "subj", "flag", "tolegal", "title1", "sender", "mer", "redaction"),
    )
    check("admin: template problems", w.pages["admin: template problems"], ("tplfile",))
    check("login: throttled", w.pages["login: throttled"], ("login",))
    check("document: redactions", w.pages["document: redactions"], ("redterm",))
    check("case A", w.cw.get(f"/cases/{w.a}"), CASE_A_FIELDS)
    check("case B", w.cw.get(f"/cases/{w.b}"), ("apireq", "apisubj", "apiemail", "fwdnote"))
    check("case C", w.cw.get(f"/cases/{w.c}"), ("req3", "employee", "notify", "withdraw"))
    check("case D", w.cw.get(f"/cases/{w.d}"), ("req4", "subj4", "uname"))
    check("case E", w.cw.get(f"/cases/{w.e}"), ("req5", "subj5", "flag5", "tolegal5"))
    check("case A as legal", w.legal.get(f"/cases/{w.a}"), ("req", "subj"))
    check(
        "legal: review (after)",
        w.legal.get(f"/legal/cases/{w.a}"),
        ("flag", "tolegal", "returned", "approved"),
    )
    check("legal: queue", w.legal.get("/legal"), ("req5", "subj5", "flag5"))
    check("legal: review of E", w.legal.get(f"/legal/cases/{w.e}"), ("req5", "subj5", "flag5", "tolegal5"))
    check("case list (mine)", w.cw.get("/cases?mine=1"), ("req", "subj", "req5", "subj5"))
    check("case list (all)", w.manager.get("/cases?mine=0"), ("req", "subj", "req4", "uname"))
    check("dashboard", w.manager.get("/dashboard"), ("uname", "subj4~"))
    check("dashboard (filtered)", w.manager.get("/dashboard?assignee=0&basis=gdpr&start=2000-01-01"))
    check(
        "admin",
        w.admin.get("/admin"),
        ("mname", "maddr", "mphone", "memail", "mlogo", "mappeal", "mappaddr", "uname"),
    )
    check("new case form", w.cw.get("/cases/new"), ("uname",))
    check("workflow", w.cw.get("/workflow"))
    # The municipality's web address is "javascript:alert('mweb')": it is only ever text, never a link.
    assert 'href="javascript' not in w.admin.get("/admin").lower()
    # The KLE search answers JSON (its titles are put into the page with textContent, never as HTML).
    r = w.cw.client.get("/kle", query_string={"q": "02.34"})
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert any(x["titel"] == P("kle") for x in r.get_json()["results"])
    # The CSV export: payloads are plain cells; nothing starts a spreadsheet formula.
    r = w.manager.client.get("/dashboard/cases.csv?which=all&start=2000-01-01")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    body = r.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert SECRET not in body and any(USED["subj4"] in cell for row in rows for cell in row)
    for row in rows[1:]:
        assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in row), row
    # The API gives the payloads back literally, as JSON strings.
    token = issue_token(sqlite_db, "legal", actor=SYSTEM_ACTOR)
    r = app.test_client().get(f"/api/v1/cases/{w.a}", headers={"Authorization": f"Bearer {token}"})
    assert r.get_json()["requester"] == P("req") and r.mimetype == "application/json"
    figures("xss: pages checked (raw HTML, no live tag/attribute)", len(checked))
    figures("xss: payload fields found escaped across pages", sum(checked.values()))


def docx_text(content: bytes) -> str:
    """All text of a .docx (body, headers, footers), one line per paragraph; opens it with python-docx too."""
    import docx

    docx.Document(io.BytesIO(content))  # well-formed: Word would open it
    z = zipfile.ZipFile(io.BytesIO(content))
    lines = []
    for name in sorted(
        n for n in z.namelist() if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", n)
    ):
        xml = z.read(name).decode("utf-8")
        for p in re.findall(r"<w:p[ >].*?</w:p>", xml, re.S):
            lines.append(unescape("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p))))
    return "\n".join(lines)


# The payloads each letter must carry literally (besides the municipality's name on every letter).
LETTER_FIELDS = {
    "kvittering": ("req|req5|apireq", "subj|subj5|apisubj"),
    "fristbrev": ("reason|extend",),
    "praecisering": ("clarify",),
    "hoering": ("party", "question"),
    "delafgoerelse": ("partial", "title2"),
    "afgoerelse": ("decision", "title1", "title2", "mer", "redaction", "weighing", "mappeal"),
    "klage_oversendelse": ("uphold", "req", "mappeal", "mappaddr"),
    "videresendelse": ("authority", "apireq"),
    "underretning_ansat": ("employee", "req3"),
}


def test_payloads_are_literal_text_in_every_letter(sqlite_db, figures):
    app = make_app(sqlite_db)
    w = build_payload_world(app, sqlite_db)
    token = issue_token(sqlite_db, "cw", actor=SYSTEM_ACTOR)
    api = app.test_client()
    seen: dict[str, int] = {}
    with sqlite_db.session() as s:
        letters = s.execute(select(Letter.id, Letter.case_id, Letter.kind).order_by(Letter.id)).all()
    for lid, cid, kind in letters:
        r = w.cw.client.get(f"/cases/{cid}/letters/{lid}.docx")
        assert r.status_code == 200 and r.mimetype.endswith("wordprocessingml.document")
        r2 = api.get(f"/api/v1/cases/{cid}/letters/{lid}", headers={"Authorization": f"Bearer {token}"})
        assert r2.status_code == 200 and r2.data == r.data
        text = docx_text(r.data)
        assert SECRET not in text
        assert USED["internal"] not in text, f"{kind}: an internal note reached the letter"
        assert P("mname") in text or P("mlogo") in text, f"{kind}: the municipality's name is missing"
        for alternatives in LETTER_FIELDS.get(kind, ()):
            assert any(USED[t] in text for t in alternatives.split("|")), (
                f"{kind}: the {alternatives!r} text is not in the letter literally:\n{text}"
            )
        for tag in set(re.findall(r"alert\('([a-z0-9_]+)'\)", text)):
            assert f"49{tag}" not in text, f"{kind}: {{{{7*7}}}} was evaluated in {tag}"
            if f"alert('{tag}')</script>\"><img" in text:
                assert f"{{{{7*7}}}}{tag} {{% raw %}}{tag}" in text, (
                    f"{kind}: {tag}: template code not literal"
                )
        seen[kind] = seen.get(kind, 0) + 1
    assert set(LETTER_FIELDS) <= set(seen), f"letters not made: {set(LETTER_FIELDS) - set(seen)}"
    figures("xss: letters checked (literal payloads, {{7*7}} never 49)", sum(seen.values()))


def test_template_code_in_requester_text_is_never_evaluated(sqlite_db):
    """Requester text that is template code stays text: in the page, in the API and in the letter."""
    app = make_app(sqlite_db)
    token = issue_token(sqlite_db, "cw", actor=SYSTEM_ACTOR)
    attempts = [
        "{{ config.SECRET_KEY }}",
        "{{ config }}",
        "{% for k in config %}{{k}}{% endfor %}",
        "{{ self.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ request.environ }}",
        "{% raw %}{{7*7}}{% endraw %}",
        "{{7*'7'}}",
    ]
    api = app.test_client()
    ui = Ui(app, "cw")
    for text in attempts:
        r = api.post(
            "/api/v1/requests",
            headers={"Authorization": f"Bearer {token}"},
            json={
                "requester": text,
                "received": clock.today().isoformat(),
                "basis": "ofl",
                "subject": text,
                "emne": "02.34.02",
            },
        )
        assert r.status_code == 201
        cid = r.get_json()["id"]
        assert r.get_json()["requester"] == shown(text)
        ui.act(cid, "register")
        html = ui.get(f"/cases/{cid}")
        assert str(escape(text)) in html
        with sqlite_db.session() as s:
            content = s.scalar(select(Letter.content).where(Letter.case_id == cid))
        letter = docx_text(content)
        assert text in letter, (text, letter[:400])
        for leak in (SECRET, "uid=", "SECRET_KEY", "WTF_CSRF", "7777777", "wsgi."):
            assert leak not in letter.replace(text, "") and leak not in unescape(html).replace(text, ""), (
                text,
                leak,
            )


def _minimal_docx(text: str) -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph(text)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _minimal_pdf() -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for k, v in files.items():
            z.writestr(k, v)
    return out.getvalue()


NOT_WHAT_THEY_CLAIM = [
    ("rapport.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00PE\x00\x00"),  # a Windows program
    ("rapport.pdf", b"<html><script>alert(1)</script></html>"),
    ("rapport.PDF", b"GIF89a\x01\x00\x01\x00"),
    ("brev.docx", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"),
    ("brev.docx", b"PK\x03\x04 this is no zip at all"),
    ("brev.docx", _zip_of({"evil.sh": b"#!/bin/sh\nrm -rf /\n"})),  # a zip, but not a Word document
    ("brev.docx", _zip_of({"word/document.xml": b"<not-ooxml/>"})),
    ("notat.txt", b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00"),
    ("notat.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
    ("program.exe", b"MZ\x90\x00"),
    ("side.html", b"<script>alert(1)</script>"),
    ("billede.svg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
    ("notat.txt.exe", b"plain text"),
    ("uden-endelse", b"plain text"),
    ("tom.txt", b""),
]
GOOD_FILES = [
    ("notat.txt", "Notat om mødet.\n".encode()),
    ("brev.docx", _minimal_docx("Et rigtigt Word-dokument")),
    ("scan.pdf", _minimal_pdf()),
]


def _collecting_case(db) -> int:
    c = create_case(
        db,
        actor="cw",
        requester="Mette Hansen",
        received=clock.today(),
        basis="ofl",
        subject="Byggesag",
        emne="02.34.02",
        assign="cw",
    )
    fire(db, c.id, "register", actor="cw")
    fire(db, c.id, "start_collecting", actor="cw")
    return c.id


def _upload(ui: Ui, cid: int, name: str, content: bytes):
    html = ui.get(f"/cases/{cid}")
    body, ctype = multipart(
        {"csrf_token": csrf_of(html), "version": VERSION_RE.search(html).group(1), "title": "Bilag"},
        name,
        content,
    )
    return ui.client.post(f"/cases/{cid}/actions/add_document", data=body, content_type=ctype)


def test_files_that_are_not_what_they_claim_are_refused(sqlite_db):
    app = make_app(sqlite_db)
    ui = Ui(app, "cw")
    cid = _collecting_case(sqlite_db)
    for name, content in NOT_WHAT_THEY_CLAIM:
        before = case_view(sqlite_db, cid)
        r = _upload(ui, cid, name, content)
        # Refused: the case page drawn again (400), the error summary naming the file field, the title kept.
        assert r.status_code == 400, (name, r.status_code)
        page = unescape(r.get_data(as_text=True))
        assert "error-summary" in page and 'href="#add-file"' in page, name
        assert 'value="Bilag"' in page, name
        after = case_view(sqlite_db, cid)
        assert after["version"] == before["version"] and len(after["documents"]) == len(
            before["documents"]
        ), name
    # A file that looks like a PDF but is broken inside passes the fast check at upload; the worker that
    # reads it refuses it: nothing of it is kept and the case is flagged to read it manually.
    r = _upload(ui, cid, "rapport.pdf", b"%PDF-1.7\n% no objects, no xref, no trailer\n")
    assert r.status_code == 303 and [c for c, _ in pop_flashes(ui.client)] == ["ok"]
    view = case_view(sqlite_db, cid)
    broken = view["documents"][-1]
    assert broken["screening"] == "refused" and broken["screening_error"]
    assert any("skal læses manuelt" in f for f in view["flag_reasons"])
    with sqlite_db.session() as s:
        assert s.get_one(Document, broken["id"]).content is None
    # The control: real files of each accepted type are taken, served back as attachments of their type.
    for name, content in GOOD_FILES:
        r = _upload(ui, cid, name, content)
        assert r.status_code == 303 and [c for c, _ in pop_flashes(ui.client)] == ["ok"], name
        doc = case_view(sqlite_db, cid)["documents"][-1]
        assert doc["filename"] == name
        r = ui.client.get(f"/cases/{cid}/documents/{doc['id']}/file")
        assert r.status_code == 200 and r.data == content
        assert r.headers["Content-Disposition"].startswith("attachment")
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.mimetype in (
            "text/plain",
            "application/pdf",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )


TRAVERSAL_NAMES = [
    "../../{t}.txt",
    "..\\..\\{t}.docx",
    "/tmp/{t}.txt",
    "/etc/{t}.txt",
    "C:\\Windows\\{t}.txt",
    "....//....//{t}.txt",
    "x/../../{t}.txt",
    "..",
    ".",
    "../",
    "{t}\x00.txt",
    "{t}.txt\x00.exe",
    "\x00../../{t}.txt",
    "{t}\n.txt",
    "{t}\r.txt",
    "\\\\server\\share\\{t}.txt",
    "~/{t}.txt",
    "./{t}.txt",
    "a" * 250 + ".txt",
    "..%2F..%2F{t}.txt",
]


def _snapshot(*roots: Path) -> set[str]:
    out = set()
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [
                d
                for d in dirnames
                if d not in (".venv", ".git", "node_modules", "__pycache__", ".hypothesis", "test-artifacts")
            ]
            out.update(os.path.join(dirpath, f) for f in filenames)
    return out


def test_path_traversal_in_file_names_is_refused_and_nothing_is_written(sqlite_db, tmp_path, monkeypatch):
    token = f"aktflow-trav-{os.getpid()}-{time.time_ns()}"
    work = tmp_path / "a" / "b" / "c"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    monkeypatch.setenv("AKTFLOW_INSTANCE", str(tmp_path / "instance"))
    app = make_app(sqlite_db)
    ui = Ui(app, "cw")
    cid = _collecting_case(sqlite_db)
    roots = (tmp_path, ROOT / "web", ROOT / "aktflow", ROOT / "letters")
    before_files = _snapshot(*roots)
    refused = 0
    for pattern in TRAVERSAL_NAMES:
        name = pattern.format(t=token)
        before = case_view(sqlite_db, cid)
        r = _upload(ui, cid, name, b"harmless text\n")
        assert r.status_code in (303, 400), (name, r.status_code)
        flashes = pop_flashes(ui.client)
        after = case_view(sqlite_db, cid)
        if r.status_code == 400 or [c for c, _ in flashes] == ["error"]:
            refused += 1
            assert after["version"] == before["version"], name
            continue
        # Accepted only if what arrived was a plain file name (the client or werkzeug cut the path away).
        stored = after["documents"][-1]["filename"]
        if stored is None:  # the multipart parser found no file name: the document has no file at all
            continue
        assert not re.search(r"[\x00-\x1f\x7f/\\]", stored) and ".." not in stored and len(stored) <= 200, (
            f"{name!r} stored as {stored!r}"
        )
    assert refused >= len(TRAVERSAL_NAMES) - 2, (
        f"only {refused} of {len(TRAVERSAL_NAMES)} refused"
    )  # CR/LF: no file
    new = {f for f in _snapshot(*roots) - before_files if not re.search(r"\.db(-wal|-shm|-journal)?$", f)}
    assert not new, f"files written: {sorted(new)[:5]}"
    bases = {
        work,
        work.parent,
        work.parent.parent,
        work.parent.parent.parent,
        tmp_path,
        tmp_path / "instance",
        Path("/tmp"),
        Path("/etc"),
        Path("/"),
        ROOT,
        ROOT.parent,
        ROOT / "instance",
    }
    for base in bases:
        assert not list(base.glob(f"{token}*")), f"a file named after the upload appeared in {base}"
    # Path tricks in the URLs of the other file routes answer 404, never a file from outside.
    admin = Ui(app, "admin")
    for url in (
        "/static/..%2F..%2Fweb%2F__init__.py",
        "/static/../web/__init__.py",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/admin/templates/..%2F..%2Fetc%2Fpasswd.docx",
        "/admin/templates/....%2F%2Fkvittering.docx",
        f"/cases/{cid}/documents/..%2F1/file",
        f"/cases/{cid}/letters/..%2F..%2F1.docx",
    ):
        r = admin.client.get(url)
        assert r.status_code == 404, (url, r.status_code)
        assert b"root:" not in r.data and b"create_app" not in r.data


def test_oversized_uploads_are_413(sqlite_db, monkeypatch):
    # Default limit (25 MB): a form upload over it and an API body over it.
    app = make_app(sqlite_db)
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == 25 * 1024 * 1024
    ui = Ui(app, "cw")
    cid = _collecting_case(sqlite_db)
    before = case_view(sqlite_db, cid)["version"]
    r = _upload(ui, cid, "stor.txt", b"a" * (limit + 1))
    assert r.status_code == 413
    assert "Filen er for stor" in r.get_data(as_text=True) and 'lang="da"' in r.get_data(as_text=True)
    assert case_view(sqlite_db, cid)["version"] == before
    token = issue_token(sqlite_db, "cw", actor=SYSTEM_ACTOR)
    big = json.dumps({"requester": "x" * (limit + 1)})
    r = app.test_client().post(
        "/api/v1/requests",
        data=big,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 413 and r.get_json()["error"]
    r = app.test_client().post(
        f"/api/v1/cases/{cid}/events/add_document",
        data=big,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "If-Match": f'"{before}"'},
    )
    assert r.status_code == 413 and r.get_json()["error"]
    # A municipality's own lower limit applies to uploads the same way (form: 413; the file check agrees).
    monkeypatch.setenv("AKTFLOW_MAX_UPLOAD", str(256 * 1024))
    small = make_app(sqlite_db)
    ui2 = Ui(small, "cw")
    r = _upload(ui2, cid, "stor.txt", b"a" * (256 * 1024 + 1))
    assert r.status_code == 413 and "Filen er for stor" in r.get_data(as_text=True)
    r = _upload(ui2, cid, "lille.txt", b"a" * (200 * 1024))
    assert r.status_code == 303 and [c for c, _ in pop_flashes(ui2.client)] == ["ok"]
    # Form text over Flask's form memory limit is refused as well, never a 5xx.
    html = ui2.get(f"/cases/{cid}")
    r = ui2.client.post(
        f"/cases/{cid}/actions/flag_for_legal",
        data={
            "csrf_token": csrf_of(html),
            "version": VERSION_RE.search(html).group(1),
            "note": "x" * 600_000,
        },
    )
    assert 400 <= r.status_code < 500


# --- every refusal the UI gives is a Danish page -------------------------------------------------------------


def test_every_ui_error_page_is_danish(sqlite_db):
    """Wrong method, a broken form body, an unknown page: the user gets aktflow's Danish error page, not
    werkzeug's English one (405 and 400 included)."""
    app = make_app(sqlite_db)
    ui = Ui(app, "admin")
    cid = _collecting_case(sqlite_db)
    html = ui.get(f"/cases/{cid}")
    token = csrf_of(html)
    broken = (
        b'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        + token.encode()
        + b'\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nx'
    )  # cut off
    answers = {
        "GET on a form's action (reload after a post)": ui.client.get(f"/cases/{cid}/actions/register"),
        "GET /logout": ui.client.get("/logout"),
        "GET on an admin form": ui.client.get("/admin/municipality"),
        "PUT /cases": ui.client.put("/cases"),
        "a broken multipart body": ui.client.post(
            f"/cases/{cid}/actions/add_document", data=broken, content_type="multipart/form-data; boundary=b"
        ),
        "an unknown page": ui.client.get("/findes-ikke"),
    }
    english = []
    for what, r in answers.items():
        assert 400 <= r.status_code < 500, (what, r.status_code)
        text = r.get_data(as_text=True)
        if 'lang="da"' not in text or "Method Not Allowed" in text or "Bad Request" in text:
            shown = re.sub(r"<[^>]+>|\s+", " ", text)[:60].strip()
            english.append(f"{what}: {r.status_code} {shown!r}")
    assert not english, "not aktflow's Danish error page: " + "; ".join(english)


# --- redirects built from user input ----------------------------------------------------------------------


OFFSITE = [
    "/\t/evil.example",
    "/\t\t/evil.example",
    "/%09/evil.example",
    "/\r/evil.example",
    "/\n/evil.example",
    "/x\r\nSet-Cookie: pwned=1",
    "//evil.example",
    "/\\evil.example",
    "https://evil.example/",
]


@pytest.mark.parametrize("target", OFFSITE)
def test_login_next_never_redirects_off_site_nor_fails(sqlite_db, target):
    """`/login?next=…` is a link anyone can send: after login the user must stay on this site."""
    app = make_app(sqlite_db)
    c = app.test_client()
    page = c.get("/login", query_string={"next": target}).get_data(as_text=True)
    r = c.post(
        "/login",
        query_string={"next": target},
        data={"username": "cw", "password": PASSWORD, "csrf_token": csrf_of(page)},
    )
    assert r.status_code == 303, (target, r.status_code)
    local_location(r)


@pytest.mark.parametrize("field", ["next", "back"])
@pytest.mark.parametrize("target", OFFSITE)
def test_case_form_next_and_back_never_redirect_off_site_nor_fail(sqlite_db, field, target):
    app = make_app(sqlite_db)
    ui = Ui(app, "cw")
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
    html = ui.get(f"/cases/{c.id}")
    # `next` is used after success, `back` after a refusal (a missing comment makes this one refused).
    data = {"csrf_token": csrf_of(html), "version": VERSION_RE.search(html).group(1), field: target}
    if field == "next":
        data["note"] = "Markeret"
    r = ui.client.post(f"/cases/{c.id}/actions/flag_for_legal", data=data)
    # Refused, and `back` is not this site's: the case page again.
    if field == "back" and r.status_code == 400:
        assert "Location" not in r.headers and "data-error-summary" in r.get_data(as_text=True)
        return
    assert r.status_code == 303, (target, r.status_code)
    local_location(r)


# --- hostile text on PostgreSQL -----------------------------------------------------------------------------


def test_nul_bytes_and_overlong_text_in_forms_on_postgresql(pg_db):
    """PostgreSQL refuses NUL in text and text longer than a column: the forms must say so, not crash."""
    app = make_app(pg_db, WTF_CSRF_ENABLED=False)
    c = create_case(
        pg_db,
        actor="cw",
        requester="Mette Hansen",
        received=clock.today(),
        basis="ofl",
        subject="Byggesag",
        emne="02.34.02",
        assign="cw",
    )
    fire(pg_db, c.id, "register", actor="cw")
    fire(pg_db, c.id, "start_collecting", actor="cw")
    anon = app.test_client()
    cw = logged_in_client(app, "cw")
    admin = logged_in_client(app, "admin")
    today = clock.today().isoformat()
    attempts = [
        (anon, "/login", {"username": "cw\x00", "password": "x"}),
        (anon, "/login", {"username": "\x00", "password": "\x00"}),
        (
            cw,
            "/cases/new",
            {
                "requester": "Mette\x00Hansen",
                "received": today,
                "basis": "ofl",
                "subject": "x",
                "emne": "02.34.02",
                "channel": "e-mail",
            },
        ),
        (
            cw,
            "/cases/new",
            {
                "requester": "Mette",
                "received": today,
                "basis": "ofl",
                "subject": "a\x00b",
                "emne": "02.34.02",
                "channel": "e-mail",
            },
        ),
        (cw, f"/cases/{c.id}/actions/flag_for_legal", {"version": "3", "note": "a\x00b"}),
        (cw, f"/cases/{c.id}/actions/add_document", {"version": "3", "title": "Notat\x00"}),
        (cw, f"/cases/{c.id}/actions/add_document", {"version": "3", "title": "Notat", "sender": "\x00"}),
        (
            admin,
            "/admin/municipality",
            {"name": "Kommune\x00", "address": "Vej 1", "appeal_body": "A", "appeal_body_address": "B"},
        ),
        (
            admin,
            "/admin/users",
            {"username": "ny.bruger", "role": "caseworker", "password": "langt-kodeord", "name": "N" * 201},
        ),
        (
            admin,
            "/admin/users",
            {"username": "ny.bruger2", "role": "caseworker", "password": "langt-kodeord", "name": "Navn\x00"},
        ),
        (admin, "/admin/users/cw2/password", {"password": "kode\x00ord-langt"}),
    ]
    failures = []
    for client, url, form in attempts:
        r = client.post(url, data=form)
        if r.status_code >= 500:
            failures.append(f"{url} {str(form)[:90]}: {r.status_code}")
        pop_flashes(client) if r.status_code in (302, 303) and client is not anon else None
    assert not failures, "5xx on PostgreSQL for: " + "; ".join(failures)


# --- in a real browser -------------------------------------------------------------------------------------

CHROMIUM = os.environ.get("AKTFLOW_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="module")
def chromium():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        (pytest.fail if IN_CI else pytest.skip)("the playwright package is not installed")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        (pytest.fail if IN_CI else pytest.skip)(f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live_app(sqlite_db):
    from werkzeug.serving import make_server

    app = make_app(sqlite_db)
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield app, f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    t.join(5)
    app.extensions["aktflow_db"].dispose()


def _browser_login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/login" not in page.url, page.url


@pytest.mark.browser
def test_no_dialog_fires_in_chromium_on_payload_pages(chromium, live_app, sqlite_db, figures):
    """The payload world in Chromium with the CSP bypassed: escaping alone must keep every payload inert."""
    app, base = live_app
    w = build_payload_world(app, sqlite_db)
    dialogs: list[str] = []
    visits = [
        ("cw", f"/cases/{w.a}"),
        ("cw", f"/cases/{w.d}"),
        ("cw", "/cases?mine=0"),
        ("legal", f"/legal/cases/{w.e}"),
        ("legal", "/legal"),
        ("legal", f"/legal/cases/{w.a}"),
        ("manager", "/dashboard"),
        ("admin", "/admin"),
    ]
    seen = 0
    for user in ("cw", "legal", "manager", "admin"):
        ctx = chromium.new_context(bypass_csp=True, locale="da-DK")
        ctx.set_default_timeout(10_000)
        page = ctx.new_page()
        page.on("dialog", lambda d, who=user: (dialogs.append(f"{who}: {d.message}"), d.dismiss()))
        _browser_login(page, base, user)
        for who, path in visits:
            if who != user:
                continue
            page.goto(base + path)
            page.wait_for_load_state("load")
            for el in page.query_selector_all("details"):  # open the folded forms, so every part renders
                el.evaluate("e => e.open = true")
            # The app's own images are a document's rendered pages (docs/redaction.md) from their route.
            live = page.evaluate("""() => [...document.querySelectorAll(
                'script:not([src]), img, iframe:not([data-letter-preview]), object, embed, [onerror], [onload], [onclick], [onmouseover]')]
                .filter(e => !(e.tagName === 'IMG'
                    && /^\\/cases\\/\\d+\\/documents\\/\\d+\\/(released\\/)?pages\\/\\d+\\.png$/.test(new URL(e.src).pathname)
                    && ![...e.attributes].some(a => a.name.startsWith('on')))).length""")
            assert live == 0, f"{path}: {live} live elements from payloads"
            body = page.inner_text("body")
            assert "alert('" in body, f"{path}: no payload text shown (the page did not render them)"
            seen += 1
            page.wait_for_timeout(50)
        ctx.close()
    assert not dialogs, f"a dialog fired: {dialogs}"
    figures("xss: pages opened in Chromium with CSP bypassed (no dialog)", seen)
