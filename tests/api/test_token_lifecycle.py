"""API tokens expire, have a name, record when they were last used, and are listed and revoked from the CLI and
the administrator's page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select, update

from aktflow import tokens
from aktflow.cli import cli
from aktflow.errors import ValidationError
from aktflow.models import ApiToken, utcnow
from aktflow.vocabulary import SYSTEM_ACTOR
from tests.web.test_web_admin import admin_post, csrf_from, login, text_of


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_expires_after_its_days(db):
    token = tokens.issue_token(db, "cw", name="selvbetjening", actor=SYSTEM_ACTOR, days=7)
    with db.session() as s:
        row = s.scalar(select(ApiToken))
    assert dt.timedelta(days=7) - (row.expires_at - row.created_at) < dt.timedelta(seconds=1)
    now = row.created_at
    assert tokens.user_for_token(db, token, now=now + dt.timedelta(days=6, hours=23)) is not None
    assert tokens.user_for_token(db, token, now=now + dt.timedelta(days=7)) is None
    (listed,) = tokens.list_tokens(db, now=now + dt.timedelta(days=8))
    assert listed["status"] == "expired" and listed["name"] == "selvbetjening"


def test_the_default_lifetime_is_ninety_days(db):
    tokens.issue_token(db, "cw", actor=SYSTEM_ACTOR)
    (listed,) = tokens.list_tokens(db)
    created = dt.datetime.fromisoformat(listed["created_at"])
    expires = dt.datetime.fromisoformat(listed["expires_at"])
    assert (expires - created).days == tokens.DEFAULT_DAYS == 90
    assert listed["status"] == "active" and listed["last_used_at"] is None


@pytest.mark.parametrize("days", [0, -1, 367, "x", 1.5, True, None])
def test_a_bad_lifetime_is_refused(db, days):
    with pytest.raises(ValidationError) as e:
        tokens.issue_token(db, "cw", actor=SYSTEM_ACTOR, days=days)
    assert e.value.field == "days"


def test_an_expired_token_is_refused_by_the_api(client, db):
    token = tokens.issue_token(db, "cw", actor=SYSTEM_ACTOR, days=1)
    assert client.get("/api/v1/cases", headers=_bearer(token)).status_code == 200
    with db.session() as s:
        s.execute(update(ApiToken).values(expires_at=utcnow() - dt.timedelta(seconds=1)))
        s.commit()
    assert client.get("/api/v1/cases", headers=_bearer(token)).status_code == 401


def test_a_token_without_expiry_from_before_still_works_until_revoked(db):
    token = tokens.issue_token(db, "cw", actor=SYSTEM_ACTOR)
    with db.session() as s:
        s.execute(update(ApiToken).values(expires_at=None))
        s.commit()
    assert tokens.user_for_token(db, token) is not None
    assert tokens.list_tokens(db)[0]["expires_at"] is None


def test_cli_issues_lists_and_revokes(runner, db):
    r = runner.invoke(cli, ["users", "token", "cw", "--name", "selvbetjening", "--days", "30"])
    assert r.exit_code == 0, r.output
    token = r.output.strip()
    assert tokens.user_for_token(db, token) is not None
    r = runner.invoke(cli, ["users", "tokens"])
    assert (
        r.exit_code == 0 and "selvbetjening" in r.output and "aktiv" in r.output and "sidst brugt" in r.output
    )
    assert token not in r.output
    r = runner.invoke(cli, ["users", "tokens", "cw", "--json"])
    (row,) = __import__("json").loads(r.output)
    assert row["username"] == "cw" and row["status"] == "active" and row["last_used_at"] is not None
    r = runner.invoke(cli, ["users", "revoke-token", str(row["id"])])
    assert r.exit_code == 0 and f"API-nøgle {row['id']} er tilbagekaldt" in r.output
    assert tokens.user_for_token(db, token) is None
    assert "tilbagekaldt" in runner.invoke(cli, ["users", "tokens"]).output
    r = runner.invoke(cli, ["users", "token", "cw", "--days", "0"])
    assert r.exit_code == 2 and "days" in r.output + (r.stderr or "")
    assert runner.invoke(cli, ["users", "revoke-token", "99999"]).exit_code == 2


def test_admin_page_issues_shows_once_lists_and_revokes(app, db):
    admin = app.test_client()
    login(admin, "admin")
    r = admin_post(admin, "/admin/tokens", {"username": "cw", "name": "integration", "days": "10"})
    assert r.status_code == 200
    html = text_of(r)
    token = re.search(r"akt_[A-Za-z0-9_-]{40,}", html).group(0)
    assert tokens.user_for_token(db, token).username == "cw"
    assert r.headers["Cache-Control"] == "no-store"
    page = text_of(admin.get("/admin"))
    assert token not in page and "integration" in page and "Tilbagekald" in page  # shown once only
    (row,) = tokens.list_tokens(db)
    r = admin_post(admin, f"/admin/tokens/{row['id']}/revoke")
    assert r.status_code == 303 and f"API-nøgle {row['id']} er tilbagekaldt" in text_of(
        admin.get(r.headers["Location"])
    )
    assert tokens.user_for_token(db, token) is None
    r = admin_post(admin, "/admin/tokens", {"username": "cw", "name": "x", "days": "9999"})
    assert "API-nøglen blev ikke udstedt" in text_of(admin.get(r.headers["Location"]))


def test_only_an_administrator_issues_or_revokes_on_the_page(app, db):
    token = tokens.issue_token(db, "cw", actor=SYSTEM_ACTOR)
    (row,) = tokens.list_tokens(db)
    manager = app.test_client()
    login(manager, "manager")
    csrf = csrf_from(manager.get("/dashboard").get_data(as_text=True))
    assert manager.post(f"/admin/tokens/{row['id']}/revoke", data={"csrf_token": csrf}).status_code == 403
    r = manager.post(
        "/admin/tokens", data={"csrf_token": csrf, "username": "manager", "name": "x", "days": "5"}
    )
    assert r.status_code == 403
    assert tokens.user_for_token(db, token) is not None and len(tokens.list_tokens(db)) == 1
