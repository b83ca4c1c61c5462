"""Stored letters and previews for the command line (``aktflow letters get`` and ``letters preview``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..db import Database


def letter_content(db: Database, letter_id: int) -> bytes:
    """The stored .docx of letter ``letter_id``, exactly as it was made (letters are immutable).

    Raises NotFound ("brev N findes ikke") when there is no such letter. The PDF/A copy is
    :func:`aktflow.correspondence.letter_pdf`.
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
    from ..correspondence import render
    from ..views import get_case

    with db.session() as s:
        case = get_case(s, case_id)
        _, content = render(s, case, kind, data, actor=case.assignee, today=today)
        return content
