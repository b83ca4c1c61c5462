"""Extraction: read everything a document file carries, per part, within limits.

The public interface (see docs/documents.md for what is read in each format, the limits and OCR):

- :class:`Limits` and :func:`limits_from_settings`: how much work one file may cost (the ``AKTFLOW_MAX_*``
  settings).
- :func:`precheck`: the fast checks (name, size, type, what the content is, a zip's directory), well under
  100 ms even for a bomb; the content type or :class:`Refused`.
- :func:`extract`: every part of the file, in this process, stopping at the limits.
- :func:`extract_bounded`: :func:`extract` in a child process with a memory and time limit; what the
  document pipeline calls, outside any database transaction.

A file over a limit is refused (:class:`Refused`, a ``ValidationError`` on the field ``file``) with a
Danish message that names the limit and its setting. A part that could not be read (a scan without OCR)
is kept with ``read=False`` and the reason, so an unread file is never taken for a clean one.
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import Any

from ..vocabulary import DOCX_MIME
from .bounded import extract_bounded
from .limits import UNREAD, Budget, Collector, Embedded, Extraction, Limits, Part, Refused, mb, over

__all__ = [
    "TYPES",
    "Budget",
    "Collector",
    "accepted",
    "check_filename",
    "UNREAD",
    "Embedded",
    "Extraction",
    "Limits",
    "Part",
    "Refused",
    "extract",
    "extract_bounded",
    "limits_from_settings",
    "precheck",
]

DOCX = DOCX_MIME
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"

# Extension -> MIME type: the accepted types.
TYPES: dict[str, str] = {
    ".txt": "text/plain",
    ".docx": DOCX,
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".eml": "message/rfc822",
    ".msg": "application/vnd.ms-outlook",
    ".xlsx": XLSX,
    ".odt": ODT,
    ".ods": ODS,
}
# What a file of each type is, for "filen hedder .pdf, men er ikke en PDF-fil".
WHAT = {
    ".txt": "tekst",
    ".docx": "et Word-dokument",
    ".pdf": "en PDF-fil",
    ".png": "et PNG-billede",
    ".jpg": "et JPEG-billede",
    ".jpeg": "et JPEG-billede",
    ".tif": "et TIFF-billede",
    ".tiff": "et TIFF-billede",
    ".eml": "en e-mail",
    ".msg": "en Outlook-besked",
    ".xlsx": "et Excel-regneark",
    ".odt": "et OpenDocument-tekstdokument",
    ".ods": "et OpenDocument-regneark",
}
ZIPPED = {
    ".docx": "word/document.xml",
    ".xlsx": "xl/workbook.xml",
    ".odt": "content.xml",
    ".ods": "content.xml",
}
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:", re.MULTILINE)


def accepted() -> str:
    """The accepted extensions as a Danish list: ``.txt, .docx, … eller .ods``."""
    names = list(TYPES)
    return ", ".join(names[:-1]) + " eller " + names[-1]


def limits_from_settings(settings: Any) -> Limits:
    """The limits from :class:`aktflow.config.Settings` (``AKTFLOW_MAX_UPLOAD``, ``AKTFLOW_MAX_UNPACKED``,
    ``AKTFLOW_MAX_PARTS``, ``AKTFLOW_MAX_PAGES``, ``AKTFLOW_MAX_CHARS``, ``AKTFLOW_MAX_SECONDS``,
    ``AKTFLOW_MAX_MEMORY``, ``AKTFLOW_OCR``); a missing field keeps the default."""
    d = Limits()
    return Limits(
        max_bytes=getattr(settings, "max_upload", d.max_bytes),
        max_unpacked=getattr(settings, "max_unpacked", d.max_unpacked),
        max_parts=getattr(settings, "max_parts", d.max_parts),
        max_pages=getattr(settings, "max_pages", d.max_pages),
        max_chars=getattr(settings, "max_chars", d.max_chars),
        max_seconds=getattr(settings, "max_seconds", d.max_seconds),
        max_memory=getattr(settings, "max_memory", d.max_memory),
        ocr=getattr(settings, "ocr", d.ocr),
    )


def check_filename(name: str) -> str:
    """The file name, stripped; refused with folders, '..', control characters or over 200 characters."""
    name = (name or "").strip()
    if not name or name in (".", "..") or ".." in name or _BAD_NAME.search(name) or len(name) > 200:
        raise Refused("ugyldigt filnavn (ingen mapper, '..' eller kontroltegn; højst 200 tegn)")
    return name


def _extension(name: str) -> str:
    return os.path.splitext(name)[1].lower()


def precheck(filename: str, data: bytes, limits: Limits) -> str:
    """The fast checks, before any parsing; returns the content type (a value of :data:`TYPES`).

    In order: the file name (no folders, '..', control characters; at most 200 characters), the size
    (``max_bytes``; an empty file is refused), the extension (one of :data:`TYPES`, else the refusal lists
    them), the content matches the extension (magic bytes: a .docx is a zip with word/document.xml, a .pdf
    starts with ``%PDF-``, …), and for zip-based files the central directory (members <= ``max_parts``,
    declared sizes <= ``max_unpacked``, no member packed like a bomb). Well under 100 ms for any input.
    Raises :class:`Refused`.
    """
    name = check_filename(filename)
    size = len(data)
    if size == 0:
        raise Refused("filen er tom")
    if size > limits.max_bytes:
        raise over("max_bytes", limits, f"filen er for stor: den fylder {mb(size)}")
    ext = _extension(name)
    if ext not in TYPES:
        raise Refused(f"filtypen {ext or '(ingen)'} understøttes ikke: brug {accepted()}")
    wrong = Refused(f"filen hedder {ext}, men er ikke {WHAT[ext]}")
    head = data[:4096]
    if ext in ZIPPED:
        from .zipped import has, open_zip

        if not data.startswith(b"PK\x03\x04"):
            raise wrong
        with open_zip(data, limits, f"filen ({WHAT[ext]})") as zf:
            if not has(zf, ZIPPED[ext]):
                raise wrong
            if ext in (".docx", ".xlsx") and not has(zf, "[Content_Types].xml"):
                raise wrong  # every Office Open XML package declares its parts' types
            if ext in (".odt", ".ods") and has(zf, "mimetype"):
                info = zf.getinfo("mimetype")
                if info.file_size > 100 or zf.read(info).strip().decode("ascii", "replace") != TYPES[ext]:
                    raise wrong
    elif ext == ".pdf":
        if b"%PDF-" not in data[:1024]:
            raise wrong
    elif ext == ".png":
        if not data.startswith(b"\x89PNG\r\n\x1a\n"):
            raise wrong
    elif ext in (".jpg", ".jpeg"):
        if not data.startswith(b"\xff\xd8\xff"):
            raise wrong
    elif ext in (".tif", ".tiff"):
        if not data.startswith((b"II*\x00", b"MM\x00*")):
            raise wrong
    elif ext == ".msg":
        if not data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
            raise wrong
    elif ext == ".eml":
        if b"\x00" in head or not _HEADER_LINE.match(head.lstrip()):
            raise wrong
    elif b"\x00" in head:  # .txt
        raise wrong
    return TYPES[ext]


def extract(filename: str, data: bytes, limits: Limits) -> Extraction:
    """Every part of the file, read in this process (see docs/documents.md for each format).

    Runs :func:`precheck` first. Honours ``max_chars``, ``max_pages``, ``max_parts`` and ``max_unpacked``
    as it goes: zip members are read in bounded chunks and their XML is parsed as a stream, so it stops at
    the limit instead of materialising a bomb. ``max_seconds`` and ``max_memory`` are enforced only by
    :func:`extract_bounded`. Raises :class:`Refused` naming the limit (or the reason the file cannot be read).
    """
    content_type = precheck(filename, data, limits)
    name = check_filename(filename)
    ext = _extension(name)
    budget = Budget(limits)
    out = Collector(budget)
    if ext == ".txt":
        out.add("Brødtekst", _text(data))
    elif ext == ".pdf":
        from .pdf import read_pdf

        read_pdf(data, budget, out)
    elif ext in ZIPPED:
        from .zipped import open_zip

        with open_zip(data, limits, f"filen ({WHAT[ext]})") as zf:
            if ext == ".docx":
                from .docx import read_docx

                read_docx(zf, budget, out)
            elif ext == ".xlsx":
                from .sheets import read_xlsx

                read_xlsx(data, zf, budget, out)
            else:
                from .sheets import read_odf

                read_odf(zf, budget, out, spreadsheet=ext == ".ods")
    elif ext == ".eml":
        from .mail import read_eml

        read_eml(data, out)
    elif ext == ".msg":
        from .mail import read_msg

        read_msg(data, out)
    else:
        from .ocr import read_image

        read_image(data, budget, out)
    return Extraction(
        filename=name,
        content_type=content_type,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        parts=tuple(out.parts),
        children=tuple(out.children),
    )


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
