"""Bearer tokens: issued once, stored hashed, refused when revoked or the user is inactive."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select, update

from aktflow import tokens
from aktflow.errors import NotFound, ValidationError
from aktflow.models import ApiToken, User
from aktflow.vocabulary import SYSTEM_ACTOR


def test_issue_stores_only_the_sha256(db):
    token = tokens.issue_token(db, "cw", name="selvbetjening", actor=SYSTEM_ACTOR)
    assert token.startswith("akt_") and len(token) >= 40
    with db.session() as s:
        rows = s.scalars(select(ApiToken)).all()
    assert len(rows) == 1
    row = rows[0]
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (row.token_hash, row.name)
    assert row.name == "selvbetjening" and not row.revoked and row.last_used_at is None


def test_tokens_are_unique(db):
    assert len({tokens.issue_token(db, "cw", actor=SYSTEM_ACTOR) for _ in range(5)}) == 5


@pytest.mark.parametrize("username", ["nobody", ""])
def test_issue_for_unknown_user_names_username(db, username):
    with pytest.raises(ValidationError) as e:
        tokens.issue_token(db, username, actor=SYSTEM_ACTOR)
    assert e.value.field == "username"


def test_issue_for_inactive_user_is_refused(db):
    with db.session() as s:
        s.execute(update(User).where(User.username == "cw2").values(active=False))
        s.commit()
    with pytest.raises(ValidationError) as e:
        tokens.issue_token(db, "cw2", actor=SYSTEM_ACTOR)
    assert e.value.field == "username"


def test_user_for_token(db):
    token = tokens.issue_token(db, "legal", actor=SYSTEM_ACTOR)
    user = tokens.user_for_token(db, token)
    assert user is not None and user.username == "legal" and user.role == "legal"
    for bad in (token + "x", token[:-1], "akt_", "", None, 42, "Bearer " + token, "x" * 5000, "akt_\x00"):
        assert tokens.user_for_token(db, bad) is None


def test_revoked_and_inactive_tokens_stop_working(db):
    a, b = tokens.issue_token(db, "cw", actor=SYSTEM_ACTOR), tokens.issue_token(db, "cw2", actor=SYSTEM_ACTOR)
    tokens.revoke(db, a, actor=SYSTEM_ACTOR)
    assert tokens.user_for_token(db, a) is None
    assert tokens.user_for_token(db, b) is not None
    with db.session() as s:
        s.execute(update(User).where(User.username == "cw2").values(active=False))
        s.commit()
    assert tokens.user_for_token(db, b) is None


def test_revoke_by_id_and_unknown(db):
    token = tokens.issue_token(db, "manager", actor=SYSTEM_ACTOR)
    (listed,) = tokens.list_tokens(db, "manager")
    assert listed["username"] == "manager" and "token_hash" not in listed
    assert tokens.revoke(db, listed["id"], actor=SYSTEM_ACTOR) == listed["id"]
    assert tokens.revoke(db, str(listed["id"]), actor=SYSTEM_ACTOR) == listed["id"]  # revoking twice is fine
    assert tokens.user_for_token(db, token) is None
    assert tokens.list_tokens(db, "manager")[0]["revoked"] is True
    with pytest.raises(NotFound):
        tokens.revoke(db, 9999, actor=SYSTEM_ACTOR)
    with pytest.raises(NotFound):
        tokens.revoke(db, "akt_not-a-token", actor=SYSTEM_ACTOR)


def test_last_used_is_written_at_most_once_a_minute(db):
    token = tokens.issue_token(db, "cw", actor=SYSTEM_ACTOR)
    t0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

    def last_used():
        with db.session() as s:
            return s.scalar(select(ApiToken.last_used_at))

    assert tokens.user_for_token(db, token, now=t0) is not None
    assert last_used() == t0
    assert tokens.user_for_token(db, token, now=t0 + dt.timedelta(seconds=59)) is not None
    assert last_used() == t0  # no write within the minute
    later = t0 + dt.timedelta(seconds=61)
    assert tokens.user_for_token(db, token, now=later) is not None
    assert last_used() == later


def test_only_an_administrator_revokes_a_token(db):
    from aktflow.errors import PermissionDenied

    token = tokens.issue_token(db, "cw", actor=SYSTEM_ACTOR)
    with pytest.raises(PermissionDenied):
        tokens.revoke(db, token, actor="cw")
    assert tokens.user_for_token(db, token) is not None
    tokens.revoke(db, token, actor="admin")
    assert tokens.user_for_token(db, token) is None
