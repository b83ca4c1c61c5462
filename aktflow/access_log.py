"""The access log: who viewed or downloaded a sensitive case's documents, letters and package, and when.

A case is sensitive (:func:`is_sensitive`) when it is a personnel matter (KLE 81 or marked with
``mark_personnel``, OFL § 21 and § 41) or has ever been flagged for data of GDPR art. 9 (special
categories, e.g. health) or art. 10 (criminal offences), open or cleared. Every view of a document's text,
download of a document, a letter (Word or PDF) or the release package of such a case is recorded by
:func:`record_access` in its own short transaction, before the content is sent. The log is append-only
(on PostgreSQL the runtime role may only INSERT and SELECT, and a trigger refuses changes); managers and the
legal contact read it on the case (:mod:`aktflow.queries.access_log`), also as CSV.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from .exits import mask, mask_filename
from .models import AccessEntry, Case, Flag, utcnow
from .states.case_rules import is_personnel_case

# The sensitive-data references that make a case sensitive, as they appear in a flag's reason
# (aktflow.screening.flag_reasons: "…: helbredsoplysninger (GDPR art. 9)").
SENSITIVE_REFS = ("(GDPR art. 9)", "(GDPR art. 10)")
WHAT = {
    "document_page": "dokumentets tekst vist",
    "document": "dokument hentet",
    "letter": "brev hentet (Word)",
    "letter_pdf": "brev hentet (PDF)",
    "package": "udleveringspakke hentet",
}
VIA = ("web", "api")


def is_sensitive(session: Session, case: Case | int) -> bool:
    """True when the case is a personnel matter or has (had) a flag for GDPR art. 9 or art. 10 data.

    ``case`` is a loaded Case or its id (an unknown id is not sensitive). One query for the flags.
    """
    if isinstance(case, int):
        found = session.get(Case, case)
        if found is None:
            return False
        case = found
    if is_personnel_case(case):
        return True
    hit = session.scalar(
        select(Flag.id)
        .where(
            Flag.case_id == case.id,
            or_(*(Flag.reason.contains(ref, autoescape=True) for ref in SENSITIVE_REFS)),
        )
        .limit(1)
    )
    return hit is not None


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
    row was written. ``name`` (a file name) is masked; ``via`` is "web" or "api".

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
