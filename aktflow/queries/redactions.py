"""The read side of redactions: a document's redactions and pending proposals, and a case's, for the
document page, the CLI (``aktflow case redactions``) and the API (docs/redaction.md).

Terms pass the exit filter (:func:`aktflow.exits.mask`): a CPR number is shown as ``XXXXXX-XXXX``; a
proposal is named by its key (``cpr:1a2b…``), which is what ``accept_redaction``/``reject_redaction``
take, so the number itself never travels in a form, a URL or a command line.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..errors import NotFound
from ..exits import mask


def _paragraph(code: str | None) -> str | None:
    from .. import grounds

    if code is None:
        return None
    try:
        return grounds.get(code).paragraph
    except KeyError:
        return code


def redaction_row(r: Any) -> dict[str, Any]:
    """One redaction as the read side shows it: ``{"id", "kind", "state", "term" (masked), "page", "box",
    "ground", "paragraph", "proposal", "created_by", "created_at"}``."""
    return {
        "id": r.id,
        "kind": r.kind,
        "state": r.state,
        "term": mask(r.term) if r.term is not None else None,
        "page": r.page,
        "box": list(r.box) if r.box is not None else None,
        "ground": r.ground,
        "paragraph": _paragraph(r.ground),
        "proposal": r.proposal,
        "created_by": r.created_by,
        "created_at": r.created_at.isoformat(),
    }


def _document_view(d: Any) -> dict[str, Any]:
    from ..redaction.actions import proposal_key
    from ..redaction.proposals import propose

    decided = {r.proposal for r in d.redactions if r.proposal}
    proposals = []
    if d.sha256 is not None and d.status == "screened":
        for p in propose(d.text or ""):
            key = proposal_key(p.kind, p.term)
            if key in decided:
                continue
            proposals.append(
                {
                    "key": key,
                    "kind": p.kind,
                    "label": p.label,
                    "term": mask(p.term),
                    "count": p.count,
                    "default": p.kind == "cpr",
                }
            )
    outcome = d.assessment.outcome if d.assessment is not None else None
    return {
        "document_id": d.id,
        "title": mask(d.title),
        "has_file": d.sha256 is not None,
        "content_type": d.content_type,
        "outcome": outcome,
        "redactions": [redaction_row(r) for r in d.redactions if r.state == "accepted"],
        "rejected": [redaction_row(r) for r in d.redactions if r.state == "rejected"],
        "proposals": proposals,
    }


def document_redactions(db: Any, case_id: int, document_id: int) -> dict[str, Any]:
    """One document's redactions: ``{"document_id", "title", "has_file", "content_type", "outcome",
    "redactions": [row], "rejected": [row], "proposals": [{"key", "kind", "label", "term", "count",
    "default"}]}`` (rows as :func:`redaction_row`; proposals only for a screened file, without those
    already accepted or rejected; ``default`` True for a CPR number). Raises NotFound."""
    from sqlalchemy.orm import undefer

    from ..models import Document

    with db.session() as s:
        d = s.get(Document, document_id, options=[undefer(Document.text)])
        if d is None or d.case_id != case_id:
            raise NotFound(f"dokument {document_id} findes ikke på sag {case_id}")
        return _document_view(d)


def case_redactions(db: Any, case_id: int) -> dict[str, Any]:
    """Every document of the case with its redactions and proposals: ``{"case_id", "documents":
    [as :func:`document_redactions`]}``, in the register's order. Raises NotFound for an unknown case."""
    from sqlalchemy import select
    from sqlalchemy.orm import undefer

    from ..models import Case, Document

    with db.session() as s:
        if s.get(Case, case_id) is None:
            raise NotFound(f"sag {case_id} findes ikke")
        docs = s.scalars(
            select(Document)
            .where(Document.case_id == case_id)
            .options(undefer(Document.text))
            .order_by(Document.id)
        ).all()
        return {"case_id": case_id, "documents": [_document_view(d) for d in docs]}


def _file(db: Any, case_id: int, document_id: int) -> tuple[Any, list[Any]]:
    from sqlalchemy.orm import undefer

    from ..models import Document

    with db.session() as s:
        d = s.get(Document, document_id, options=[undefer(Document.content)])
        if d is None or d.case_id != case_id or d.content is None:
            raise NotFound(f"dokument {document_id} har ingen fil på sag {case_id}")
        rows = [
            _Row(r.kind, r.state, r.term, r.page, list(r.box) if r.box else None, r.ground)
            for r in d.redactions
        ]
        return (d.content, d.content_type, d.sha256), rows


class _Row:
    """A redaction detached from the session (what burn-in and the leak check read)."""

    def __init__(
        self, kind: str, state: str, term: str | None, page: int | None, box: Any, ground: str | None
    ):
        self.kind, self.state, self.term, self.page, self.box, self.ground = (
            kind,
            state,
            term,
            page,
            box,
            ground,
        )


def original_pdf(db: Any, case_id: int, document_id: int) -> bytes | None:
    """The document's file as a PDF (:func:`aktflow.redaction.pages.as_pdf`: a PDF as is, an image as a
    one-page PDF, an office file through LibreOffice), or None when it has no pages here. Raises NotFound
    when the document has no file on that case."""
    from ..redaction.pages import as_pdf

    (content, content_type, _sha), _rows = _file(db, case_id, document_id)
    return as_pdf(content, content_type)


def released_pdf(db: Any, case_id: int, document_id: int) -> tuple[bytes, Any] | None:
    """The document as it will be released: its PDF with the accepted redactions burnt in, and the leak
    check's report (:func:`aktflow.redaction.release`); None when the file has no pages here. Raises
    NotFound, and ``Refused`` for a file over the limits.

    Kept between views (:mod:`aktflow.redaction.cache`), keyed by the file's SHA-256, the accepted
    redactions and the burn-in version: a redaction change is never answered with the earlier output."""
    from ..redaction import LeakReport, release
    from ..redaction.cache import cache_key, cached
    from ..redaction.pages import as_pdf

    (content, content_type, sha), rows = _file(db, case_id, document_id)

    def make() -> tuple[bytes, dict[str, Any]]:
        pdf = as_pdf(content, content_type)
        if pdf is None:
            raise _NoPages  # nothing is kept: LibreOffice may be installed by the next view
        out, report = release(pdf, rows)
        return out, report.to_json()

    key = cache_key(sha or hashlib.sha256(content).hexdigest(), rows)
    try:
        pdf, report = cached(key, make)
    except _NoPages:
        return None
    return pdf, LeakReport.from_json(report)


class _NoPages(Exception):
    """The file has no pages here (:func:`aktflow.redaction.pages.as_pdf` answered None)."""
