"""The legal contact's comments per document (docs/domain.md, "Juridisk vurdering").

On the review page the legal contact may write a comment on each document — "overstreg navnet på side 2",
"§ 30 dækker ikke bilaget" — which the caseworker reads on the case page and the document page. A comment
is the action ``comment_review`` (workflow 2026.6), fired through :func:`aktflow.service.fire`: an event in
the case's log naming the document, the comment's id and its length; the text itself is kept with the
comment (``review_comments``), never in the log. Like every event it moves the case's version, so a form
the caseworker opened before the comment is refused as changed meanwhile and shown again. What the legal
contact decides is still said with approve_legal or return_to_screening.
"""

from __future__ import annotations

import datetime as dt

from .db import Database
from .errors import ValidationError
from .service import fire
from .states.case_actions import COMMENT_MAX

#: The longest comment, in characters.
MAX_LENGTH = COMMENT_MAX

#: The states in which a comment may be written: while the case waits for the legal contact.
STATES = ("legal_review",)


def add_comment(
    db: Database,
    *,
    actor: str,
    case_id: int,
    document_id: int,
    text: str,
    now: dt.datetime | None = None,
) -> int:
    """Store the legal contact's comment ``text`` on document ``document_id`` of case ``case_id``; returns
    the comment's id.

    Raises PermissionDenied (the actor is no legal contact or administrator), ValidationError (an unknown or
    inactive actor; field ``text``: empty, or longer than :data:`MAX_LENGTH` characters), NotFound (no
    such case, or the document is not the case's) and WorkflowError (the case is not in legal review).
    """
    text = (text or "").strip()
    if not text:
        raise ValidationError("text", "skriv en kommentar")
    if len(text) > MAX_LENGTH:
        raise ValidationError("text", f"kommentaren må højst være {MAX_LENGTH} tegn (den er {len(text)})")
    case = fire(
        db, case_id, "comment_review", actor=actor, data={"document_id": document_id, "text": text}, now=now
    )
    with db.session() as session:  # the event just written names the comment
        from sqlalchemy import select

        from .models import Event

        data = session.scalar(select(Event.data).where(Event.case_id == case.id, Event.seq == case.version))
    return int((data or {})["comment_id"])
