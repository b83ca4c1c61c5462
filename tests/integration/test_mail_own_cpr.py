"""A CPR number in a request mail makes the case sensitive unless it is the requester's own, known from the
case (docs/access.md); a CPR number in an attachment always counts. The numbers are made up, with valid
dates."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from aktflow import case_access, clock
from aktflow.kle import load_sample
from aktflow.mail_in import take_in
from aktflow.models import User
from aktflow.service import case_view
from tests import mailbuild

DATE = (dt.datetime.combine(clock.today() - dt.timedelta(days=1), dt.time(12))).strftime(
    "%a, %d %b %Y %H:%M:%S +0100"
)
BODY = "Mit CPR-nummer er 120385-1237, og jeg vil se min byggesag om carporten."


@pytest.fixture
def plan(db):
    load_sample(db, actor="admin")
    return db


def _sees(db, username: str, case_id: int) -> bool:
    with db.session() as s:
        user = s.scalar(select(User).where(User.username == username))
        return case_access.can_view(s, user, case_id)


def test_a_cpr_number_in_the_request_mail_counts_while_it_may_be_someone_elses(plan):
    # A mail carries no proof whose number it quotes ("my neighbour 120385-1237"): the requester's CPR
    # number is not known from a mail, so the number makes the case sensitive like any document's.
    result = take_in(plan, "a.eml", mailbuild.eml(body=BODY, date=DATE), actor="cw")
    reasons = case_view(plan, result.case_id)["flag_reasons"]
    assert any(r.startswith("Dokument '") and "CPR-nummer" in r for r in reasons), reasons
    with plan.session() as s:
        assert case_access.is_sensitive(s, result.case_id)
    assert not _sees(plan, "cw2", result.case_id)


def test_only_the_requesters_own_number_is_the_requests():
    from types import SimpleNamespace

    from aktflow.document_screening import _only_own_cpr

    own = SimpleNamespace(requester_cpr="120385-1237")
    assert _only_own_cpr(own, [BODY, "ingen numre her"])
    assert _only_own_cpr(own, ["Mit nummer: 1203851237"])  # written without the dash
    assert not _only_own_cpr(own, [BODY, "Naboen har 010190-1235"])  # someone else's number counts
    assert not _only_own_cpr(SimpleNamespace(requester_cpr=None), [BODY])  # not known: it counts


def test_a_cpr_number_in_an_attachment_still_makes_the_case_sensitive(plan):
    raw = mailbuild.eml(
        body="Jeg vil se byggesagen om carporten.",
        date=DATE,
        message_id="<req-2@example.dk>",
        attachments=[("journal.txt", b"Patient 120385-1237 er indlagt.", "text/plain")],
    )
    result = take_in(plan, "b.eml", raw, actor="cw")
    reasons = case_view(plan, result.case_id)["flag_reasons"]
    assert any(r.startswith("Dokument 'journal.txt'") and "CPR-nummer" in r for r in reasons), reasons
    with plan.session() as s:
        assert case_access.is_sensitive(s, result.case_id)
    assert not _sees(plan, "cw2", result.case_id)
