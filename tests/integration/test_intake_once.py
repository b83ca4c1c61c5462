"""Intake's smaller rules: an anonymous OFL/MOL request is registered (with a way to answer) while FVL and
GDPR need the name, and a request sent twice with the same idempotency key (the API's header, the form's
one-time token, the CLI's option) makes one case."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from html import unescape

import docx
import pytest
from sqlalchemy import func, select

from aktflow import clock
from aktflow.cli import cli
from aktflow.errors import ValidationError
from aktflow.models import Case, Event, IdempotencyKey, Letter
from aktflow.service import IDEMPOTENCY_TTL, IdempotencyMismatch, create_case, fire, submit_case
from aktflow.vocabulary import ANONYMOUS_REQUESTER

PASSWORD = "test-pass"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TOKEN_RE = re.compile(r'name="intake_token"[^>]*value="([^"]+)"')
RECEIVED = (clock.today() - dt.timedelta(days=2)).isoformat()


def fields(**kw) -> dict:
    args = dict(
        actor="cw",
        requester="Mette Hansen",
        received=RECEIVED,
        basis="ofl",
        subject="Byggesag Skovvej 3",
        emne="02.34.02",
        email="mette@example.dk",
    )
    args.update(kw)
    return {k: v for k, v in args.items() if v is not None}


def count_cases(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Case))


def letter_text(db, case_id: int) -> str:
    with db.session() as s:
        lt = s.scalars(select(Letter).where(Letter.case_id == case_id).order_by(Letter.id.desc())).first()
        d = docx.Document(io.BytesIO(lt.content))
    return "\n".join(p.text for p in d.paragraphs)


# --- anonymous requests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("basis", ["ofl", "mol"])
def test_an_anonymous_request_with_an_e_mail_address_is_registered(db, basis):
    case = create_case(db, **fields(requester=None, basis=basis))
    assert case.requester_name == ANONYMOUS_REQUESTER
    with db.session() as s:
        (ev,) = s.scalars(select(Event).where(Event.case_id == case.id))
    assert ev.data["anonymous"] is True


@pytest.mark.parametrize("answer", [{"cpr": "120385-1237"}, {"cvr": "12345678"}])
def test_an_anonymous_request_may_be_answered_by_digital_post(db, answer):
    case = create_case(db, **fields(requester="  ", email=None, **answer))
    assert case.requester_name == ANONYMOUS_REQUESTER


def test_an_anonymous_request_needs_a_way_to_answer(db):
    with pytest.raises(ValidationError) as e:
        create_case(db, **fields(requester="", email=None))
    assert e.value.field == "email" and "svare" in e.value.detail
    assert count_cases(db) == 0


@pytest.mark.parametrize("basis", ["fvl", "gdpr"])
def test_a_party_or_data_subject_must_be_named(db, basis):
    with pytest.raises(ValidationError) as e:
        create_case(db, **fields(requester=None, basis=basis))
    assert e.value.field == "requester"
    assert count_cases(db) == 0


def test_letters_to_an_anonymous_requester_address_the_requester_without_a_name(db):
    case = create_case(db, **fields(requester=None, email="anon@example.dk"))
    fire(db, case.id, "register", actor="cw")
    txt = letter_text(db, case.id)
    assert txt.splitlines()[0] == "Til anmoderen"
    assert "anon@example.dk" in txt and ANONYMOUS_REQUESTER not in txt and "None" not in txt


def test_letters_to_a_named_requester_still_carry_the_name(db):
    case = create_case(db, **fields())
    fire(db, case.id, "register", actor="cw")
    assert letter_text(db, case.id).splitlines()[0] == "Mette Hansen"


# --- one case per idempotency key ----------------------------------------------------------------------------


def test_the_same_key_and_body_give_the_same_case(db):
    first = submit_case(db, idempotency_key="k-1", **fields())
    again = submit_case(db, idempotency_key="k-1", **fields())
    assert first.created and not again.created
    assert again.case.id == first.case.id and count_cases(db) == 1


def test_the_same_key_with_another_body_is_refused(db):
    first = submit_case(db, idempotency_key="k-1", **fields())
    with pytest.raises(IdempotencyMismatch) as e:
        submit_case(db, idempotency_key="k-1", **fields(subject="En anden sag"))
    assert e.value.case_id == first.case.id and e.value.http_status == 422
    assert count_cases(db) == 1


def test_keys_are_per_user(db):
    a = submit_case(db, idempotency_key="k-1", **fields())
    b = submit_case(db, idempotency_key="k-1", **fields(actor="cw2"))
    assert a.created and b.created and a.case.id != b.case.id


def test_without_a_key_every_submission_is_a_case(db):
    submit_case(db, **fields())
    submit_case(db, **fields())
    assert count_cases(db) == 2


def test_a_key_expires_after_24_hours(db):
    now = dt.datetime.now(dt.UTC)
    first = submit_case(db, idempotency_key="k-1", now=now, **fields())
    within = submit_case(
        db, idempotency_key="k-1", now=now + IDEMPOTENCY_TTL - dt.timedelta(minutes=1), **fields()
    )
    assert within.case.id == first.case.id and not within.created
    later = submit_case(
        db, idempotency_key="k-1", now=now + IDEMPOTENCY_TTL + dt.timedelta(minutes=1), **fields()
    )
    assert later.created and later.case.id != first.case.id
    with db.session() as s:
        rows = list(s.scalars(select(IdempotencyKey)))
    assert [r.case_id for r in rows] == [later.case.id]  # the expired row is gone


def test_a_refused_request_keeps_no_key(db):
    with pytest.raises(ValidationError):
        submit_case(db, idempotency_key="k-1", **fields(channel="fax"))
    assert submit_case(db, idempotency_key="k-1", **fields()).created


@pytest.mark.parametrize("key", ["", "med mellemrum", "x" * 201, "æøå"])
def test_a_key_of_the_wrong_shape_is_refused(db, key):
    with pytest.raises(ValidationError) as e:
        submit_case(db, idempotency_key=key, **fields())
    assert e.value.field == "idempotency_key" and count_cases(db) == 0


# --- the API ---------------------------------------------------------------------------------------------------


@pytest.fixture
def api(db):
    from aktflow.tokens import issue_token
    from aktflow.vocabulary import SYSTEM_ACTOR
    from web import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": db.url})
    token = issue_token(db, "cw", name="test", actor=SYSTEM_ACTOR)
    client = app.test_client()

    def post(body: dict, key: str | None = None):
        headers = {"Authorization": f"Bearer {token}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return client.post("/api/v1/requests", json=body, headers=headers)

    yield post
    app.extensions["aktflow_db"].dispose()


def body(**kw) -> dict:
    return {k: v for k, v in fields(**kw).items() if k != "actor"}


def test_api_double_submission_with_a_key_makes_one_case(db, api):
    r1 = api(body(), key="5f0c-uuid")
    r2 = api(body(), key="5f0c-uuid")
    assert r1.status_code == 201 and "Idempotent-Replayed" not in r1.headers
    assert r2.status_code == 200 and r2.headers["Idempotent-Replayed"] == "true"
    assert r2.get_json()["id"] == r1.get_json()["id"] and r2.headers["Location"] == r1.headers["Location"]
    assert count_cases(db) == 1


def test_api_same_key_with_another_body_is_422(db, api):
    api(body(), key="5f0c-uuid")
    r = api(body(subject="Noget andet"), key="5f0c-uuid")
    assert r.status_code == 422 and "nøglen" in r.get_json()["error"]
    assert count_cases(db) == 1


def test_api_without_a_key_makes_a_case_per_post(db, api):
    assert api(body()).status_code == 201 and api(body()).status_code == 201
    assert count_cases(db) == 2


def test_api_key_of_the_wrong_shape_is_400_naming_the_header(db, api):
    r = api(body(), key="x" * 201)
    assert r.status_code == 400 and r.get_json()["field"] == "Idempotency-Key"


def test_api_accepts_an_anonymous_ofl_request_and_refuses_an_anonymous_fvl_one(db, api):
    r = api(body(requester=None))
    assert r.status_code == 201 and r.get_json()["requester"] == ANONYMOUS_REQUESTER
    r = api(body(requester=None, basis="fvl"))
    assert r.status_code == 400 and r.get_json()["field"] == "requester"


# --- the intake form ---------------------------------------------------------------------------------------------


def _login(client, username: str = "cw") -> None:
    page = client.get("/login").get_data(as_text=True)
    r = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": CSRF_RE.search(page)[1]}
    )
    assert r.status_code in (302, 303)


def _form(client) -> dict:
    html = client.get("/cases/new").get_data(as_text=True)
    return {
        "csrf_token": CSRF_RE.search(html)[1],
        "intake_token": TOKEN_RE.search(html)[1],
        "requester": "Mette Hansen",
        "email": "mette@example.dk",
        "received": RECEIVED,
        "channel": "e-mail",
        "basis": "ofl",
        "subject": "Byggesag Skovvej 3",
        "emne": "02.34.02",
        "assign": "cw",
    }


def test_the_form_sent_twice_shows_the_case_created_the_first_time(db, client):
    _login(client)
    form = _form(client)
    r1 = client.post("/cases/new", data=form)
    r2 = client.post("/cases/new", data=form)  # a double click, or back and send again
    assert r1.status_code == r2.status_code == 303
    assert r1.headers["Location"] == r2.headers["Location"]
    assert count_cases(db) == 1
    page = unescape(client.get(r2.headers["Location"]).get_data(as_text=True))
    assert "Formularen var allerede sendt" in page


def test_the_form_sent_again_with_changes_shows_the_first_case_and_says_so(db, client):
    _login(client)
    form = _form(client)
    first = client.post("/cases/new", data=form).headers["Location"]
    r = client.post("/cases/new", data={**form, "subject": "Rettet emne"})
    assert r.status_code == 303 and r.headers["Location"] == first
    assert count_cases(db) == 1
    page = unescape(client.get(first).get_data(as_text=True))
    assert "Ændringerne er ikke gemt" in page


def test_each_new_form_is_a_new_case(db, client):
    _login(client)
    client.post("/cases/new", data=_form(client))
    client.post("/cases/new", data=_form(client))
    assert count_cases(db) == 2


def test_the_form_refuses_an_anonymous_fvl_request_and_says_why(db, client):
    _login(client)
    r = client.post("/cases/new", data={**_form(client), "requester": "", "basis": "fvl"})
    html = unescape(r.get_data(as_text=True))
    assert r.status_code == 400 and "Anmoderens navn skal udfyldes" in html and 'id="requester-error"' in html
    assert count_cases(db) == 0


def test_the_form_accepts_an_anonymous_ofl_request(db, client):
    _login(client)
    r = client.post("/cases/new", data={**_form(client), "requester": ""})
    assert r.status_code == 303
    with db.session() as s:
        assert s.scalar(select(Case.requester_name)) == ANONYMOUS_REQUESTER


# --- the CLI -------------------------------------------------------------------------------------------------------


def test_cli_case_new_with_the_same_key_twice_makes_one_case(db, runner):
    args = ["case", "new", "--as", "cw", "--requester", "Mette Hansen", "--email", "mette@example.dk",
            "--received", RECEIVED, "--basis", "ofl", "--subject", "Byggesag", "--emne", "02.34.02",
            "--idempotency-key", "cli-1", "--json"]  # fmt: skip
    r1, r2 = runner.invoke(cli, args), runner.invoke(cli, args)
    assert r1.exit_code == 0 and r2.exit_code == 0, (r1.output, r2.output)
    assert json.loads(r1.stdout)["id"] == json.loads(r2.stdout)["id"] and count_cases(db) == 1
    r3 = runner.invoke(cli, [*args[:-3], "--idempotency-key", "cli-1", "--subject", "Andet", "--json"])
    assert r3.exit_code == 3 and count_cases(db) == 1


@pytest.mark.postgres
def test_two_requests_with_the_same_key_at_once_make_one_case(pg_db):
    """Both see no key; the second's transaction fails on the unique key and it answers the first's case."""
    import threading

    barrier, results, errors = threading.Barrier(2), [], []

    def go():
        try:
            barrier.wait()
            results.append(submit_case(pg_db, idempotency_key="race-1", **fields()))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert len({r.case.id for r in results}) == 1 and sorted(r.created for r in results) == [False, True]
    assert count_cases(pg_db) == 1
