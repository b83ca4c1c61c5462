"""A document's stored file, for download from the case page."""

from __future__ import annotations

from typing import Any

from ..errors import NotFound
from ..models import Document


def document_file(db: Any, case_id: int, document_id: int) -> tuple[str, str, bytes]:
    with db.session() as s:
        row = s.get(Document, document_id)
        if row is None or row.case_id != case_id or row.content is None:
            raise NotFound(f"dokument {document_id} har ingen fil på sag {case_id}")
        return (
            row.filename or f"dokument-{document_id}",
            row.content_type or "application/octet-stream",
            row.content,
        )
