"""A case with a made-up CPR number in every free-text place, for the exit filter's tests (tests/*/test_exits*).

The number is written in two forms, ``120385-1237`` and ``1203851237``, into the request's subject, the
requester's name, a document's title, sender, recipient and file name, notes, flags, a deadline notice's
reason and a hearing's party and question. :func:`assert_masked` checks a text that left aktflow.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import docx

from aktflow import clock
from aktflow.documents import Attachment
from aktflow.service import case_view, create_case, fire

DASH = "120385-1237"
PLAIN = "1203851237"
DIGITS = "1203851237"
FUTURE = (clock.today() + dt.timedelta(days=14)).isoformat()
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212./_]")


def assert_masked(text: str, *expected: str) -> None:
    """No trace of the CPR number in ``text`` (also with separators removed); each ``expected`` is in it."""
    assert DASH not in text and PLAIN not in text
    assert DIGITS not in _SEPARATORS.sub("", text)
    for e in expected:
        assert e in text, e


def docx_text(content: bytes) -> str:
    """Every paragraph of a .docx: the body, its tables (nested too) and every section's header and footer."""
    d = docx.Document(io.BytesIO(content))
    parts = [p.text for p in d.paragraphs]

    def cells(table):
        for row in table.rows:
            for cell in row.cells:
                parts.extend(p.text for p in cell.paragraphs)
                for inner in cell.tables:
                    cells(inner)

    for t in d.tables:
        cells(t)
    for s in d.sections:
        for part in (s.header, s.footer, s.first_page_header, s.first_page_footer):
            parts.extend(p.text for p in part.paragraphs)
            for t in part.tables:
                cells(t)
    return "\n".join(parts)


def decided_case(db) -> int:
    """A case driven to a decision with the CPR number in every free-text place, then flagged."""
    case = create_case(
        db,
        actor="cw",
        requester=f"Borger {PLAIN}",
        received=(clock.today() - dt.timedelta(days=3)).isoformat(),
        basis="ofl",
        subject=f"Aktindsigt om {DASH}",
        emne="02.34.02",
        assign="cw",
    )
    fire(db, case.id, "register", actor="cw")
    fire(db, case.id, "start_collecting", actor="cw")
    fire(
        db,
        case.id,
        "send_deadline_notice",
        actor="cw",
        data={"reason": f"Vi venter på oplysninger om {DASH}", "expected": FUTURE},
    )
    fire(
        db,
        case.id,
        "add_document",
        actor="cw",
        data={"title": f"Notat om {DASH}", "sender": f"Afsender {PLAIN}", "recipient": f"Modtager {DASH}"},
        attachment=Attachment(f"{PLAIN}_klage.txt", b"Et almindeligt notat om byggeriet."),
    )
    (doc,) = case_view(db, case.id)["documents"]
    fire(db, case.id, "start_screening", actor="cw")
    fire(
        db,
        case.id,
        "request_hearing",
        actor="cw",
        data={"party": f"Part {PLAIN}", "question": f"Må vi udlevere om {DASH}?", "reply_by": FUTURE},
    )
    fire(db, case.id, "hearing_completed", actor="cw", data={"reply": "received"}, note=f"Svar om {PLAIN}")
    fire(db, case.id, "assess_document", actor="cw", data={"document_id": doc["id"], "outcome": "grant"})
    # Through legal review, so the decision is allowed whatever flags screening raised on the way.
    fire(db, case.id, "submit_for_legal_review", actor="cw", note=f"Spørgsmål om {DASH}")
    fire(db, case.id, "approve_legal", actor="legal", note=f"Godkendt trods {PLAIN}")
    fire(db, case.id, "send_decision", actor="cw", note=f"Forstået som anmodning om {PLAIN}")
    fire(db, case.id, "flag_for_legal", actor="cw", note=f"Nævner {DASH}")
    return case.id


def queued_case(db) -> int:
    """A case received long ago, waiting in the legal queue with a flag that names the CPR number."""
    case = create_case(
        db,
        actor="cw",
        requester=f"Anden Borger {DASH}",
        received=(clock.today() - dt.timedelta(days=40)).isoformat(),
        basis="ofl",
        subject=f"Sagen om {PLAIN}",
        emne="02.34.02",
        assign="cw",
    )
    fire(db, case.id, "register", actor="cw")
    fire(db, case.id, "start_collecting", actor="cw")
    fire(db, case.id, "start_screening", actor="cw")
    fire(db, case.id, "flag_for_legal", actor="cw", note=f"Personnummer {PLAIN} i akterne")
    fire(db, case.id, "submit_for_legal_review", actor="cw", note=f"Se {DASH}")
    return case.id
