"""The web UI through Flask's test client, with CSRF protection on (as in production)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from aktflow import states
from aktflow.service import case_view, fire

PASSWORD = "test-pass"
CSRF_RE = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
VALUE_RE = re.compile(r'value="([^"]*)"')
ACTION_RE = re.compile(r'<form[^>]*action="/cases/(\d+)/actions/([a-z_]+)"')


def csrf_from(html: str) -> str:
    tag = CSRF_RE.search(html)
    assert tag, "no csrf_token input on the page"
    return VALUE_RE.search(tag.group(0)).group(1)


def login(client, username: str, password: str = PASSWORD):
    page = client.get("/login")
    assert page.status_code == 200
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )


def logged_in(client) -> bool:
    r = client.get("/cases")
    return r.status_code == 200


def text_of(resp) -> str:
    return unescape(resp.get_data(as_text=True))


def action_forms(html: str, case_id: int) -> set[str]:
    return {t for cid, t in ACTION_RE.findall(html) if int(cid) == case_id}


PATH = {
    "legal_review": ["register", "start_collecting", "start_screening", "submit_for_legal_review"],
    "registered": ["register"],
}


def drive(db, case_id: int, state: str) -> None:
    for t in PATH[state]:
        fire(db, case_id, t, actor="cw")


# --- login -----------------------------------------------------------------------------------------------


def test_login_page_is_danish(client):
    r = client.get("/login")
    assert r.status_code == 200
    html = text_of(r)
    assert re.search(r'<html[^>]*lang="da"', html)
    for word in ("Log ind", "Brugernavn", "Adgangskode"):
        assert word in html, word
    assert csrf_from(html)


def test_unauthenticated_case_list_redirects_to_login(client):
    r = client.get("/cases")
    assert r.status_code in (302, 303)
    assert r.headers["Location"].split("?")[0].endswith("/login")


def test_wrong_password_gives_no_session(client):
    r = login(client, "cw", "wrong-password")
    assert r.status_code in (200, 401)  # the login page again, not a redirect into the application
    assert "Forkert brugernavn eller adgangskode" in text_of(r)
    assert not logged_in(client)
    login(client, "nobody", PASSWORD)
    assert not logged_in(client)


def test_login_without_csrf_token_is_refused(client):
    client.get("/login")
    r = client.post("/login", data={"username": "cw", "password": PASSWORD})
    assert r.status_code in (200, 400, 401)
    assert not logged_in(client)


def test_login_then_case_list_lists_cases(client, db, new_case):
    mine = new_case(requester="Mette Hansen")
    other = new_case(requester="Jens Jensen", assign="cw2")
    r = login(client, "cw")
    assert r.status_code in (302, 303)
    r = client.get("/cases")
    assert r.status_code == 200
    html = text_of(r)
    assert f'href="/cases/{mine.id}"' in html and "Mette Hansen" in html
    assert f'href="/cases/{other.id}"' not in html  # 'mine' is the caseworker's default
    html = text_of(client.get("/cases?mine=0"))
    assert f'href="/cases/{mine.id}"' in html and f'href="/cases/{other.id}"' in html
    assert "Jens Jensen" in html


# --- the case page: exactly the allowed actions per role -----------------------------------------------


@pytest.mark.parametrize("user", ["cw", "legal", "manager"])
def test_case_page_offers_exactly_the_allowed_actions_for_the_role(client, db, new_case, user):
    case = new_case()
    drive(db, case.id, "legal_review")
    login(client, user)
    r = client.get(f"/cases/{case.id}")
    assert r.status_code == 200
    html = text_of(r)
    assert "Juridisk vurdering" in html  # the state, in Danish
    assert "Mette Hansen" in html
    forms = action_forms(html, case.id)
    # a next step that cannot be taken yet is named with its reason, not drawn as a form that does nothing
    waiting = set(re.findall(r'data-waiting="([a-z_]+)"', html))
    role = {"cw": "caseworker", "legal": "legal", "manager": "manager"}[user]
    # The actions drawn on their own panels (dispatches, access, the legal review's comments) are not forms here.
    allowed = set(case_view(db, case.id, role=role)["allowed_triggers"]) - states.PANEL_TRIGGERS
    assert forms | waiting == allowed
    assert not forms & waiting
    if user == "legal":
        assert {"approve_legal", "return_to_screening"} <= forms
        assert "withdraw" not in forms  # casework is not legal's
    else:
        assert "approve_legal" not in forms and "return_to_screening" not in forms
        assert "withdraw" in forms
    assert ('data-trigger="approve_legal"' in html) == (user == "legal")  # no approve button for others


def test_unknown_case_is_404(client):
    login(client, "cw")
    assert client.get("/cases/999999").status_code == 404


# --- actions ------------------------------------------------------------------------------------------------


def _page(client, case_id):
    r = client.get(f"/cases/{case_id}")
    assert r.status_code == 200
    return text_of(r)


def test_action_with_csrf_and_current_version_is_done(client, db, new_case):
    case = new_case()
    login(client, "cw")
    html = _page(client, case.id)
    assert "register" in action_forms(html, case.id)
    r = client.post(
        f"/cases/{case.id}/actions/register", data={"csrf_token": csrf_from(html), "version": "1"}
    )
    assert r.status_code in (302, 303)
    assert r.headers["Location"].endswith(f"/cases/{case.id}")
    view = case_view(db, case.id)
    assert (view["state"], view["version"]) == ("registered", 2)
    assert view["events"][-1]["actor"] == "cw"
    assert "Sag oprettet" in _page(client, case.id)


def test_action_without_csrf_token_is_400_and_changes_nothing(client, db, new_case):
    case = new_case()
    login(client, "cw")
    _page(client, case.id)
    before = case_view(db, case.id)
    r = client.post(f"/cases/{case.id}/actions/register", data={"version": "1"})
    assert r.status_code == 400
    assert case_view(db, case.id) == before


def test_action_with_a_wrong_csrf_token_is_400(client, db, new_case):
    case = new_case()
    login(client, "cw")
    _page(client, case.id)
    r = client.post(f"/cases/{case.id}/actions/register", data={"version": "1", "csrf_token": "forged"})
    assert r.status_code == 400
    assert case_view(db, case.id)["state"] == "received"


def test_stale_version_shows_the_fresh_case_with_the_typed_text_and_a_danish_conflict_message(
    client, db, new_case
):
    case = new_case()
    login(client, "cw")
    html = _page(client, case.id)  # the user has version 1 open …
    token = csrf_from(html)
    fire(db, case.id, "register", actor="manager")  # … while a manager registers the case
    before = case_view(db, case.id)
    r = client.post(
        f"/cases/{case.id}/actions/forward",
        data={
            "csrf_token": token,
            "version": "1",
            "authority": "Færdselsstyrelsen",
            "letter_sha256": "unseen",
        },
    )
    assert r.status_code == 409  # the page is drawn again: the case as it is now, the typed text kept
    after = case_view(db, case.id)
    assert after == before
    assert after["state"] == "registered"
    page = text_of(r)
    assert "Sagen er ændret af en anden, siden du åbnede den" in page
    assert "Sag oprettet" in page and "Videresendt" not in page.split("Forløb")[0]
    assert 'value="Færdselsstyrelsen"' in page  # what the user typed, in the form to send again
    assert f'name="version" value="{after["version"]}"' in page
    assert '<details class="side-action" open>' in page  # the forwarding form is open


def test_caseworker_posting_a_legal_only_action_is_refused(client, db, new_case):
    case = new_case()
    drive(db, case.id, "legal_review")
    login(client, "cw")
    html = _page(client, case.id)
    before = case_view(db, case.id)
    r = client.post(
        f"/cases/{case.id}/actions/approve_legal",
        data={"csrf_token": csrf_from(html), "version": str(before["version"])},
    )
    assert r.status_code == 403
    assert case_view(db, case.id) == before


# --- logout --------------------------------------------------------------------------------------------------


def test_logout_is_post_only_with_csrf(client, db, new_case):
    new_case()
    login(client, "cw")
    assert logged_in(client)
    assert client.get("/logout").status_code == 405
    assert logged_in(client)
    assert client.post("/logout").status_code == 400  # no CSRF token
    assert logged_in(client)
    token = csrf_from(text_of(client.get("/cases")))
    r = client.post("/logout", data={"csrf_token": token})
    assert r.status_code in (302, 303)
    assert not logged_in(client)
