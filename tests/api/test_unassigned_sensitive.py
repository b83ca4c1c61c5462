"""A sensitive case nobody is assigned to yet (every mail import starts so) is masked for a caseworker who
may not see it: in "Alle sager", in the API's list, in the search and in the masking helper itself
(aktflow/case_access.py, docs/access.md). SQL's NULL assignee must not make the case count as visible."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from sqlalchemy import select

from aktflow import case_access, clock
from aktflow.models import Case, Flag, User, utcnow
from aktflow.queries.search import SearchQuery, search_cases
from aktflow.service import create_case

SUBJECT = "Lægeerklæring om Birthe Skovgaard"
REQUESTER = "Karsten Ørnebjerg"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def unassigned_sensitive(db) -> int:
    """An unassigned case whose document screening found health data (GDPR art. 9)."""
    case = create_case(
        db,
        actor="cw",
        requester=REQUESTER,
        received=(clock.today() - dt.timedelta(days=3)).isoformat(),
        basis="ofl",
        subject=SUBJECT,
        emne="02.34.02",
    )
    with db.session() as s:
        s.add(
            Flag(
                case_id=case.id,
                reason="Dokument 'Lægeerklæring': helbredsoplysninger (GDPR art. 9) — Brødtekst",
                source="screening",
                created_at=utcnow(),
            )
        )
        s.commit()
    return case.id


def _user(db, name: str) -> User:
    with db.session() as s:
        u = s.scalar(select(User).where(User.username == name))
        s.expunge(u)
        return u


def test_the_masking_helper_counts_an_unassigned_sensitive_case_hidden(db, unassigned_sensitive):
    cid = unassigned_sensitive
    with db.session() as s:
        assert s.get(Case, cid).assignee_id is None
        assert case_access.hidden_case_ids(s, _user(db, "cw2"), [cid]) == {cid}
        assert case_access.hidden_case_ids(s, _user(db, "manager"), [cid]) == set()
        rows = case_access.mask_rows(
            s, _user(db, "cw2"), [{"id": cid, "subject": SUBJECT, "requester": REQUESTER}]
        )
    assert rows == [{"id": cid, "subject": "Fortrolig sag", "requester": "Fortrolig sag", "masked": True}]


def test_the_api_list_masks_an_unassigned_sensitive_case(client, auth, unassigned_sensitive):
    cid = unassigned_sensitive
    assert client.get(f"/api/v1/cases/{cid}", headers=auth("cw2")).status_code == 403
    body = client.get("/api/v1/cases", headers=auth("cw2")).get_data(as_text=True)
    row = {x["id"]: x for x in client.get("/api/v1/cases", headers=auth("cw2")).get_json()}[cid]
    assert row["masked"] is True and row["subject"] == "Fortrolig sag"
    assert SUBJECT not in body and REQUESTER not in body
    # A manager sees it in full.
    row = {x["id"]: x for x in client.get("/api/v1/cases", headers=auth("manager")).get_json()}[cid]
    assert row["masked"] is False and row["subject"] == SUBJECT


def test_all_cases_page_masks_an_unassigned_sensitive_case(client, unassigned_sensitive):
    page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={"username": "cw2", "password": "test-pass", "csrf_token": CSRF_RE.search(page).group(1)},
    )
    listed = unescape(client.get("/cases?mine=0").get_data(as_text=True))
    assert "Fortrolig sag" in listed
    assert SUBJECT not in listed and REQUESTER not in listed


def test_the_search_never_finds_an_unassigned_sensitive_case_by_its_words(db, unassigned_sensitive):
    with db.session() as s:
        for viewer, found in (("cw2", False), ("manager", True)):
            result = search_cases(s, clock.today(), SearchQuery(q="Skovgaard"), viewer=_user(db, viewer))
            assert (unassigned_sensitive in [r["id"] for r in result.rows]) is found, viewer
