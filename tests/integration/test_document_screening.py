"""The document pipeline: a stored file is read and screened by a worker, outside the transaction.

Covers the three ways a file is read (``AKTFLOW_SCREENING``: inline, worker, background), the waiting of
``start_screening`` and the decisions, refused and unread files (never clean), attachments as documents of
their own, the ``screen_document`` event, the command line's ``--wait``/``--no-wait`` and the document
page. The extraction itself is tested in tests/unit/test_extraction_*.py.
"""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from sqlalchemy import select

from aktflow import audit, clock, document_screening, extraction
from aktflow.documents import Attachment
from aktflow.errors import WorkflowError
from aktflow.models import Document, DocumentPart, Event, OutboxItem
from aktflow.service import case_view, create_case, fire

RECEIVED = (clock.today() - dt.timedelta(days=3)).isoformat()
CPR = "0707614285"  # a valid date (7 July 1961)


def collecting(db):
    c = create_case(
        db,
        actor="cw",
        requester="Mette Hansen",
        received=RECEIVED,
        basis="ofl",
        subject="Aktindsigt i byggesag",
        emne="02.34.02",
        assign="cw",
    )
    fire(db, c.id, "register", actor="cw")
    fire(db, c.id, "start_collecting", actor="cw")
    return c


def add(db, case_id, title="Notat", name="notat.txt", content=b"Intet at bemaerke.", **kw):
    fire(db, case_id, "add_document", actor="cw", data={"title": title}, attachment=Attachment(name, content))
    return max(d["id"] for d in case_view(db, case_id)["documents"] if d["parent_id"] is None)


def doc(db, doc_id) -> Document:
    with db.session() as s:
        d = s.get_one(Document, doc_id)
        s.expunge(d)
        return d


def parts(db, doc_id) -> list[tuple[str, str, bool]]:
    with db.session() as s:
        rows = s.scalars(
            select(DocumentPart).where(DocumentPart.document_id == doc_id).order_by(DocumentPart.seq)
        ).all()
        return [(p.label, p.text, p.read) for p in rows]


def reasons(db, case_id) -> list[str]:
    return case_view(db, case_id)["flag_reasons"]


@pytest.fixture
def worker_mode(db, monkeypatch):
    """Stored files wait for a worker (the services are built anew with the setting)."""
    from aktflow import bootstrap

    monkeypatch.setenv("AKTFLOW_SCREENING", "worker")
    bootstrap.reset()


def fake_extraction(monkeypatch, parts_, children=(), gate: threading.Event | None = None):
    """Make the bounded extraction return ``parts_`` (and ``children``) for any file, optionally waiting."""

    def fake(filename, data, limits):
        if gate is not None:
            assert gate.wait(20), "the test never released the extraction"
        return extraction.Extraction(
            filename, "application/pdf", "0" * 64, len(data), tuple(parts_), tuple(children)
        )

    monkeypatch.setattr(extraction, "extract_bounded", fake)


# --- inline (the test suite's default) ------------------------------------------------------------------


def test_a_file_is_read_by_part_and_a_finding_names_its_part(db):
    c = collecting(db)
    d = add(db, c.id, content=f"Borgerens CPR-nr. {CPR[:6]}-{CPR[6:]} og hans astma.".encode())
    stored = doc(db, d)
    assert stored.status == "screened" and stored.complete is True and stored.screened_at is not None
    assert [(label, read) for label, _, read in parts(db, d)] == [(parts(db, d)[0][0], True)]
    found = reasons(db, c.id)
    assert any("CPR-nummer" in r and parts(db, d)[0][0] in r for r in found), found
    assert not any(CPR[:6] in r for r in found)
    with db.session() as s:
        ev = s.scalars(select(Event).where(Event.case_id == c.id).order_by(Event.seq.desc())).first()
        assert ev.trigger == "screen_document" and ev.actor == "@system"
        assert ev.data["document_id"] == d and ev.data["status"] == "screened"
        assert ev.from_state == ev.to_state == "collecting"
        assert CPR[:6] not in json.dumps(ev.data)
        n, problems = audit.verify(s)
    assert problems == []


def test_a_harmless_file_is_screened_without_a_flag(db):
    c = collecting(db)
    d = add(db, c.id, content=b"Referat af byggemoede om tagrender og facader.")
    assert doc(db, d).status == "screened" and reasons(db, c.id) == []


def test_a_file_refused_by_the_fast_checks_is_not_stored(db):
    c = collecting(db)
    with pytest.raises(Exception) as e:
        add(db, c.id, name="program.exe", content=b"MZ\x00\x00")
    assert getattr(e.value, "field", None) == "file"
    view = case_view(db, c.id)
    assert view["documents"] == [] and view["version"] == 3
    with db.session() as s:
        assert s.scalar(select(OutboxItem.id).where(OutboxItem.kind == "screen_document")) is None


def test_a_cpr_number_in_the_file_name_is_masked_and_flagged(db):
    c = collecting(db)
    d = add(db, c.id, name=f"journal {CPR[:6]}-{CPR[6:]}.txt")
    stored = doc(db, d)
    assert CPR[:6] not in (stored.filename or "") and "XXXXXX-XXXX" in stored.filename
    assert any("CPR-nummer" in r for r in reasons(db, c.id))


# --- the worker ----------------------------------------------------------------------------------------


def test_a_stored_file_waits_for_the_worker_and_blocks_start_screening(db, worker_mode):
    c = collecting(db)
    d = add(db, c.id, content=b"Hun har leukaemi.")  # read by the worker, not in the request
    assert doc(db, d).status == "pending"
    assert case_view(db, c.id)["documents"][0]["screening_label"] == "under gennemgang"
    with pytest.raises(WorkflowError, match="under gennemgang"):
        fire(db, c.id, "start_screening", actor="cw")
    assert document_screening.process_pending(db, extraction.Limits())["done"] == 1
    assert doc(db, d).status == "screened"
    fire(db, c.id, "start_screening", actor="cw")


def test_the_outbox_worker_reads_files_too(db, worker_mode):
    from aktflow.outbox_delivery import run

    c = collecting(db)
    d = add(db, c.id)
    assert run(db)["done"] >= 1
    assert doc(db, d).status == "screened"


def test_a_file_refused_by_a_limit_is_dropped_and_flagged_unread(db, worker_mode, monkeypatch):
    c = collecting(db)
    monkeypatch.setattr(extraction, "precheck", lambda f, d, lim: "application/pdf")
    d = add(db, c.id, name="scan.pdf", content=b"%PDF-1.4\n% a pdf that never ends\n")

    def refuse(filename, data, limits):
        raise extraction.Refused("filen tog for lang tid at læse (højst 60 sekunder, AKTFLOW_MAX_SECONDS)")

    monkeypatch.setattr(extraction, "extract_bounded", refuse)
    document_screening.process_pending(db, extraction.Limits())
    stored = doc(db, d)
    assert stored.status == "refused" and stored.complete is False and "AKTFLOW_MAX_SECONDS" in stored.error
    with db.session() as s:
        assert s.get_one(Document, d).content is None  # nothing of a refused file is kept
    assert any(document_screening.UNREAD in r and "AKTFLOW_MAX_SECONDS" in r for r in reasons(db, c.id))
    view = case_view(db, c.id)["documents"][0]
    assert view["screening"] == "refused" and "manuelt" in view["screening_label"]


def test_an_unread_part_is_never_clean(db, worker_mode, monkeypatch):
    c = collecting(db)
    monkeypatch.setattr(extraction, "precheck", lambda f, data, lim: "application/pdf")
    d = add(db, c.id, name="scan.pdf", content=b"%PDF-1.4\n")
    fake_extraction(
        monkeypatch,
        [
            extraction.Part("Side 1", "Kort tekst uden fund."),
            extraction.Part("Side 2 (OCR)", "", read=False, reason="OCR gav ingen tekst"),
        ],
    )
    document_screening.process_pending(db, extraction.Limits())
    stored = doc(db, d)
    assert stored.status == "screened" and stored.complete is False
    assert reasons(db, c.id) == [f"Dokument 'Notat': {document_screening.UNREAD} (Side 2 (OCR))"]
    assert case_view(db, c.id)["documents"][0]["screening"] == "unread"


def test_attachments_become_documents_under_their_parent_and_go_with_it(db, worker_mode, monkeypatch):
    c = collecting(db)
    real_precheck = extraction.precheck
    monkeypatch.setattr(
        extraction,
        "precheck",
        lambda f, data, lim: "message/rfc822" if f.endswith(".eml") else real_precheck(f, data, lim),
    )
    d = add(db, c.id, title="Mail fra borger", name="mail.eml", content=b"From: a@b.dk\n\nHej")
    fake_extraction(
        monkeypatch,
        [extraction.Part("E-mailhoved", "Fra: a@b.dk"), extraction.Part("Brødtekst", "Se bilag")],
        children=[extraction.Embedded("bilag.txt", f"CPR {CPR}".encode())],
    )
    later = add(db, c.id, title="Senere notat")  # added before the e-mail was read
    document_screening.process_pending(db, extraction.Limits())
    docs = case_view(db, c.id)["documents"]
    # The register lists an attachment right under its e-mail, numbered in that order.
    assert [(x["no"], x["title"], x["parent_id"]) for x in docs] == [
        (1, "Mail fra borger", None),
        (2, "bilag.txt", d),
        (3, "Senere notat", None),
    ]
    child = docs[1]
    assert child["screening"] == "screened"
    assert any(r.startswith("Dokument 'bilag.txt': CPR-nummer") for r in reasons(db, c.id))
    fire(db, c.id, "remove_document", actor="cw", data={"document_id": d})
    assert [x["id"] for x in case_view(db, c.id)["documents"]] == [later]


def test_reading_holds_no_write_lock_while_another_user_works(db, worker_mode, monkeypatch):
    """While a file is read (slowly), another user's intake and the case itself go on (SQLite and PG)."""
    c = collecting(db)
    monkeypatch.setattr(extraction, "precheck", lambda f, data, lim: "application/pdf")
    d = add(db, c.id, name="stor.pdf", content=b"%PDF-1.4\n")
    gate = threading.Event()
    fake_extraction(monkeypatch, [extraction.Part("Side 1", "Tekst")], gate=gate)
    worker = threading.Thread(target=document_screening.process_pending, args=(db, extraction.Limits()))
    worker.start()
    try:
        other = create_case(
            db,
            actor="cw2",
            requester="Jens Jensen",
            received=RECEIVED,
            basis="ofl",
            subject="Vejsag",
            emne="05.01.00",
        )
        fire(db, c.id, "assign", actor="manager", data={"assignee": "cw2"})
        assert case_view(db, other.id)["state"] == "received"
        assert doc(db, d).status == "pending"
    finally:
        gate.set()
        worker.join(30)
    # The case moved on while the file was read: the result is still recorded (after a conflict retry).
    assert doc(db, d).status == "screened"


def test_the_background_thread_reads_files_after_the_commit(db, monkeypatch):
    from aktflow import bootstrap
    from tests.conftest import wait_for

    monkeypatch.setenv("AKTFLOW_SCREENING", "background")
    bootstrap.reset()
    worker = document_screening.background(db, extraction.Limits())
    c = collecting(db)
    d = add(db, c.id, content=b"Han er i kemoterapi.")
    worker.wake()
    assert wait_for(lambda: doc(db, d).status == "screened", timeout=30)


# --- the command line ------------------------------------------------------------------------------------


def test_add_document_waits_by_default_and_not_with_no_wait(db, worker_mode, runner, tmp_path):
    from aktflow.cli import cli

    c = collecting(db)
    f = tmp_path / "notat.txt"
    f.write_text(f"CPR-nr. {CPR[:6]}-{CPR[6:]}", encoding="utf-8")
    r = runner.invoke(
        cli, ["case", "add-document", str(c.id), "--title", "Notat", "--file", str(f), "--as", "cw", "--json"]
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["screening"] == "screened" and out["flagged"] is True
    assert CPR[:6] not in r.output
    r = runner.invoke(
        cli,
        [
            "case",
            "add-document",
            str(c.id),
            "--title",
            "Notat 2",
            "--file",
            str(f),
            "--no-wait",
            "--as",
            "cw",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["screening"] == "pending"


# --- the document page --------------------------------------------------------------------------------------


def test_the_document_page_shows_the_parts_with_findings_marked_and_the_number_masked(app, db):
    from tests.web.test_web_pages import login

    c = collecting(db)
    d = add(db, c.id, content=f"Notat: CPR {CPR[:6]}-{CPR[6:]}. Hun har en kronisk sygdom.".encode())
    client = app.test_client()
    login(client, "legal")
    html = client.get(f"/cases/{c.id}/documents/{d}").get_data(as_text=True)
    assert CPR[:6] not in html and "XXXXXX-XXXX" in html
    assert '<mark class="finding finding-cpr"' in html and '<mark class="finding finding-health"' in html
    assert "Alle 1 dele af filen er læst og screenet" in html
    page = client.get(f"/cases/{c.id}").get_data(as_text=True)
    assert f"/cases/{c.id}/documents/{d}" in page and "Gennemgået" in page


def test_an_upload_shows_under_gennemgang_until_read_and_the_page_refreshes_itself(db, worker_mode):
    import io

    from tests.web.test_web_pages import csrf_from, login
    from web import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": db.url})
    client = app.test_client()
    c = collecting(db)
    login(client, "cw")
    page = client.get(f"/cases/{c.id}").get_data(as_text=True)
    r = client.post(
        f"/cases/{c.id}/actions/add_document",
        content_type="multipart/form-data",
        data={
            "csrf_token": csrf_from(page),
            "version": "3",
            "title": "Mail fra borger",
            "file": (io.BytesIO(b"Hun er indlagt med hjertesvigt og sygdom."), "mail.txt"),
        },
    )
    assert r.status_code == 303
    html = client.get(f"/cases/{c.id}").get_data(as_text=True)
    assert "Under gennemgang" in html and 'http-equiv="refresh"' in html
    d = case_view(db, c.id)["documents"][0]["id"]
    assert "Filen er under gennemgang" in client.get(f"/cases/{c.id}/documents/{d}").get_data(as_text=True)
    r = client.post(
        f"/cases/{c.id}/actions/start_screening",
        data={"csrf_token": csrf_from(html), "version": str(case_view(db, c.id)["version"])},
        follow_redirects=True,
    )
    assert "under gennemgang" in r.get_data(as_text=True) and case_view(db, c.id)["state"] == "collecting"
    document_screening.process_pending(db, extraction.Limits())
    html = client.get(f"/cases/{c.id}").get_data(as_text=True)
    assert "Gennemgået" in html and 'http-equiv="refresh"' not in html
    app.extensions["aktflow_db"].dispose()


def test_attachments_beyond_the_limit_are_flagged_unread_not_dropped(db, worker_mode, monkeypatch):
    c = collecting(db)
    monkeypatch.setattr(
        extraction, "precheck", lambda f, data, lim: "text/plain" if f.endswith(".txt") else "message/rfc822"
    )
    d = add(db, c.id, title="Mail", name="mail.eml", content=b"From: a@b.dk\n\nHej")
    fake_extraction(
        monkeypatch,
        [extraction.Part("Brødtekst", "Se bilag")],
        children=[extraction.Embedded(f"bilag{i}.txt", b"Intet") for i in range(3)],
    )
    document_screening.process_pending(db, extraction.Limits(max_parts=2))
    titles = [x["title"] for x in case_view(db, c.id)["documents"]]
    assert titles == ["Mail", "bilag0.txt", "bilag1.txt"]
    assert any("1 vedhæftede filer ud over grænsen" in r for r in reasons(db, c.id)), reasons(db, c.id)
    assert doc(db, d).status == "screened"


def test_a_nul_character_in_the_text_does_not_keep_a_document_pending(db, worker_mode, monkeypatch):
    c = collecting(db)
    monkeypatch.setattr(extraction, "precheck", lambda f, data, lim: "application/pdf")
    d = add(db, c.id, name="notat.pdf", content=b"%PDF-1.4\n")
    fake_extraction(monkeypatch, [extraction.Part("Side 1\x00", f"CPR {CPR}\x00 og mere")])
    document_screening.process_pending(db, extraction.Limits())
    assert doc(db, d).status == "screened"
    assert "\x00" not in parts(db, d)[0][1] and any("CPR-nummer" in r for r in reasons(db, c.id))


@pytest.mark.parametrize(
    "name", [f"brev{CPR[:6]}-{CPR[6:]}.txt", f"notat_{CPR}.txt", f"{CPR[:6]}_{CPR[6:]}.txt"]
)
def test_a_cpr_number_in_a_file_name_is_masked_stored_and_flagged_in_every_writing(db, name):
    c = collecting(db)
    d = add(db, c.id, name=name)
    stored = doc(db, d)
    assert CPR[:6] not in stored.filename and "XXXXXX-XXXX" in stored.filename
    assert any("CPR-nummer" in r for r in reasons(db, c.id)), reasons(db, c.id)
    with db.session() as s:
        events = s.scalars(select(Event.data).where(Event.case_id == c.id)).all()
    assert CPR[:6] not in json.dumps(events)


def test_one_upload_has_one_budget_for_all_its_attachments(db, worker_mode, monkeypatch):
    c = collecting(db)
    monkeypatch.setattr(
        extraction, "precheck", lambda f, data, lim: "text/plain" if f.endswith(".txt") else "message/rfc822"
    )
    add(db, c.id, title="Mail", name="mail.eml", content=b"From: a@b.dk\n\nHej")
    fake_extraction(
        monkeypatch,
        [extraction.Part("Brødtekst", "Se bilag")],
        children=[extraction.Embedded(f"bilag{i}.txt", b"x" * 600) for i in range(3)],
    )
    document_screening.process_pending(db, extraction.Limits(max_unpacked=1000))
    titles = [x["title"] for x in case_view(db, c.id)["documents"]]
    assert titles == ["Mail", "bilag0.txt"]  # 600 bytes fit in the 1,000 of the whole upload; 1,200 do not
    assert any("2 vedhæftede filer ud over grænsen" in r for r in reasons(db, c.id)), reasons(db, c.id)
