"""The case page's panel *Adgang til sagen* (docs/access.md): add and remove people, mark and unmark, and
what a colleague then sees: a Danish 403 on the case, the case masked in the list."""

from __future__ import annotations

import re
from html import unescape

PASSWORD = "test-pass"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def login(client, username: str) -> str:
    client._cookies.clear()  # a new browser: no session
    page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": CSRF_RE.search(page).group(1)},
    )
    return CSRF_RE.search(client.get("/workflow").get_data(as_text=True)).group(1)


def flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as s:
        return list(s.pop("_flashes", []))


def test_the_panel_marks_adds_and_removes(client, new_case):
    cid = new_case(subject="Vejarbejdet på Skovvej").id
    token = login(client, "cw")
    page = unescape(client.get(f"/cases/{cid}").get_data(as_text=True))
    assert "Adgang til sagen" in page and "Markér sagen fortrolig" in page
    r = client.post(f"/cases/{cid}/access/mark", data={"csrf_token": token, "reason": "Helbred"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/cases/{cid}#adgang")
    assert flashes(client) == [("ok", "Sagen er markeret fortrolig.")]
    # The caseworker may not lift the mark: no form for it.
    page = unescape(client.get(f"/cases/{cid}").get_data(as_text=True))
    assert "Fortrolig" in page and "Fjern markeringen fortrolig" not in page

    token2 = login(client, "cw2")
    r = client.get(f"/cases/{cid}")
    assert r.status_code == 403 and "fortrolig" in r.get_data(as_text=True)
    listed = unescape(client.get("/cases?mine=0").get_data(as_text=True))
    assert "Fortrolig sag" in listed and "Vejarbejdet på Skovvej" not in listed
    r = client.post(
        f"/cases/{cid}/access/members", data={"csrf_token": token2, "username": "cw2", "reason": "x"}
    )
    assert r.status_code == 403  # cw2 cannot add themselves

    token = login(client, "cw")
    r = client.post(
        f"/cases/{cid}/access/members", data={"csrf_token": token, "username": "cw2", "reason": ""}
    )
    assert r.status_code == 303 and flashes(client) == [("error", "Skriv en begrundelse.")]
    client.post(
        f"/cases/{cid}/access/members", data={"csrf_token": token, "username": "cw2", "reason": "Ferie"}
    )
    assert flashes(client)[-1] == ("ok", "cw2 er tilføjet sagen.")
    page = unescape(client.get(f"/cases/{cid}").get_data(as_text=True))
    assert "Claus Caseworker (cw2)" in page and "Ferie" in page

    token2 = login(client, "cw2")
    assert client.get(f"/cases/{cid}").status_code == 200
    # A member sees the case and acts on it, but may not widen the circle.
    r = client.post(
        f"/cases/{cid}/access/members", data={"csrf_token": token2, "username": "legal", "reason": "x"}
    )
    assert r.status_code == 403 and "sagsbehandler" in r.get_data(as_text=True)

    token = login(client, "cw")
    client.post(f"/cases/{cid}/access/members/cw2/remove", data={"csrf_token": token})
    assert flashes(client)[-1] == ("ok", "cw2 er fjernet fra sagen.")

    token = login(client, "manager")
    client.post(f"/cases/{cid}/access/unmark", data={"csrf_token": token, "reason": "Ikke fortrolig"})
    assert flashes(client)[-1] == ("ok", "Markeringen fortrolig er fjernet.")
    login(client, "cw2")
    assert client.get(f"/cases/{cid}").status_code == 200


def test_a_masked_case_in_a_list_is_plain_text_never_a_link_to_a_403(client, db, new_case):
    from aktflow.case_members import mark_sensitive

    secret = new_case(subject="Helbredsoplysninger om en ansat").id
    open_case = new_case(subject="Vejarbejdet på Skovvej").id
    mark_sensitive(db, secret, actor="cw", reason="Helbred")
    login(client, "cw2")
    listed = unescape(client.get("/cases?mine=0").get_data(as_text=True))
    row = listed[listed.index(f'data-masked-case="{secret}"') :].split("</tr>", 1)[0]
    assert "Fortrolig sag" in row and "Helbredsoplysninger" not in listed
    assert f'href="/cases/{secret}"' not in listed  # no link to a page that answers 403
    assert f'href="/cases/{open_case}"' in listed  # the other case is linked as before
    assert client.get(f"/cases/{secret}").status_code == 403
    # the case's own caseworker gets the link
    login(client, "cw")
    listed = unescape(client.get("/cases?mine=0").get_data(as_text=True))
    assert f'href="/cases/{secret}"' in listed and "data-masked-case" not in listed


def test_a_colleagues_case_says_who_acts_and_what_it_waits_for(client, db, new_case):
    from aktflow.service import fire

    cid = new_case(subject="Vejarbejdet på Skovvej").id
    fire(db, cid, "register", actor="cw")
    fire(db, cid, "start_collecting", actor="cw")
    login(client, "cw")
    own = unescape(client.get(f"/cases/{cid}").get_data(as_text=True))
    steps = re.findall(r'data-step="(\w+)"', own)
    assert steps and "data-colleague" not in own  # the caseworker gets the actions
    assert "data-upload-many" in own
    login(client, "cw2")
    page = unescape(client.get(f"/cases/{cid}").get_data(as_text=True))
    card = page[page.index('id="h-handlinger"') :].split("</section>", 1)[0]
    assert "data-colleague" in card and "Du kan se sagen, men ikke handle på den" in card
    assert re.search(r"<strong data-who>Carla Caseworker</strong>", card)
    # what the case waits for: the caseworker's own next step, not every step refused for cw2
    assert re.search(rf'data-next-step="{steps[0]}"', card)
    assert "data-step=" not in card and "<form" not in card
    assert "kun sagens sagsbehandler" not in card
    assert "data-upload-many" not in page  # no form that would only be refused
    # a manager acts on any case: the actions as usual
    login(client, "manager")
    page = unescape(client.get(f"/cases/{cid}").get_data(as_text=True))
    assert "data-colleague" not in page and "data-step=" in page


def test_a_colleagues_document_page_offers_no_forms(client, db, new_case):
    from aktflow.documents import Attachment
    from aktflow.service import fire

    cid = new_case(subject="Vejarbejdet på Skovvej").id
    for t in ("register", "start_collecting"):
        fire(db, cid, t, actor="cw")
    c = fire(
        db, cid, "add_document", actor="cw", data={"title": "Notat"}, attachment=Attachment("n.txt", b"Vej")
    )
    doc = c.documents[-1].id
    fire(db, cid, "start_screening", actor="cw")
    login(client, "cw")
    own = client.get(f"/cases/{cid}/documents/{doc}").get_data(as_text=True)
    assert "/documents/" in own and 'name="outcome"' in own  # the caseworker assesses here
    login(client, "cw2")
    page = client.get(f"/cases/{cid}/documents/{doc}").get_data(as_text=True)
    assert page.count("<form") <= own.count("<form") and 'name="outcome"' not in page
    assert 'name="term"' not in page  # no redaction form either
