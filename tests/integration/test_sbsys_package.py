"""The release package journalised on the SBSYS A53 case through the outbox, against the local fake SBSYS:
the PDF (and the .zip of a large release) as documents of their own, once, also when a retry follows an
attempt that reached SBSYS halfway."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from aktflow.models import OutboxItem, ReleasePackage
from aktflow.outbox_delivery import run
from aktflow.release import service as release
from tests.archive_setup import decided_case
from tests.unit.test_release_package import text_pdf

pytestmark = pytest.mark.usefixtures("soffice")


@pytest.fixture
def sbsys_env():
    """5 s per SBSYS call: converting the release package takes a while on a busy machine."""
    return {"AKTFLOW_SBSYS_TIMEOUT": "5"}


@pytest.fixture
def fake(db, fake_sbsys):
    """The fake SBSYS as the archive (tests/archive_setup.py), after this test's database."""
    return fake_sbsys


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
