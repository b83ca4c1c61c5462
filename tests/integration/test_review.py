"""The document register, per-document assessment, screening flags, legal consultation, hearings."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest

from aktflow import clock
from aktflow.documents import Attachment
from aktflow.errors import ValidationError, WorkflowError
from aktflow.queries.legal import legal_queue
from aktflow.service import case_view, create_case, fire
from tests.assessing import texts_for

RECEIVED = (clock.today() - dt.timedelta(days=3)).isoformat()
CPR = "0707614285"  # a valid date (7 July 1961); not a real person's number as far as the tests care


def make_docx(*paragraphs: str) -> bytes:
    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def make_pdf(text: str) -> bytes:
    """A minimal one-page PDF with ``text`` (ASCII) in Helvetica."""
    content = (
        b"BT /F1 12 Tf 72 720 Td ("
        + text.encode("ascii").replace(b"(", b"\\(").replace(b")", b"\\)")
        + b") Tj ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def new(db, **kw):
    args = dict(
        actor="cw",
        requester="Mette Hansen",
        received=RECEIVED,
        basis="ofl",
        subject="Aktindsigt i tilsynssagen",
        emne="02.34.02",
        assign="cw",
    )
    args.update(kw)
    return create_case(db, **args)


def collecting(db, **kw):
    case = new(db, **kw)
    for t in ("register", "start_collecting"):
        fire(db, case.id, t, actor="cw")
    return case


def add(db, case, title="Notat", file=None, **data):
    c = fire(
        db,
        case.id,
        "add_document",
        actor="cw",
        data={"title": title, **data},
        attachment=Attachment(*file) if file else None,
    )
    return c.documents[-1].id


def assess(db, case, doc, outcome="grant", grounds=(), **kw):
    if "note" in kw:  # the text for the requester (before 2026.4: the redaction note)
        kw["reason"] = kw.pop("note")
    return fire(
        db,
        case.id,
        "assess_document",
        actor="cw",
        data={
            "document_id": doc,
            "outcome": outcome,
            "grounds": list(grounds),
            **texts_for(outcome, grounds),
            **kw,
        },
    )


# --- files and screening ------------------------------------------------------------------------------


def test_txt_with_cpr_flags_the_case_without_the_number(db):
    case = collecting(db)
    add(
        db, case, "Notat om borger", file=("notat.txt", f"Borgeren har CPR-nr. {CPR[:6]}-{CPR[6:]}.".encode())
    )
    view = case_view(db, case.id)
    assert view["flagged"]
    assert any("Notat om borger" in r and "CPR" in r for r in view["flag_reasons"])
    text = json.dumps(view, ensure_ascii=False)
    assert CPR[:6] not in text and CPR[6:] not in re.sub(r"\s", "", json.dumps(view["flag_reasons"]))
    assert view["documents"][0]["filename"] == "notat.txt"


def test_docx_text_is_extracted_and_screened(db):
    case = collecting(db)
    add(
        db,
        case,
        "Mail fra leder",
        file=("mail.docx", make_docx("Hej", "Medarbejderen er sygemeldt med stress.")),
    )
    reasons = case_view(db, case.id)["flag_reasons"]
    assert any("Mail fra leder" in r and "helbred" in r for r in reasons)
    from aktflow.models import Document

    with db.session() as s:
        doc = s.query(Document).one()
        assert "sygemeldt med stress" in doc.text


def test_pdf_text_is_extracted_and_screened(db):
    case = collecting(db)
    add(db, case, "Udskrift", file=("udskrift.pdf", make_pdf("Personen er tidligere straffet for vold.")))
    from aktflow.models import Document

    with db.session() as s:
        assert "straffet for vold" in s.query(Document).one().text
    assert any("strafbare" in r for r in case_view(db, case.id)["flag_reasons"])


def test_harmless_document_does_not_flag(db):
    case = collecting(db)
    add(db, case, "Referat", file=("referat.txt", "Mødet handlede om vejbelysning på Sygehusvej 4.".encode()))
    assert case_view(db, case.id)["flagged"] is False


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("fake.pdf", b"just text, not a pdf", "ikke en PDF"),
        ("fake.docx", b"PK\x03\x04 not really a zip", "kan ikke åbnes"),
        ("program.exe", b"MZ\x90\x00", "understøttes ikke"),
        ("../../etc/passwd.txt", b"root:x:0:0", "ugyldigt filnavn"),
        ("tom.txt", b"", "tom"),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused_and_nothing_is_stored(db, name, content, reason):
    case = collecting(db)
    before = case_view(db, case.id)
    with pytest.raises(ValidationError) as e:
        add(db, case, "X", file=(name, content))
    assert e.value.field == "file" and reason in e.value.message
    assert case_view(db, case.id) == before


def test_oversized_upload_is_refused(db, monkeypatch):
    monkeypatch.setenv("AKTFLOW_MAX_UPLOAD", "1000")
    case = collecting(db)
    with pytest.raises(ValidationError, match="for stor"):
        add(db, case, "Stor", file=("stor.txt", b"a" * 1001))
    assert case_view(db, case.id)["documents"] == []


def test_request_text_is_screened(db):
    case = new(db, subject="Alle journaler om min søns psykiatriske behandling")
    assert any(r.startswith("Anmodningen") for r in case_view(db, case.id)["flag_reasons"])


# --- the register is frozen from screening on ----------------------------------------------------------


def test_edit_and_remove_while_collecting(db):
    case = collecting(db)
    d1, d2 = add(db, case, "Første"), add(db, case, "Anden")
    fire(
        db,
        case.id,
        "edit_document",
        actor="cw",
        data={"document_id": d1, "title": "Første (rettet)", "date": "2026-01-05"},
    )
    fire(db, case.id, "remove_document", actor="cw", note="Dublet", data={"document_id": d2})
    docs = case_view(db, case.id)["documents"]
    assert [(d["id"], d["title"], d["date"]) for d in docs] == [(d1, "Første (rettet)", "2026-01-05")]


@pytest.mark.parametrize("trigger", ["add_document", "edit_document", "remove_document"])
def test_register_is_frozen_after_start_screening(db, trigger):
    case = collecting(db)
    d = add(db, case)
    fire(db, case.id, "start_screening", actor="cw")
    data = {"title": "Ny"} if trigger == "add_document" else {"document_id": d}
    with pytest.raises(WorkflowError, match="dokumentregisteret er låst"):
        fire(db, case.id, trigger, actor="cw", data=data)


# --- assessment ---------------------------------------------------------------------------------------


def test_assessment_grounds_are_checked(db):
    case = collecting(db)
    d = add(db, case)
    fire(db, case.id, "start_screening", actor="cw")
    with pytest.raises(ValidationError, match="mindst én undtagelsesgrund"):
        assess(db, case, d, "refuse")
    with pytest.raises(ValidationError) as e:
        assess(db, case, d, "refuse", ["fvl-15"])  # a party ground on an OFL case
    assert e.value.field == "grounds"
    with pytest.raises(ValidationError):
        assess(db, case, d, "partial", ["ofl-999"])
    with pytest.raises(ValidationError, match="ingen undtagelsesgrunde"):
        assess(db, case, d, "grant", ["ofl-23"])
    assess(db, case, d, "refuse", ["ofl-23"], meroffentlighed_note="Intern drøftelse; ingen grund til mere")
    doc = case_view(db, case.id)["documents"][0]
    assert doc["outcome"] == "refuse" and doc["grounds"] == ["ofl-23"]
    assert case_view(db, case.id)["flagged"] is False  # § 23 needs no legal review


def test_refusal_on_section_30_flags_for_legal(db):
    case = collecting(db)
    d = add(db, case, "Klage fra nabo")
    fire(db, case.id, "start_screening", actor="cw")
    assess(db, case, d, "partial", ["ofl-30-1"], note="Navn og adresse overstreget")
    reasons = case_view(db, case.id)["flag_reasons"]
    assert any("Klage fra nabo" in r and "30" in r for r in reasons)
    with pytest.raises(WorkflowError, match="juridisk"):
        fire(db, case.id, "draft_decision", actor="cw")


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        ([], "none_found"),
        (["grant", "grant"], "full"),
        (["refuse", "refuse"], "refusal"),
        (["grant", "refuse"], "partial"),
        (["partial"], "partial"),
    ],
)
def test_decision_outcome_follows_the_assessments(db, outcomes, expected):
    case = collecting(db)
    docs = [add(db, case, f"Dok {i}") for i in range(len(outcomes))]
    fire(db, case.id, "start_screening", actor="cw")
    for d, o in zip(docs, outcomes, strict=True):
        assess(db, case, d, o, [] if o == "grant" else ["ofl-23"])
    assert case_view(db, case.id)["outcome"] == expected


# --- legal consultation -------------------------------------------------------------------------------


def test_flag_review_return_approve_cycle(db):
    case = collecting(db)
    d = add(db, case, "Notat", file=("n.txt", f"cpr {CPR}".encode()))
    fire(db, case.id, "start_screening", actor="cw")
    assess(db, case, d, "partial", ["ofl-30-1"])
    fire(db, case.id, "submit_for_legal_review", actor="cw", note="Kan resten udleveres?")
    with pytest.raises(ValidationError):
        fire(db, case.id, "return_to_screening", actor="legal", note=" ")
    fire(db, case.id, "return_to_screening", actor="legal", note="Overstreg også adressen")
    # Released in part: the withheld number is redacted (docs/redaction.md).
    fire(db, case.id, "redact", actor="cw", data={"document_id": d, "term": CPR, "ground": "ofl-30-1"})
    fire(db, case.id, "submit_for_legal_review", actor="cw")
    fire(db, case.id, "approve_legal", actor="legal", note="Godkendt")
    view = case_view(db, case.id)
    assert view["state"] == "drafting_decision" and not view["flagged"]
    approval = view["events"][-1]
    assert (
        approval["actor"] == "legal"
        and approval["note"] == "Godkendt"
        and len(approval["data"]["flags_cleared"]) == 2
    )
    fire(db, case.id, "send_decision", actor="cw")


def test_new_flag_after_approval_needs_a_new_review(db):
    case = collecting(db)
    d = add(db, case)
    fire(db, case.id, "start_screening", actor="cw")
    fire(db, case.id, "flag_for_legal", actor="cw", note="Tvivl om § 30")
    fire(db, case.id, "submit_for_legal_review", actor="cw")
    fire(db, case.id, "approve_legal", actor="legal")
    assess(db, case, d, "refuse", ["ofl-35"])  # a new flag, raised after approval
    with pytest.raises(WorkflowError, match="35"):
        fire(db, case.id, "send_decision", actor="cw")
    fire(db, case.id, "submit_for_legal_review", actor="cw")  # from drafting_decision
    fire(db, case.id, "approve_legal", actor="legal")
    fire(db, case.id, "send_decision", actor="cw")


def test_legal_queue_oldest_deadline_first(db):
    older = new(db, received=(clock.today() - dt.timedelta(days=8)).isoformat(), requester="Ældst")
    newer = new(db, received=(clock.today() - dt.timedelta(days=1)).isoformat(), requester="Nyest")
    for c in (newer, older):
        for t in ("register", "start_collecting", "start_screening"):
            fire(db, c.id, t, actor="cw")
        fire(db, c.id, "flag_for_legal", actor="cw", note="tvivl")
        fire(db, c.id, "submit_for_legal_review", actor="cw")
    q = legal_queue(db)
    assert [r["id"] for r in q] == [older.id, newer.id]
    assert q[0]["flag_reasons"] and q[0]["next_due"] <= q[1]["next_due"]


# --- personnel cases and hearings ---------------------------------------------------------------------


def test_personnel_case_flagged_and_employee_must_be_notified(db):
    case = collecting(db, emne="81.00.00", subject="Personalesag vedr. afskedigelse")
    assert any("Personalesag" in r for r in case_view(db, case.id)["flag_reasons"])
    fire(db, case.id, "start_screening", actor="cw")
    fire(db, case.id, "submit_for_legal_review", actor="cw")
    fire(db, case.id, "approve_legal", actor="legal")
    with pytest.raises(WorkflowError, match="OFL § 41"):
        fire(db, case.id, "send_decision", actor="cw")
    fire(db, case.id, "notify_employee", actor="cw", data={"employee": "Ole Madsen", "stage": "request"})
    fire(db, case.id, "send_decision", actor="cw")
    fire(db, case.id, "notify_employee", actor="cw", data={"employee": "Ole Madsen", "stage": "release"})
    assert [n["stage"] for n in case_view(db, case.id)["employee_notices"]] == ["request", "release"]


def test_notify_employee_only_for_personnel_cases(db):
    case = new(db)
    assert "notify_employee" not in case_view(db, case.id)["allowed_triggers"]
    with pytest.raises(WorkflowError):
        fire(db, case.id, "notify_employee", actor="cw", data={"employee": "X", "stage": "request"})


def test_hearing_is_recorded(db):
    case = collecting(db)
    fire(db, case.id, "start_screening", actor="cw")
    reply_by = (clock.today() + dt.timedelta(days=10)).isoformat()
    fire(
        db,
        case.id,
        "request_hearing",
        actor="cw",
        data={"party": "Byg A/S", "question": "Er der forretningshemmeligheder?", "reply_by": reply_by},
    )
    fire(db, case.id, "hearing_completed", actor="cw", note="Ingen indsigelser", data={"reply": "received"})
    (h,) = case_view(db, case.id)["hearings"]
    assert (h["party"], h["reply_by"], h["reply"], h["summary"]) == (
        "Byg A/S",
        reply_by,
        "received",
        "Ingen indsigelser",
    )


# --- CLI ----------------------------------------------------------------------------------------------


def test_cli_add_document_assess_grounds(runner, db, tmp_path):
    from aktflow.cli import cli

    case = collecting(db)
    f = tmp_path / "brev.docx"
    f.write_bytes(make_docx("Ansøgerens helbred er dårligt."))
    r = runner.invoke(
        cli,
        [
            "case",
            "add-document",
            str(case.id),
            "--title",
            "Brev",
            "--date",
            "2026-10-01",
            "--sender",
            "Borger",
            "--file",
            str(f),
            "--as",
            "cw",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["id"] and doc["title"] == "Brev" and doc["flagged"] is True
    r = runner.invoke(
        cli,
        [
            "case",
            "add-document",
            str(case.id),
            "--title",
            "X",
            "--file",
            str(tmp_path / "missing.pdf"),
            "--as",
            "cw",
        ],
    )
    assert r.exit_code == 2 and "--file" in r.stderr
    fire(db, case.id, "start_screening", actor="cw")
    assess = ["case", "assess", str(case.id), str(doc["id"]), "--outcome", "partial", "--ground", "ofl-30-1"]
    texts = ["--reason", "Helbredsoplysninger er overstreget.", "--weighing-note", "Borgerens helbred."]
    # § 28 does not apply to § 30: extraction recorded on it is refused.
    r = runner.invoke(cli, [*assess, *texts, "--extracted", "--extraction-note", "Datoer", "--as", "cw"])
    assert r.exit_code == 2 and "ekstrahering" in r.stderr
    r = runner.invoke(
        cli,
        [
            *assess,
            *texts,
            "--meroffentlighed-note",
            "Ikke muligt",
            "--internal-note",
            "Ringede til borgeren",
            "--released-title",
            "Brev fra borger",
            "--as",
            "cw",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.stderr
    view = json.loads(r.stdout)
    d0 = view["documents"][0]
    assert d0["outcome"] == "partial" and d0["grounds"] == ["ofl-30-1"]
    assert (d0["reason"], d0["internal_note"]) == (
        "Helbredsoplysninger er overstreget.",
        "Ringede til borgeren",
    )
    assert d0["aktliste_title"] == "Brev fra borger"
    assert view["outcome"] == "partial" and view["flagged"]
    r = runner.invoke(
        cli, ["case", "assess", str(case.id), str(doc["id"]), "--outcome", "refuse", "--as", "cw"]
    )
    assert r.exit_code == 2 and "grounds" in r.stderr
    r = runner.invoke(cli, ["grounds", "--basis", "fvl", "--json"])
    codes = {g["code"] for g in json.loads(r.stdout)}
    assert "fvl-15" in codes and "ofl-23" not in codes
    r = runner.invoke(cli, ["grounds", "--basis", "nope"])
    assert r.exit_code == 2
