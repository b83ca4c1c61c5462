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


def render_page(pdf: bytes, page: int, width: int = RENDER_WIDTH) -> tuple[bytes, dict[str, Any]]:
    """Page ``page`` (1-based) of ``pdf`` as a PNG ``width`` pixels wide, and the geometry the browser
    needs to turn a rectangle in pixels into PDF points: ``{"pages", "scale"`` (pixels per point),
    ``"left", "bottom"`` (the CropBox's origin), ``"width", "height"`` (points, the page as shown: turned
    by /Rotate), ``"rotate"`` (degrees), ``"matrix"`` (:func:`shown_to_pdf`)}. Raises
    ``ValidationError`` on ``page`` for a page the document does not have."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    width = max(100, min(int(width), MAX_RENDER_WIDTH))
    with LOCK:  # pdfium is not thread-safe (aktflow.pdf_engines)
        return _render_page(pdfium, pdf, page, width)


def _render_page(pdfium: Any, pdf: bytes, page: int, width: int) -> tuple[bytes, dict[str, Any]]:
    from ..errors import ValidationError

    document = pdfium.PdfDocument(pdf)
    try:
        if not 1 <= page <= len(document):
            raise ValidationError("page", f"dokumentet har {len(document)} sider")
        p = document[page - 1]
        geometry = _geometry_of(p, len(document), width)
        image = p.render(scale=geometry["scale"]).to_pil()
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        return buf.getvalue(), geometry
    finally:
        document.close()


def page_geometry(pdf: bytes, page: int, width: int = RENDER_WIDTH) -> dict[str, Any] | None:
    """The geometry :func:`render_page` answers with, without rendering (None for a page the document does
    not have, except ``pages``, which is always given when the document opens: see the keys there)."""
    with LOCK:  # pdfium is not thread-safe (aktflow.pdf_engines)
        return _page_geometry(pdf, page, width)


def _page_geometry(pdf: bytes, page: int, width: int) -> dict[str, Any] | None:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        count = len(document)
        if not 1 <= page <= count:
            return {"pages": float(count)} if count else None
        return _geometry_of(document[page - 1], count, width)
    finally:
        document.close()


def _geometry_of(p: Any, count: int, width: int) -> dict[str, Any]:
    """A pdfium page's geometry (see :func:`render_page`)."""
    w_pt, h_pt = p.get_size()  # as shown: the CropBox turned by /Rotate
    crop = tuple(float(v) for v in p.get_cropbox())  # PDF points, unrotated
    rotate = int(p.get_rotation()) % 360
    left, bottom, _right, _top = crop
    return {
        "pages": float(count),
        "scale": width / w_pt,
        "left": left,
        "bottom": bottom,
        "width": float(w_pt),
        "height": float(h_pt),
        "rotate": float(rotate),
        "matrix": list(shown_to_pdf(rotate, crop)),  # type: ignore[arg-type]
    }


def shown_to_pdf(
    rotate: int, crop: tuple[float, float, float, float]
) -> tuple[float, float, float, float, float, float]:
    """The affine map ``(a, b, c, d, e, f)`` from a point on the page *as shown* (points, origin at the
    shown page's top-left corner, y down: what a browser sees on the rendered image divided by the scale)
    to PDF points (origin bottom-left, y up): ``x = a·u + c·v + e``, ``y = b·u + d·v + f``.

    ``rotate``: the page's /Rotate (0, 90, 180 or 270: clockwise, as PDF defines it; other values are
    taken modulo 360 and rounded to a quarter turn); ``crop``: the CropBox ``(x0, y0, x1, y1)`` in PDF
    points, which may not start at 0."""
    x0, y0, x1, y1 = crop
    turn = (round((rotate % 360) / 90) * 90) % 360
    if turn == 90:
        return (0.0, 1.0, 1.0, 0.0, x0, y0)
    if turn == 180:
        return (-1.0, 0.0, 0.0, 1.0, x1, y0)
    if turn == 270:
        return (0.0, -1.0, -1.0, 0.0, x1, y1)
    return (1.0, 0.0, 0.0, -1.0, x0, y1)


def pixels_to_points(
    geometry: dict[str, Any], box: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    """A rectangle drawn on the rendered page image (``box``: two opposite corners in the image's pixels,
    origin top-left, as :func:`render_page` rendered it) as ``(x0, y0, x1, y1)`` in PDF points (origin
    bottom-left, x0 < x1, y0 < y1), respecting the page's /Rotate and its CropBox's offset. The browser
    (``web/static/redact.js``) does the same sum with ``geometry["matrix"]``."""
    a, b, c, d, e, f = geometry["matrix"]
    scale = float(geometry["scale"])
    xs, ys = [], []
    for px, py in ((box[0], box[1]), (box[2], box[3])):
        u, v = px / scale, py / scale
        xs.append(a * u + c * v + e)
        ys.append(b * u + d * v + f)
    return (min(xs), min(ys), max(xs), max(ys))
