"""Fixtures for the JSON API tests: a token per test user, auth headers, an app on SQLite only."""

from __future__ import annotations

import datetime as dt

import pytest

from aktflow import clock
from aktflow.service import create_case, fire
from aktflow.tokens import issue_token
from aktflow.vocabulary import SYSTEM_ACTOR

USERNAMES = ("cw", "cw2", "legal", "manager", "admin")

# Triggers that bring a new case (state received) to a state.
PATHS = {
    "received": [],
    "registered": ["register"],
    "collecting": ["register", "start_collecting"],
    "screening": ["register", "start_collecting", "start_screening"],
    "legal_review": ["register", "start_collecting", "start_screening", "submit_for_legal_review"],
}


def intake_body(**overrides) -> dict:
    body = {
        "requester": "Mette Hansen",
        "email": "mette@example.dk",
        "received": (clock.today() - dt.timedelta(days=3)).isoformat(),
        "basis": "ofl",
        "subject": "Aktindsigt i byggesag om Skovvej 3",
        "emne": "02.34.02",
        "channel": "selvbetjening",
        "assign": "cw",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


@pytest.fixture
def tokens(db) -> dict[str, str]:
    return {u: issue_token(db, u, name=f"test {u}", actor=SYSTEM_ACTOR) for u in USERNAMES}


@pytest.fixture
def auth(tokens):
    def headers(username: str = "cw", **extra) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[username]}", **extra}

    return headers


@pytest.fixture
def case_in(db):
    """A factory: a new case driven to ``state`` by the caseworker cw; returns its id."""

    def make(state: str = "received", **kw) -> int:
        args = dict(
            actor="cw",
            requester="Mette Hansen",
            received=(clock.today() - dt.timedelta(days=3)),
            basis="ofl",
            subject="Aktindsigt i byggesag",
            emne="02.34.02",
            assign="cw",
        )
        args.update(kw)
        case = create_case(db, **args)
        for t in PATHS[state]:
            fire(db, case.id, t, actor="cw")
        return case.id

    return make


@pytest.fixture
def sqlite_app(sqlite_db):
    from web import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": sqlite_db.url})
    yield app
    app.extensions["aktflow_db"].dispose()
