"""The legal contact's comments per document (docs/domain.md, "Juridisk vurdering").

On the review page the legal contact may write a comment on each document — "overstreg navnet på side 2",
"§ 30 dækker ikke bilaget" — which the caseworker reads on the case page and the document page. A comment
is advice, not a change of the case: it is stored beside it (``review_comments``), writes no event and
does not move the case's version, so it never conflicts with the caseworker's open forms. What the legal
contact decides is still said with approve_legal or return_to_screening.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from .db import Database
from .errors import NotFound, PermissionDenied, ValidationError, WorkflowError
from .models import Case, Document, ReviewComment, User
from .uow import UnitOfWork
from .vocabulary import LEGAL

#: The longest comment, in characters.
MAX_LENGTH = 4000

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

    Raises PermissionDenied (the actor is no legal contact or administrator, or is inactive), NotFound (no
    such case, or the document is not the case's), WorkflowError (the case is not in legal review) and
    ValidationError (field ``text``: empty, or longer than :data:`MAX_LENGTH` characters).
    """
    text = (text or "").strip()
    with UnitOfWork(db, now=now) as uow:
        s = uow.session
        user = s.scalar(select(User).where(User.username == actor))
        if user is None or not user.active or user.role not in LEGAL:
            raise PermissionDenied("kun den juridiske kontakt kan skrive kommentarer til dokumenterne")
        case = s.get(Case, case_id)
        if case is None:
            raise NotFound(f"sag {case_id} findes ikke")
        doc = s.get(Document, document_id)
        if doc is None or doc.case_id != case_id:
            raise NotFound(f"dokument {document_id} findes ikke på sag {case_id}")
        if case.state not in STATES:
            raise WorkflowError("kommentarer til dokumenterne skrives, mens sagen er til juridisk vurdering")
        if not text:
            raise ValidationError("text", "skriv en kommentar")
        if len(text) > MAX_LENGTH:
            raise ValidationError("text", f"kommentaren må højst være {MAX_LENGTH} tegn (den er {len(text)})")
        comment = ReviewComment(
            case_id=case_id, document_id=document_id, author=user.username, text=text, created_at=uow.now
        )
        s.add(comment)
        s.flush()
        comment_id = comment.id
        uow.commit()
    return comment_id
