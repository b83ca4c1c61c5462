"""Burn-in: the released PDF, in which redacted content is gone (docs/redaction.md).

:func:`burn_in` takes a PDF and the document's redactions and returns a new PDF in which

* every occurrence of each text redaction (on every page, also where the phrase is split across text
  runs or wraps to the next line) and every region redaction is *removed* from the page: the characters
  from the text layer, the content stream's drawing operations and the image pixels under the box
  (PyMuPDF's redaction annotations, applied), never a box drawn on top;
* a black box is drawn where the content was, with the ground's paragraph printed on it in white
  ("OFL § 30, nr. 1");
* metadata (the info dictionary and XMP), annotations (comments, file attachments, links), form fields,
  embedded files, JavaScript, thumbnails and earlier revisions (the file is written anew, not
  incrementally) are stripped, so the output is safe on its own, whatever a later step does;
* text outside the redactions stays selectable and searchable.

A scanned page has no text layer to search: a text redaction finds nothing there, and the leak check
(:mod:`aktflow.redaction.leak`), which reads the output with OCR, blocks its release until a region
redaction covers the text.

Bounded: the input's size and page count are checked against :class:`aktflow.extraction.Limits`
(``max_bytes``, ``max_pages``) before any page is touched; :func:`aktflow.redaction.bounded.burn_bounded` runs the work
in a child process with the same memory and time limits as the reading of documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ValidationError
from ..extraction import Limits, Refused
from ..extraction.limits import mb

# The box's colours (RGB 0-1) and the size of the printed ground (points; shrunk to fit small boxes).
FILL = (0.0, 0.0, 0.0)
LABEL_COLOUR = (1.0, 1.0, 1.0)
LABEL_SIZE = 8.0


@dataclass(frozen=True)
class Mark:
    """One redaction as burn-in needs it.

    ``kind`` is ``text`` (``term``: a word or phrase; every occurrence, case-insensitive) or ``region``
    (``page``: 1-based; ``box``: ``(x0, y0, x1, y1)`` in PDF points in the page's own coordinates, origin
    at the bottom-left corner of the page as PDF defines it). ``label`` is printed on the box (the
    ground's paragraph, e.g. "OFL § 30, nr. 1").
    """

    kind: str
    label: str
    term: str | None = None
    page: int | None = None
    box: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class BurnResult:
    """The released PDF and what was done: ``hits`` per mark (how many areas each removed, in the order of
    the marks given), so a text redaction that found nothing can be shown to the caseworker."""

    pdf: bytes
    hits: tuple[int, ...]


def burn_in(pdf: bytes, redactions: Iterable[Mark], limits: Limits | None = None) -> bytes:
    """The released PDF: ``pdf`` with every redaction burnt in and the file stripped (see the module).

    ``redactions``: :class:`Mark` values (an ORM redaction is turned into one by
    :func:`aktflow.redaction.marks`). Raises :class:`aktflow.extraction.Refused` (a ``ValidationError`` on
    ``file``, Danish) for a file over ``limits.max_bytes`` or ``limits.max_pages``, a file that is not a
    readable PDF or is encrypted, and ``ValidationError`` on ``page``/``box`` for a region outside the
    document."""
    return burn(pdf, list(redactions), limits).pdf


def burn(pdf: bytes, marks: Sequence[Mark], limits: Limits | None = None) -> BurnResult:
    """:func:`burn_in` with the count of removed areas per mark (:class:`BurnResult`)."""
    import pymupdf

    limits = limits or Limits()
    if len(pdf) > limits.max_bytes:
        raise Refused(f"filen er {mb(len(pdf))}; grænsen er {mb(limits.max_bytes)}", "max_bytes")
    try:
        doc = pymupdf.open(stream=pdf, filetype="pdf")
    except Exception as exc:  # PyMuPDF raises its own errors for damaged files
        raise Refused("filen kan ikke læses som PDF") from exc
    try:
        if doc.needs_pass:
            raise Refused("PDF-filen er krypteret og kan ikke overstreges")
        if doc.page_count > limits.max_pages:
            raise Refused(
                f"PDF-filen har {doc.page_count} sider; grænsen er {limits.max_pages} (AKTFLOW_MAX_PAGES)",
                "max_pages",
            )
        doc = _all_layers_shown(doc)
        _strip_page_objects(doc)
        hits = [0] * len(marks)
        patterns = [term_pattern(m.term or "") if m.kind == "text" else None for m in marks]
        for number in range(doc.page_count):
            page = doc[number]
            labels: list[tuple[Any, str, float]] = []
            boxes = 0
            text = _PageText(page)
            for i, m in enumerate(marks):
                for rect in _rects(page, number, m, text, patterns[i]):
                    # MuPDF draws the black box when it applies the redactions, after the content under
                    # every box of the page is removed; the printed grounds follow in one stream.
                    page.add_redact_annot(rect, fill=FILL, cross_out=False)
                    size = _label_size(rect, m.label)
                    if size:
                        labels.append((rect, m.label, size))
                    hits[i] += 1
                    boxes += 1
            if boxes:
                page.apply_redactions(
                    images=getattr(pymupdf, "PDF_REDACT_IMAGE_PIXELS"),  # noqa: B009 - not in its stubs
                    graphics=getattr(pymupdf, "PDF_REDACT_LINE_ART_REMOVE_IF_TOUCHED"),  # noqa: B009
                    text=getattr(pymupdf, "PDF_REDACT_TEXT_REMOVE"),  # noqa: B009
                )
                _draw_labels(doc, page, labels)
        _strip_document(doc)
        out = doc.tobytes(garbage=4, deflate=True, clean=True, no_new_id=True)
    finally:
        doc.close()
    return BurnResult(out, tuple(hits))


def _rects(page: Any, number: int, m: Mark, text: _PageText, pattern: re.Pattern[str] | None) -> list[Any]:
    import pymupdf

    if m.kind == "region":
        if m.page != number + 1 or m.box is None:
            return []
        rect = pymupdf.Rect(pdf_to_page(page, m.box))
        visible = pymupdf.Rect(0, 0, page.cropbox.width, page.cropbox.height)
        if rect.is_empty or not rect.intersects(visible):
            raise ValidationError("box", f"feltet ligger uden for side {number + 1}")
        return [rect & visible]
    if pattern is None:
        return []
    return text.find(pattern, (m.term or "").split()[0][:2].lower())


def pdf_to_page(page: Any, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """A box in PDF points (origin at the bottom-left as PDF defines it, the page's own unrotated space)
    as a rectangle in PyMuPDF's unrotated page space, where its text search finds characters and its
    redactions are drawn: origin at the CropBox's top-left corner, y down. /Rotate changes how a page is
    shown, not this space, so a box is the same whatever the page's rotation; the CropBox's offset is
    taken off. (PyMuPDF's own ``transformation_matrix`` loses the CropBox's offset on a rotated page.)"""
    crop, media = page.cropbox, page.mediabox  # the CropBox in MuPDF's convention: from the MediaBox's top
    left, top = media.x0 + crop.x0, media.y1 - crop.y0
    x0, y0, x1, y1 = box
    xs = sorted((x0 - left, x1 - left))
    ys = sorted((top - y0, top - y1))
    return (xs[0], ys[0], xs[1], ys[1])


def term_pattern(term: str) -> re.Pattern[str] | None:
    """The pattern a text redaction is searched with: case-insensitive, a whole word or phrase (not part
    of a longer word: "Ole" never removes "skole"), whitespace of any length where the term has a space,
    and a word hyphenated at a line end ("Vester-" / "gade") found too. None for a blank term."""
    words = term.split()
    if not words:
        return None
    joiner = "(?:- )?"
    body = " ".join(joiner.join(re.escape(ch) for ch in word.lower()) for word in words)
    # The word boundary before the term is checked after its first character (the character before that
    # one is no word character), so the pattern starts with a literal and the search skips ahead fast.
    first = re.escape(words[0][0].lower())
    rest = body[len(first) :]
    return re.compile(rf"{first}(?<!\w.){rest}(?!\w)", re.DOTALL)


class _PageText:
    """A page's text rebuilt from its characters (read once, on first search), so a phrase split across
    text runs, fonts or lines is found as one; each character keeps its box and line."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self._chars: list[tuple[str, Any, int]] | None = None
        self._text = ""

    def _read(self) -> None:
        chars: list[tuple[str, Any, int]] = []  # (lower-case character, bbox, line number)
        line_no = 0
        for block in self.page.get_text("rawdict", flags=_search_flags())["blocks"]:
            for line in block.get("lines", ()):
                line_no += 1
                if chars and chars[-1][0] != " ":
                    chars.append((" ", None, line_no))
                for span in line["spans"]:
                    for ch in span["chars"]:
                        c = ch["c"]
                        if c.isspace():
                            if chars and chars[-1][0] == " ":
                                continue
                            chars.append((" ", None, line_no))
                            continue
                        low = c.lower()
                        chars.append((low if len(low) == 1 else c, ch["bbox"], line_no))
        self._chars = chars
        self._text = "".join(c for c, _, _ in chars)

    def find(self, pattern: re.Pattern[str], start: str = "") -> list[Any]:
        """Every match of ``pattern`` as rectangles, one per line it spans. ``start``: the term's first
        characters (lower-case); a page without them is not searched (a term hyphenated right after its
        first character is then not found here, and the leak check, which joins such words, blocks it)."""
        import pymupdf

        if self._chars is None:
            self._read()
        assert self._chars is not None
        rects: list[Any] = []
        if start and start not in self._text:
            return rects
        for hit in pattern.finditer(self._text):
            by_line: dict[int, list[float]] = {}
            for _c, box, line in self._chars[hit.start() : hit.end()]:
                if box is None:
                    continue
                if line not in by_line:
                    by_line[line] = list(box)
                else:
                    b = by_line[line]
                    b[0], b[1], b[2], b[3] = (
                        min(b[0], box[0]),
                        min(b[1], box[1]),
                        max(b[2], box[2]),
                        max(b[3], box[3]),
                    )
            rects.extend(pymupdf.Rect(b) for b in by_line.values())
        return rects


def _search_flags() -> int:
    import pymupdf

    return int(
        pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_PRESERVE_LIGATURES | pymupdf.TEXT_MEDIABOX_CLIP
    )


def _label_size(rect: Any, text: str) -> float | None:
    """The size (points) the ground's paragraph is printed at on a box: at most :data:`LABEL_SIZE`,
    shrunk to fit the box's width and height; None when the box is too small for a legible label."""
    if not text or rect.height < 4 or rect.width < 8:
        return None
    size = min(LABEL_SIZE, rect.height * 0.7)
    length = _unit_length(text) * size
    if length > rect.width - 2:
        size = size * (rect.width - 2) / length
    return size if size >= 2 else None


def _pdf_text(text: str) -> bytes:
    raw = text.encode("cp1252", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _draw_labels(doc: Any, page: Any, labels: list[tuple[Any, str, float]]) -> None:
    """Print each box's ground in white Helvetica, left-aligned and centred in height, in one content
    stream appended to the page (the page's own drawing wrapped in q … Q first, so it cannot move the
    labels). ``labels``: (rectangle in MuPDF's unrotated page space, text, size)."""
    if not labels:
        return
    crop, media = page.cropbox, page.mediabox
    left, top = media.x0 + crop.x0, media.y1 - crop.y0
    font = page.insert_font(fontname="helv")  # Helvetica, WinAnsi: "§" is one byte
    del font
    ops = [b"q 1 1 1 rg BT"]
    for rect, text, size in labels:
        x = left + rect.x0 + 1
        baseline = rect.y0 + (rect.height + size * 0.7) / 2  # cap height ≈ 0.7 em
        y = top - baseline
        ops.append(b"/helv %.2f Tf 1 0 0 1 %.2f %.2f Tm %s Tj" % (size, x, y, _pdf_text(text)))
    ops.append(b"ET Q")
    if not page.is_wrapped:
        page.wrap_contents()
    xref = doc.get_new_xref()
    doc.update_object(xref, "<<>>")
    doc.update_stream(xref, b"\n".join(ops))
    kind, value = doc.xref_get_key(page.xref, "Contents")
    if kind == "array":
        contents = value.strip()[1:-1].strip()
    elif kind == "xref":
        contents = value
    else:
        contents = ""
    doc.xref_set_key(page.xref, "Contents", f"[{contents} {xref} 0 R]")


_HELV: dict[str, Any] = {}
_LENGTHS: dict[str, float] = {}


def _unit_length(text: str) -> float:
    """The width of ``text`` in Helvetica at 1 point (a label is the same few paragraphs over and over:
    measured once each, as measuring is slow in PyMuPDF)."""
    import pymupdf

    if text not in _LENGTHS:
        font = _HELV.get("font") or _HELV.setdefault("font", pymupdf.Font("helv"))
        if len(_LENGTHS) > 1000:
            _LENGTHS.clear()
        _LENGTHS[text] = float(font.text_length(text, fontsize=1))
    return _LENGTHS[text]


def _all_layers_shown(doc: Any) -> Any:
    """The document with its optional-content layers gone: without /OCProperties every layer is shown, so
    text in a hidden layer is found and removed like any other, and the output has no hidden layer."""
    import pymupdf

    catalog = doc.pdf_catalog()
    if doc.xref_get_key(catalog, "OCProperties")[0] == "null":
        return doc
    doc.xref_set_key(catalog, "OCProperties", "null")
    shown = pymupdf.open(stream=doc.tobytes(garbage=1), filetype="pdf")
    doc.close()
    return shown


def _strip_page_objects(doc: Any) -> None:
    """Every annotation (comments, file attachments, links, stamps) and form field is taken off its page
    before the redactions are applied (the page's /Annots array is dropped; the objects are then
    unreferenced and not written), so none of them reaches the output."""
    for page in doc:
        if doc.xref_get_key(page.xref, "Annots")[0] != "null":
            doc.xref_set_key(page.xref, "Annots", "[]")


def _strip_document(doc: Any) -> None:
    """Metadata (info and XMP), embedded files, JavaScript and the open action, the form, the names tree,
    layers, page thumbnails and piece info; the annotations went with their pages' /Annots before."""
    for name in list(doc.embfile_names()):
        doc.embfile_del(name)
    doc.set_metadata({})
    doc.del_xml_metadata()
    catalog = doc.pdf_catalog()
    for key in (
        "AcroForm", "Names", "OpenAction", "AA", "OCProperties", "PieceInfo", "Perms", "Collection",
        "Metadata", "Outlines", "StructTreeRoot", "Threads", "SpiderInfo", "Legal", "URI",
    ):  # fmt: skip
        if doc.xref_get_key(catalog, key)[0] != "null":
            doc.xref_set_key(catalog, key, "null")
    for page in doc:
        for key in ("Thumb", "PieceInfo", "AA", "Metadata", "B"):
            if doc.xref_get_key(page.xref, key)[0] != "null":
                doc.xref_set_key(page.xref, key, "null")
