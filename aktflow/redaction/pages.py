"""A document's pages as redaction sees them: the file as a PDF, each page's box in PDF points, a page
rendered as an image for drawing a region on it.

A PDF is used as it is; a scanned image becomes a one-page PDF (PyMuPDF); a Word, OpenDocument or Excel
file is converted with LibreOffice headless (``letters.to_pdf``; None where LibreOffice is absent). Other
Plain text is typeset as an A4 PDF. E-mails have no pages here yet: only text redactions apply to them.
"""

from __future__ import annotations

import io
from typing import Any

from ..extraction import ODS, ODT, XLSX
from ..pdf_engines import LOCK
from ..vocabulary import DOCX_MIME

PDF = "application/pdf"
IMAGES = ("image/png", "image/jpeg", "image/tiff")
OFFICE = (DOCX_MIME, XLSX, ODT, ODS)
# The width a page is rendered at for the browser (pixels); the page's height follows its proportions.
RENDER_WIDTH = 900
MAX_RENDER_WIDTH = 2000


def as_pdf(content: bytes | None, content_type: str | None) -> bytes | None:
    """The file as a PDF (see the module), or None when it has no pages here."""
    if not content:
        return None
    if content_type == PDF:
        return content
    if content_type in IMAGES:
        import pymupdf

        with pymupdf.open(stream=content) as img:
            return bytes(img.convert_to_pdf())
    if content_type in OFFICE:
        import letters

        return letters.to_pdf(content)
    if content_type == "text/plain":
        return text_pdf(content.decode("utf-8", errors="replace"))
    return None


def text_pdf(text: str) -> bytes:
    """Plain text as an A4 PDF (10 pt Courier, lines wrapped at 90 characters), page after page."""
    import textwrap

    import pymupdf

    lines = [w for line in text.splitlines() or [""] for w in (textwrap.wrap(line, 90) or [""])]
    doc = pymupdf.open()
    per_page = 64
    for start in range(0, max(len(lines), 1), per_page):
        page = doc.new_page()
        y = 60.0
        for line in lines[start : start + per_page]:
            page.insert_text((50, y), line, fontname="cour", fontsize=10)
            y += 11.5
    return bytes(doc.tobytes(garbage=1, deflate=True))


def page_sizes(doc: Any) -> list[tuple[float, float, float, float]] | None:
    """Each page's visible box (CropBox) of a PDF document as ``(x0, y0, x1, y1)`` in PDF points, or None
    when the document's file is not a PDF (``doc``: anything with ``content`` and ``content_type``)."""
    if doc.content_type != PDF or not doc.content:
        return None
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(doc.content))
        out = []
        for page in reader.pages:
            box = page.cropbox
            out.append((float(box.left), float(box.bottom), float(box.right), float(box.top)))
    except Exception:  # a file pypdf cannot read: the box is checked when it is burnt in
        return None
    return out


def render_page(pdf: bytes, page: int, width: int = RENDER_WIDTH) -> tuple[bytes, dict[str, float]]:
    """Page ``page`` (1-based) of ``pdf`` as a PNG ``width`` pixels wide, and the geometry the browser
    needs to turn a rectangle in pixels into PDF points: ``{"pages", "scale"`` (pixels per point),
    ``"left", "bottom"`` (the CropBox's origin), ``"width", "height"`` (points)}. Raises
    ``ValidationError`` on ``page`` for a page the document does not have."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    width = max(100, min(int(width), MAX_RENDER_WIDTH))
    with LOCK:  # pdfium is not thread-safe (aktflow.pdf_engines)
        return _render_page(pdfium, pdf, page, width)


def _render_page(pdfium: Any, pdf: bytes, page: int, width: int) -> tuple[bytes, dict[str, float]]:
    from ..errors import ValidationError

    document = pdfium.PdfDocument(pdf)
    try:
        if not 1 <= page <= len(document):
            raise ValidationError("page", f"dokumentet har {len(document)} sider")
        p = document[page - 1]
        w_pt, h_pt = p.get_size()
        left, bottom, _right, _top = p.get_cropbox()
        scale = width / w_pt
        image = p.render(scale=scale).to_pil()
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        geometry = {
            "pages": float(len(document)),
            "scale": scale,
            "left": float(left),
            "bottom": float(bottom),
            "width": float(w_pt),
            "height": float(h_pt),
        }
        return buf.getvalue(), geometry
    finally:
        document.close()


def page_geometry(pdf: bytes, page: int, width: int = RENDER_WIDTH) -> dict[str, float] | None:
    """The geometry :func:`render_page` answers with, without rendering (None for a page the document does
    not have, except ``pages``, which is always given when the document opens: see the keys there)."""
    with LOCK:  # pdfium is not thread-safe (aktflow.pdf_engines)
        return _page_geometry(pdf, page, width)


def _page_geometry(pdf: bytes, page: int, width: int) -> dict[str, float] | None:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        count = len(document)
        if not 1 <= page <= count:
            return {"pages": float(count)} if count else None
        p = document[page - 1]
        w_pt, h_pt = p.get_size()
        left, bottom, _right, _top = p.get_cropbox()
        return {
            "pages": float(count),
            "scale": width / w_pt,
            "left": float(left),
            "bottom": float(bottom),
            "width": float(w_pt),
            "height": float(h_pt),
        }
    finally:
        document.close()
