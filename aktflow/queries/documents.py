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
