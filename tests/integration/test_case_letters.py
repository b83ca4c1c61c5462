"""Letters made by the workflow: which trigger makes which letter, stored, immutable, journalised."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import docx
import pytest
from sqlalchemy import select, text, update

from aktflow import clock
from aktflow.administration import upload_template
from aktflow.case_letters import LETTER_FOR_TRIGGER
from aktflow.errors import PermissionDenied, ValidationError, WorkflowError
from aktflow.models import Event, Letter
from aktflow.service import case_view, create_case, fire

RECEIVED = (clock.today() - dt.timedelta(days=2)).isoformat()
FUTURE = (clock.today() + dt.timedelta(days=14)).isoformat()


def letter_text(content: bytes) -> str:
    d = docx.Document(io.BytesIO(content))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    for s in d.sections:
        parts.extend(p.text for p in s.header.paragraphs)
    return "\n".join(parts)


def letters(db, case_id):
    with db.session() as s:
        return list(s.scalars(select(Letter).where(Letter.case_id == case_id).order_by(Letter.id)))


def content(db, letter_id) -> bytes:
    with db.session() as s:
        return s.get(Letter, letter_id).content


def new(db, **kw):
    args = dict(
        actor="cw",
        requester="Mette & <Hansen> {{ 7*7 }} {% if x %}æøå",
        received=RECEIVED,
        basis="ofl",
        subject="Byggesagen for Havnevej 12",
        emne="02.34.02",
        assign="cw",
    )
    args.update(kw)
    return create_case(db, **args)


def test_each_letter_trigger_stores_its_letter_linked_to_the_event(db):
    case = new(db)
    fire(db, case.id, "register", actor="cw")
    fire(db, case.id, "request_clarification", actor="cw", note="Angiv venligst perioden")
    fire(db, case.id, "clarification_received", actor="cw", note="Perioden 2025-2026")
    fire(
        db,
        case.id,
        "send_deadline_notice",
        actor="cw",
        data={"reason": "Mange dokumenter", "expected": FUTURE},
    )
    fire(db, case.id, "add_document", actor="cw", data={"title": "Tilsynsrapport", "date": "2026-03-01"})
    fire(db, case.id, "add_document", actor="cw", data={"title": "Klage fra nabo"})
    docs = case_view(db, case.id)["documents"]
    fire(db, case.id, "start_screening", actor="cw")
    fire(db, case.id, "request_hearing", actor="cw", data={"party": "Byg A/S", "reply_by": FUTURE})
    fire(db, case.id, "hearing_completed", actor="cw", data={"reply": "none"})
    fire(db, case.id, "assess_document", actor="cw", data={"document_id": docs[0]["id"], "outcome": "grant"})
    fire(db, case.id, "send_partial_decision", actor="cw", note="Tilsynsrapporten udleveres nu")
    fire(
        db,
        case.id,
        "assess_document",
        actor="cw",
        data={
            "document_id": docs[1]["id"],
            "outcome": "refuse",
            "grounds": ["ofl-23"],
            "meroffentlighed_note": "Intern drøftelse",
            "reason": "Notatet er skrevet til forvaltningens eget brug.",
        },
    )
    fire(db, case.id, "draft_decision", actor="cw")
    fire(db, case.id, "send_decision", actor="cw")
    fire(db, case.id, "receive_complaint", actor="cw")
    fire(db, case.id, "uphold_and_forward", actor="cw", note="Kommunen fastholder")
    rows = letters(db, case.id)
    assert [r.kind for r in rows] == [
        "kvittering",
        "praecisering",
        "fristbrev",
        "hoering",
        "delafgoerelse",
        "afgoerelse",
        "klage_oversendelse",
    ]
    view = case_view(db, case.id)
    with db.session() as s:
        for r in rows:
            body = content(db, r.id)
            assert hashlib.sha256(body).hexdigest() == r.sha256
            ev = s.get(Event, r.event_id)
            assert LETTER_FOR_TRIGGER[ev.trigger] == r.kind
            assert {"id": r.id, "kind": r.kind, "sha256": r.sha256} in ev.data["letters"]
            t = letter_text(body)
            assert view["sagsnummer"] in t
            if r.kind != "hoering":  # the hearing goes to the third party and does not name the requester
                assert "Mette & <Hansen> {{ 7*7 }} {% if x %}æøå" in t  # literal, never evaluated
            assert "49" not in t.replace(view["sagsnummer"], "")
            assert r.archive_status == "journalised"  # the embedded archive journalises at once
    afg = letter_text(content(db, rows[5].id))
    assert "Tilsynsrapport" in afg and "Klage fra nabo" in afg
    assert "klage" in afg.lower()  # klagevejledning on a partial decision
    frist = letter_text(content(db, rows[2].id))
    assert "Mange dokumenter" in frist
    assert dt.date.fromisoformat(FUTURE).strftime("%Y") in frist


def test_forward_and_personnel_letters(db):
    c1 = new(db)
    fire(db, c1.id, "register", actor="cw")
    fire(db, c1.id, "forward", actor="cw", data={"authority": "Skattestyrelsen"})
    lt = letters(db, c1.id)[-1]
    assert lt.kind == "videresendelse" and "Skattestyrelsen" in letter_text(content(db, lt.id))
    c2 = new(db, emne="81.00.00", subject="Personalesag")
    fire(db, c2.id, "notify_employee", actor="cw", data={"employee": "Ole Madsen", "stage": "request"})
    (lt,) = letters(db, c2.id)
    assert lt.kind == "underretning_ansat" and "Ole Madsen" in letter_text(content(db, lt.id))


def test_a_request_is_registered_before_it_is_forwarded_and_the_letter_carries_its_sagsnummer(db):
    case = new(db)
    with pytest.raises(WorkflowError) as e:
        fire(db, case.id, "forward", actor="cw", data={"authority": "Skattestyrelsen"})
    assert "received" in e.value.message and not letters(db, case.id)
    sagsnummer = fire(db, case.id, "register", actor="cw").sagsnummer
    assert sagsnummer and sagsnummer != str(case.id)
    fire(db, case.id, "forward", actor="cw", data={"authority": "Skattestyrelsen"})
    lt = letters(db, case.id)[-1]
    txt = letter_text(content(db, lt.id))
    assert lt.kind == "videresendelse"
    assert f"Sagsnr. {sagsnummer}" in txt and f"Sagsnr. {case.id}\n" not in txt + "\n"


def test_full_grant_decision_has_aktliste_but_no_klagevejledning(db):
    case = new(db, requester="Mette Hansen")
    for t in ("register", "start_collecting"):
        fire(db, case.id, t, actor="cw")
    c = fire(db, case.id, "add_document", actor="cw", data={"title": "Referat af møde"})
    fire(db, case.id, "start_screening", actor="cw")
    fire(
        db,
        case.id,
        "assess_document",
        actor="cw",
        data={"document_id": c.documents[-1].id, "outcome": "grant"},
    )
    fire(db, case.id, "draft_decision", actor="cw")
    fire(db, case.id, "send_decision", actor="cw")
    afg = letter_text(content(db, letters(db, case.id)[-1].id))
    assert "Referat af møde" in afg
    assert "Ankestyrelsen" not in afg


def test_letters_are_immutable_in_the_database(db):
    case = new(db)
    fire(db, case.id, "register", actor="cw")
    (lt,) = letters(db, case.id)
    with db.session() as s, pytest.raises(Exception, match="immutable"):
        s.execute(update(Letter).where(Letter.id == lt.id).values(content=b"forged"))
        s.commit()
    with db.session() as s, pytest.raises(Exception, match="immutable"):
        s.execute(text("DELETE FROM letters WHERE id = :i"), {"i": lt.id})
        s.commit()
    with db.session() as s:  # the archive state may still move
        s.execute(update(Letter).where(Letter.id == lt.id).values(archive_status="journalised"))
        s.commit()


def test_template_upload_checked_and_used(db):
    import letters as pkg

    case = new(db, requester="Mette Hansen")
    good = pkg.template_bytes("kvittering")
    import docx as d

    doc = d.Document(io.BytesIO(good))
    doc.add_paragraph("Særlig hilsen fra Borgerservice")
    buf = io.BytesIO()
    doc.save(buf)
    upload_template(db, actor="admin", kind="kvittering", content=buf.getvalue())
    fire(db, case.id, "register", actor="cw")
    assert "Særlig hilsen fra Borgerservice" in letter_text(content(db, letters(db, case.id)[0].id))
    bad = d.Document(io.BytesIO(good))
    bad.add_paragraph("{{ hemmelig_variabel }}")
    buf = io.BytesIO()
    bad.save(buf)
    with pytest.raises(ValidationError, match="hemmelig_variabel"):
        upload_template(db, actor="admin", kind="kvittering", content=buf.getvalue())
    with pytest.raises(ValidationError):
        upload_template(db, actor="admin", kind="kvittering", content=b"not a docx at all")
    with pytest.raises(PermissionDenied):
        upload_template(db, actor="cw", kind="kvittering", content=good)
    c2 = new(db, requester="Ole")
    fire(db, c2.id, "register", actor="cw")  # the good upload is still in use
    assert "Særlig hilsen fra Borgerservice" in letter_text(content(db, letters(db, c2.id)[0].id))


def test_cli_letters_commands(runner, db, tmp_path):
    from aktflow.cli import cli

    case = new(db, requester="Mette Hansen")
    fire(db, case.id, "register", actor="cw")
    r = runner.invoke(cli, ["case", "letters", str(case.id), "--json"])
    assert r.exit_code == 0, r.stderr
    (row,) = json.loads(r.stdout)
    assert {"id", "kind", "created", "sha256"} <= set(row) and row["kind"] == "kvittering"
    out = tmp_path / "k.docx"
    r = runner.invoke(cli, ["letters", "get", str(row["id"]), "--out", str(out)])
    assert r.exit_code == 0 and hashlib.sha256(out.read_bytes()).hexdigest() == row["sha256"]
    prev = tmp_path / "p.docx"
    r = runner.invoke(
        cli,
        [
            "letters",
            "preview",
            str(case.id),
            "fristbrev",
            "--out",
            str(prev),
            "--data",
            json.dumps({"reason": "Travlt", "expected": FUTURE}),
        ],
    )
    assert r.exit_code == 0, r.stderr
    assert "Travlt" in letter_text(prev.read_bytes())
    r = runner.invoke(cli, ["case", "letters", str(case.id), "--json"])
    assert len(json.loads(r.stdout)) == 1  # preview stored nothing
    tpl = tmp_path / "afgoerelse.docx"
    r = runner.invoke(cli, ["letters", "template", "afgoerelse", "--out", str(tpl)])
    assert r.exit_code == 0
    r = runner.invoke(cli, ["letters", "check", str(tpl)])
    assert r.exit_code == 0, r.stderr
    broken = tmp_path / "kvittering.docx"
    broken.write_bytes(b"garbage")
    r = runner.invoke(cli, ["letters", "check", str(broken)])
    assert r.exit_code == 2 and "Traceback" not in r.stderr
    r = runner.invoke(cli, ["letters", "upload", "kvittering", str(broken), "--as", "admin"])
    assert r.exit_code == 2
    r = runner.invoke(cli, ["letters", "get", "99999", "--out", str(tmp_path / "x.docx")])
    assert r.exit_code == 2
    r = runner.invoke(cli, ["letters", "get", str(row["id"]), "--out", str(tmp_path / "x.pdf")])
    assert r.exit_code in (0, 2)  # 2 with a clear message when LibreOffice is absent
    if r.exit_code == 2:
        assert "LibreOffice" in r.stderr
