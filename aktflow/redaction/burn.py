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
            rects: list[Any] = []
            labels: list[tuple[Any, str, float]] = []
            text = _PageText(page)
            for i, m in enumerate(marks):
                for rect in _rects(page, number, m, text, patterns[i]):
                    rects.append(rect)
                    size = _label_size(rect, m.label)
                    if size:
                        labels.append((rect, m.label, size))
                    hits[i] += 1
            if rects:
                # One redaction annotation per page, with every area as one of its quadrilaterals: MuPDF
                # removes what lies under any of them in one pass over the page (an annotation per area
                # costs a pass each). The black boxes and the printed grounds follow in one stream.
                _redaction_annot(doc, page, rects)
                page.apply_redactions(
                    images=getattr(pymupdf, "PDF_REDACT_IMAGE_PIXELS"),  # noqa: B009 - not in its stubs
                    graphics=getattr(pymupdf, "PDF_REDACT_LINE_ART_REMOVE_IF_TOUCHED"),  # noqa: B009
                    text=getattr(pymupdf, "PDF_REDACT_TEXT_REMOVE"),  # noqa: B009
                )
                _draw_boxes(doc, page, rects, labels)
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
    """A page's text rebuilt from what MuPDF read (once, on first search), so a phrase split across text
    runs, fonts or lines is found as one.

    Two readings give the same text (words joined by one space, lower-cased character by character):
    its words with their boxes (MuPDF's word list, fast), and its characters with their boxes (slower).
    A match that begins and ends at word edges is boxed from its words (a word's box is the union of its
    characters' boxes, so the rectangle is the same); any other match (a term inside "(Ole)," or a word
    holding a space MuPDF does not split at) is boxed from the characters."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self._chars: list[tuple[str, Any, int]] | None = None
        self._text = ""
        self._words: list[tuple[tuple[float, float, float, float], tuple[int, int]]] | None = None
        self._word_text: str | None = None
        self._starts: dict[int, int] = {}
        self._ends: dict[int, int] = {}

    def _read_words(self) -> None:
        words: list[tuple[tuple[float, float, float, float], tuple[int, int]]] = []
        parts: list[str] = []
        position = 0
        for x0, y0, x1, y1, word, block, line, _n in self.page.get_text("words", flags=_search_flags()):
            if len(word.split()) != 1:  # empty, or a space MuPDF kept inside a word: characters decide
                self._words, self._word_text = [], None
                return
            low = word.lower() if word.isascii() else "".join(_lower(c) for c in word)
            if parts:
                position += 1
            self._starts[position] = len(words)
            position += len(low)
            self._ends[position] = len(words)
            parts.append(low)
            words.append(((x0, y0, x1, y1), (block, line)))
        self._words, self._word_text = words, " ".join(parts)

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
                        chars.append((_lower(c), ch["bbox"], line_no))
        self._chars = chars
        self._text = "".join(c for c, _, _ in chars)

    def find(self, pattern: re.Pattern[str], start: str = "") -> list[Any]:
        """Every match of ``pattern`` as rectangles, one per line it spans. ``start``: the term's first
        characters (lower-case); a page without them is not searched (a term hyphenated right after its
        first character is then not found here, and the leak check, which joins such words, blocks it)."""
        if self._words is None:
            self._read_words()
        if self._word_text is not None:
            if start and start not in self._word_text:
                return []
            hits = list(pattern.finditer(self._word_text))
            if all(h.start() in self._starts and h.end() in self._ends for h in hits):
                return self._word_rects(hits)
        return self._char_rects(pattern, start)

    def _word_rects(self, hits: list[re.Match[str]]) -> list[Any]:
        import pymupdf

        assert self._words is not None
        rects: list[Any] = []
        for hit in hits:
            by_line: dict[tuple[int, int], list[float]] = {}
            for box, line in self._words[self._starts[hit.start()] : self._ends[hit.end()] + 1]:
                _grow(by_line, line, box)
            rects.extend(pymupdf.Rect(b) for b in by_line.values())
        return rects

    def _char_rects(self, pattern: re.Pattern[str], start: str) -> list[Any]:
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
                if box is not None:
                    _grow(by_line, line, box)
            rects.extend(pymupdf.Rect(b) for b in by_line.values())
        return rects


def _lower(c: str) -> str:
    """One character lower-cased, kept as it is where lower-casing would make it longer (İ)."""
    low = c.lower()
    return low if len(low) == 1 else c


def _grow(by_line: dict[Any, list[float]], line: Any, box: Any) -> None:
    """Widen the rectangle kept for ``line`` to take in ``box`` (x0, y0, x1, y1)."""
    b = by_line.get(line)
    if b is None:
        by_line[line] = list(box)
    else:
        b[0], b[1], b[2], b[3] = min(b[0], box[0]), min(b[1], box[1]), max(b[2], box[2]), max(b[3], box[3])


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


def _redaction_annot(doc: Any, page: Any, rects: list[Any]) -> None:
    """One redaction annotation on ``page`` covering ``rects`` (MuPDF's unrotated page space): its
    rectangle is their union and its /QuadPoints one quadrilateral per rectangle, in PDF coordinates, so
    only the areas themselves are removed, not what lies between them. No fill: the boxes are drawn by
    :func:`_draw_boxes` after the content is removed."""
    import pymupdf

    union = pymupdf.Rect(rects[0])
    for rect in rects[1:]:
        union |= rect
    annot = page.add_redact_annot(union, fill=None, cross_out=False)
    left, top = _origin(page)
    points: list[str] = []
    for r in rects:
        # upper left, upper right, lower left, lower right (PDF 32000-1, 12.5.6.10), y up
        for x, y in ((r.x0, r.y0), (r.x1, r.y0), (r.x0, r.y1), (r.x1, r.y1)):
            points.append(f"{left + x:.3f} {top - y:.3f}")
    doc.xref_set_key(annot.xref, "QuadPoints", "[" + " ".join(points) + "]")


def _origin(page: Any) -> tuple[float, float]:
    """The PDF coordinates of the origin of MuPDF's unrotated page space (the CropBox's top-left
    corner): x = left + x', y = top - y' (see :func:`pdf_to_page`)."""
    crop, media = page.cropbox, page.mediabox
    return media.x0 + crop.x0, media.y1 - crop.y0


def _draw_boxes(doc: Any, page: Any, rects: list[Any], labels: list[tuple[Any, str, float]]) -> None:
    """Draw a black box over each of ``rects`` and print each box's ground in white Helvetica,
    left-aligned and centred in height, in one content stream appended to the page (the page's own
    drawing wrapped in q … Q first, so it cannot move them). ``labels``: (rectangle in MuPDF's unrotated
    page space, text, size)."""
    left, top = _origin(page)
    ops = [b"q %.3f %.3f %.3f rg" % FILL]
    for r in rects:
        ops.append(b"%.3f %.3f %.3f %.3f re f" % (left + r.x0, top - r.y1, r.width, r.height))
    if labels:
        page.insert_font(fontname="helv")  # Helvetica, WinAnsi: "§" is one byte
        ops.append(b"%.3f %.3f %.3f rg BT" % LABEL_COLOUR)
        for rect, text, size in labels:
            x = left + rect.x0 + 1
            baseline = rect.y0 + (rect.height + size * 0.7) / 2  # cap height ≈ 0.7 em
            y = top - baseline
            ops.append(b"/helv %.2f Tf 1 0 0 1 %.2f %.2f Tm %s Tj" % (size, x, y, _pdf_text(text)))
        ops.append(b"ET")
    ops.append(b"Q")
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
