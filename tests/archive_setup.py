"""Shared set-up for the tests of what goes to the archive and out to the requester: the local fake SBSYS
as the archive, LibreOffice for the release package, and a case whose documents are assessed and decided.

The fixtures (:func:`fake_sbsys`, :func:`sbsys_env`, :func:`soffice`) are made available to every test by
``tests/conftest.py``; the functions are imported where they are used (``from tests.archive_setup import
decided_case``). A test module that needs other SBSYS settings overrides :func:`sbsys_env`::

    @pytest.fixture
    def sbsys_env():
        return {"AKTFLOW_SBSYS_TEMPLATES": '{"81": "2", "02": "1"}'}
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from aktflow import bootstrap, clock
from aktflow.documents import Attachment
from aktflow.release import convert
from aktflow.service import create_case, fire
from tests.assessing import texts_for

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

#: The defaults of :func:`case_with_documents`' new case (any keyword of ``create_case`` overrides them).
CASE_DEFAULTS: Mapping[str, Any] = {
    "actor": "cw",
    "requester": "Mette Hansen",
    "basis": "ofl",
    "subject": "Aktindsigt i tilsynssagen",
    "emne": "02.34.02",
    "assign": "cw",
}


# --- LibreOffice -------------------------------------------------------------------------------------------


def require_soffice() -> None:
    """Skip the test when LibreOffice (``soffice``) is missing; under CI (``CI=true``) fail instead, as a
    green run that skipped the release package proves nothing."""
    if not convert.soffice():
        (pytest.fail if IN_CI else pytest.skip)("LibreOffice (soffice) is not installed")


@pytest.fixture
def soffice() -> None:
    """:func:`require_soffice` as a fixture: ``pytestmark = pytest.mark.usefixtures("soffice")``."""
    require_soffice()


# --- the fake SBSYS as the archive ------------------------------------------------------------------------------


@pytest.fixture
def sbsys_env() -> dict[str, str]:
    """Settings added to (or replacing) :func:`fake_sbsys`'s own; a test module overrides this fixture."""
    return {}


@pytest.fixture
def fake_sbsys(monkeypatch, sbsys_env) -> Iterator[Any]:
    """The local fake SBSYS (``devtools.fake_sbsys``, its demo data and the user ``cw``) running, and the
    archive set to it through the settings (template 1, 2 s per call, then :func:`sbsys_env`); yields the
    fake's state (its cases, documents and requests, ``fail_next``). The services are built afresh from
    these settings and again after the test."""
    from devtools.fake_sbsys import FakeState, running_fake

    state = FakeState()
    state.seed_demo()
    state.add_user("cw", "Carla Caseworker")
    with running_fake(state) as (base, token, st):
        env = {
            "AKTFLOW_ARCHIVE": "sbsys",
            "AKTFLOW_SBSYS_BASE_URL": base,
            "AKTFLOW_SBSYS_TOKEN_URL": token,
            "AKTFLOW_SBSYS_CLIENT_ID": st.client_id,
            "AKTFLOW_SBSYS_CLIENT_SECRET": st.client_secret,
            "AKTFLOW_SBSYS_TEMPLATE_ID": "1",
            "AKTFLOW_SBSYS_TIMEOUT": "2",
            **sbsys_env,
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        bootstrap.reset()  # the archive is built from these settings, once
        yield st
        bootstrap.reset()


# --- a case with assessed documents, decided ----------------------------------------------------------------


def assess_documents(
    db, case_id: int, files: Mapping[str, bytes], outcomes: Mapping[str, str] | None = None
) -> list[int]:
    """From ``registered``: collect one document per file (titled with its name), start the screening and
    assess each (grant unless ``outcomes`` names another outcome for its name: then ground ``ofl-30-1``).
    Returns the documents' ids in the order of ``files``."""
    fire(db, case_id, "start_collecting", actor="cw")
    ids = []
    for name, data in files.items():
        c = fire(
            db, case_id, "add_document", actor="cw", data={"title": name}, attachment=Attachment(name, data)
        )
        ids.append(c.documents[-1].id)
    fire(db, case_id, "start_screening", actor="cw")
    for name, doc_id in zip(files, ids, strict=True):
        outcome = (outcomes or {}).get(name, "grant")
        grounds = [] if outcome == "grant" else ["ofl-30-1"]
        data = {"document_id": doc_id, "outcome": outcome, "grounds": grounds, **texts_for(outcome, grounds)}
        fire(db, case_id, "assess_document", actor="cw", data=data)
    return ids


def case_with_documents(db, files: Mapping[str, bytes], outcomes: Mapping[str, str] | None = None, **kw: Any):
    """A new case (:data:`CASE_DEFAULTS`, received three days ago, overridden by ``kw``), registered, in
    screening with one document per file, each assessed (:func:`assess_documents`). Returns (case, ids)."""
    args = {**CASE_DEFAULTS, "received": (clock.today() - dt.timedelta(days=3)).isoformat(), **kw}
    case = create_case(db, **args)
    fire(db, case.id, "register", actor="cw")
    return case, assess_documents(db, case.id, files, outcomes)


def decide(db, case_id: int):
    """Legal review, the legal contact's approval and the decision sent: the release package is asked for."""
    fire(db, case_id, "submit_for_legal_review", actor="cw")
    fire(db, case_id, "approve_legal", actor="legal", note="Godkendt")
    return fire(db, case_id, "send_decision", actor="cw")


def decided_case(db, files: Mapping[str, bytes], **kw: Any):
    """A case (:func:`case_with_documents`, ``kw`` for ``create_case``) whose decision releases ``files``."""
    case, _ = case_with_documents(db, files, **kw)
    decide(db, case.id)
    return case
