"""The read side of redactions: a document's redactions and pending proposals, and a case's, for the
document page, the CLI (``aktflow case redactions``) and the API (docs/redaction.md).

Terms pass the exit filter (:func:`aktflow.exits.mask`): a CPR number is shown as ``XXXXXX-XXXX``; a
proposal is named by its key (``cpr:1a2b…``), which is what ``accept_redaction``/``reject_redaction``
take, so the number itself never travels in a form, a URL or a command line.
"""

from __future__ import annotations

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
