"""Login under attack: the same time for unknown users, an atomic throttle, a limit per source address, a lock
that an administrator lifts and that never keeps the user's own browser out."""

from __future__ import annotations

import statistics
import threading
import time

import pytest
from sqlalchemy import select, update

from aktflow import login_throttle as throttle
from aktflow.models import LoginFailure, User
from aktflow.users import authenticate
from aktflow.vocabulary import SYSTEM_ACTOR
from tests.web.test_web_admin import PASSWORD, admin_post, csrf_from, flashed, login, text_of


def _median_seconds(fn, n: int = 7) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def test_an_unknown_user_takes_as_long_as_a_known_one(db):
    authenticate(db, "cw", "forkert")  # warm up: the dummy hash is made once per process
    authenticate(db, "ingen-saadan", "forkert")
    known = _median_seconds(lambda: authenticate(db, "cw", "forkert-kodeord"))
    unknown = _median_seconds(lambda: authenticate(db, "ingen-saadan", "forkert-kodeord"))
    malformed = _median_seconds(lambda: authenticate(db, "x" * 80, "forkert-kodeord"))
    assert unknown / known >= 0.5, (unknown, known)
    assert malformed / known >= 0.5, (malformed, known)
    assert authenticate(db, "cw", PASSWORD) is not None


def test_forty_parallel_attempts_get_at_most_five_password_checks(app, db, monkeypatch):
    import werkzeug.security

    checks = []
    real = werkzeug.security.check_password_hash

    def counting(stored, password):
        checks.append(1)
        return real(stored, password)

    monkeypatch.setattr(werkzeug.security, "check_password_hash", counting)
    clients = [app.test_client() for _ in range(40)]
    tokens = [csrf_from(c.get("/login").get_data(as_text=True)) for c in clients]
    barrier = threading.Barrier(40)
    statuses: list[int] = []

    def attack(c, token):
        barrier.wait()
        r = c.post("/login", data={"username": "cw", "password": "forkert-kodeord", "csrf_token": token})
        statuses.append(r.status_code)

    threads = [threading.Thread(target=attack, args=(c, t)) for c, t in zip(clients, tokens, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(statuses) == 40
    assert len(checks) <= throttle.LIMIT, len(checks)
    assert statuses.count(401) == len(checks) and statuses.count(429) == 40 - len(checks)


def test_spraying_one_password_over_many_usernames_is_throttled_per_source(client, app):
    for i in range(throttle.SOURCE_LIMIT):
        assert login(client, f"bruger{i}", "Sommer2026!").status_code == 401
    r = login(client, "cw", PASSWORD)  # the right password, from the spraying address
    assert r.status_code == 429 and "fra din adresse" in text_of(r)
    other = app.test_client()  # another address is not held
    r = other.post(
        "/login",
        data={
            "username": "cw",
            "password": PASSWORD,
            "csrf_token": csrf_from(other.get("/login").get_data(as_text=True)),
        },
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert r.status_code == 303


def test_the_users_own_browser_still_logs_in_while_the_username_is_locked(app):
    mine = app.test_client()
    assert login(mine, "cw").status_code == 303  # this browser has logged in as cw before
    mine.post("/logout", data={"csrf_token": csrf_from(mine.get("/cases").get_data(as_text=True))})
    attacker = app.test_client()
    for _ in range(throttle.LIMIT):
        attacker.post(
            "/login",
            data={
                "username": "cw",
                "password": "gæt",
                "csrf_token": csrf_from(attacker.get("/login").get_data(as_text=True)),
            },
            environ_base={"REMOTE_ADDR": "203.0.113.5"},
        )
    assert login(attacker, "cw").status_code == 429  # locked for everybody else
    assert login(mine, "cw").status_code == 303  # not for the user's own browser
    # the browser's own counter: five wrong guesses with its cookie lock that browser too
    stolen = app.test_client()
    stolen.set_cookie("aktflow_device", mine.get_cookie("aktflow_device").value)
    for _ in range(throttle.LIMIT):
        assert login(stolen, "cw", "forkert-kodeord").status_code == 401
    assert login(stolen, "cw").status_code == 429


def test_a_forged_device_cookie_is_ignored(app):
    attacker = app.test_client()
    attacker.set_cookie("aktflow_device", "eyJ1IjoiY3ciLCJkIjoiMDAwIn0.forged.sig")
    for _ in range(throttle.LIMIT):
        login(attacker, "cw", "forkert-kodeord")
    assert login(attacker, "cw").status_code == 429


def test_an_administrator_lifts_a_lock_on_the_admin_page(app, db):
    victim = app.test_client()
    for _ in range(throttle.LIMIT):
        login(victim, "cw", "forkert-kodeord")
    assert login(victim, "cw").status_code == 429
    admin = app.test_client()
    login(admin, "admin")
    page = text_of(admin.get("/admin"))
    assert "Login spærret til kl." in page and "Ophæv spærring" in page
    r = admin_post(admin, "/admin/users/cw/unlock")
    assert "Login-spærringen for cw er ophævet" in flashed(admin, r)
    assert "Login spærret til kl." not in text_of(admin.get("/admin"))
    assert login(victim, "cw").status_code == 303
    with db.session() as s:
        assert s.scalar(select(LoginFailure.id).where(LoginFailure.username == "cw")) is None


def test_only_an_administrator_lifts_a_lock(app, db):
    from aktflow.errors import PermissionDenied

    for _ in range(throttle.LIMIT):
        throttle.attempt(db, "cw", source="10.0.0.1")
    with pytest.raises(PermissionDenied):
        throttle.unlock(db, "cw", actor="manager")
    assert throttle.locked_until(db, "cw") is not None
    manager = app.test_client()
    login(manager, "manager")
    r = manager.post(
        "/admin/users/cw/unlock",
        data={"csrf_token": csrf_from(manager.get("/dashboard").get_data(as_text=True))},
    )
    assert r.status_code == 403
    assert throttle.unlock(db, "cw", actor=SYSTEM_ACTOR) == throttle.LIMIT
    assert throttle.locked_until(db, "cw") is None


def test_the_cli_lifts_a_lock(db, runner):
    from aktflow.cli import cli

    for _ in range(throttle.LIMIT):
        throttle.attempt(db, "cw", source="10.0.0.1")
    r = runner.invoke(cli, ["users", "unlock", "cw", "--as", "admin"])
    assert r.exit_code == 0, r.output
    assert "login-spærringen for cw er ophævet" in r.output
    assert throttle.locked_until(db, "cw") is None


def test_the_lock_ends_fifteen_minutes_after_the_last_counted_attempt(db):
    import datetime as dt

    t0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    for i in range(throttle.LIMIT):
        assert throttle.attempt(db, "cw", source="10.0.0.1", now=t0 + dt.timedelta(seconds=i)).allowed
    refused = throttle.attempt(db, "cw", source="10.0.0.1", now=t0 + dt.timedelta(minutes=10))
    assert not refused.allowed and refused.reason == "user"
    assert (
        refused.until == t0 + dt.timedelta(seconds=throttle.LIMIT - 1) + throttle.WINDOW
    )  # refusals add nothing
    assert throttle.attempt(db, "cw", source="10.0.0.1", now=t0 + dt.timedelta(minutes=15, seconds=5)).allowed


def test_an_inactive_user_with_the_right_password_is_not_let_in(client, db):
    with db.session() as s:
        s.execute(update(User).where(User.username == "cw").values(active=False))
        s.commit()
    assert login(client, "cw").status_code == 401
