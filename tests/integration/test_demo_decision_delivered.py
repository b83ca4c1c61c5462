"""The demo's decided case can be delivered: its granted document has a file, so the release package is
made (not blocked in the outbox); and a decision that releases a document whose file could not be read is
refused before it is sent (aktflow/states/guards.py ``released_files_readable``)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from aktflow import bootstrap
from aktflow.models import Case, ReleasePackage
from aktflow.outbox import run_once
from aktflow.release import convert
from aktflow.release import service as release
from aktflow.states import guards
from tests.integration.test_demo_reset import embedded  # noqa: F401


def test_the_demo_decision_gets_its_package(runner, embedded):  # noqa: F811
    from aktflow.cli import cli

    if not convert.soffice():
        pytest.skip("LibreOffice (soffice) is not installed")
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    db = bootstrap.current().db
    with db.session() as s:
        cid = s.scalar(select(Case.id).where(Case.subject == "Borgmesterens kalender for oktober"))
        case = s.get_one(Case, cid)
        assert case.state == "decided"
        assert [(d.filename, d.status) for d in case.documents] == [("kalender-oktober.txt", "screened")]
    run_once(db, bootstrap.current().deliver, case_id=cid, kinds=(release.KIND,), ignore_backoff=True)
    with db.session() as s:
        [(status, reason)] = s.execute(
            select(ReleasePackage.status, ReleasePackage.reason).where(ReleasePackage.case_id == cid)
        ).all()
    assert status == "ready", reason


def _doc(title: str, outcome: str | None, status: str):
    assessment = SimpleNamespace(outcome=outcome) if outcome else None
    return SimpleNamespace(title=title, assessment=assessment, status=status)


def test_a_decision_releasing_an_unreadable_file_is_refused():
    case = SimpleNamespace(
        documents=[_doc("Notat", "grant", "screened"), _doc("Scanning", "partial", "refused")]
    )
    why = guards.released_files_readable(case, None)
    assert why and "'Scanning'" in why and "kan ikke udleveres" in why and "'Notat'" not in why
    withheld = SimpleNamespace(
        documents=[_doc("Scanning", "refuse", "refused"), _doc("Notat", "grant", "screened")]
    )
    assert guards.released_files_readable(withheld, None) is None
