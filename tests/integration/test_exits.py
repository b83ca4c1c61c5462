"""The exit filter, exit by exit: a CPR number written into a case never leaves aktflow.

A made-up CPR number is written, in two forms (``120385-1237`` and ``1203851237``), into the request's
subject, the requester's name, a document's title, sender, recipient and file name, notes, a flag, a
deadline notice's reason and a hearing's party and question. Each exit is then driven for real and read
back: the letters (decision letter, fristbrev, hearing letter), the local archive's case title, the SBSYS
fake's case titles and document names, the event log in the database, the CSV export and the CLI's human
and ``--json`` output. Each test asserts that the digits are absent (also with every separator removed)
and that the mask stands where the value was.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from aktflow import clock
from aktflow.cli import cli
from aktflow.models import Case, Event, Letter, LocalArchiveCase
from aktflow.queries import export_csv
from aktflow.queries.cases import case_rows
from aktflow.queries.dashboard import Filters
from aktflow.queries.integrity import verify_log
from aktflow.screening import CPR_MASK
from aktflow.service import case_view
from tests.exits_scenario import DASH, PLAIN, assert_masked, decided_case, docx_text, queued_case


def letter_texts(db, case_id: int) -> dict[str, str]:
    with db.session() as s:
        rows = s.scalars(select(Letter).where(Letter.case_id == case_id).order_by(Letter.id))
        return {r.kind: docx_text(r.content) for r in rows}


# --- letters ----------------------------------------------------------------------------------------------


def test_the_decision_letter_fristbrev_and_hearing_letter_carry_the_mask(sqlite_db):
    case_id = decided_case(sqlite_db)
    texts = letter_texts(sqlite_db, case_id)
    assert {"afgoerelse", "fristbrev", "hoering"} <= set(texts)
    # the decision: the request's subject and the requester masked; a document title, sender or recipient
    # with a CPR number is not even printed masked: the aktliste's row is neutral (aktflow/aktliste.py)
    assert_masked(texts["afgoerelse"], f"Aktindsigt om {CPR_MASK}", f"Borger {CPR_MASK}", "Dokument nr. 1")
    for original in (f"Notat om {CPR_MASK}", f"Afsender {CPR_MASK}", f"Modtager {CPR_MASK}"):
        assert original not in texts["afgoerelse"]
    assert_masked(texts["fristbrev"], f"Vi venter på oplysninger om {CPR_MASK}", f"Borger {CPR_MASK}")
    assert_masked(texts["hoering"], f"Part {CPR_MASK}", f"Må vi udlevere om {CPR_MASK}?")
    for text in texts.values():
        assert_masked(text)  # every other letter of the case too (kvittering …)
    with sqlite_db.session() as s:
        assert all(PLAIN not in n and DASH not in n for n in s.scalars(select(Letter.filename)))
        # the stored request keeps what was written: the exits mask, the input is not changed
        case = s.get(Case, case_id)
        assert case.subject == f"Aktindsigt om {DASH}" and case.requester_name == f"Borger {PLAIN}"


# --- the archive --------------------------------------------------------------------------------------------


def test_the_local_archive_title_carries_the_mask(sqlite_db):
    case_id = queued_case(sqlite_db)
    with sqlite_db.session() as s:
        (title,) = s.scalars(select(LocalArchiveCase.title).where(LocalArchiveCase.case_id == case_id))
    assert_masked(title, f"Sagen om {CPR_MASK}")


def test_sbsys_receives_case_titles_and_document_names_with_the_mask(sqlite_db, fake_sbsys):
    case_id = decided_case(sqlite_db)
    assert case_view(sqlite_db, case_id)["archive"]["status"] == "created"
    with fake_sbsys.lock:
        titles = [r["SagsTitel"] for r in fake_sbsys.case_requests]
        documents = [(d.meta, d.filename) for d in fake_sbsys.documents]
    assert titles and documents
    for title in titles:
        assert_masked(title, f"Aktindsigt om {CPR_MASK}")
    assert {"afgoerelse", "fristbrev", "hoering"} <= {f.split("-")[0] for _, f in documents}
    for meta, filename in documents:
        assert_masked(json.dumps(meta, ensure_ascii=False) + filename)
    with fake_sbsys.lock:  # the letters' content, as SBSYS received it
        for d in fake_sbsys.documents:
            assert_masked(docx_text(d.content))


def test_sbsys_case_title_masks_before_cutting():
    from aktflow.archive.sbsys import case_title

    # the number sits across the 150-character cut: masked first, so no half number survives
    subject = "x" * 145 + " " + DASH
    title = case_title("7", subject, "A53")
    assert_masked(title)
    assert title.startswith("Aktindsigt: " + "x" * 145 + " XXXX") and title.endswith("(aktflow 7)")


# --- the event log ------------------------------------------------------------------------------------------


def test_event_rows_hold_notes_and_data_masked_and_the_chain_verifies(sqlite_db):
    case_id = decided_case(sqlite_db)
    with sqlite_db.session() as s:
        events = list(s.scalars(select(Event).where(Event.case_id == case_id).order_by(Event.seq)))
    stored = json.dumps([[e.note, e.data] for e in events], ensure_ascii=False, default=str)
    assert_masked(
        stored,
        f"Svar om {CPR_MASK}",  # a note
        f"Nævner {CPR_MASK}",  # the flag's note, and its reason in the data
        f"Notat om {CPR_MASK}",  # add_document's data: the title
        f"Afsender {CPR_MASK}",
        f"Modtager {CPR_MASK}",
        f"Part {CPR_MASK}",  # request_hearing's data
    )
    flagged = next(e for e in events if e.trigger == "flag_for_legal")
    assert any(CPR_MASK in r for r in flagged.data.get("flags_raised", [])) or CPR_MASK in (
        flagged.note or ""
    )
    n, problems = verify_log(sqlite_db)
    assert n >= 1 and problems == []  # the hash covers what is stored


# --- CSV ------------------------------------------------------------------------------------------------


def test_the_csv_export_carries_the_mask(sqlite_db):
    queued_case(sqlite_db)
    today = clock.today()
    with sqlite_db.session() as s:
        rows = case_rows(s, today, Filters.default(today), which="all", limit=None)
    body = export_csv.to_csv(rows)
    assert_masked(body, f"Sagen om {CPR_MASK}")


def test_the_csv_export_masks_every_cell_it_is_given():
    # a row straight from the read side's shape, with the number in a cell the read side does not mask
    row = {
        "id": 1,
        "sagsnummer": None,
        "received": dt.date(2026, 3, 1),
        "basis": "ofl",
        "emne": "02.34.02",
        "subject": f"Om {PLAIN}",
        "state_label": "Modtaget",
        "assignee_name": f"Navn {DASH}",
        "next_due": None,
        "next_rule": None,
        "next_status": None,
        "flagged": False,
    }
    assert_masked(export_csv.to_csv([row]), f"Om {CPR_MASK}", f"Navn {CPR_MASK}")


# --- the CLI ------------------------------------------------------------------------------------------------


def test_cli_legal_queue_human_and_json(sqlite_db, runner):
    queued_case(sqlite_db)
    human = runner.invoke(cli, ["legal", "queue"])
    assert human.exit_code == 0, human.output
    assert_masked(human.output, f"Anden Borger {CPR_MASK}", f"Personnummer {CPR_MASK} i akterne")
    as_json = runner.invoke(cli, ["legal", "queue", "--json"])
    assert as_json.exit_code == 0, as_json.output
    (row,) = json.loads(as_json.output)
    assert row["requester"] == f"Anden Borger {CPR_MASK}" and row["subject"] == f"Sagen om {CPR_MASK}"
    assert_masked(as_json.output)


def test_cli_sweep_json_and_human(sqlite_db, runner):
    queued_case(sqlite_db)
    out = runner.invoke(cli, ["sweep", "--json"])
    assert out.exit_code in (0, 10), out.output
    assert_masked(out.output, f"Anden Borger {CPR_MASK}")
    human = runner.invoke(cli, ["sweep"])
    assert human.exit_code in (0, 10), human.output
    assert_masked(human.output)


def test_cli_case_show_and_list(sqlite_db, runner):
    case_id = decided_case(sqlite_db)
    shown = runner.invoke(cli, ["case", "show", str(case_id), "--json"])
    assert shown.exit_code == 0, shown.output
    view = json.loads(shown.output)
    assert view["subject"] == f"Aktindsigt om {CPR_MASK}" and view["requester"] == f"Borger {CPR_MASK}"
    (doc,) = view["documents"]
    assert doc["title"] == f"Notat om {CPR_MASK}"
    assert doc["sender"] == f"Afsender {CPR_MASK}" and doc["recipient"] == f"Modtager {CPR_MASK}"
    assert doc["filename"] == f"{CPR_MASK}_klage.txt"
    assert f"Markeret af cw: Nævner {CPR_MASK}" in view["flag_reasons"]
    assert_masked(shown.output)
    human = runner.invoke(cli, ["case", "show", str(case_id)])
    assert human.exit_code == 0, human.output
    assert_masked(human.output, CPR_MASK)
    listed = runner.invoke(cli, ["case", "list"])
    assert listed.exit_code == 0, listed.output
    assert_masked(listed.output, f"Borger {CPR_MASK}")


def test_cli_error_lines_are_masked(sqlite_db, runner):
    out = runner.invoke(cli, ["case", "show", DASH])
    assert out.exit_code != 0
    assert_masked(out.output)
