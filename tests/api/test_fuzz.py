"""Random JSON bodies to the endpoints that take one never give a 5xx (SQLite; hostile input is elsewhere)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aktflow import clock, states
from aktflow.service import case_view, create_case, fire
from aktflow.tokens import issue_token
from aktflow.vocabulary import SYSTEM_ACTOR

from .conftest import PATHS

TRIGGERS = [n for n, t in states.TRIGGERS.items() if not t.system]
FIELD_NAMES = sorted(
    {f.name for t in states.TRIGGERS.values() for f in t.fields}
    | {"requester", "email", "received", "basis", "subject", "emne", "cpr", "cvr", "channel", "assign"}
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "",
            "2026-01-05",
            "2999-12-31",
            "0001-01-01",
            "cw",
            "grant",
            "ofl",
            "02.34.02",
            "0101901234",
            "a@b.dk",
            "none",
        ]
    )
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
field_dicts = st.dictionaries(st.sampled_from(FIELD_NAMES), json_values, max_size=6)
event_bodies = json_values | st.fixed_dictionaries(
    {}, optional={"note": json_values, "data": field_dicts | json_values}
)
_intake_values = {
    "requester": st.text(max_size=30),
    "email": st.emails() | st.text(max_size=20),
    "received": st.dates().map(dt.date.isoformat),
    "basis": st.sampled_from(["ofl", "fvl", "mol", "gdpr", "x"]),
    "subject": st.text(max_size=40),
    "emne": st.from_regex(r"\A\d\d\.\d\d\.\d\d\Z") | st.text(max_size=9),
    "cpr": st.from_regex(r"\A\d{6}-?\d{4}\Z") | st.text(max_size=12),
    "cvr": st.from_regex(r"\A\d{8}\Z"),
    "channel": st.text(max_size=45),
    "assign": st.sampled_from(["cw", "legal", "nobody"]),
}
_REQUIRED = ("requester", "received", "basis", "subject", "emne")
targeted_intake = st.fixed_dictionaries(
    {k: _intake_values[k] for k in _REQUIRED},
    optional={k: v | json_values for k, v in _intake_values.items() if k not in _REQUIRED},
)
intake_bodies = json_values | field_dicts | targeted_intake


def value_for(f: states.Field):
    """Values of the field's own kind (often valid, sometimes not), or anything at all."""
    kind = {
        "text": st.text(max_size=40),
        "date": st.dates().map(dt.date.isoformat),
        "future_date": st.dates().map(dt.date.isoformat),
        "document": st.integers(min_value=-2, max_value=8) | st.integers(),
        "documents": st.lists(st.integers(min_value=-2, max_value=8) | st.integers(), max_size=3),
        "bool": st.booleans(),
        "choice": st.sampled_from(f.choices or ("x",)),
        "grounds": st.lists(st.sampled_from(["ofl-30-1", "ofl-23", "x", ""]), max_size=3),
        "user": st.sampled_from(["cw", "cw2", "legal", "nobody"]),
        "int": st.integers(min_value=-2, max_value=50) | st.integers(),
        "file": st.text(max_size=40),  # a file is uploaded beside the data: in JSON it is refused
        "fingerprint": st.sampled_from(["unseen", "0" * 64, "A" * 64]) | st.text(max_size=70),
    }[f.kind]
    return kind | json_values


def targeted_body(trigger: str):
    fields = [f for f in states.TRIGGERS[trigger].fields if f.name != "note"]
    data = st.fixed_dictionaries({}, optional={f.name: value_for(f) for f in fields})
    return st.fixed_dictionaries({}, optional={"note": st.text(max_size=40) | json_values, "data": data})


raw_bodies = st.binary(max_size=40)

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def fuzz(sqlite_app, sqlite_db):
    """A client, tokens, and cases in several states (with a document on the screening case)."""
    client = sqlite_app.test_client()
    headers = {
        u: {"Authorization": f"Bearer {issue_token(sqlite_db, u, actor=SYSTEM_ACTOR)}"}
        for u in ("cw", "legal", "manager")
    }
    cases = []
    for state in ("received", "collecting", "screening", "legal_review"):
        c = create_case(
            sqlite_db,
            actor="cw",
            requester="Mette Hansen",
            basis="ofl",
            subject="Byggesag",
            received=clock.today() - dt.timedelta(days=3),
            emne="02.34.02",
            assign="cw",
        )
        for t in PATHS[state]:
            if t == "start_screening":
                fire(sqlite_db, c.id, "add_document", actor="cw", data={"title": "Notat"})
            fire(sqlite_db, c.id, t, actor="cw")
        cases.append(c.id)
    return client, headers, cases


def no_5xx(r):
    assert r.status_code < 500, (r.status_code, r.get_data(as_text=True))
    if r.status_code >= 400:
        assert isinstance(r.get_json().get("error"), str)


@pytest.mark.slow
@SETTINGS
@given(data=st.data(), body=event_bodies, raw=st.none() | raw_bodies)
def test_random_event_bodies_never_5xx(fuzz, sqlite_db, data, body, raw):
    client, headers, cases = fuzz
    case_id = data.draw(st.sampled_from(cases))
    trigger = data.draw(st.sampled_from(TRIGGERS))
    body = data.draw(targeted_body(trigger)) if data.draw(st.booleans()) else body
    user = data.draw(st.sampled_from(sorted(headers)))
    version = case_view(sqlite_db, case_id)["version"]
    if_match = data.draw(st.sampled_from([f'"{version}"', str(version), f'W/"{version}"', '"1"']))
    h = {**headers[user], "If-Match": if_match}
    url = f"/api/v1/cases/{case_id}/events/{trigger}"
    if raw is not None:
        r = client.post(url, data=raw, headers=h, content_type="application/json")
    else:
        r = client.post(url, json=body, headers=h)
    no_5xx(r)


@pytest.mark.slow
@SETTINGS
@given(body=intake_bodies, raw=st.none() | raw_bodies, user=st.sampled_from(["cw", "legal"]))
def test_random_intake_bodies_never_5xx(fuzz, body, raw, user):
    client, headers, _ = fuzz
    if raw is not None:
        r = client.post("/api/v1/requests", data=raw, headers=headers[user], content_type="application/json")
    else:
        r = client.post("/api/v1/requests", json=body, headers=headers[user])
    no_5xx(r)
