"""The legal contact's pages: the queue (deadlines, the caseworker's question, what changed since the last
review) and the review page (documents with every assessment text, the released document beside the
original, both decision letters, comments per document that reach the caseworker)."""

from __future__ import annotations

import datetime as dt
import io
import re

import docx
import pytest

from aktflow import clock, review_comments
from aktflow.errors import PermissionDenied, ValidationError, WorkflowError
from aktflow.queries.legal import case_review_comments, legal_queue
from aktflow.service import case_view, fire
from tests.assessing import texts_for
from tests.web.test_web_pages import add_doc, csrf_from, login, text_of


def assess(db, case_id, doc, outcome, grounds=(), **extra):
    data = {"document_id": doc, "outcome": outcome, "grounds": list(grounds), **texts_for(outcome, grounds)}
    fire(db, case_id, "assess_document", actor="cw", data={**data, **extra})


def in_review(db, new_case, question="Må lægeerklæringen udleveres?", **kw):
    """A case in legal review with two documents with files: one released in full, one refused (§ 30)."""
    case = new_case(**kw)
    for t in ("register", "start_collecting"):
        fire(db, case.id, t, actor="cw")
    granted = add_doc(db, case.id, "Byggetilladelse", text="Tilladelse til carport.")
    refused = add_doc(db, case.id, "Lægeerklæring", text="Borgeren har en diagnose.")
    fire(db, case.id, "start_screening", actor="cw")
    assess(db, case.id, granted, "grant", internal_note="Tjekket med byggesagen")
    assess(db, case.id, refused, "refuse", ["ofl-30-1"])
    fire(db, case.id, "submit_for_legal_review", actor="cw", note=question)
    return case, granted, refused


# --- the queue --------------------------------------------------------------------------------------------------


def test_queue_shows_deadline_overdue_and_the_question(client, db, new_case):
    today = clock.today()
    late, _, _ = in_review(
        db, new_case, received=(today - dt.timedelta(days=40)).isoformat(), subject="Gammel"
    )
    fresh, _, _ = in_review(db, new_case, question="Er § 30 rigtig?", subject="Ny")
    rows = {r["id"]: r for r in legal_queue(db, today=today)}
    assert rows[late.id]["overdue"] is True and rows[fresh.id]["overdue"] is False
    assert rows[late.id]["next_rule"] and rows[late.id]["next_due"] < today.isoformat()
    assert rows[fresh.id]["question"] == "Er § 30 rigtig?"
    assert rows[fresh.id]["last_review"] is None and rows[fresh.id]["changed_since_review"] == []
    assert rows[fresh.id]["assignee_name"] and rows[fresh.id]["assignee_name"] != "cw"  # the real name
    login(client, "legal")
    html = text_of(client.get("/legal"))
    late_row = html[html.index(f'data-queue-case="{late.id}"') :].split("</tr>", 1)[0]
    fresh_row = html[html.index(f'data-queue-case="{fresh.id}"') :].split("</tr>", 1)[0]
    assert "data-overdue" in late_row and "Overskredet" in late_row
    assert "data-overdue" not in fresh_row and "Er § 30 rigtig?" in fresh_row
    assert "Første vurdering" in fresh_row
    assert html.index(f'data-queue-case="{late.id}"') < html.index(f'data-queue-case="{fresh.id}"')


def test_queue_sorts_by_column_with_aria_sort(client, db, new_case):
    today = clock.today()
    late, _, _ = in_review(db, new_case, received=(today - dt.timedelta(days=40)).isoformat())
    fresh, _, _ = in_review(db, new_case)
    login(client, "legal")

    def order(query: str) -> tuple[list[int], str]:
        html = text_of(client.get(f"/legal?{query}"))
        return [int(x) for x in re.findall(r'data-queue-case="(\d+)"', html)], html

    assert order("")[0] == [late.id, fresh.id]  # the oldest deadline first
    ids, html = order("sort=id&dir=desc")
    assert ids == [fresh.id, late.id]
    assert re.search(r'<th scope="col" aria-sort="descending"><a class="sort" href="/legal\?sort=id"', html)
    assert order("sort=received&dir=desc")[0] == [fresh.id, late.id]
    ids, html = order("sort=due")
    assert ids == [late.id, fresh.id] and 'href="/legal?sort=due&dir=desc"' in html
    assert "Carla Caseworker" in html and 'data-sort="assignee"' in html


def test_queue_says_what_changed_since_a_return(client, db, new_case):
    case, granted, refused = in_review(db, new_case)
    fire(db, case.id, "return_to_screening", actor="legal", note="Overvej § 30 igen")
    assess(db, case.id, refused, "partial", ["ofl-30-1"])
    assess(db, case.id, granted, "grant")
    fire(db, case.id, "submit_for_legal_review", actor="cw", note="Nu delvis")
    (row,) = [r for r in legal_queue(db, today=clock.today()) if r["id"] == case.id]
    assert row["last_review"]["trigger"] == "return_to_screening"
    assert row["changed_since_review"] == [{"trigger": "assess_document", "count": 2}]
    assert row["question"] == "Nu delvis" and row["changed_since_approval"] is None
    login(client, "legal")
    html = text_of(client.get("/legal"))
    cell = html[html.index(f'data-queue-case="{case.id}"') :].split("</tr>", 1)[0]
    assert "Sendt tilbage" in cell and "Vurdér dokument (2 gange)" in cell


def test_queue_after_an_approval_without_changes(db, new_case):
    case, _, _ = in_review(db, new_case)
    fire(db, case.id, "approve_legal", actor="legal")
    fire(db, case.id, "submit_for_legal_review", actor="cw", note="Igen")
    (row,) = [r for r in legal_queue(db) if r["id"] == case.id]
    assert row["last_review"]["trigger"] == "approve_legal" and row["changed_since_review"] == []
    assert row["changed_since_approval"] == "" and row["overdue"] is False  # no today given


# --- the review page --------------------------------------------------------------------------------------------


def test_review_page_shows_documents_texts_side_by_side_and_both_letters(client, db, new_case, monkeypatch):
    monkeypatch.setattr("web.legal.pdf_available", lambda: False)
    case, granted, refused = in_review(db, new_case)
    login(client, "legal")
    r = client.get(f"/legal/cases/{case.id}")
    html = text_of(r)
    assert r.status_code == 200
    # the partial decision's letter needs its text (what is released now) before it can be shown
    part = html[html.index('data-letter="send_partial_decision"') :].split("</section>", 1)[0]
    assert "Hvad udleveres nu" in part and "data-needs-note" in part and 'name="delafgoerelse"' in part
    assert "data-letter-sha256" not in part
    r = client.get(f"/legal/cases/{case.id}?delafgoerelse=Byggetilladelsen+udleveres+nu")
    html = text_of(r)
    assert r.status_code == 200
    # each document with its assessment, the texts for the requester and the internal note
    doc_g = html[html.index(f'data-review-doc="{granted}"') :].split("</article>", 1)[0]
    doc_r = html[html.index(f'data-review-doc="{refused}"') :].split("</article>", 1)[0]
    assert "Intern note" in doc_g and "Tjekket med byggesagen" in doc_g
    assert "Begrundelse til anmoderen" in doc_r and "§ 30" in doc_r
    # the released rendering beside the original, embedded, for what is released; not for a refusal
    assert "data-side-by-side" in doc_g
    assert f"/cases/{case.id}/documents/{granted}/pages/1.png" in doc_g
    assert f"/cases/{case.id}/documents/{granted}/released/pages/1.png" in doc_g
    assert "data-side-by-side" not in doc_r and "udleveres ikke" in doc_r
    # both decision letters, each with its fingerprint and its own approve form
    assert 'data-letter="send_decision"' in html and 'data-letter="send_partial_decision"' in html
    forms = re.findall(
        r'name="letter_sha256" value="([0-9a-f]{64})"><input type="hidden" name="letter_trigger" value="(\w+)"',
        html,
    )
    assert [t for _, t in forms] == ["send_decision", "send_partial_decision"], re.findall(
        r"data-letter-error>[^<]*", html
    )
    assert forms[0][0] != forms[1][0]
    shown = re.findall(r"<code data-letter-sha256>([0-9a-f]{64})</code>", html)
    assert shown == [forms[0][0], forms[1][0]]
    # approving the partial decision's letter records which letter the approval covers
    sha, trigger = forms[1]
    v = re.search(r'name="version" value="(\d+)"', html)[1]
    r = client.post(
        f"/cases/{case.id}/actions/approve_legal",
        data={"csrf_token": csrf_from(html), "version": v, "letter_sha256": sha, "letter_trigger": trigger},
    )
    assert r.status_code == 303 and case_view(db, case.id)["state"] == "drafting_decision"


def test_the_partial_letter_preview_is_a_real_letter(client, db, new_case, monkeypatch):
    monkeypatch.setattr("web.legal.pdf_available", lambda: False)
    case, _, _ = in_review(db, new_case)
    login(client, "legal")
    html = text_of(client.get(f"/legal/cases/{case.id}?delafgoerelse=Tilladelsen"))
    url = re.search(r'href="(/cases/\d+/letters/preview/send_partial_decision\.docx[^"]*)"', html)[1]
    assert "note=Tilladelsen" in url
    r = client.get(url)
    assert r.status_code == 200 and r.data[:2] == b"PK" and len(r.headers["X-Letter-SHA256"]) == 64
    assert r.headers["X-Letter-SHA256"] in html  # the file is the letter whose fingerprint the page shows
    assert "Tilladelsen" in "".join(p.text for p in docx.Document(io.BytesIO(r.data)).paragraphs)


# --- comments per document --------------------------------------------------------------------------------------


def test_a_comment_reaches_the_caseworker_on_the_case_and_document_pages(app, client, db, new_case):
    case, granted, refused = in_review(db, new_case)
    version = case_view(db, case.id)["version"]
    login(client, "legal")
    html = text_of(client.get(f"/legal/cases/{case.id}"))
    r = client.post(
        f"/legal/cases/{case.id}/documents/{refused}/comments",
        data={"csrf_token": csrf_from(html), "text": "Overstreg diagnosen i stedet for at afslå"},
    )
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/legal/cases/{case.id}#dok-{refused}")
    page = text_of(client.get(r.headers["Location"]))
    assert "Kommentaren er gemt" in page
    doc_r = page[page.index(f'data-review-doc="{refused}"') :].split("</article>", 1)[0]
    assert "Overstreg diagnosen i stedet for at afslå" in doc_r
    # An action in the case's log (workflow 2026.6): one event naming the document and the comment, never its
    # text (kept with the comment).
    view = case_view(db, case.id)
    assert view["version"] == version + 1
    last = view["events"][-1]
    assert last["trigger"] == "comment_review" and last["actor"] == "legal"
    assert last["data"]["document_id"] == refused and last["data"]["comment_id"] > 0
    assert "diagnosen" not in str(last)
    client = app.test_client()  # the caseworker, in a browser of their own
    login(client, "cw")
    case_page = text_of(client.get(f"/cases/{case.id}"))
    section = case_page[case_page.index("data-review-comments") :].split("</section>", 1)[0]
    assert "Overstreg diagnosen" in section and "Lægeerklæring" in section
    doc_page = text_of(client.get(f"/cases/{case.id}/documents/{refused}"))
    assert "Kommentarer fra juridisk kontakt" in doc_page and "Overstreg diagnosen" in doc_page
    other = text_of(client.get(f"/cases/{case.id}/documents/{granted}"))
    assert "Kommentarer fra juridisk kontakt" not in other


def test_an_empty_comment_is_refused_and_the_page_keeps_what_was_typed(client, db, new_case):
    case, granted, _ = in_review(db, new_case)
    login(client, "legal")
    html = text_of(client.get(f"/legal/cases/{case.id}"))
    r = client.post(
        f"/legal/cases/{case.id}/documents/{granted}/comments",
        data={"csrf_token": csrf_from(html), "text": "   "},
    )
    page = text_of(r)
    assert r.status_code == 400 and "skriv en kommentar" in page
    assert f'id="comment-{granted}-error"' in page and 'aria-invalid="true"' in page
    long = "x" * (review_comments.MAX_LENGTH + 1)
    r = client.post(
        f"/legal/cases/{case.id}/documents/{granted}/comments",
        data={"csrf_token": csrf_from(html), "text": long},
    )
    page = text_of(r)
    assert r.status_code == 400 and "højst" in page and long in page  # the text is kept
    assert case_review_comments(db, case.id) == []


def test_comments_are_for_the_legal_contact_while_the_case_is_in_review(client, db, new_case):
    case, granted, _ = in_review(db, new_case)
    with pytest.raises(PermissionDenied):
        review_comments.add_comment(db, actor="cw", case_id=case.id, document_id=granted, text="x")
    other, other_doc, _ = in_review(db, new_case)
    from aktflow.errors import NotFound

    with pytest.raises(NotFound):
        review_comments.add_comment(db, actor="legal", case_id=case.id, document_id=other_doc, text="x")
    with pytest.raises(ValidationError):
        review_comments.add_comment(db, actor="legal", case_id=case.id, document_id=granted, text="")
    fire(db, case.id, "return_to_screening", actor="legal", note="Se igen")
    with pytest.raises(WorkflowError, match="juridisk vurdering"):
        review_comments.add_comment(db, actor="legal", case_id=case.id, document_id=granted, text="Sent")
    login(client, "cw")
    html = text_of(client.get(f"/cases/{case.id}"))
    r = client.post(
        f"/legal/cases/{case.id}/documents/{granted}/comments",
        data={"csrf_token": csrf_from(html), "text": "x"},
    )
    assert r.status_code == 403


def test_a_comment_with_a_cpr_number_is_masked_where_it_is_shown(client, db, new_case):
    case, granted, _ = in_review(db, new_case)
    review_comments.add_comment(
        db, actor="legal", case_id=case.id, document_id=granted, text="Fjern 120385-1237 fra side 1"
    )
    (c,) = case_review_comments(db, case.id)
    assert "120385-1237" not in c["text"] and "Fjern" in c["text"]
    login(client, "cw")
    assert "120385-1237" not in text_of(client.get(f"/cases/{case.id}"))


def test_hostile_comment_text_is_stored_as_text_or_refused_in_danish(client, db, new_case):
    case, granted, _ = in_review(db, new_case)
    login(client, "legal")
    html = text_of(client.get(f"/legal/cases/{case.id}"))
    token = csrf_from(html)
    for text in ("<script>alert(1)</script>", "{{ 7*7 }}", "\x00\u202e ondt", "a" * 5000, "' OR 1=1 --", ""):
        r = client.post(
            f"/legal/cases/{case.id}/documents/{granted}/comments", data={"csrf_token": token, "text": text}
        )
        assert r.status_code in (303, 400), (text[:20], r.status_code)
        if r.status_code == 400:
            assert 'lang="da"' in r.get_data(as_text=True)
    for bad in (
        f"/legal/cases/{case.id}/documents/999999/comments",
        f"/legal/cases/999999/documents/{granted}/comments",
    ):
        assert client.post(bad, data={"csrf_token": token, "text": "x"}).status_code == 404
    page = client.get(f"/legal/cases/{case.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "{{ 7*7 }}" in text_of(client.get(f"/legal/cases/{case.id}"))


def test_the_legal_pages_name_people_by_their_real_names(client, db, new_case):
    case = new_case()
    for t in ("register", "start_collecting"):
        fire(db, case.id, t, actor="cw")
    doc = add_doc(db, case.id, "Klage", text="Klage over plejen. Intern vurdering: presset.")
    fire(db, case.id, "start_screening", actor="cw")
    assess(db, case.id, doc, "partial", ["ofl-23"])
    fire(
        db,
        case.id,
        "redact",
        actor="cw",
        data={"document_id": doc, "term": "Intern vurdering", "ground": "ofl-23"},
    )
    fire(db, case.id, "submit_for_legal_review", actor="cw", note="Kan klagen udleveres delvis?")
    login(client, "legal")
    review = text_of(client.get(f"/legal/cases/{case.id}"))
    assert "sagsbehandler Carla Caseworker" in review  # who has the case, by name
    assert "vurderet af Carla Caseworker" in review
    timeline = review[review.index('class="timeline"') :].split("</ol>", 1)[0]
    assert "Carla Caseworker" in timeline and not re.search(r"·\s*cw\b", timeline)
    page = text_of(client.get(f"/cases/{case.id}/documents/{doc}"))
    assert re.search(r"<td>Carla Caseworker</td>", page)  # who redacted, in the redactions' table
    assert not re.search(r"<td>cw</td>", page)
    case_page = text_of(client.get(f"/cases/{case.id}"))
    events = case_page[case_page.index('class="timeline"') :].split("</ol>", 1)[0]
    assert "· Carla Caseworker" in events and not re.search(r"·\s*cw\b", events)


def test_the_server_itself_is_named_systemet():
    from aktflow.vocabulary import SYSTEM_ACTOR
    from web.filters import user_name

    assert user_name(SYSTEM_ACTOR, {}) == "systemet"
    assert user_name("cw", {"cw": "Carla Caseworker"}) == "Carla Caseworker"
    assert user_name("gone", {}) == "gone" and user_name(None, {}) == ""
