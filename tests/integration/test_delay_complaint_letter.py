"""The forwarding of a complaint about the time taken (OFL § 39) sends a letter, klage_forsinkelse."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from html import unescape

from aktflow.cli import cli
from aktflow.queries.cases import case_letters
from aktflow.queries.letters import letter_content
from aktflow.service import create_case, fire

UTC = dt.UTC
CPR = "120385-1237"  # made up, a valid date


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=10, tzinfo=UTC)


def docx_text(content: bytes) -> str:
    z = zipfile.ZipFile(io.BytesIO(content))
    return "\n".join(
        unescape(re.sub(r"<[^>]+>", "", z.read(n).decode()))
        for n in sorted(z.namelist())
        if n.startswith("word/") and n.endswith(".xml")
    )


def complained_case(db, *, fristbrev: bool):
    case = create_case(
        db,
        actor="cw",
        requester="Mette Hansen",
        received="2026-11-02",
        basis="ofl",
        subject="Byggesag Havnevej 12",
        emne="02.34.02",
        now=at("2026-11-02"),
    )
    for t in ("register", "start_collecting"):
        fire(db, case.id, t, actor="cw", now=at("2026-11-03"))
    if fristbrev:
        fire(
            db,
            case.id,
            "send_deadline_notice",
            actor="cw",
            now=at("2026-11-05"),
            data={"reason": "Sagen omfatter mange dokumenter", "expected": "2026-12-04"},
        )
    fire(
        db,
        case.id,
        "receive_delay_complaint",
        actor="cw",
        now=at("2026-11-23"),
        data={"received": "2026-11-20"},
    )
    fire(
        db,
        case.id,
        "forward_delay_complaint",
        actor="cw",
        now=at("2026-11-30"),
        note=f"Anmoderens CPR-nr. {CPR} står i klagen",
        data={"reason": f"Sagen omfatter 400 dokumenter; høringssvar fra {CPR} mangler"},
    )
    return case


def last_letter(db, case_id: int) -> tuple[dict, str]:
    letter = case_letters(db, case_id)[-1]
    return letter, docx_text(letter_content(db, letter["id"]))


def test_forwarding_a_delay_complaint_sends_the_letter_to_the_appeal_body(db):
    case = complained_case(db, fristbrev=True)
    letter, body = last_letter(db, case.id)
    assert letter["kind"] == "klage_forsinkelse"
    # A building case (KLE 02): the sector appeal body of the municipality's table, with its address.
    assert body.index("Byggeklageenheden") < body.index("Oversendelse af klage over sagsbehandlingstiden")
    assert "Toldboden 2, 8800 Viborg" in body  # the appeal body's address heads the letter
    assert "Kopi til: Mette Hansen" in body
    assert "den 20. november 2026 klaget over den tid" in body  # when the complaint arrived
    assert "ikke en afgørelse" in body  # about the time taken, not a decision
    assert "Vi modtog anmodningen den 2. november 2026." in body
    assert "Sagen omfatter 400 dokumenter" in body  # the reason as recorded
    assert "forventer at træffe afgørelse senest den 4. december 2026" in body  # from the fristbrev
    assert "offentlighedslovens § 39" in body
    assert CPR not in body and "1203851237" not in body


def test_without_a_fristbrev_the_letter_says_no_date_was_given(db):
    case = complained_case(db, fristbrev=False)
    _, body = last_letter(db, case.id)
    assert "forventer at træffe afgørelse senest" not in body
    assert "endnu ikke oplyst anmoderen om, hvornår" in body


def test_the_shipped_template_passes_the_check(db, runner, tmp_path):
    tpl = tmp_path / "klage_forsinkelse.docx"
    r = runner.invoke(cli, ["letters", "template", "klage_forsinkelse", "--out", str(tpl)])
    assert r.exit_code == 0, r.stderr
    r = runner.invoke(cli, ["letters", "check", str(tpl)])
    assert r.exit_code == 0, r.stderr
