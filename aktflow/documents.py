"""Document files: what is accepted, and the text extracted from it for screening.

Accepted: plain text (.txt), Word (.docx) and PDF (.pdf). A file must be what its name says: a .docx
must open with python-docx, a .pdf must start with %PDF and open with pypdf, a .txt must be text.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from dataclasses import dataclass

from .config import DEFAULT_MAX_UPLOAD
from .errors import ValidationError
from .vocabulary import DOCX_MIME

DEFAULT_MAX_BYTES = DEFAULT_MAX_UPLOAD
TYPES = {
    ".txt": "text/plain",
    ".docx": DOCX_MIME,
    ".pdf": "application/pdf",
}
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


def max_bytes() -> int:
    """The largest document accepted, in bytes: the ``AKTFLOW_MAX_UPLOAD`` setting (default 25 MiB)."""
    from .bootstrap import current

    return current().settings.max_upload


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes


@dataclass(frozen=True)
class Extracted:
    filename: str
    content_type: str
    text: str
    sha256: str
    size: int


def check_filename(name: str) -> str:
    name = (name or "").strip()
    if not name or name in (".", "..") or ".." in name or _BAD_NAME.search(name) or len(name) > 200:
        raise ValidationError(
            "file", "ugyldigt filnavn (ingen mapper, '..' eller kontroltegn; højst 200 tegn)"
        )
    return name


def extract(att: Attachment) -> Extracted:
    """Check the file and extract its text; raises ValidationError('file', …) with the reason."""
    name = check_filename(att.filename)
    size = len(att.content)
    limit = max_bytes()
    if size > limit:
        raise ValidationError(
            "file", f"filen er for stor ({size / 1048576:.1f} MB; højst {limit / 1048576:.0f} MB)"
        )
    if size == 0:
        raise ValidationError("file", "filen er tom")
    ext = os.path.splitext(name)[1].lower()
    if ext not in TYPES:
        raise ValidationError(
            "file", f"filtypen {ext or '(ingen)'} understøttes ikke: brug .txt, .docx eller .pdf"
        )
    data = att.content
    if ext == ".txt":
        text = _text(data)
    elif ext == ".docx":
        text = _docx(data)
    else:
        text = _pdf(data)
    return Extracted(name, TYPES[ext], text, hashlib.sha256(data).hexdigest(), size)


def _text(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise ValidationError("file", "filen hedder .txt, men er ikke tekst")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _docx(data: bytes) -> str:
    if not data.startswith(b"PK"):
        raise ValidationError("file", "filen hedder .docx, men er ikke et Word-dokument")
    try:
        import docx

        doc = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, Exception):  # noqa: BLE001 - any unreadable file
        raise ValidationError("file", "Word-dokumentet kan ikke åbnes") from None
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _pdf(data: bytes) -> str:
    if not data.lstrip()[:5] == b"%PDF-":
        raise ValidationError("file", "filen hedder .pdf, men er ikke en PDF")
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        return "\n".join((page.extract_text() or "") for page in reader.pages)
    except Exception:  # noqa: BLE001 - any unreadable file
        raise ValidationError("file", "PDF-filen kan ikke læses") from None
