"""Administration through the web UI, login throttling and sign-on through a trusted proxy header."""

from __future__ import annotations

import datetime as dt
import io
import re
from html import unescape

import docx
import pytest
from sqlalchemy import select, update

import letters
from aktflow import case_deadlines, clock
from aktflow.case_letters import municipality
from aktflow.models import LetterTemplate, LoginFailure, User
from aktflow.service import case_view

PASSWORD = "test-pass"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    return CSRF_RE.search(html).group(1)


def text_of(resp) -> str:
    return unescape(resp.get_data(as_text=True))


def login(client, username: str, password: str = PASSWORD):
    page = client.get("/login")
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )


def admin_post(client, path: str, data: dict | None = None, **kw):
    tok = csrf_from(client.get("/admin").get_data(as_text=True))
    return client.post(path, data={"csrf_token": tok, **(data or {})}, **kw)


def flashed(client, resp) -> str:
    return text_of(client.get(resp.headers["Location"]))


@pytest.fixture
def admin(client):
    login(client, "admin")
    return client


# --- users ----------------------------------------------------------------------------------------------------


def test_admin_page_lists_users_with_roles_and_sections(admin):
    html = text_of(admin.get("/admin"))
    for section in (
        "Brugere og roller",
        "Arbejdsdagskalender",
        "Brevskabeloner",
        "Kommunens oplysninger",
        "KLE-plan",
    ):
        assert section in html
    for name in ("Carla Caseworker", "Lise Legal", "Mads Manager", "Ada Admin"):
        assert name in html


def test_add_user_change_role_deactivate_and_reactivate(admin, client, db):
    r = admin_post(
        admin,
        "/admin/users",
        {
            "username": "sofie",
            "name": "Sofie Sørensen",
            "role": "caseworker",
            "password": "hemmelig-blomst-1",
        },
    )
    assert "Brugeren sofie er oprettet" in flashed(admin, r)
    r = admin_post(
        admin,
        "/admin/users",
        {"username": "sofie", "name": "X", "role": "caseworker", "password": "hemmelig-blomst-1"},
    )
    assert "findes allerede" in flashed(admin, r)
    r = admin_post(
        admin, "/admin/users", {"username": "sune", "name": "Sune", "role": "caseworker", "password": "kort"}
    )
    assert "Brugeren blev ikke oprettet: mindst 12 tegn" in flashed(admin, r)  # as for a password reset
    r = admin_post(admin, "/admin/users/sofie/role", {"role": "legal"})
    assert "sofie har nu rollen juridisk kontakt" in flashed(admin, r)
    with db.session() as s:
        assert s.scalar(select(User.role).where(User.username == "sofie")) == "legal"
    r = admin_post(admin, "/admin/users/cw/active", {"active": "0"})
    assert "cw er deaktiveret" in flashed(admin, r)
    other = client.application.test_client()
    r = login(other, "cw")
    assert r.status_code == 401  # a deactivated user cannot log in
    r = admin_post(admin, "/admin/users/cw/active", {"active": "1"})
    assert "cw er aktiveret igen" in flashed(admin, r)
    assert login(other, "cw").status_code == 303


def test_deactivated_user_loses_the_open_session(client, db):
    login(client, "cw")
    assert client.get("/cases").status_code == 200
    with db.session() as s:
        s.execute(update(User).where(User.username == "cw").values(active=False))
        s.commit()
    assert client.get("/cases").status_code in (302, 303)


def test_role_change_takes_effect_at_once(client, db):
    login(client, "cw")
    assert client.get("/dashboard").status_code == 403
    with db.session() as s:
        s.execute(update(User).where(User.username == "cw").values(role="manager"))
        s.commit()
    assert client.get("/dashboard").status_code == 200


def test_admin_cannot_lock_themselves_out(admin, db):
    r = admin_post(admin, "/admin/users/admin/active", {"active": "0"})
    assert "du kan ikke deaktivere dig selv" in flashed(admin, r)
    r = admin_post(admin, "/admin/users/admin/role", {"role": "caseworker"})
    assert "mindst én anden aktiv administrator" in flashed(admin, r)
    with db.session() as s:
        u = s.scalar(select(User).where(User.username == "admin"))
        assert (u.role, u.active) == ("admin", True)


def test_set_password(admin, client):
    r = admin_post(admin, "/admin/users/cw/password", {"password": "kort"})
    assert "mindst 12 tegn" in flashed(admin, r)
    r = admin_post(admin, "/admin/users/cw/password", {"password": "Password1234"})
    assert "almindelige adgangskoder" in flashed(admin, r)
    r = admin_post(admin, "/admin/users/cw/password", {"password": "nyt-kodeord-1"})
    assert "cw har fået en ny adgangskode" in flashed(admin, r)
    other = client.application.test_client()
    assert login(other, "cw", "nyt-kodeord-1").status_code == 303


def test_non_admins_cannot_post_admin_actions(client, db):
    login(client, "manager")
    tok = csrf_from(client.get("/dashboard").get_data(as_text=True))
    for path in (
        "/admin/users",
        "/admin/users/cw/role",
        "/admin/calendar",
        "/admin/municipality",
        "/admin/kle",
    ):
        assert client.post(path, data={"csrf_token": tok, "role": "admin"}).status_code == 403, path
    with db.session() as s:
        assert s.scalar(select(User.role).where(User.username == "cw")) == "caseworker"


# --- calendar --------------------------------------------------------------------------------------------------


def test_calendar_flags_and_closures_recompute_and_report_counts(admin, db, new_case):
    # A case whose 40-day deadline spans the next 24 December: closing juleaften does not move it (a
    # statutory deadline counts only the statutory holidays).
    today = clock.today()
    dec24 = dt.date(today.year if today < dt.date(today.year, 12, 1) else today.year + 1, 12, 24)
    received = (dec24 - dt.timedelta(days=20)) if dec24 - dt.timedelta(days=20) <= today else today
    case = new_case(received=received.isoformat())
    before = {d["rule"]: d["due"] for d in case_view(db, case.id)["deadlines"]}
    r = admin_post(admin, "/admin/calendar", {"juleaften_closed": "on"})
    msg = flashed(admin, r)
    assert "Kalenderen er ændret" in msg and "0 frister på 0 sager er flyttet" in msg
    after = {d["rule"]: d["due"] for d in case_view(db, case.id)["deadlines"]}
    assert after == before
    with db.session() as s:
        assert case_deadlines.calendar_settings(s).juleaften_closed is True
    r = admin_post(admin, "/admin/calendar", {"juleaften_closed": "on"})
    assert "intet er ændret" in flashed(admin, r)
    day = today + dt.timedelta(days=3)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    r = admin_post(admin, "/admin/calendar/closures", {"date": f"{day:%d.%m.%Y}"})  # typed as dd.mm.åååå
    assert f"Lukkedag {day:%d.%m.%Y} tilføjet" in flashed(admin, r)
    assert f"{day:%d.%m.%Y}" in text_of(admin.get("/admin"))
    r = admin_post(admin, f"/admin/calendar/closures/{day.isoformat()}/remove")
    assert f"Lukkedag {day:%d.%m.%Y} fjernet" in flashed(admin, r)
    with db.session() as s:
        assert day not in case_deadlines.calendar_settings(s).closures
    for typed in ("ikke en dato", "31.02.2030", ""):
        r = admin_post(admin, "/admin/calendar/closures", {"date": typed})
        html = text_of(r)
        # the page again (no redirect): the reason beside the field, what was typed kept in it
        assert r.status_code == 400 and "Lukkedagen blev ikke tilføjet" in html
        error = re.search(r'<p class="field-error" id="closure-date-error">([^<]+)</p>', html)
        assert error and "dd.mm.åååå" in error.group(1)
        assert re.search(
            rf'id="closure-date" name="date" required\s+value="{re.escape(typed)}" aria-invalid="true"', html
        )


# --- letter templates ---------------------------------------------------------------------------------------------


def _broken_template() -> bytes:
    d = docx.Document(io.BytesIO(letters.template_bytes("kvittering")))
    d.add_paragraph("{{ ukendt_felt }} og {% if %}")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def test_template_download_bad_upload_keeps_the_old_good_upload_and_reset(admin, db):
    r = admin.get("/admin/templates/kvittering.docx")
    assert r.status_code == 200 and r.data == letters.template_bytes("kvittering")
    r = admin_post(
        admin,
        "/admin/templates/kvittering",
        {"file": (io.BytesIO(_broken_template()), "min.docx")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 400
    html = text_of(r)
    assert "blev ikke taget i brug" in html and "den hidtidige bruges fortsat" in html
    assert "<li>" in html and ("flettekode" in html or "Ukendt flettefelt" in html)
    r = admin_post(
        admin,
        "/admin/templates/kvittering",
        {"file": (io.BytesIO(b"not a docx"), "x.docx")},
        content_type="multipart/form-data",
    )
    assert "kan ikke åbnes som et Word-dokument" in text_of(r)
    with db.session() as s:
        assert s.scalar(select(LetterTemplate.id)) is None
    assert admin.get("/admin/templates/kvittering.docx").data == letters.template_bytes("kvittering")
    d = docx.Document(io.BytesIO(letters.template_bytes("kvittering")))
    d.add_paragraph("Med venlig hilsen fra rådhuset")
    buf = io.BytesIO()
    d.save(buf)
    r = admin_post(
        admin,
        "/admin/templates/kvittering",
        {"file": (io.BytesIO(buf.getvalue()), "ny.docx")},
        content_type="multipart/form-data",
    )
    assert "Den nye skabelon for Kvittering er gemt" in flashed(admin, r)
    assert admin.get("/admin/templates/kvittering.docx").data == buf.getvalue()
    assert "Kommunens egen" in text_of(admin.get("/admin"))
    r = admin_post(admin, "/admin/templates/kvittering/reset")
    assert "Standardskabelonen for kvittering bruges igen" in flashed(admin, r)
    assert admin.get("/admin/templates/kvittering.docx").data == letters.template_bytes("kvittering")
    assert admin.get("/admin/templates/nope.docx").status_code == 404


# --- municipality, KLE --------------------------------------------------------------------------------------------------


def test_municipality_settings_are_saved_and_checked(admin, db):
    values = {
        "name": "Havneby Kommune",
        "address": "Torvet 1, 9999 Havneby",
        "phone": "99 99 99 99",
        "email": "post@havneby.dk",
        "web": "havneby.dk",
        "logo_text": "HAVNEBY",
        "appeal_body": "Ankestyrelsen",
        "appeal_body_address": "Teglholmsgade 3, 2450 København SV",
    }
    r = admin_post(admin, "/admin/municipality", values)
    assert "Kommunens oplysninger er gemt" in flashed(admin, r)
    with db.session() as s:
        assert municipality(s)["name"] == "Havneby Kommune" and municipality(s)["email"] == "post@havneby.dk"
    assert 'value="Havneby Kommune"' in text_of(admin.get("/admin"))
    r = admin_post(admin, "/admin/municipality", {**values, "email": "ikke-en-mail", "name": "Andet"})
    assert "E-mail ugyldig e-mailadresse" in flashed(admin, r)
    r = admin_post(admin, "/admin/municipality", {**values, "name": ""})
    assert "Kommunens navn skal udfyldes" in flashed(admin, r)
    with db.session() as s:
        assert municipality(s)["name"] == "Havneby Kommune"


def test_kle_import_through_the_admin_page(admin, db):
    from aktflow import kle

    r = admin_post(
        admin,
        "/admin/kle",
        {"file": (io.BytesIO(b"<KLE-Emneplan><Hovedgruppe>"), "kle.xml")},
        content_type="multipart/form-data",
    )
    assert "KLE-planen blev ikke indlæst" in flashed(admin, r) and not kle.has_plan(db)
    r = admin_post(admin, "/admin/kle", {"sample": "1"})
    assert re.search(r"KLE-planen er indlæst: \d+ hovedgrupper, \d+ grupper, \d+ emner", flashed(admin, r))
    assert kle.has_plan(db)


# --- login throttling ------------------------------------------------------------------------------------------------------


def test_five_failures_lock_the_username_for_15_minutes_even_with_the_right_password(client, db):
    for _ in range(5):
        r = login(client, "cw", "forkert")
        assert r.status_code == 401
    r = login(client, "cw", PASSWORD)
    assert r.status_code == 429
    html = text_of(r)
    assert "For mange mislykkede forsøg" in html and "spærret for login til kl." in html
    assert client.get("/cases").status_code in (302, 303)  # not logged in
    r = login(client, "CW ", "forkert")  # same counter, whatever the case and spaces
    assert r.status_code == 429
    other = client.application.test_client()
    assert login(other, "cw2").status_code == 303  # other users are not affected
    with db.session() as s:  # 15 minutes later
        for row in s.scalars(select(LoginFailure)):
            row.at = row.at - dt.timedelta(minutes=16)
        s.commit()
    assert login(client, "cw").status_code == 303
    with db.session() as s:
        assert s.scalar(select(LoginFailure.id).where(LoginFailure.username == "cw")) is None


def test_four_failures_do_not_lock(client):
    for _ in range(4):
        login(client, "cw", "forkert")
    assert login(client, "cw").status_code == 303


def test_unknown_usernames_are_throttled_alike(client):
    for _ in range(5):
        assert login(client, "ingen", "x").status_code == 401
    r = login(client, "ingen", "x")
    assert r.status_code == 429 and "For mange mislykkede forsøg" in text_of(r)


# --- sign-on through a trusted reverse proxy -----------------------------------------------------------------------------------


@pytest.fixture
def sso_app(db):
    from web import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "t",
            "DATABASE_URL": db.url,
            "TRUSTED_HEADER": "X-Remote-User",
            "TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.5",
            "TRUSTED_DOMAIN": "kommune",
        }
    )
    yield app
    app.extensions["aktflow_db"].dispose()


def test_trusted_header_from_a_trusted_proxy_logs_the_user_in(sso_app):
    c = sso_app.test_client()
    r = c.get("/", headers={"X-Remote-User": "manager"}, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/dashboard")
    assert c.get("/dashboard", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    # the header names someone else: the session follows the header
    r = c.get("/", headers={"X-Remote-User": "KOMMUNE\\cw"}, environ_base={"REMOTE_ADDR": "192.168.1.5"})
    assert r.headers["Location"].endswith("/cases")


def test_trusted_header_from_anywhere_else_is_ignored(sso_app):
    c = sso_app.test_client()
    r = c.get("/cases", headers={"X-Remote-User": "admin"}, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert r.status_code in (302, 303) and "/login" in r.headers["Location"]


def test_trusted_header_for_an_unknown_or_inactive_user_is_refused(sso_app, db):
    c = sso_app.test_client()
    r = c.get("/cases", headers={"X-Remote-User": "mallory"}, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert r.status_code == 403 and "findes ikke i aktflow" in text_of(r)
    with db.session() as s:
        s.execute(update(User).where(User.username == "cw").values(active=False))
        s.commit()
    r = c.get("/cases", headers={"X-Remote-User": "cw"}, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert r.status_code == 403


def test_sign_on_is_off_by_default(client):
    r = client.get("/cases", headers={"X-Remote-User": "admin"}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert r.status_code in (302, 303) and "/login" in r.headers["Location"]


def test_trusted_header_without_proxies_is_a_configuration_error(db):
    from web import create_app

    with pytest.raises(RuntimeError, match="AKTFLOW_TRUSTED_PROXIES"):
        create_app(
            {"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": db.url, "TRUSTED_HEADER": "X-Remote-User"}
        )


def test_sign_on_keeps_the_domain_of_two_users_with_the_same_name(db):
    """SKOLE\\jens and KOMMUNE\\jens are two people; the trusted domain's users are named without it."""
    from web import create_app
    from web.auth import sign_on_name

    assert sign_on_name("KOMMUNE\\jens", "kommune") == "jens"
    assert sign_on_name("skole\\jens", "kommune") == "SKOLE\\jens"
    assert sign_on_name("skole\\jens", None) == "SKOLE\\jens" and sign_on_name(" jens ", None) == "jens"
    from aktflow.users import add_user
    from aktflow.vocabulary import SYSTEM_ACTOR

    add_user(
        db,
        "jens",
        role="caseworker",
        password="Skovbrynet-42-regnvejr",
        name="Jens fra kommunen",
        actor=SYSTEM_ACTOR,
    )
    add_user(
        db,
        "SKOLE\\jens",
        role="manager",
        password="Skovbrynet-42-regnvejr",
        name="Jens fra skolen",
        actor=SYSTEM_ACTOR,
    )
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "t",
            "DATABASE_URL": db.url,
            "TRUSTED_HEADER": "X-Remote-User",
            "TRUSTED_PROXIES": "10.0.0.0/8",
            "TRUSTED_DOMAIN": "KOMMUNE",
        }
    )
    try:
        env = {"REMOTE_ADDR": "10.0.0.2"}
        c = app.test_client()
        r = c.get("/", headers={"X-Remote-User": "kommune\\jens"}, environ_base=env)
        assert r.headers["Location"].endswith("/cases")  # the caseworker
        r = c.get("/", headers={"X-Remote-User": "SKOLE\\jens"}, environ_base=env)
        assert r.headers["Location"].endswith("/dashboard")  # the other Jens, a manager
        assert "Jens fra skolen" in text_of(
            c.get("/dashboard", headers={"X-Remote-User": "SKOLE\\jens"}, environ_base=env)
        )
        r = c.get("/cases", headers={"X-Remote-User": "ANDET\\jens"}, environ_base=env)
        assert r.status_code == 403  # a third domain's jens is nobody here
    finally:
        app.extensions["aktflow_db"].dispose()
