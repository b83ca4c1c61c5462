"""The document pipeline as a user (and a careless or hostile one) meets it: the web form, the command line.

Every accepted type uploaded through the case page; wrong, empty and oversized files; names with a CPR
number; e-mails inside e-mails and a bomb attached to an e-mail; the same file twice; two users at once;
the back button; removing or withdrawing while a file is read; the document page for every role and
status. CPR digits never appear in a page, an event, a flag or the command line's output.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import threading

import pytest
from sqlalchemy import select

from aktflow import clock, document_screening, extraction
from aktflow.documents import Attachment
from aktflow.errors import ConflictError
from aktflow.models import Document, Event, Flag, OutboxItem
from aktflow.service import case_view, create_case, fire
from tests import corpus
from tests.web.test_web_pages import csrf_from, login

RECEIVED = (clock.today() - dt.timedelta(days=3)).isoformat()
DIGITS = corpus.CPR.replace("-", "")  # the made-up number's digits, never to be shown
MIB = 2**20


def collecting(db, actor: str = "cw"):
    c = create_case(
        db,
        actor=actor,
        requester="Mette Hansen",
        received=RECEIVED,
        basis="ofl",
        subject="Aktindsigt i byggesag",
        emne="02.34.02",
        assign=actor,
    )
    fire(db, c.id, "register", actor=actor)
    fire(db, c.id, "start_collecting", actor=actor)
    return c


def no_cpr(text: str) -> bool:
    """True when neither the number as written nor its first six digits appear in ``text``."""
    return corpus.CPR not in text and DIGITS not in text and DIGITS[:6] not in text


def upload(
    client, case_id: int, filename: str, data: bytes, title: str = "Bilag", version: int | None = None
):
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    return client.post(
        f"/cases/{case_id}/actions/add_document",
        content_type="multipart/form-data",
        data={
            "csrf_token": csrf_from(page),
            "version": str(version if version is not None else _version(page)),
            "title": title,
            "file": (io.BytesIO(data), filename),
        },
        follow_redirects=True,
    )


def _version(page: str) -> int:
    import re

    m = re.search(r'name="version" value="(\d+)"', page)
    assert m, "no version on the case page"
    return int(m.group(1))


@pytest.fixture
def worker_mode(db, monkeypatch):
    from aktflow import bootstrap

    monkeypatch.setenv("AKTFLOW_SCREENING", "worker")
    bootstrap.reset()


def events_text(db, case_id: int) -> str:
    with db.session() as s:
        rows = s.scalars(select(Event).where(Event.case_id == case_id)).all()
        return json.dumps([[e.trigger, e.note, e.data] for e in rows], ensure_ascii=False)


def flags_text(db, case_id: int) -> str:
    with db.session() as s:
        return "\n".join(s.scalars(select(Flag.reason).where(Flag.case_id == case_id)))


def one_per_type() -> list[corpus.Case]:
    """The first corpus file of every accepted extension (the images come from the OCR generators)."""
    seen: dict[str, corpus.Case] = {}
    for case in corpus.docx_cases() + corpus.pdf_cases() + corpus.other_cases():
        seen.setdefault(case.filename.rsplit(".", 1)[1], case)
    for ext, fmt in (("png", "PNG"), ("jpg", "JPEG"), ("tif", "TIFF")):
        image = corpus.printed(["Et ark papir"], fmt=fmt)
        seen[ext] = corpus.Case(ext, f"scan.{ext}", image, "Billede (OCR)", "")
    return list(seen.values())


# --- the web form ------------------------------------------------------------------------------------------


def test_every_accepted_type_can_be_uploaded_through_the_case_page(app, db):
    c = collecting(db)
    client = app.test_client()
    login(client, "cw")
    files = one_per_type()
    assert {f.filename.rsplit(".", 1)[1] for f in files} >= {
        "docx",
        "pdf",
        "eml",
        "msg",
        "xlsx",
        "odt",
        "ods",
        "txt",
    }
    for f in files:
        r = upload(client, c.id, f.filename, f.data, title=f"Fil {f.name}")
        html = r.get_data(as_text=True)
        assert r.status_code == 200 and "Tilføj dokument: udført." in html, (f.filename, html[-2000:])
        assert no_cpr(html), f.filename
    docs = [d for d in case_view(db, c.id)["documents"] if d["parent_id"] is None]
    assert len(docs) == len(files)
    assert all(d["screening"] in ("screened", "unread") for d in docs), [
        (d["title"], d["screening"]) for d in docs
    ]
    page = client.get(f"/cases/{c.id}").get_data(as_text=True)
    for ext in ("eml", "msg", "xlsx", "odt", "ods", "png", "tif"):
        assert f".{ext}" in page  # the form says which types it takes
    assert no_cpr(page) and no_cpr(events_text(db, c.id)) and no_cpr(flags_text(db, c.id))


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("rapport.pdf", corpus.docx("<w:p/>"), "filen hedder .pdf, men er ikke"),
        ("tom.txt", b"", "filen er tom"),
        ("program.exe", b"MZ\x90\x00", "filtypen .exe understøttes ikke"),
    ],
)
def test_a_refused_upload_says_why_in_danish_and_stores_nothing(app, db, name, data, message):
    c = collecting(db)
    client = app.test_client()
    login(client, "cw")
    r = upload(client, c.id, name, data)
    html = r.get_data(as_text=True)
    # The case page again (400), the reason at the file field and in the upload form's error summary.
    assert r.status_code == 400 and 'id="add-file-error"' in html and "Fil: " in html and message in html
    assert case_view(db, c.id)["documents"] == []


def test_a_cpr_number_in_a_file_name_is_masked_everywhere_and_flagged(app, db):
    c = collecting(db)
    client = app.test_client()
    login(client, "cw")
    r = upload(client, c.id, f"journal {corpus.CPR}.txt", b"Referat af byggemoede.", title="Journal")
    assert r.status_code == 200 and no_cpr(r.get_data(as_text=True))
    d = case_view(db, c.id)["documents"][0]
    assert "XXXXXX-XXXX" in d["filename"]
    assert any("CPR-nummer" in x and "filnavnet" in x for x in case_view(db, c.id)["flag_reasons"])
    html = client.get(f"/cases/{c.id}/documents/{d['id']}").get_data(as_text=True)
    assert no_cpr(html) and "XXXXXX-XXXX" in html
    download = client.get(f"/cases/{c.id}/documents/{d['id']}/file")
    assert no_cpr(download.headers["Content-Disposition"])
    assert no_cpr(events_text(db, c.id)) and no_cpr(flags_text(db, c.id))


def test_a_cpr_number_in_the_title_is_never_repeated_in_the_screening_flags(db, worker_mode, monkeypatch):
    """The worker's flags name the document by its title: a number in it is masked there too."""
    c = collecting(db)
    fire(
        db,
        c.id,
        "add_document",
        actor="cw",
        data={"title": f"Notat om {corpus.CPR}"},
        attachment=Attachment("scan.png", corpus.noise(blank=True)),
    )
    document_screening.process_pending(db, extraction.Limits())
    assert no_cpr(flags_text(db, c.id)), flags_text(db, c.id)
    assert no_cpr(events_text(db, c.id))


def test_a_file_over_the_upload_limit_gets_a_danish_page_back_to_the_case(db, monkeypatch):
    from web import create_app

    monkeypatch.setenv("AKTFLOW_MAX_UPLOAD", str(1 * MIB))
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": db.url})
    try:
        c = collecting(db)
        client = app.test_client()
        login(client, "cw")
        page = client.get(f"/cases/{c.id}").get_data(as_text=True)
        r = client.post(
            f"/cases/{c.id}/actions/add_document",
            content_type="multipart/form-data",
            data={
                "csrf_token": csrf_from(page),
                "version": str(_version(page)),
                "title": "Stor",
                "file": (io.BytesIO(b"a" * (2 * MIB)), "stor.txt"),
            },
        )
        html = r.get_data(as_text=True)
        assert r.status_code == 413 and 'lang="da"' in html
        assert (
            "Filen er for stor" in html
            and "de 1 MB, en fil højst må fylde" in html
            and "AKTFLOW_" not in html
        )
        assert f'<a href="/cases/{c.id}#dokumenter">Tilbage til sagen</a>' in html
        assert case_view(db, c.id)["documents"] == []
    finally:
        app.extensions["aktflow_db"].dispose()


# --- e-mails: depth, a bomb inside -------------------------------------------------------------------------


def test_an_email_in_an_email_with_an_attachment_is_read_to_the_bottom(db):
    from email.message import EmailMessage

    inner = EmailMessage()
    inner["Subject"] = "Indre"
    inner["From"] = "a@example.org"
    inner.set_content("Se bilaget")
    inner.add_attachment(
        f"CPR {corpus.CPR}".encode(), maintype="application", subtype="octet-stream", filename="bilag.txt"
    )
    outer = corpus.eml(body="Videresender", inner=inner)
    c = collecting(db)
    fire(
        db, c.id, "add_document", actor="cw", data={"title": "Mail"}, attachment=Attachment("mail.eml", outer)
    )
    docs = case_view(db, c.id)["documents"]
    assert [d["title"] for d in docs] == ["Mail", "Indre.eml", "bilag.txt"]
    assert [d["screening"] for d in docs] == ["screened"] * 3
    assert docs[1]["parent_id"] == docs[0]["id"] and docs[2]["parent_id"] == docs[1]["id"]
    assert any(r.startswith("Dokument 'bilag.txt': CPR-nummer") for r in case_view(db, c.id)["flag_reasons"])


def test_a_bomb_attached_to_an_email_is_refused_and_the_email_stays(db):
    bomb = corpus.zip_bomb_docx(300 * MIB)
    mail = corpus.eml(body="Se vedhæftede", attachments=[("bombe.docx", bomb)])
    c = collecting(db)
    fire(
        db, c.id, "add_document", actor="cw", data={"title": "Mail"}, attachment=Attachment("mail.eml", mail)
    )
    parent, child = case_view(db, c.id)["documents"]
    assert parent["screening"] == "screened" and child["screening"] == "refused"
    with db.session() as s:
        assert s.get_one(Document, parent["id"]).content is not None
        assert s.get_one(Document, child["id"]).content is None
    assert any(
        "bombe.docx" in r and document_screening.UNREAD in r and "AKTFLOW_MAX_UNPACKED" in r
        for r in case_view(db, c.id)["flag_reasons"]
    )


# --- twice, at once, the back button ------------------------------------------------------------------------


def test_the_same_file_twice_is_two_documents_each_screened(db):
    c = collecting(db)
    data = f"CPR {corpus.CPR}".encode()
    for title in ("Første", "Anden"):
        fire(
            db, c.id, "add_document", actor="cw", data={"title": title}, attachment=Attachment("n.txt", data)
        )
    docs = case_view(db, c.id)["documents"]
    assert [d["title"] for d in docs] == ["Første", "Anden"] and all(
        d["screening"] == "screened" for d in docs
    )
    reasons = case_view(db, c.id)["flag_reasons"]
    assert any("'Første'" in r and "CPR" in r for r in reasons) and any(
        "'Anden'" in r and "CPR" in r for r in reasons
    )


def test_two_users_uploading_at_the_same_moment_one_conflict_nothing_lost(db):
    c = collecting(db)
    version = case_view(db, c.id)["version"]
    barrier = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def add(user: str) -> None:
        barrier.wait(5)
        try:
            fire(
                db,
                c.id,
                "add_document",
                actor=user,
                data={"title": f"Fra {user}"},
                attachment=Attachment(f"{user}.txt", b"Referat."),
                expect_version=version,
            )
            outcome[user] = "ok"
        except ConflictError:
            outcome[user] = "conflict"

    threads = [threading.Thread(target=add, args=(u,)) for u in ("cw", "manager")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcome.values()) == ["conflict", "ok"], outcome
    winner = next(u for u, o in outcome.items() if o == "ok")
    docs = case_view(db, c.id)["documents"]
    assert [d["title"] for d in docs] == [f"Fra {winner}"] and docs[0]["screening"] == "screened"
    with db.session() as s:  # the loser left nothing behind: no file, no screening work
        assert len(s.scalars(select(OutboxItem.id).where(OutboxItem.kind == "screen_document")).all()) == 1


def test_the_back_button_after_an_upload_gives_a_conflict_not_a_duplicate(app, db):
    c = collecting(db)
    client = app.test_client()
    login(client, "cw")
    old = client.get(f"/cases/{c.id}").get_data(as_text=True)
    form = {"csrf_token": csrf_from(old), "version": str(_version(old)), "title": "Notat"}
    for expected in ("Tilføj dokument: udført.", "Sagen er ændret af en anden"):
        r = client.post(
            f"/cases/{c.id}/actions/add_document",
            content_type="multipart/form-data",
            data={**form, "file": (io.BytesIO(b"Referat."), "notat.txt")},
            follow_redirects=True,
        )
        assert expected in r.get_data(as_text=True)
    assert len(case_view(db, c.id)["documents"]) == 1


# --- the worker and a case that moved on -------------------------------------------------------------------


def test_removing_a_document_while_it_is_pending_leaves_the_worker_nothing_to_fail_on(db, worker_mode):
    c = collecting(db)
    fire(
        db,
        c.id,
        "add_document",
        actor="cw",
        data={"title": "N"},
        attachment=Attachment("n.txt", b"CPR " + corpus.CPR.encode()),
    )
    (d,) = case_view(db, c.id)["documents"]
    assert d["screening"] == "pending"
    fire(db, c.id, "remove_document", actor="cw", data={"document_id": d["id"]})
    counts = document_screening.process_pending(db, extraction.Limits())
    assert counts["done"] == 1 and counts.get("failed", 0) == 0, counts
    assert case_view(db, c.id)["documents"] == [] and case_view(db, c.id)["flag_reasons"] == []
    with db.session() as s:
        assert (
            s.scalar(select(Event.id).where(Event.case_id == c.id, Event.trigger == "screen_document"))
            is None
        )


def test_the_worker_finishing_after_the_case_was_withdrawn_still_records_and_flags(db, worker_mode):
    c = collecting(db)
    fire(
        db,
        c.id,
        "add_document",
        actor="cw",
        data={"title": "N"},
        attachment=Attachment("n.txt", b"Hun har astma."),
    )
    fire(db, c.id, "withdraw", actor="cw")
    document_screening.process_pending(db, extraction.Limits())
    view = case_view(db, c.id)
    assert view["state"] == "withdrawn" and view["documents"][0]["screening"] == "screened"
    assert any("helbred" in r.lower() for r in view["flag_reasons"]), view["flag_reasons"]
    from aktflow import audit

    with db.session() as s:
        _n, problems = audit.verify(s)
    assert problems == []


# --- the document page ----------------------------------------------------------------------------------------


def test_the_document_page_for_every_status_and_role(db, worker_mode):
    from web import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": db.url})
    try:
        c = collecting(db)
        other = collecting(db)

        def add(title, name, data):
            fire(
                db, c.id, "add_document", actor="cw", data={"title": title}, attachment=Attachment(name, data)
            )
            return max(d["id"] for d in case_view(db, c.id)["documents"])

        pending = add("Venter", "v.txt", b"Tekst.")
        document_screening.process_pending(db, extraction.Limits())
        unread = add("Blank skanning", "blank.png", corpus.noise(blank=True))
        mail = add("Mail", "mail.eml", corpus.eml(attachments=[("bilag.txt", f"CPR {corpus.CPR}".encode())]))
        refused = add("Løgn", "loegn.docx", corpus.lying_zip_bomb_docx(300 * MIB))
        document_screening.process_pending(db, extraction.Limits())
        waiting = add("Venter stadig", "w.txt", b"Tekst.")  # stored after the worker's round: pending
        attachment = next(d["id"] for d in case_view(db, c.id)["documents"] if d["parent_id"] == mail)
        fire(
            db,
            other.id,
            "add_document",
            actor="cw",
            data={"title": "Andet"},
            attachment=Attachment("a.txt", b"x"),
        )
        other_doc = case_view(db, other.id)["documents"][0]["id"]

        expected = {
            pending: "Alle 1 dele af filen er læst og screenet",
            unread: "kunne ikke gennemgås automatisk — skal læses manuelt",
            refused: "Filen er ikke gemt",
            attachment: "vedhæftet",
            waiting: "Filen er under gennemgang",
        }
        for role in ("cw", "legal", "manager"):
            client = app.test_client()
            login(client, role)
            for doc_id, text in expected.items():
                r = client.get(f"/cases/{c.id}/documents/{doc_id}")
                html = r.get_data(as_text=True)
                assert r.status_code == 200 and text in html, (role, doc_id, text)
                assert no_cpr(html)
            assert client.get(f"/cases/{c.id}/documents/{other_doc}").status_code == 404
            assert client.get(f"/cases/{c.id}/documents/{other_doc}/file").status_code == 404
            assert client.get(f"/cases/{c.id}/documents/999999").status_code == 404
            assert no_cpr(client.get(f"/cases/{c.id}").get_data(as_text=True))
    finally:
        app.extensions["aktflow_db"].dispose()


# --- the command line -------------------------------------------------------------------------------------------


def test_the_command_line_never_prints_the_number_and_reports_the_flags(db, runner, tmp_path):
    from aktflow.cli import cli

    c = collecting(db)
    f = tmp_path / f"journal {corpus.CPR}.txt"
    f.write_text(f"CPR-nr. {corpus.CPR}", encoding="utf-8")
    for extra in ([], ["--json"]):
        r = runner.invoke(
            cli,
            ["case", "add-document", str(c.id), "--title", "Notat", "--file", str(f), "--as", "cw", *extra],
        )
        assert r.exit_code == 0, r.output
        assert no_cpr(r.output)
    r = runner.invoke(cli, ["case", "show", str(c.id), "--json"])
    assert r.exit_code == 0 and no_cpr(r.output)
    empty = tmp_path / "tom.txt"
    empty.write_bytes(b"")
    r = runner.invoke(
        cli, ["case", "add-document", str(c.id), "--title", "Tom", "--file", str(empty), "--as", "cw"]
    )
    assert r.exit_code == 2 and "filen er tom" in r.output


def test_the_command_line_reports_its_own_document_not_another_users(db, runner, tmp_path, monkeypatch):
    """add-document answers about the document it added, even when another user added one just after."""
    from aktflow import service
    from aktflow.cli import cli

    c = collecting(db)
    real_fire = service.fire

    def fire_then_another_user(db_, case_id, trigger, **kw):
        out = real_fire(db_, case_id, trigger, **kw)
        if trigger == "add_document":
            real_fire(db_, case_id, "add_document", actor="manager", data={"title": "Lederens notat"})
        return out

    monkeypatch.setattr(service, "fire", fire_then_another_user)
    f = tmp_path / "mit.txt"
    f.write_text("Referat.", encoding="utf-8")
    r = runner.invoke(
        cli,
        ["case", "add-document", str(c.id), "--title", "Mit notat", "--file", str(f), "--as", "cw", "--json"],
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["title"] == "Mit notat"


def test_an_attachments_name_with_a_cpr_number_is_flagged_and_masked(db):
    mail = corpus.eml(body="Se bilag", attachments=[(f"journal {corpus.CPR}.txt", b"Referat.")])
    c = collecting(db)
    fire(
        db, c.id, "add_document", actor="cw", data={"title": "Mail"}, attachment=Attachment("mail.eml", mail)
    )
    child = case_view(db, c.id)["documents"][1]
    assert "XXXXXX-XXXX" in child["title"] and "XXXXXX-XXXX" in child["filename"]
    assert any("filnavnet" in r and "CPR-nummer" in r for r in case_view(db, c.id)["flag_reasons"])
    assert no_cpr(flags_text(db, c.id)) and no_cpr(events_text(db, c.id))


def test_a_cpr_number_joined_by_an_underscore_is_flagged_and_marked(app, db):
    """A merge field or a name (``cpr_120385-1237``) is masked by the exit filter, so it is flagged too."""
    c = collecting(db)
    content = f"Flettefelt: cpr_{corpus.CPR}".encode()
    fire(
        db,
        c.id,
        "add_document",
        actor="cw",
        data={"title": "Skabelon"},
        attachment=Attachment("s.txt", content),
    )
    d = case_view(db, c.id)["documents"][0]
    assert any(r.startswith("Dokument 'Skabelon': CPR-nummer") for r in case_view(db, c.id)["flag_reasons"])
    client = app.test_client()
    login(client, "legal")
    html = client.get(f"/cases/{c.id}/documents/{d['id']}").get_data(as_text=True)
    assert no_cpr(html) and '<mark class="finding finding-cpr"' in html


def test_a_refused_file_is_not_offered_for_download_on_the_case_page(app, db):
    c = collecting(db)
    mail = corpus.eml(body="Se vedhæftede", attachments=[("bombe.docx", corpus.zip_bomb_docx(300 * MIB))])
    fire(
        db, c.id, "add_document", actor="cw", data={"title": "Mail"}, attachment=Attachment("mail.eml", mail)
    )
    parent, child = case_view(db, c.id)["documents"]
    client = app.test_client()
    login(client, "cw")
    html = client.get(f"/cases/{c.id}").get_data(as_text=True)
    assert f"/documents/{parent['id']}/file" in html  # the e-mail itself is kept
    assert f"/documents/{child['id']}/file" not in html and "Filen (bombe.docx) er ikke gemt" in html
    assert client.get(f"/cases/{c.id}/documents/{child['id']}/file").status_code == 404
