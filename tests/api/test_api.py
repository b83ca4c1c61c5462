"""The JSON API through Flask's test client, on SQLite and PostgreSQL: every status code it promises."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import aktflow.service as service
from aktflow import clock
from aktflow.service import case_view, fire
from aktflow.tokens import issue_token, revoke
from aktflow.vocabulary import SYSTEM_ACTOR

from .conftest import intake_body

API = "/api/v1"
CPR = "0101901234"  # a syntactically valid CPR number (1 January 1990)


def is_json_error(r, status: int) -> dict:
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True))
    assert r.mimetype == "application/json"
    body = r.get_json()
    assert isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"]
    assert "Traceback" not in r.get_data(as_text=True)
    return body


def advance(client, auth, case_id, trigger, *, version=None, body=None, user="cw", if_match=None, raw=None):
    headers = auth(user)
    if if_match is not None:
        headers["If-Match"] = if_match
    elif version is not None:
        headers["If-Match"] = f'"{version}"'
    if raw is not None:
        return client.post(
            f"{API}/cases/{case_id}/events/{trigger}",
            data=raw,
            headers=headers,
            content_type="application/json",
        )
    return client.post(f"{API}/cases/{case_id}/events/{trigger}", json=body, headers=headers)


# --- 401 ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header", [None, "", "Bearer", "Bearer ", "Basic Y3c6dGVzdC1wYXNz", "Bearer akt_wrong", "Token akt_x"]
)
def test_unauthenticated_is_401_with_www_authenticate(client, case_in, header):
    case_id = case_in()
    headers = {} if header is None else {"Authorization": header}
    for r in (
        client.get(f"{API}/cases/{case_id}", headers=headers),
        client.get(f"{API}/cases", headers=headers),
        client.post(f"{API}/requests", json=intake_body(), headers=headers),
        client.post(
            f"{API}/cases/{case_id}/events/register", json={}, headers={**headers, "If-Match": '"1"'}
        ),
        client.get(f"{API}/cases/{case_id}/letters/1", headers=headers),
    ):
        is_json_error(r, 401)
        assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_and_inactive_user_are_401(client, db, case_in, tokens):
    case_id = case_in()
    revoke(db, tokens["cw"], actor=SYSTEM_ACTOR)
    r = client.get(f"{API}/cases/{case_id}", headers={"Authorization": f"Bearer {tokens['cw']}"})
    is_json_error(r, 401)
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    from sqlalchemy import update

    from aktflow.models import User

    with db.session() as s:
        s.execute(update(User).where(User.username == "cw2").values(active=False))
        s.commit()
    r = client.get(f"{API}/cases/{case_id}", headers={"Authorization": f"Bearer {tokens['cw2']}"})
    is_json_error(r, 401)


def test_a_session_cookie_is_not_enough(client, case_in):
    """The API authenticates by token only: a logged-in browser session does not count."""
    case_id = case_in()
    page = client.get("/login")
    import re

    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    if csrf is None:
        csrf = re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page.get_data(as_text=True))
    client.post("/login", data={"username": "cw", "password": "test-pass", "csrf_token": csrf.group(1)})
    assert client.get("/cases").status_code == 200  # the browser session works for the UI …
    is_json_error(client.get(f"{API}/cases/{case_id}"), 401)  # … and not for the API


# --- intake -----------------------------------------------------------------------------------------------------


def test_intake_creates_case_201(client, db, auth):
    r = client.post(
        f"{API}/requests", json=intake_body(cpr="010190-1234", cvr="12345678"), headers=auth("cw2")
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    body = r.get_json()
    assert body["state"] == "received" and body["version"] == 1
    assert body["requester"] == "Mette Hansen" and body["emne"] == "02.34.02" and body["assignee"] == "cw"
    assert body["channel"] == "selvbetjening"
    assert body["events"][0]["trigger"] == "create" and body["events"][0]["actor"] == "cw2"
    assert r.headers["Location"] == f"{API}/cases/{body['id']}"
    assert r.headers["ETag"] == '"1"'
    assert "0101901234" not in r.get_data(as_text=True) and "010190" not in r.get_data(as_text=True)
    assert body == case_view(db, body["id"], role="caseworker")
    # The CPR number reached the case (for the archive), only through the body.
    from aktflow.models import Case

    with db.session() as s:
        assert s.get(Case, body["id"]).requester_cpr == CPR
    follow = client.get(r.headers["Location"], headers=auth())
    assert follow.status_code == 200 and follow.get_json()["id"] == body["id"]


def test_intake_minimal_fields(client, auth):
    body = intake_body(email=..., channel=..., assign=...)
    r = client.post(f"{API}/requests", json=body, headers=auth())
    assert r.status_code == 201, r.get_data(as_text=True)
    assert r.get_json()["assignee"] is None and r.get_json()["email"] is None


# A missing or blank name is a 400 only where the request may not be anonymous (tests/integration/test_intake_once.py).
BAD_INTAKE = [
    ("requester", 42),
    ("requester", "x" * 201),
    ("requester", ["Mette"]),
    ("email", "not-an-email"),
    ("email", "a" * 196 + "@x.dk"),
    ("email", {"a": 1}),
    ("received", ...),
    ("received", "2026-13-01"),
    ("received", "igår"),
    ("received", (clock.today() + dt.timedelta(days=2)).isoformat()),
    ("received", 20260101),
    ("received", "0001-01-01"),
    ("received", "1899-12-31"),
    ("basis", ...),
    ("basis", "offentlighed"),
    ("basis", True),
    ("subject", ...),
    ("subject", ""),
    ("subject", "x" * 10_001),
    ("emne", ...),
    ("emne", "2.34.02"),
    ("emne", "02.34.02.01"),
    ("cpr", "12345"),
    ("cpr", "0101901234x"),
    ("cpr", 101901234),
    ("cpr", "0000000000"),  # ten digits, but no birth date: screening would not call it a CPR number
    ("cpr", "3102901234"),  # 31 February
    ("cvr", "1234"),
    ("channel", "x" * 41),
    ("channel", "fax"),  # not one of the known channels
    ("assign", "nobody"),
    ("assign", "legal"),
    ("assign", 7),
    ("unexpected", "x"),
]


@pytest.mark.parametrize(
    ("field", "value"), BAD_INTAKE, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_INTAKE)]
)
def test_intake_bad_field_is_400_naming_it(client, auth, field, value):
    r = client.post(f"{API}/requests", json=intake_body(**{field: value}), headers=auth())
    body = is_json_error(r, 400)
    assert body["field"] == field, body


def test_intake_never_echoes_a_cpr_number(client, auth):
    for field, value in (
        ("cpr", CPR + "9"),
        ("emne", "010190-1234"),
        ("email", CPR),
        ("basis", CPR),
        ("assign", CPR),
    ):
        r = client.post(f"{API}/requests", json=intake_body(**{field: value}), headers=auth())
        text = r.get_data(as_text=True)
        assert r.status_code == 400, text
        assert "010190" not in text and "0101901234" not in text, text


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b"[1, 2]",
        b'"tekst"',
        b"42",
        b"null",
        b"",
        b"\xff\xfe",
        b'{"requester": NaN}',
        b'{"requester": 1e999}',
        b"[" * 5000,
    ],
)
def test_intake_malformed_body_is_400(client, auth, raw):
    r = client.post(f"{API}/requests", data=raw, headers=auth(), content_type="application/json")
    is_json_error(r, 400)


def test_intake_by_legal_is_403(client, auth):
    is_json_error(client.post(f"{API}/requests", json=intake_body(), headers=auth("legal")), 403)


def test_text_that_no_database_can_store_is_400(client, auth):
    r = client.post(f"{API}/requests", json=intake_body(requester="Mette\u0000Hansen"), headers=auth())
    assert is_json_error(r, 400)["field"] == "requester"
    raw = b'{"requester": "Mette \\ud800", "received": "2026-01-02", "basis": "ofl", "subject": "x", "emne": "02.34.02"}'
    r = client.post(f"{API}/requests", data=raw, headers=auth(), content_type="application/json")
    assert is_json_error(r, 400)["field"] == "requester"


# --- read ----------------------------------------------------------------------------------------------------------


def test_get_case_200_with_strong_etag(client, db, auth, case_in):
    case_id = case_in("registered")
    r = client.get(f"{API}/cases/{case_id}", headers=auth())
    assert r.status_code == 200
    assert r.headers["ETag"] == '"2"'
    assert r.headers["Cache-Control"] == "no-store"
    assert r.get_json() == case_view(db, case_id, role="caseworker")
    # allowed_triggers is for the token's role: legal may not register or collect
    legal = client.get(f"{API}/cases/{case_id}", headers=auth("legal")).get_json()
    assert "start_collecting" in r.get_json()["allowed_triggers"]
    assert "start_collecting" not in legal["allowed_triggers"]


@pytest.mark.parametrize(
    "path",
    ["/cases/999", "/cases/99999999999", "/cases/abc", "/cases/-1", "/nope", "/cases/1/letters/1", "/"],
)
def test_unknown_is_json_404(client, auth, path):
    is_json_error(client.get(API + path, headers=auth()), 404)


def test_wrong_method_is_json_405(client, auth, case_in):
    case_id = case_in()
    r = client.delete(f"{API}/cases/{case_id}", headers=auth())
    is_json_error(r, 405)
    assert "GET" in r.headers["Allow"]
    r = client.get(f"{API}/cases/{case_id}/events/register", headers=auth())
    is_json_error(r, 405)
    assert r.headers["Allow"] == "POST"


def test_list_cases(client, auth, case_in):
    a = case_in("registered")
    b = case_in(assign="cw2")
    r = client.get(f"{API}/cases", headers=auth())
    assert r.status_code == 200
    assert [c["id"] for c in r.get_json()][:2] == [b, a]
    r = client.get(f"{API}/cases?state=registered", headers=auth())
    assert [c["id"] for c in r.get_json()] == [a]
    r = client.get(f"{API}/cases?assignee=cw2", headers=auth())
    assert [c["id"] for c in r.get_json()] == [b]
    r = client.get(f"{API}/cases?limit=1", headers=auth())
    assert len(r.get_json()) == 1
    for bad, field in (
        ("state=nope", "state"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=%C2%B2", "limit"),
        ("cpr=0101901234", "cpr"),
    ):
        body = is_json_error(client.get(f"{API}/cases?{bad}", headers=auth()), 400)
        assert body["field"] == field
        assert "0101901234" not in json.dumps(body)


def test_letter_download(client, db, auth, case_in):
    case_id = case_in("registered")  # register makes the acknowledgement letter
    letters = case_view(db, case_id)["letters"]
    assert letters, "register should have made a letter"
    letter = letters[0]
    r = client.get(f"{API}/cases/{case_id}/letters/{letter['id']}", headers=auth("legal"))
    assert r.status_code == 200
    assert r.mimetype.endswith("wordprocessingml.document")
    assert r.data[:2] == b"PK"
    assert letter["filename"] in r.headers["Content-Disposition"]
    other = case_in()
    is_json_error(client.get(f"{API}/cases/{other}/letters/{letter['id']}", headers=auth()), 404)


# --- events ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("if_match", ['"1"', "1", 'W/"1"', ' "1" '])
def test_good_event_is_200_with_new_etag(client, db, auth, case_in, if_match):
    case_id = case_in()
    r = advance(client, auth, case_id, "register", if_match=if_match, body={"note": "oprettet via API"})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.headers["ETag"] == '"2"'
    body = r.get_json()
    assert body["state"] == "registered" and body["version"] == 2
    assert body["events"][-1]["trigger"] == "register" and body["events"][-1]["actor"] == "cw"
    assert body["events"][-1]["note"] == "oprettet via API"
    assert case_view(db, case_id)["state"] == "registered"


def test_event_with_data(client, db, auth, case_in):
    case_id = case_in("collecting")
    r = advance(
        client,
        auth,
        case_id,
        "add_document",
        version=3,
        body={"data": {"title": "Tegning", "date": "2026-01-05", "sender": "Arkitekt"}},
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    doc = r.get_json()["documents"][0]
    assert doc["title"] == "Tegning" and doc["sender"] == "Arkitekt"
    r = advance(
        client, auth, case_id, "assign", version=4, body={"data": {"assignee": "cw2"}}, user="manager"
    )
    assert r.status_code == 200 and r.get_json()["assignee"] == "cw2"


def test_stale_if_match_is_412_and_changes_nothing(client, db, auth, case_in):
    case_id = case_in("registered")
    r = advance(client, auth, case_id, "start_collecting", version=1)
    body = is_json_error(r, 412)
    assert "version" in body["error"]
    view = case_view(db, case_id)
    assert view["state"] == "registered" and view["version"] == 2


@pytest.mark.parametrize("if_match", [None, "", "*"])
def test_missing_if_match_is_428(client, db, auth, case_in, if_match):
    case_id = case_in()
    headers = auth()
    if if_match is not None:
        headers["If-Match"] = if_match
    r = client.post(f"{API}/cases/{case_id}/events/register", json={}, headers=headers)
    assert is_json_error(r, 428)["field"] == "If-Match"
    assert case_view(db, case_id)["version"] == 1


@pytest.mark.parametrize("if_match", ['"abc"', '"1', "1.0", '"1", "2"', "W/1", "-1", "9" * 40])
def test_malformed_if_match_is_400(client, auth, case_in, if_match):
    case_id = case_in()
    r = advance(client, auth, case_id, "register", if_match=if_match)
    assert is_json_error(r, 400)["field"] == "If-Match"


def test_caseworker_approving_legal_review_is_403(client, db, auth, case_in):
    case_id = case_in("legal_review")
    r = advance(client, auth, case_id, "approve_legal", version=5, body={"note": "ok"})
    body = is_json_error(r, 403)
    assert "approve_legal" in body["error"]
    assert case_view(db, case_id)["state"] == "legal_review"
    r = advance(client, auth, case_id, "approve_legal", version=5, body={"note": "ok"}, user="legal")
    assert r.status_code == 200 and r.get_json()["state"] == "drafting_decision"


def test_workflow_refusal_is_422_naming_why(client, db, auth, case_in):
    case_id = case_in()
    r = advance(client, auth, case_id, "draft_decision", version=1)
    body = is_json_error(r, 422)
    assert "received" in body["error"] and "draft_decision" in body["error"]
    assert case_view(db, case_id)["version"] == 1


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b"{'note': 1}",
        b"[]",
        b'"note"',
        b"3",
        b"\xff",
        b'{"note": NaN}',
        b'{"data": {"document_id": 1e999}}',
    ],
)
def test_malformed_event_body_is_400(client, auth, case_in, raw):
    case_id = case_in()
    is_json_error(advance(client, auth, case_id, "register", version=1, raw=raw), 400)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"note": 5}, "note"),
        ({"note": ["a"]}, "note"),
        ({"data": []}, "data"),
        ({"data": "x"}, "data"),
        ({"data": {"nope": 1}}, "nope"),
        ({"extra": 1}, "extra"),
        ({"data": {"title": 5}}, "title"),
        ({"data": {"title": "Tegning", "date": 20260101}}, "date"),
        ({"data": {"title": "Tegning", "sender": "x\u0000y"}}, "sender"),
        ({"data": {"title": "Tegning", "date": "i går"}}, "date"),
        ({"data": {}}, "title"),
    ],
)
def test_wrong_types_in_event_body_are_400_naming_field(client, db, auth, case_in, body, field):
    case_id = case_in("collecting")
    r = advance(client, auth, case_id, "add_document", version=3, body=body)
    assert is_json_error(r, 400)["field"] == field
    assert case_view(db, case_id)["version"] == 3


def test_values_too_long_for_the_database_are_400_not_500(client, db, auth, case_in):
    case_id = case_in("collecting")
    r = advance(
        client,
        auth,
        case_id,
        "add_document",
        version=3,
        body={"data": {"title": "Tegning", "sender": "s" * 5000, "archive_doc_id": "d" * 5000}},
    )
    assert r.status_code < 500, r.get_data(as_text=True)
    assert case_view(db, case_id)["version"] in (3, 4)


@pytest.mark.parametrize(
    ("trigger", "data", "field"),
    [
        ("request_hearing", {"party": "Naboen", "reply_by": "9999-12-31"}, "reply_by"),
        ("send_deadline_notice", {"reason": "Mange dokumenter", "expected": "9999-12-31"}, "expected"),
        ("send_deadline_notice", {"reason": "Mange dokumenter", "expected": "2200-01-01"}, "expected"),
    ],
)
def test_dates_beyond_the_calendar_are_400(client, db, auth, case_in, trigger, data, field):
    case_id = case_in("screening")
    r = advance(client, auth, case_id, trigger, version=4, body={"data": data})
    assert is_json_error(r, 400)["field"] == field
    assert case_view(db, case_id)["version"] == 4


def test_assess_document_types(client, db, auth, case_in):
    case_id = case_in("collecting")
    fire(db, case_id, "add_document", actor="cw", data={"title": "Notat"})
    fire(db, case_id, "start_screening", actor="cw")
    doc_id = case_view(db, case_id)["documents"][0]["id"]
    for data, field in (
        ({"document_id": "1", "outcome": "grant"}, "document_id"),
        ({"document_id": True, "outcome": "grant"}, "document_id"),
        ({"document_id": 2**40, "outcome": "grant"}, "document_id"),
        ({"document_id": doc_id, "outcome": "maybe"}, "outcome"),
        ({"document_id": doc_id, "outcome": "refuse", "grounds": "x"}, "grounds"),
        ({"document_id": doc_id, "outcome": "grant", "extracted": "ja"}, "extracted"),
    ):
        r = advance(client, auth, case_id, "assess_document", version=5, body={"data": data})
        assert is_json_error(r, 400)["field"] == field, data
    r = advance(
        client,
        auth,
        case_id,
        "assess_document",
        version=5,
        body={"data": {"document_id": doc_id, "outcome": "grant", "extracted": False}},
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["documents"][0]["outcome"] == "grant"


@pytest.mark.parametrize("trigger", ["nope", "recalculate_deadlines", "create", "REGISTER"])
def test_unknown_trigger_is_404(client, auth, case_in, trigger):
    case_id = case_in()
    is_json_error(advance(client, auth, case_id, trigger, version=1), 404)


def test_unknown_case_event_is_404(client, auth):
    is_json_error(advance(client, auth, 4242, "register", version=1), 404)


def test_user_field_must_be_a_username(client, auth, case_in):
    case_id = case_in()
    for value in ({"u": 1}, ["cw"], 7):
        r = advance(
            client, auth, case_id, "assign", version=1, body={"data": {"assignee": value}}, user="manager"
        )
        assert is_json_error(r, 400)["field"] == "assignee"
    r = advance(
        client, auth, case_id, "assign", version=1, body={"data": {"assignee": "nobody"}}, user="manager"
    )
    assert is_json_error(r, 400)["field"] == "assignee"


# --- races ----------------------------------------------------------------------------------------------------------


def test_same_if_match_twice_second_is_412(client, db, auth, case_in):
    case_id = case_in("registered")
    first = advance(client, auth, case_id, "start_collecting", version=2)
    second = advance(client, auth, case_id, "withdraw", version=2, user="manager")  # one who may act too
    assert first.status_code == 200 and first.headers["ETag"] == '"3"'
    is_json_error(second, 412)
    view = case_view(db, case_id)
    assert view["state"] == "collecting" and view["version"] == 3
    assert [e["trigger"] for e in view["events"]][-1] == "start_collecting"


@pytest.mark.parametrize(
    ("state", "version", "trigger", "rival"),
    [
        ("registered", 2, "start_collecting", "flag_for_legal"),
        ("received", 1, "register", "withdraw"),  # register writes a letter and flushes before the commit
    ],
)
def test_race_lost_at_commit_is_412_not_500(
    client, db, auth, case_in, monkeypatch, state, version, trigger, rival
):
    """The version check passes, then another request commits first: the commit conflicts → 412."""
    case_id = case_in(state)
    real_check_state = service.check_state
    raced = []

    def check_state_then_lose_the_race(spec, case):
        real_check_state(spec, case)
        if not raced:
            raced.append(True)
            note = {"note": "samtidig ændring"} if rival == "flag_for_legal" else {}
            fire(db, case_id, rival, actor="manager", **note)  # another session commits first

    monkeypatch.setattr(service, "check_state", check_state_then_lose_the_race)
    r = advance(client, auth, case_id, trigger, version=version)
    body = is_json_error(r, 412)
    assert raced
    view = case_view(db, case_id)
    assert view["version"] == version + 1
    assert view["events"][-1]["trigger"] == rival and view["events"][-1]["actor"] == "manager"
    assert trigger not in [e["trigger"] for e in view["events"]]
    assert "igen" in body["error"]


def test_token_for_other_user_acts_as_that_user(client, db, case_in):
    case_id = case_in()
    token = issue_token(db, "manager", actor=SYSTEM_ACTOR)
    r = client.post(
        f"{API}/cases/{case_id}/events/register",
        json={},
        headers={"Authorization": f"Bearer {token}", "If-Match": '"1"'},
    )
    assert r.status_code == 200
    assert r.get_json()["events"][-1]["actor"] == "manager"


@pytest.mark.parametrize(
    ("field", "value", "detail"),
    [
        ("subject", ..., "skal udfyldes"),
        ("subject", None, "skal udfyldes"),
        ("requester", 42, "skal være tekst"),
        ("email", ["a@b.dk"], "skal være tekst"),
        ("subject", "x" * 10_001, "højst 10000 tegn"),
        ("received", "igår", "ugyldig dato"),
        ("received", "1899-12-31", "uden for 1900–2199"),
    ],
)
def test_shape_errors_are_the_apis_own_danish_messages(client, auth, field, value, detail):
    """The request models check the shape, but their library's (English) messages never reach a client."""
    r = client.post(f"{API}/requests", json=intake_body(**{field: value}), headers=auth())
    body = is_json_error(r, 400)
    assert body["field"] == field and detail in body["error"], body
    assert set(body) == {"error", "field"}
    for english in ("Input should", "Field required", "pydantic", "type=", "validation error"):
        assert english not in r.get_data(as_text=True)
