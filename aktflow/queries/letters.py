"""A stored letter's file, for the downloads of the case page (``/cases/<id>/letters/<id>.docx``) and the
API (``GET /api/v1/cases/<id>/letters/<id>``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import undefer

from ..db import Database
from ..errors import NotFound
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
    case: a letter is only ever reached through its own case.
    """
    with db.session() as s:
        row = s.get(Letter, letter_id, options=[undefer(Letter.content)])
        if row is None or row.case_id != case_id:
            raise NotFound(f"brev {letter_id} findes ikke på sag {case_id}")
        return LetterFile(filename=row.filename, content=row.content, sha256=row.sha256)
