"""What the requester reads of each document (docs/domain.md, "The aktliste as released", "Texts for the
requester, and the internal note", "Reasoning that says what happened", "§ 28 and § 14 as recorded
decisions").

Each outcome is taken through the workflow to its letter, and the .docx is opened and read whole (every
paragraph and every table cell): no internal note, no original title of a withheld or flagged document,
no CPR number, and nothing that contradicts the aktliste.
"""

from __future__ import annotations

import datetime as dt
import io

import docx
import pytest
from sqlalchemy import select

from aktflow import clock
from aktflow.errors import ValidationError, WorkflowError
from aktflow.models import Letter
from aktflow.service import case_view, create_case, fire

RECEIVED = (clock.today() - dt.timedelta(days=3)).isoformat()
CPR = "120385-1237"  # made up, a valid date
INTERNAL = "INTERN-7Q: ringede til lægen, der bad os holde det tilbage"


def new(db, **kw):
    args = dict(
        actor="cw",
        requester="Mette Hansen",
        received=RECEIVED,
        basis="ofl",
        subject="Aktindsigt i sagen om Skolevej 4",
        emne="02.34.02",
        assign="cw",
    )
    args.update(kw)
    return create_case(db, **args)


def screening_with(db, *docs, **kw):
    """A case in screening with one document per ``(title, sender)``; returns (case, [document ids])."""
    case = new(db, **kw)
    for t in ("register", "start_collecting"):
        fire(db, case.id, t, actor="cw")
    ids = []
    for title, sender in docs:
        data = {"title": title, "date": "2026-03-02"}
        if sender:
            data["sender"] = sender
        ids.append(fire(db, case.id, "add_document", actor="cw", data=data).documents[-1].id)
    fire(db, case.id, "start_screening", actor="cw")
    return case, ids


def assess(db, case, doc, outcome="grant", grounds=(), **data):
    fire(
        db,
        case.id,
        "assess_document",
        actor="cw",
        data={"document_id": doc, "outcome": outcome, "grounds": list(grounds), **data},
    )


def decide(db, case, *, legal=True):
    if legal:
        fire(db, case.id, "submit_for_legal_review", actor="cw")
        fire(db, case.id, "approve_legal", actor="legal")
    else:
        fire(db, case.id, "draft_decision", actor="cw")
    fire(db, case.id, "send_decision", actor="cw")


def letter_text(db, case, kind="afgoerelse") -> tuple[str, list[list[str]]]:
    """The newest letter of ``kind``: its whole text (paragraphs, tables, headers, footers) and the
    aktliste's rows (the table's cells, header row left out)."""
    with db.session() as s:
        letter = s.scalars(
            select(Letter).where(Letter.case_id == case.id, Letter.kind == kind).order_by(Letter.id.desc())
        ).first()
        assert letter is not None, f"no {kind} letter"
        d = docx.Document(io.BytesIO(letter.content))
    parts = [p.text for p in d.paragraphs]
    rows: list[list[str]] = []
    for t in d.tables:
        for i, row in enumerate(t.rows):
            cells = [c.text for c in row.cells]
            parts.extend(cells)
            if i and len(cells) >= 5:
                rows.append(cells)
    for section in d.sections:
        parts += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
    return "\n".join(parts), rows


def assert_clean(txt: str, *withheld: str) -> None:
    """No internal note, no CPR number (either form), none of the ``withheld`` texts."""
    assert "INTERN-7Q" not in txt
    assert CPR not in txt and CPR.replace("-", "") not in txt and "1237" not in txt
    for w in withheld:
        assert w not in txt, f"{w!r} leaked into the letter"


# --- the outcomes, read whole ---------------------------------------------------------------------------------


def test_full_grant_prints_the_released_titles_and_never_the_internal_note(db):
    case, (d1, d2) = screening_with(db, ("Byggetilladelse", "Teknik og Miljø"), ("Tegning", None))
    assess(db, case, d1, "grant", internal_note=INTERNAL, released_title="Byggetilladelse af 2. marts")
    assess(db, case, d2, "grant")
    decide(db, case, legal=False)
    txt, rows = letter_text(db, case)
    assert_clean(txt)
    assert [r[2] for r in rows] == ["Byggetilladelse af 2. marts", "Tegning"]
    assert rows[0][3] == "Teknik og Miljø"
    assert "Begrundelse" not in txt and "Klagevejledning" not in txt


def test_partial_decision_hides_a_sensitive_title_and_prints_only_texts_for_the_requester(db):
    case, (d1, d2) = screening_with(
        db, ("Lægeerklæring om søvnproblemer", "Psykiatrisk afdeling"), ("Ansøgning om bolig", "Borgeren")
    )
    reason = "Oplysninger om ansøgerens helbred er overstreget."
    weighing = "Ansøgerens interesse i at holde helbredet for sig selv vejer tungest."
    assess(
        db, case, d1, "partial", ["ofl-30-1"], reason=reason, weighing_note=weighing, internal_note=INTERNAL
    )
    assess(db, case, d2, "grant")
    page = case_view(db, case.id)["documents"]
    assert page[0]["aktliste_title"] == "Dokument nr. 1"  # the sensitive original was never prefilled
    assert page[0]["internal_note"] == INTERNAL  # kept for the caseworker and legal
    decide(db, case)
    txt, rows = letter_text(db, case)
    assert_clean(txt, "Lægeerklæring", "søvnproblemer", "Psykiatrisk")
    assert [r[2] for r in rows] == ["Dokument nr. 1", "Ansøgning om bolig"]
    assert [r[4] for r in rows] == ["Udleveres delvis", "Udleveres"]
    assert f"Dokument nr. 1: {reason}" in txt
    assert f"Dokument nr. 1 – de hovedhensyn, der har været afgørende for vores afvejning: {weighing}" in txt
    assert "meroffentlighed" not in txt  # not recorded, not claimed


def test_refusal_with_a_cpr_number_in_the_title_and_extraction_agrees_with_the_aktliste(db):
    case, (d1, d2) = screening_with(db, (f"Notat om {CPR}", "Skoleafdelingen"), ("Mødereferat", "Skolen"))
    what = "Datoerne for skolens tilsynsbesøg."
    assess(
        db, case, d1, "refuse", ["ofl-23"], reason="Notatet er skrevet til afdelingens eget brug.",
        extracted=True, extraction_note=what, meroffentlighed_note="Notatet rummer foreløbige overvejelser.",
    )  # fmt: skip
    assess(db, case, d2, "refuse", ["ofl-23"], reason="Referatet er et internt dokument.")
    decide(db, case)
    txt, rows = letter_text(db, case)
    assert_clean(txt, "Notat om")
    assert [r[4] for r in rows] == ["Udleveres ikke (ekstrakt udleveres)", "Udleveres ikke"]
    assert f"Dokument nr. 1 – ekstraheret og udleveret: {what}" in txt
    assert "Fra dokument nr. 1 har vi efter offentlighedslovens §§ 28 og 29 ekstraheret" in txt
    assert "Fra dokument nr. 1 og 2" not in txt and "ekstrakt" not in rows[1][4]
    # § 14 only for the document it was considered for.
    assert "For dokument nr. 1 har vi overvejet" in txt and "For dokument nr. 1 og 2" not in txt


def test_personnel_case_prints_neutral_rows_and_promises_no_section_21_information(db):
    case, (d1, d2) = screening_with(
        db, ("Advarsel til skoleleder Jens Hansen", "Skolechefen"), ("Stillingsopslag", "HR")
    )
    fire(db, case.id, "mark_personnel", actor="cw", data={"reason": "Sagen angår en ansats forhold"})
    fire(db, case.id, "notify_employee", actor="cw", data={"employee": "Jens Hansen", "stage": "request"})
    assess(db, case, d1, "refuse", ["ofl-21-2"], reason="Advarslen indgår i en personalesag.")
    assess(db, case, d2, "grant")
    decide(db, case)
    txt, rows = letter_text(db, case)
    assert_clean(txt, "Advarsel til", "Skolechefen")
    assert rows[0][2] == "Dokument undtaget (personalesag, offentlighedslovens § 21)" and rows[0][3] == ""
    assert rows[0][1] == "2. marts 2026"  # the neutral row keeps number and date
    assert rows[1][2] == "Stillingsopslag"
    assert "§ 21, stk. 3 og 4" not in txt  # nothing under § 21, stk. 2 was released


def test_none_found_and_partial_release_letters_hold_no_internal_note(db):
    case = new(db)
    for t in ("register", "start_collecting", "start_screening"):
        fire(db, case.id, t, actor="cw")
    fire(db, case.id, "draft_decision", actor="cw")
    fire(db, case.id, "send_decision", actor="cw")
    txt, rows = letter_text(db, case)
    assert rows == [] and "vi har ikke fundet nogen" in txt
    assert "meroffentlighed" not in txt and "ekstraher" not in txt

    case, (d1, d2) = screening_with(db, ("Tilsynsrapport", "Tilsynet"), (f"Klage fra {CPR}", None))
    assess(db, case, d1, "grant", internal_note=INTERNAL, released_title="Tilsynsrapport 2026")
    fire(db, case.id, "submit_for_legal_review", actor="cw")
    fire(db, case.id, "approve_legal", actor="legal")
    fire(db, case.id, "send_partial_decision", actor="cw", note="Tilsynsrapporten")
    txt, rows = letter_text(db, case, "delafgoerelse")
    assert_clean(txt, "Klage fra")
    assert [r[2] for r in rows] == ["Tilsynsrapport 2026"]


# --- the rules, refused with a Danish message ----------------------------------------------------------------


def test_a_withheld_document_needs_a_reason_and_a_discretionary_ground_the_main_considerations(db):
    case, (d,) = screening_with(db, ("Brev", None))
    with pytest.raises(ValidationError, match="begrundelse til anmoderen") as e:
        assess(db, case, d, "refuse", ["ofl-23"], internal_note=INTERNAL)
    assert e.value.field == "reason"
    with pytest.raises(ValidationError, match="hovedhensyn") as e:
        assess(db, case, d, "refuse", ["ofl-33-3"], reason="Prisen er forhandlingsgrundlag.")
    assert e.value.field == "weighing_note" and "§ 33, nr. 3" in e.value.detail
    with pytest.raises(ValidationError) as e:
        assess(db, case, d, "grant", reason="Alt udleveres.")
    assert e.value.field == "reason"
    assess(db, case, d, "refuse", ["ofl-23"], reason="Internt dokument.")  # § 23 is no weighing


def test_extraction_is_refused_where_section_28_does_not_apply_and_needs_what_was_extracted(db):
    case, (d,) = screening_with(db, ("Tilbud", "Firma A/S"))
    base = {"reason": "Priserne er forretningshemmeligheder.", "weighing_note": "Konkurrencen."}
    with pytest.raises(ValidationError, match="§ 23, stk. 1, § 24, stk. 1, § 25 eller § 27, nr. 1-4") as e:
        assess(db, case, d, "refuse", ["ofl-30-2"], extracted=True, extraction_note="Datoer", **base)
    assert e.value.field == "extracted"
    with pytest.raises(ValidationError) as e:
        assess(db, case, d, "refuse", ["ofl-23"], extracted=True, **base)
    assert e.value.field == "extraction_note"
    with pytest.raises(ValidationError, match="meroffentlighed") as e:
        assess(db, case, d, "grant", meroffentlighed_note="Intet at overveje")
    assess(db, case, d, "refuse", ["ofl-23", "ofl-30-2"], extracted=True, extraction_note="Datoer", **base)
    assert case_view(db, case.id)["documents"][0]["extraction_note"] == "Datoer"


def test_the_released_title_is_checked_and_the_aktliste_is_part_of_the_approval(db):
    case, (d,) = screening_with(db, ("Indsigelse", "Nabo"))
    with pytest.raises(ValidationError, match="neutral tekst") as e:
        assess(db, case, d, "grant", released_title="Indsigelse om naboens depression")
    assert e.value.field == "released_title"
    with pytest.raises(ValidationError) as e:
        assess(db, case, d, "grant", released_sender=f"Nabo {CPR}")
    assert e.value.field == "released_sender"
    fire(db, case.id, "flag_for_legal", actor="cw", note="tvivl")
    assess(db, case, d, "grant", released_title="Indsigelse fra nabo")
    fire(db, case.id, "submit_for_legal_review", actor="cw")
    fire(db, case.id, "approve_legal", actor="legal")
    assess(db, case, d, "grant", released_title="Indsigelse")  # the aktliste changed after the approval
    with pytest.raises(WorkflowError, match="titel i aktlisten"):
        fire(db, case.id, "send_decision", actor="cw")
    assess(db, case, d, "grant", released_title="Indsigelse fra nabo")  # set back: the approval covers it
    fire(db, case.id, "send_decision", actor="cw")
    _, rows = letter_text(db, case)
    assert [r[2] for r in rows] == ["Indsigelse fra nabo"]


def test_an_old_note_is_internal(db):
    """An assess_document event's own note (the API body's ``note``, the CLI's old ``--note``) is stored as
    the internal note and never printed."""
    case, (d,) = screening_with(db, ("Referat", None))
    fire(
        db, case.id, "assess_document", actor="cw", note=INTERNAL,
        data={"document_id": d, "outcome": "refuse", "grounds": ["ofl-23"], "reason": "Internt referat."},
    )  # fmt: skip
    assert case_view(db, case.id)["documents"][0]["internal_note"] == INTERNAL
    decide(db, case, legal=False)
    txt, _ = letter_text(db, case)
    assert_clean(txt)
    assert "Dokument nr. 1 (Referat): Internt referat." in txt


def test_the_prefill_follows_the_original_until_screening_finds_something_in_the_file(db):
    from aktflow.documents import Attachment

    case = new(db)
    for t in ("register", "start_collecting"):
        fire(db, case.id, t, actor="cw")
    fire(db, case.id, "add_document", actor="cw", data={"title": "Notat", "sender": "Skolen"})
    fire(
        db, case.id, "add_document", actor="cw", data={"title": "Brev fra borger"},
        attachment=Attachment("brev.txt", "Borgeren fortæller om sin depression.".encode()),
    )  # fmt: skip
    docs = case_view(db, case.id)["documents"]
    fire(
        db,
        case.id,
        "edit_document",
        actor="cw",
        data={"document_id": docs[0]["id"], "title": "Notat om skolen"},
    )
    docs = case_view(db, case.id)["documents"]
    assert (docs[0]["released_title"], docs[0]["released_sender"]) == ("Notat om skolen", "Skolen")
    # The file's screening found a sensitive word: the untouched prefill becomes the neutral title.
    assert docs[1]["released_title"] is None and docs[1]["aktliste_title"] == "Dokument nr. 2"
