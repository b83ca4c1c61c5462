"""The release package journalised on the SBSYS A53 case through the outbox, against the local fake SBSYS:
the PDF (and the .zip of a large release) as documents of their own, once, also when a retry follows an
attempt that reached SBSYS halfway."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from sqlalchemy import select

from aktflow import bootstrap, clock
from aktflow.documents import Attachment
from aktflow.models import OutboxItem, ReleasePackage
from aktflow.outbox_delivery import run
from aktflow.release import convert
from aktflow.release import service as release
from aktflow.service import create_case, fire
from devtools.fake_sbsys import FakeState, running_fake
from tests.assessing import texts_for
from tests.unit.test_release_package import text_pdf

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture
def fake(db, monkeypatch):
    if not convert.soffice():
        (pytest.fail if IN_CI else pytest.skip)("LibreOffice (soffice) is not installed")
    state = FakeState()
    state.seed_demo()
    state.add_user("cw", "Carla Caseworker")
    with running_fake(state) as (base, token, st):
        monkeypatch.setenv("AKTFLOW_ARCHIVE", "sbsys")
        monkeypatch.setenv("AKTFLOW_SBSYS_BASE_URL", base)
        monkeypatch.setenv("AKTFLOW_SBSYS_TOKEN_URL", token)
        monkeypatch.setenv("AKTFLOW_SBSYS_CLIENT_ID", st.client_id)
        monkeypatch.setenv("AKTFLOW_SBSYS_CLIENT_SECRET", st.client_secret)
        monkeypatch.setenv("AKTFLOW_SBSYS_TEMPLATE_ID", "1")
        monkeypatch.setenv("AKTFLOW_SBSYS_TIMEOUT", "5")
        bootstrap.reset()
        yield st
        bootstrap.reset()


def decided_case(db, files: dict[str, bytes]):
    """A registered case (numbered by the fake) whose decision releases ``files``."""
    case = create_case(
        db,
        actor="cw",
        requester="Demo Borger",
        received=(clock.today() - dt.timedelta(days=2)).isoformat(),
        basis="ofl",
        subject="Byggesagen Havnevej 12",
        emne="02.34.02",
        assign="cw",
    )
    for t in ("register", "start_collecting"):
        fire(db, case.id, t, actor="cw")
    ids = []
    for name, data in files.items():
        c = fire(
            db, case.id, "add_document", actor="cw", data={"title": name}, attachment=Attachment(name, data)
        )
        ids.append(c.documents[-1].id)
    fire(db, case.id, "start_screening", actor="cw")
    for doc_id in ids:
        fire(
            db,
            case.id,
            "assess_document",
            actor="cw",
            data={"document_id": doc_id, "outcome": "grant", "grounds": [], **texts_for("grant", [])},
        )
    fire(db, case.id, "submit_for_legal_review", actor="cw")
    fire(db, case.id, "approve_legal", actor="legal", note="Godkendt")
    fire(db, case.id, "send_decision", actor="cw")
    return case


def package_docs(fake):
    return [d for d in fake.documents if d.meta["DokumentNavn"].startswith("Udleveringspakke")]


def package_row(db, case_id):
    with db.session() as s:
        return s.scalar(select(ReleasePackage).where(ReleasePackage.case_id == case_id))


def test_the_package_pdf_is_journalised_on_the_a53_case(db, fake):
    case = decided_case(db, {"referat.pdf": text_pdf("Referat af moedet")})
    for _ in range(3):
        run(db, ignore_backoff=True)
    (pkg,) = release.case_packages(db, case.id)
    assert pkg["status"] == "ready" and pkg["archive_status"] == "journalised"
    (doc,) = package_docs(fake)
    _, content = release.package_file(db, case.id)
    assert doc.content == content and doc.content_type == "application/pdf"
    assert doc.filename == pkg["filename"] and doc.filename.endswith(".pdf")
    assert doc.meta["OmfattetAfAktindsigt"] is True
    assert f"aktflow pakke {pkg['id']}" in doc.meta["Beskrivelse"]
    assert package_row(db, case.id).archive_doc_id == str(doc.id)
    assert str(doc.case_id) == str(fake.cases[next(iter(fake.cases))]["Id"])
    # Delivered once: running the outbox again sends nothing more.
    run(db, ignore_backoff=True)
    assert len(package_docs(fake)) == 1


def test_a_retry_after_sbsys_took_the_pdf_sends_only_the_zip(db, fake, monkeypatch):
    monkeypatch.setattr(release, "ZIP_FROM", 2)
    case = decided_case(db, {"a.pdf": text_pdf("Alpha"), "b.pdf": text_pdf("Beta")})
    from aktflow.archive import sbsys_client

    real = sbsys_client.SbsysClient.journalise

    def pdf_then_down(self, **kw):
        answer = real(self, **kw)
        if kw["content_type"] == "application/pdf" and "pakke" in kw["description"]:
            fake.fail_next(3, status=503)  # SBSYS took the PDF, then went down before the .zip
        return answer

    monkeypatch.setattr(sbsys_client.SbsysClient, "journalise", pdf_then_down)
    for _ in range(2):
        run(db, ignore_backoff=True)
    assert [d.content_type for d in package_docs(fake)] == ["application/pdf"]
    assert package_row(db, case.id).archive_status == "pending"
    monkeypatch.setattr(sbsys_client.SbsysClient, "journalise", real)
    for _ in range(4):
        run(db, ignore_backoff=True)
    docs = package_docs(fake)
    assert [d.content_type for d in docs] == ["application/pdf", "application/zip"]  # the PDF once
    row = package_row(db, case.id)
    assert row.archive_status == "journalised" and row.archive_doc_id == str(docs[0].id)
    assert docs[1].filename.endswith(".zip") and docs[1].content[:2] == b"PK"
    with db.session() as s:
        (item,) = s.scalars(select(OutboxItem).where(OutboxItem.kind == "journalise_package"))
        assert item.status == "done" and item.result["zip_doc_id"] == str(docs[1].id)
