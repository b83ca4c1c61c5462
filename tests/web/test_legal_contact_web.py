"""The case's legal contact on the page (docs/access.md): chosen by name on the case page's access panel and
on the legal review page, shown as "Juridisk kontakt: <navn>", a refused choice drawn again with the choice
kept; and what another legal contact sees of a sensitive case that names someone else."""

from __future__ import annotations

import re
from html import unescape

import pytest

from aktflow.case_members import assign_legal_contact, mark_sensitive
from aktflow.service import fire
from aktflow.users import add_user
from tests.web.test_case_access_web import flashes, login

PASSWORD = "test-pass"
SELECT_RE = re.compile(r'<select id="legal-contact-(\w+)" name="legal_contact"[^>]*>(.*?)</select>', re.S)


@pytest.fixture
def legal2(db):
    add_user(
        db, "legal2", actor="admin", role="legal", password=PASSWORD, name="Jens Jurist", demo_password=True
    )
    return "legal2"


def choices(page: str, origin: str = "case") -> list[tuple[str, str, bool]]:
    """The legal contact form's options on ``page``: (username, shown name, selected)."""
    found = {m.group(1): m.group(2) for m in SELECT_RE.finditer(page)}
    assert origin in found, f"no legal contact form from {origin!r}"
    return [
        (value, unescape(label), bool(sel))
        for value, sel, label in re.findall(
            r'<option value="([^"]*)"( selected)?>([^<]*)</option>', found[origin]
        )
        if value
    ]


def in_review(db, new_case, **kw) -> int:
    cid = new_case(**kw).id
    for t in ("register", "start_collecting", "start_screening"):
        fire(db, cid, t, actor="cw")
    fire(db, cid, "submit_for_legal_review", actor="cw", note="Må navnet udleveres?")
    return cid


def test_the_caseworker_chooses_the_legal_contact_by_name_on_the_access_panel(client, db, new_case, legal2):
    cid = new_case().id
    token = login(client, "cw")
    page = client.get(f"/cases/{cid}").get_data(as_text=True)
    assert "Juridisk kontakt: ingen valgt" in page
    # The legal contacts by their real names, in name order; nobody chosen yet; caseworkers are not offered.
    assert choices(page) == [("legal2", "Jens Jurist", False), ("legal", "Lise Legal", False)]
    r = client.post(
        f"/cases/{cid}/access/legal-contact",
        data={"csrf_token": token, "legal_contact": "legal2", "origin": "case"},
    )
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/cases/{cid}#adgang")
    assert flashes(client) == [("ok", "Juridisk kontakt: Jens Jurist.")]
    page = unescape(client.get(f"/cases/{cid}").get_data(as_text=True))
    assert "Juridisk kontakt: <strong data-legal-contact-name>Jens Jurist</strong>" in page
    assert ("legal2", "Jens Jurist", True) in choices(page)  # the form shows the current one
    # Fired through fire(): an event in the case's log, with before and after.
    with db.session() as s:
        from aktflow.case_access import legal_contact

        assert legal_contact(s, cid) == "legal2"


@pytest.mark.parametrize(
    "choice, message",
    [
        ("cw2", "er ikke en aktiv bruger med rollen juridisk kontakt"),  # not offered, sent anyway
        ("", "Vælg en juridisk kontakt"),
    ],
)
def test_a_refused_choice_is_drawn_again_with_the_choice_kept(client, db, new_case, legal2, choice, message):
    cid = new_case().id
    token = login(client, "cw")
    before = client.get(f"/cases/{cid}").get_data(as_text=True)
    r = client.post(
        f"/cases/{cid}/access/legal-contact",
        data={"csrf_token": token, "legal_contact": choice, "origin": "case"},
    )
    page = unescape(r.get_data(as_text=True))
    assert r.status_code == 400
    assert 'class="field-error" id="legal-contact-case-error"' in page and message in page
    assert 'aria-invalid="true" aria-describedby="legal-contact-case-error"' in page
    assert "data-error-summary" in page and 'href="#legal-contact-case"' in page
    assert not any(sel for _, _, sel in choices(page))  # nothing valid was chosen, and nothing is pretended
    assert "Adgang til sagen" in page and "Aktindsigt i byggesag" in page  # the whole case page, again
    assert len(before) > 0


def test_the_same_legal_contact_again_keeps_the_choice_and_says_so(client, db, new_case, legal2):
    cid = new_case().id
    assign_legal_contact(db, cid, "legal2", actor="cw")
    token = login(client, "cw")
    r = client.post(
        f"/cases/{cid}/access/legal-contact", data={"csrf_token": token, "legal_contact": "legal2"}
    )
    page = unescape(r.get_data(as_text=True))
    assert r.status_code == 400 and "er allerede sagens juridiske kontakt" in page
    assert choices(page) == [("legal2", "Jens Jurist", True), ("legal", "Lise Legal", False)]


def test_a_closed_case_offers_no_form_and_a_colleague_may_not_choose(client, db, new_case, legal2):
    cid = new_case().id
    fire(db, cid, "withdraw", actor="cw", note="Borgeren trak anmodningen tilbage")
    token = login(client, "cw")
    page = client.get(f"/cases/{cid}").get_data(as_text=True)
    assert "data-legal-contact-form" not in page and "Juridisk kontakt: ingen valgt" in page
    r = client.post(
        f"/cases/{cid}/access/legal-contact", data={"csrf_token": token, "legal_contact": "legal"}
    )
    assert r.status_code == 422 and "Handlingen blev ikke udført" in r.get_data(as_text=True)
    other = new_case().id
    token = login(client, "cw2")
    assert "data-legal-contact-form" not in client.get(f"/cases/{other}").get_data(as_text=True)
    r = client.post(
        f"/cases/{other}/access/legal-contact", data={"csrf_token": token, "legal_contact": "legal"}
    )
    assert r.status_code == 403


def test_the_legal_review_page_names_and_changes_the_legal_contact(client, db, new_case, legal2):
    cid = in_review(db, new_case)
    token = login(client, "legal")
    page = unescape(client.get(f"/legal/cases/{cid}").get_data(as_text=True))
    assert "Sagens juridiske kontakt" in page and "Juridisk kontakt: ingen valgt" in page
    assert choices(page, "review") == [("legal2", "Jens Jurist", False), ("legal", "Lise Legal", False)]
    r = client.post(
        f"/cases/{cid}/access/legal-contact",
        data={"csrf_token": token, "legal_contact": "legal", "origin": "review"},
    )
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/legal/cases/{cid}#juridisk-kontakt")
    assert flashes(client) == [("ok", "Juridisk kontakt: Lise Legal.")]
    queue = unescape(client.get("/legal").get_data(as_text=True))
    assert "Din sag" in queue
    # A refused choice is drawn again on the review page, with the choice kept.
    r = client.post(
        f"/cases/{cid}/access/legal-contact",
        data={"csrf_token": token, "legal_contact": "legal", "origin": "review"},
    )
    page = unescape(r.get_data(as_text=True))
    assert r.status_code == 400 and "Juridisk vurdering · sag" in page
    assert "allerede sagens juridiske kontakt" in page and ("legal", "Lise Legal", True) in choices(
        page, "review"
    )


def test_another_legal_contact_sees_only_that_a_sensitive_case_exists(client, db, new_case, legal2):
    cid = in_review(db, new_case, subject="Advarsel til pædagogen")
    mark_sensitive(db, cid, actor="cw", reason="Personalesag")
    assign_legal_contact(db, cid, "legal2", actor="cw")
    login(client, "legal")
    for url in (f"/cases/{cid}", f"/legal/cases/{cid}"):
        r = client.get(url)
        assert r.status_code == 403 and "fortrolig" in r.get_data(as_text=True), url
    queue = unescape(client.get("/legal").get_data(as_text=True))
    row = queue[queue.index(f'data-queue-case="{cid}"') :].split("</tr>", 1)[0]
    assert "data-masked" in row and "Fortrolig sag" in row and "Juridisk kontakt: Jens Jurist" in row
    assert "pædagogen" not in queue and "Må navnet udleveres" not in queue
    assert f'href="/legal/cases/{cid}"' not in queue  # no link to a page that answers 403
    listed = unescape(client.get("/cases?mine=0").get_data(as_text=True))
    assert "pædagogen" not in listed and "Fortrolig sag" in listed
    found = unescape(client.get("/search?q=p%C3%A6dagogen").get_data(as_text=True))
    assert "Advarsel til" not in found and f"/cases/{cid}" not in found  # the query is echoed, nothing found
    # The named one sees it in full, and the queue says it is theirs.
    login(client, "legal2")
    assert client.get(f"/legal/cases/{cid}").status_code == 200
    queue = unescape(client.get("/legal").get_data(as_text=True))
    assert "Advarsel til pædagogen" in queue and "Din sag" in queue
    assert "Advarsel til" in unescape(client.get("/search?q=p%C3%A6dagogen").get_data(as_text=True))
