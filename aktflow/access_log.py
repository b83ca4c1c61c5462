"""The access log: who viewed or downloaded a sensitive case's documents, letters and package, and when.

A case is sensitive (:func:`is_sensitive`, the rule of :mod:`aktflow.case_access`) when it is a personnel
matter (KLE 81 or marked with ``mark_personnel``, OFL § 21 and § 41), has ever been flagged for data of
GDPR art. 9 (special categories, e.g. health) or art. 10 (criminal offences) or for a CPR number in a
document, open or cleared, or was marked sensitive by hand. Every view of a document's text,
download of a document, a letter (Word or PDF) or the release package of such a case is recorded by
:func:`record_access` in its own short transaction, before the content is sent. The log is append-only
(on PostgreSQL the runtime role may only INSERT and SELECT, and a trigger refuses changes); managers and the
legal contact read it on the case (:mod:`aktflow.queries.access_log`), also as CSV.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from . import case_access
from .exits import mask, mask_filename
from .models import AccessEntry, Case, utcnow

WHAT = {
    "document_page": "dokumentets tekst vist",
    "document": "dokument hentet",
    "letter": "brev hentet (Word)",
    "letter_pdf": "brev hentet (PDF)",
    "package": "udleveringspakke hentet",
    "print": "printfil hentet (brev til post)",
}
VIA = ("web", "api", "cli")


def is_sensitive(session: Session, case: Case | int) -> bool:
    """True when the case is sensitive (:func:`aktflow.case_access.is_sensitive`: a personnel matter, art. 9
    or art. 10 data, a CPR number in a document, or marked by hand). ``case`` is a loaded Case or its id."""
    return case_access.is_sensitive(session, case)


def record_access(
    db: Any,
    *,
    actor: str,
    case_id: int,
    what: str,
    object_id: int | None = None,
    name: str | None = None,
    via: str = "web",
) -> bool:
    """Record that ``actor`` viewed or downloaded ``what`` (:data:`WHAT`) of case ``case_id``, if the case
    is sensitive; commits at once (the record stands even if the transfer then fails). Returns whether a
    row was written. ``name`` (a file name) is masked; ``via`` is "web", "api" or "cli".

    Raises ValueError for an unknown ``what`` or ``via`` (a programming error).
    """
    if what not in WHAT or via not in VIA:
        raise ValueError(f"unknown access kind {what!r} via {via!r}")
    with db.session() as s:
        if not is_sensitive(s, case_id):
            return False
        s.execute(
            insert(AccessEntry.__table__),
            {
                "at": utcnow(),
                "actor": mask(str(actor))[:64],
                "case_id": case_id,
                "what": what,
                "object_id": object_id,
                "name": mask_filename(name)[:255] if name else None,
                "via": via,
            },
        )
        s.commit()
    return True
