"""A stored letter's file, for the downloads of the case page (``/cases/<id>/letters/<id>.docx``) and the
API (``GET /api/v1/cases/<id>/letters/<id>``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import undefer

from ..db import Database
from ..errors import NotFound
from ..exits import mask_filename
from ..models import Letter


@dataclass(frozen=True)
class LetterFile:
    """A letter as stored: its file name, the .docx bytes and their SHA-256 (hex; an ETag for the file)."""

    filename: str
    content: bytes
    sha256: str


def letter_file(db: Database, case_id: int, letter_id: int) -> LetterFile:
    """The letter ``letter_id`` of case ``case_id``.

    Raises NotFound ("brev … findes ikke på sag …") when there is no such letter or it belongs to another
    case: a letter is only ever reached through its own case. The file name passes the exit filter
    (:func:`aktflow.exits.mask_filename`).
    """
    with db.session() as s:
        row = s.get(Letter, letter_id, options=[undefer(Letter.content)])
        if row is None or row.case_id != case_id:
            raise NotFound(f"brev {letter_id} findes ikke på sag {case_id}")
        return LetterFile(filename=mask_filename(row.filename), content=row.content, sha256=row.sha256)


def letter_content(db: Database, letter_id: int) -> bytes:
    """The stored .docx of letter ``letter_id``, exactly as it was made (letters are immutable).

    Raises NotFound ("brev N findes ikke") when there is no such letter. The PDF/A copy is
    :func:`aktflow.case_letters.letter_pdf`.
    """
    from ..errors import NotFound
    from ..models import Letter

    with db.session() as s:
        row = s.get(Letter, letter_id)
        if row is None:
            raise NotFound(f"brev {letter_id} findes ikke")
        return row.content


def letter_preview(db: Database, case_id: int, kind: str, data: dict[str, Any], *, today: dt.date) -> bytes:
    """Letter ``kind`` rendered for case ``case_id`` as of ``today``, signed by its assignee; not stored.

    ``data`` holds the letter's own fields (e.g. ``reason``, ``expected`` for a fristbrev). Uses the
    municipality's template when one is uploaded. Raises NotFound when the case does not exist.
    """
    from ..case_letters import render
    from .case_page import get_case

    with db.session() as s:
        case = get_case(s, case_id)
        _, content = render(s, case, kind, data, actor=case.assignee, today=today)
        return content
