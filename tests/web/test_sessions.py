"""Sessions kept on the server: the cookie holds only an id, logout ends one session, idle and absolute limits."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select, update

from aktflow.models import User, WebSession
from tests.web.test_web_admin import PASSWORD, admin_post, csrf_from, login


def _logout(client):
    return client.post("/logout", data={"csrf_token": csrf_from(client.get("/cases").get_data(as_text=True))})


def _age(db, **delta):
    with db.session() as s:
        for row in s.scalars(select(WebSession)):
            row.seen_at = row.seen_at - dt.timedelta(**delta.get("idle", {}))
            row.created_at = row.created_at - dt.timedelta(**delta.get("life", {}))
        s.commit()


def test_the_cookie_holds_only_a_random_id_never_flash_text(app, db):
    c = app.test_client()
    login(c, "admin")
    r = admin_post(c, "/admin/users/cw/unlock")  # a flash naming a user waits in the session
    cookie = c.get_cookie("session").value
    # 256 random bits in URL-safe base64, not Flask's signed JSON (whose payload would hold the flash). A
    # two-letter name such as "cw" can occur in random text by chance, so the test looks for the shape.
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", cookie), cookie
    assert "_flashes" not in cookie and "Login" not in cookie
    with db.session() as s:
        stored = s.scalars(select(WebSession.data)).all()
    assert any("_flashes" in d for d in stored)
    assert "Login-spærringen for cw" in c.get(r.headers["Location"]).get_data(as_text=True)


def test_logout_ends_this_session_only(app):
    first, second = app.test_client(), app.test_client()
    login(first, "cw")
    login(second, "cw")
    copy = app.test_client()
    copy.set_cookie("session", first.get_cookie("session").value)
    assert copy.get("/cases").status_code == 200  # a copy of the cookie is the same session …
    _logout(first)
    assert first.get("/cases").status_code in (302, 303)
    assert copy.get("/cases").status_code in (302, 303)  # … and ends with it
    assert second.get("/cases").status_code == 200  # the user's other session goes on


def test_a_password_change_still_ends_every_session(app):
    mine = app.test_client()
    login(mine, "cw")
    admin = app.test_client()
    login(admin, "admin")
    admin_post(admin, "/admin/users/cw/password", {"password": "Skovbrynet-42-regnvejr"})
    assert mine.get("/cases").status_code in (302, 303)
    assert login(mine, "cw", "Skovbrynet-42-regnvejr").status_code == 303


def test_an_idle_session_ends(app, db):
    c = app.test_client()
    login(c, "cw")
    _age(db, idle={"minutes": 29})
    assert c.get("/cases").status_code == 200  # 29 minutes: still there (and seen now)
    _age(db, idle={"minutes": 31})
    r = c.get("/cases")
    assert r.status_code in (302, 303) and "/login" in r.headers["Location"]


def test_a_session_ends_after_its_lifetime_however_busy(app, db):
    c = app.test_client()
    login(c, "cw")
    _age(db, life={"hours": 11, "minutes": 50})
    assert c.get("/cases").status_code == 200
    _age(db, life={"minutes": 20})
    assert c.get("/cases").status_code in (302, 303)


def test_the_limits_are_settings(db, monkeypatch):
    from web import create_app

    monkeypatch.setenv("AKTFLOW_SESSION_IDLE", "5")
    monkeypatch.setenv("AKTFLOW_SESSION_LIFETIME", "2")
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": db.url})
    try:
        assert app.session_interface.idle == dt.timedelta(minutes=5)
        assert app.session_interface.lifetime == dt.timedelta(hours=2)
        c = app.test_client()
        login(c, "cw")
        _age(db, idle={"minutes": 6})
        assert c.get("/cases").status_code in (302, 303)
    finally:
        app.extensions["aktflow_db"].dispose()


def test_login_gives_a_new_session_id(app, db):
    c = app.test_client()
    c.get("/login")  # an anonymous session (the CSRF token)
    before = c.get_cookie("session").value
    login(c, "cw", PASSWORD)
    after = c.get_cookie("session").value
    assert before != after
    attacker = app.test_client()
    attacker.set_cookie("session", before)  # a fixed id from before the login is worth nothing
    assert attacker.get("/cases").status_code in (302, 303)
    with db.session() as s:
        uid = s.scalar(select(User.id).where(User.username == "cw"))
        assert s.scalar(select(func.count()).select_from(WebSession).where(WebSession.user_id == uid)) == 1
        s.execute(update(WebSession).values(data="not json"))
        s.commit()
    assert c.get("/cases").status_code in (302, 303)  # a damaged row is an empty session, not a 500
