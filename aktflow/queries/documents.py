"""A document's stored file, for download from the case page."""

from __future__ import annotations

from typing import Any

from ..errors import NotFound
from ..exits import mask_filename
from ..models import Document


def document_file(db: Any, case_id: int, document_id: int) -> tuple[str, str, bytes]:
    """The stored file of document ``document_id`` on case ``case_id``: (file name, content type, bytes).

    The file name passes the exit filter (:func:`aktflow.exits.mask_filename`): a CPR number in it is
    shown and sent as ``XXXXXX-XXXX``. Raises NotFound when the document has no file on that case.
    """
    with db.session() as s:
        row = s.get(Document, document_id)
        if row is None or row.case_id != case_id or row.content is None:
            raise NotFound(f"dokument {document_id} har ingen fil på sag {case_id}")
        return (
            mask_filename(row.filename or f"dokument-{document_id}"),
            row.content_type or "application/octet-stream",
            row.content,
        )


def document_detail(db: Any, case_id: int, document_id: int) -> dict[str, Any]:
    """What screening read of one document, for its page (the caseworker's and the legal contact's).

    Returns ``{"id", "case_id", "title", "filename", "screening", "screening_label", "screening_error",
    "parent", "attachments": [{"id", "title", "screening_label"}], "parts": [{"label", "read", "reason",
    "ocr_confidence", "pieces": [(text, kind or None)], "findings": [kind]}]}``; CPR numbers in the text
    are masked and every finding is marked (``aktflow.document_screening.highlight``). Raises NotFound.
    """
    from sqlalchemy import select
    from sqlalchemy.orm import undefer

    from ..exits import mask
    from ..models import DocumentPart
    from .case_page import screening_of

    with db.session() as s:
        doc = s.get(Document, document_id)
        if doc is None or doc.case_id != case_id:
            raise NotFound(f"dokument {document_id} findes ikke på sag {case_id}")
        parts = s.scalars(
            select(DocumentPart)
            .where(DocumentPart.document_id == document_id)
            .order_by(DocumentPart.seq)
            .options(undefer(DocumentPart.text))
        ).all()
        attachments = s.scalars(select(Document).where(Document.parent_id == document_id)).all()
        parent = s.get(Document, doc.parent_id) if doc.parent_id else None
        out_parts = []
        for p in parts:
            pieces = highlight(p.text)
            out_parts.append(
                {
                    "label": p.label,
                    "read": p.read,
                    "reason": p.reason,
                    "ocr_confidence": p.ocr_confidence,
                    "pieces": pieces,
                    "findings": sorted({k for _, k in pieces if k}),
                    "chars": len(p.text),
                }
            )
        return mask(
            {
                "id": doc.id,
                "case_id": case_id,
                "title": doc.title,
                "filename": doc.filename,
                "has_file": doc.content is not None,
                **screening_of(doc),
                "parent": {"id": parent.id, "title": parent.title} if parent else None,
                "attachments": [{"id": a.id, "title": a.title, **screening_of(a)} for a in attachments],
                "parts": out_parts,
            }
        )


def highlight(text: str) -> list[tuple[str, str | None]]:
    """The text cut into (piece, finding kind or None) for display: CPR numbers masked, findings marked.

    Returns pieces in order; a piece with a kind is a finding (``"cpr"`` or a category code).
    """
    from ..screening import CPR_MASK, find_cprs, find_sensitive, redact_cpr

    # An underscore does not hide a number (as in aktflow.exits.mask): spans are read with it as a space.
    spans = [(s, e, "cpr") for s, e in find_cprs(text.replace("_", " "))]
    spans += [(s, e, code) for code, s, e in find_sensitive(text)]
    spans.sort()
    out: list[tuple[str, str | None]] = []
    pos = 0
    for s, e, kind in spans:
        if s < pos:
            continue
        if s > pos:
            out.append((redact_cpr(text[pos:s]), None))
        out.append((CPR_MASK if kind == "cpr" else text[s:e], kind))
        pos = e
    if pos < len(text):
        out.append((redact_cpr(text[pos:]), None))
    return out
