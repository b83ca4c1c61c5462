"""The release package on a case: asked for by the decision, made by the outbox after commit, stored
immutable with its SHA-256, blocked with the reason, listed and downloadable."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select, text

from aktflow import bootstrap, clock
from aktflow.errors import NotFound
from aktflow.models import Event, OutboxItem, ReleasePackage
from aktflow.outbox import run_once
from aktflow.release import package as P
from aktflow.release import service as release
from aktflow.service import fire
from tests.archive_setup import case_with_documents, decide
from tests.unit.test_release_package import text_pdf

pytestmark = pytest.mark.usefixtures("soffice")


def make_packages(db, case_id):
    return run_once(db, bootstrap.current().deliver, case_id=case_id, kinds=(release.KIND,))


def test_send_decision_makes_the_package_after_commit(db):
    case, ids = case_with_documents(
        db,
        {
            "referat.pdf": text_pdf("Referat af moedet"),
            "notat.txt": b"Notat om sagen",
            "lukket.pdf": text_pdf("Lukket"),
        },
        outcomes={"lukket.pdf": "refuse"},
    )
    decide(db, case.id)
    with db.session() as s:
        row = s.scalar(select(ReleasePackage).where(ReleasePackage.case_id == case.id))
        assert row.status == "pending" and row.document_ids == ids[:2]
        ev = s.scalar(select(Event).where(Event.case_id == case.id, Event.trigger == "send_decision"))
        assert ev.data["package"] == {"id": row.id, "documents": 2}
        assert s.scalar(select(OutboxItem.status).where(OutboxItem.kind == release.KIND)) == "pending"
    assert make_packages(db, case.id)["done"] == 1
    listed = release.case_packages(db, case.id)
    assert [p["status"] for p in listed] == ["ready"] and listed[0]["documents"] == 2
    name, content = release.package_file(db, case.id)
    assert name.startswith("udleveringspakke-") and name.endswith(".pdf")
    assert hashlib.sha256(content).hexdigest() == listed[0]["sha256"]
    texts = list(P.page_texts(content))
    assert any("Referat af moedet" in t for t in texts) and any("Notat om sagen" in t for t in texts)
    assert not any("Lukket" in t for t in texts)
    assert "Dokument 1 - side 1 af 1" in texts[-2] and "Dokument 2 - side 1 af 1" in texts[-1]
    # Each file's check is stored with the package: the letter and the converted note read page by page,
    # the PDF released unchanged covered by its screening (every part read, no CPR number).
    checks = listed[0]["checks"]
    assert listed[0]["checked"] is True
    assert [(c["number"], c["ok"]) for c in checks] == [(None, True), (1, True), (2, True)]
    sources = [[k["source"] for k in c["checks"]] for c in checks]
    assert sources == [["text_layer"], ["screening"], ["text_layer"]]
    assert checks[2]["checks"][0]["pages"] == checks[2]["pages"] == 1
    assert all(len(c["sha256"]) == 64 and c["checked_at"] for c in checks)
    # referat.pdf refers to Helvetica without embedding it: stored as not PDF/A, with the reason.
    pdfa = listed[0]["pdfa"]
    assert pdfa["pdfa"] is False and pdfa["flavour"] is None
    assert "Helvetica" in pdfa["reason"] and "ikke indlejret" in pdfa["reason"]
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(content)) as pdf:
        assert "pdfaid:part" not in pdf.open_metadata() and "/OutputIntents" not in pdf.Root
    with db.session() as s:
        row = s.get(ReleasePackage, listed[0]["id"])
        assert row.archive_status == "journalised" and row.event_id == ev.id
    # Made once: running the outbox again changes nothing.
    assert make_packages(db, case.id)["done"] == 0


def test_a_partly_released_document_is_packaged_with_its_redactions_burnt_in(db):
    case, ids = case_with_documents(
        db,
        {"brev.pdf": text_pdf("Naboen Jens Vinterberg klager over larm")},
        outcomes={"brev.pdf": "partial"},
    )
    fire(
        db,
        case.id,
        "redact",
        actor="cw",
        data={"document_id": ids[0], "term": "Jens Vinterberg", "ground": "ofl-30-1"},
    )
    decide(db, case.id)
    make_packages(db, case.id)
    (row,) = release.case_packages(db, case.id)
    assert row["status"] == "ready", row.get("reason")
    _, content = release.package_file(db, case.id)
    texts = " ".join(P.page_texts(content))
    assert "klager over larm" in texts  # the rest stays readable
    assert "Vinterberg" not in texts and b"Vinterberg" not in content
    # The redactions' leak check is stored with the file; it covers the CPR check (it reads every part).
    check = row["checks"][1]
    assert check["document_id"] == ids[0] and check["ok"]
    redactions, cpr = check["checks"]
    assert redactions["check"] == "redactions" and redactions["ok"] and redactions["parts"] >= 1
    assert cpr["source"] == "leak_check"
    assert "Vinterberg" not in str(row["checks"])


def test_a_failed_leak_check_blocks_the_package_and_names_the_document(db, monkeypatch):
    case, ids = case_with_documents(
        db, {"brev.pdf": text_pdf("Naboen Jens Vinterberg klager")}, outcomes={"brev.pdf": "partial"}
    )
    fire(
        db,
        case.id,
        "redact",
        actor="cw",
        data={"document_id": ids[0], "term": "Jens Vinterberg", "ground": "ofl-30-1"},
    )
    decide(db, case.id)
    # Burn-in deliberately skipped: the leak check alone must catch the term and block the package.
    from aktflow import redaction

    monkeypatch.setattr(
        redaction,
        "release",
        lambda pdf, rows, limits=None, bounded=False: (pdf, redaction.leak_check(pdf, redaction.terms(rows))),
    )
    make_packages(db, case.id)
    (row,) = release.case_packages(db, case.id)
    assert row["status"] == "blocked" and "Dokument 1" in row["reason"]
    assert "Vinterberg" not in row["reason"]
    # The failed check is stored with the blocked package: which check, what it found, never the term.
    assert row["checked"] is False
    failed = row["checks"][-1]
    assert failed["number"] == 1 and not failed["ok"]
    assert failed["checks"][0]["check"] == "redactions" and failed["checks"][0]["leaks"]
    assert "Vinterberg" not in str(row["checks"])


def test_a_made_package_is_immutable(db):
    case, _ = case_with_documents(db, {"a.pdf": text_pdf("Alpha")})
    fire(db, case.id, "draft_decision", actor="cw")
    fire(db, case.id, "send_decision", actor="cw")
    make_packages(db, case.id)
    pid = release.case_packages(db, case.id)[0]["id"]
    for stmt in (
        "UPDATE release_packages SET content = :x WHERE id = :id",
        "UPDATE release_packages SET sha256 = 'x' WHERE id = :id",
        "UPDATE release_packages SET checks = NULL WHERE id = :id",
        "UPDATE release_packages SET pdfa = NULL WHERE id = :id",
        "DELETE FROM release_packages WHERE id = :id",
    ):
        with db.session() as s, pytest.raises(Exception, match="immutable"):
            s.execute(text(stmt), {"x": b"%PDF-forged", "id": pid})
            s.commit()


def test_a_cpr_number_in_a_released_document_blocks_the_package_with_the_reason(db):
    case, _ = case_with_documents(
        db, {"ok.pdf": text_pdf("Fint"), "borger.pdf": text_pdf("Borger 120385-1237")}
    )
    decide(db, case.id)
    make_packages(db, case.id)
    (row,) = release.case_packages(db, case.id)
    assert row["status"] == "blocked" and row["status_label"] == "Blokeret"
    assert "Dokument 2" in row["reason"] and "CPR-nummer" in row["reason"] and "120385" not in row["reason"]
    # Its screening found the number, so its pages were read again, and the page is recorded.
    failed = row["checks"][-1]
    assert failed["number"] == 2 and not failed["ok"]
    assert failed["checks"] == [
        {**failed["checks"][0], "check": "cpr", "ok": False, "source": "text_layer", "found_on": [1]}
    ]
    with pytest.raises(release.PackageNotReady, match="blokeret"):
        release.package_file(db, case.id, row["id"])
    with pytest.raises(NotFound, match="ingen udleveringspakke"):
        release.package_file(db, case.id)


def test_a_partial_decision_packages_what_it_releases(db):
    case, ids = case_with_documents(db, {"a.pdf": text_pdf("Alpha"), "b.pdf": text_pdf("Beta")})
    fire(db, case.id, "send_partial_decision", actor="cw", note="Første del")
    make_packages(db, case.id)
    with db.session() as s:
        rows = list(s.scalars(select(ReleasePackage).where(ReleasePackage.case_id == case.id)))
        assert [(r.trigger, r.document_ids, r.status) for r in rows] == [
            ("send_partial_decision", ids, "ready")
        ]


def test_preview_builds_what_would_be_released_without_storing(db, tmp_path):
    case, _ = case_with_documents(db, {"a.pdf": text_pdf("Alpha")})
    built = release.preview(db, case.id, tmp_path / "p.pdf", actor="cw", today=clock.today())
    assert built.documents == 1 and any("Alpha" in t for t in P.page_texts(built.path))
    assert release.case_packages(db, case.id) == []


# --- the entrypoints: case page, downloads, API, CLI ------------------------------------------------------


def _login(client, username: str) -> None:
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]*)"', page)[1]
    r = client.post("/login", data={"username": username, "password": "test-pass", "csrf_token": token})
    assert r.status_code in (302, 303)


def sent_case(db, files):
    case, _ = case_with_documents(db, files)
    decide(db, case.id)
    make_packages(db, case.id)
    return case, release.case_packages(db, case.id)[-1]


def test_case_page_lists_the_package_and_the_download_is_the_stored_file(client, db):
    case, pkg = sent_case(db, {"a.pdf": text_pdf("Alpha")})
    _login(client, "manager")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Udleveringspakker" in page and "Klar" in page and pkg["sha256"][:16] in page
    assert "Kontrol: alle 2 filer bestået" in page and pkg["checks"][1]["sha256"][:16] in page
    r = client.get(f"/cases/{case.id}/packages/{pkg['id']}.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert hashlib.sha256(r.data).hexdigest() == pkg["sha256"]
    assert "no-store" in r.headers["Cache-Control"]
    assert client.get(f"/cases/{case.id + 1}/packages/{pkg['id']}.pdf").status_code == 404
    assert (
        client.get(f"/cases/{case.id}/packages/{pkg['id']}.zip").status_code == 404
    )  # one document: no .zip


def test_a_blocked_package_shows_its_reason_on_the_case_page(client, db):
    case, pkg = sent_case(db, {"borger.pdf": text_pdf("Borger 120385-1237")})
    assert pkg["status"] == "blocked"
    _login(client, "cw")
    r = client.get(f"/cases/{case.id}/packages/{pkg['id']}.pdf")
    assert r.status_code == 303 and r.headers["Location"].endswith("#udlevering")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Blokeret" in page and "viser et CPR-nummer på side 1" in page and "120385" not in page


def test_api_lists_and_serves_packages(app, db):
    from aktflow.tokens import issue_token
    from aktflow.vocabulary import SYSTEM_ACTOR

    case, pkg = sent_case(db, {"a.pdf": text_pdf("Alpha")})
    api = app.test_client()
    auth = {"Authorization": f"Bearer {issue_token(db, 'legal', actor=SYSTEM_ACTOR)}"}
    listed = api.get(f"/api/v1/cases/{case.id}/packages", headers=auth).get_json()
    assert [(p["id"], p["status"], p["sha256"]) for p in listed] == [(pkg["id"], "ready", pkg["sha256"])]
    assert listed[0]["checked"] is True and listed[0]["checks"] == pkg["checks"]
    from web.api.schemas import PackageInfo

    PackageInfo.model_validate(listed[0])  # the answer is what the OpenAPI document says
    r = api.get(f"/api/v1/cases/{case.id}/package", headers=auth)
    assert r.status_code == 200 and hashlib.sha256(r.data).hexdigest() == pkg["sha256"]
    assert r.headers["ETag"] == f'"{pkg["sha256"]}"'
    assert api.get(f"/api/v1/cases/{case.id}/packages/{pkg['id']}/zip", headers=auth).status_code == 404
    assert api.get(f"/api/v1/cases/{case.id}/package?preview=maybe", headers=auth).status_code == 400
    preview = api.get(f"/api/v1/cases/{case.id}/package?preview=true", headers=auth)
    assert preview.status_code == 200 and preview.data.startswith(b"%PDF")


def test_api_answers_422_with_the_reason_for_a_blocked_package(app, db):
    from aktflow.tokens import issue_token
    from aktflow.vocabulary import SYSTEM_ACTOR

    case, pkg = sent_case(db, {"borger.pdf": text_pdf("Borger 120385-1237")})
    auth = {"Authorization": f"Bearer {issue_token(db, 'cw', actor=SYSTEM_ACTOR)}"}
    r = app.test_client().get(f"/api/v1/cases/{case.id}/packages/{pkg['id']}", headers=auth)
    assert (
        r.status_code == 422
        and "CPR-nummer" in r.get_json()["error"]
        and "120385" not in r.get_data(as_text=True)
    )


def test_cli_writes_the_package_and_a_preview(sqlite_db, runner, tmp_path):
    from aktflow.cli import cli

    case, pkg = sent_case(sqlite_db, {"a.pdf": text_pdf("Alpha")})
    out = tmp_path / "pakke.pdf"
    r = runner.invoke(cli, ["case", "package", str(case.id), "--out", str(out), "--as", "cw"])
    assert r.exit_code == 0, r.output
    assert hashlib.sha256(out.read_bytes()).hexdigest() == pkg["sha256"]
    r = runner.invoke(cli, ["case", "package", str(case.id), "--out", str(out), "--as", "nobody"])
    assert r.exit_code == 2 and "ukendt eller inaktiv bruger" in r.output
    r = runner.invoke(cli, ["case", "package", str(case.id), "--out", str(tmp_path / "p.zip"), "--as", "cw"])
    assert r.exit_code == 2 and "ingen .zip" in r.output
    fresh, _ = case_with_documents(sqlite_db, {"b.pdf": text_pdf("Beta")})
    r = runner.invoke(cli, ["case", "package", str(fresh.id), "--out", str(out), "--as", "cw"])
    assert r.exit_code == 2 and "ingen udleveringspakke" in r.output
    r = runner.invoke(cli, ["case", "package", str(fresh.id), "--out", str(out), "--as", "cw", "--preview"])
    assert r.exit_code == 0, r.output
    assert any("Beta" in t for t in P.page_texts(out))


def test_cli_lists_the_packages_with_each_files_check_as_json(sqlite_db, runner):
    import json

    from aktflow.cli import cli

    case, pkg = sent_case(sqlite_db, {"a.pdf": text_pdf("Alpha")})
    r = runner.invoke(cli, ["case", "package", str(case.id), "--json", "--as", "cw"])
    assert r.exit_code == 0, r.output
    (listed,) = json.loads(r.output)
    assert listed["sha256"] == pkg["sha256"] and listed["checked"] is True
    assert [c["number"] for c in listed["checks"]] == [None, 1] and all(c["ok"] for c in listed["checks"])
    r = runner.invoke(cli, ["case", "package", str(case.id), "--json", "--id", str(pkg["id"]), "--as", "cw"])
    assert json.loads(r.output)["id"] == pkg["id"]
    r = runner.invoke(cli, ["case", "package", str(case.id), "--as", "cw"])
    assert r.exit_code == 2 and "--out" in r.output
    r = runner.invoke(cli, ["case", "package", str(case.id), "--json", "--as", "nobody"])
    assert r.exit_code == 2 and "ukendt eller inaktiv bruger" in r.output


def test_a_decision_that_releases_nothing_has_no_package(db):
    case, _ = case_with_documents(db, {"lukket.pdf": text_pdf("Lukket")}, outcomes={"lukket.pdf": "refuse"})
    decide(db, case.id)
    assert release.case_packages(db, case.id) == []
    with db.session() as s:
        assert s.scalar(select(OutboxItem.id).where(OutboxItem.kind == release.KIND)) is None


def test_a_term_redacted_in_an_email_is_redacted_in_its_attachments_too(db):
    """An e-mail and the attachments taken from it are one document in parts: a word redacted in the mail
    is gone from the attachment released with it, and the leak check looks for it there too."""
    from aktflow.service import case_view
    from tests import corpus
    from tests.archive_setup import texts_for

    mail = corpus.eml(
        body="Sagen om HEMMELIG-DELTA er afsluttet",
        attachments=[("bilag.txt", b"Bilag om HEMMELIG-DELTA og vejen")],
    )
    case, (mail_id,) = case_with_documents(db, {"mail.eml": mail}, outcomes={"mail.eml": "partial"})
    docs = case_view(db, case.id)["documents"]
    (attachment,) = [d for d in docs if d["id"] != mail_id]
    data = {"document_id": attachment["id"], "outcome": "grant", "grounds": [], **texts_for("grant", [])}
    fire(db, case.id, "assess_document", actor="cw", data=data)
    fire(
        db,
        case.id,
        "redact",
        actor="cw",
        data={"document_id": mail_id, "term": "HEMMELIG-DELTA", "ground": "ofl-30-1"},
    )
    decide(db, case.id)
    make_packages(db, case.id)
    (row,) = release.case_packages(db, case.id)
    assert row["status"] == "ready", row.get("reason")
    _, content = release.package_file(db, case.id)
    texts = " ".join(P.page_texts(content))
    assert "og vejen" in texts  # the attachment is released, its other words readable
    assert "HEMMELIG-DELTA" not in texts and b"HEMMELIG-DELTA" not in content
