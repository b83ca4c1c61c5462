"""The requester's own CPR number in their request mail does not make the case sensitive (docs/access.md):
the request mail follows the request text's rule, so the caseworker who imported it keeps it, while a
CPR number in an attachment still counts. The numbers are made up, with valid dates."""

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


def test_the_requesters_own_cpr_in_the_request_mail_is_flagged_but_not_sensitive(plan):
    result = take_in(plan, "a.eml", mailbuild.eml(body=BODY, date=DATE), actor="cw")
    view = case_view(plan, result.case_id)
    assert any("Anmodningens e-mail" in r and "CPR-nummer" in r for r in view["flag_reasons"])
    with plan.session() as s:
        assert not case_access.is_sensitive(s, result.case_id)
    assert _sees(plan, "cw", result.case_id) and _sees(plan, "cw2", result.case_id)


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
