"""The administrative log on the admin page: who changed what through the UI, shown to administrators only."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import text

PASSWORD = "test-pass"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _csrf(client, path: str) -> str:
    return CSRF_RE.search(client.get(path).get_data(as_text=True)).group(1)


def login(client, username: str) -> None:
    client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": _csrf(client, "/login")}
    )


def test_a_role_and_password_change_in_the_ui_appear_on_the_admin_log(client, db):
    login(client, "admin")
    tok = _csrf(client, "/admin")
    client.post("/admin/users/cw2/role", data={"csrf_token": tok, "role": "manager"})
    client.post("/admin/users/cw2/password", data={"csrf_token": tok, "password": "helt-ny-kode-2026"})
    html = unescape(client.get("/admin/audit").get_data(as_text=True))
    assert "Administrationsloggen er i orden" in html
    rows = re.findall(
        r"<tr><td class=\"num\">(\d+)</td><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>",
        html,
    )
    assert [(who, what, target) for _, who, what, target in rows[:2]] == [
        ("admin", "adgangskode ændret", "cw2"),
        ("admin", "rolle ændret", "cw2"),
    ]
    assert '{"role": "caseworker"}' in html and '{"role": "manager"}' in html
    assert "helt-ny-kode-2026" not in html
    only_roles = unescape(client.get("/admin/audit?kind=user.role").get_data(as_text=True))
    assert "rolle ændret" in only_roles and "adgangskode ændret</td>" not in only_roles


def test_the_page_says_when_the_admin_log_was_changed(client, db):
    login(client, "admin")
    with db.engine.begin() as conn:
        if db.dialect == "postgresql":  # as a superuser could: switch the append-only trigger off first
            conn.execute(text("ALTER TABLE admin_log DISABLE TRIGGER admin_log_append_only"))
        conn.execute(text("UPDATE admin_log SET actor = 'cw' WHERE seq = 1"))
    html = unescape(client.get("/admin/audit").get_data(as_text=True))
    assert "Administrationsloggen er ændret" in html and "nr. 1" in html


def test_only_administrators_see_the_admin_log(client, db):
    login(client, "manager")
    assert client.get("/admin/audit").status_code == 403
