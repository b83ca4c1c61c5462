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
(``max_bytes``, ``max_pages``) before any page is touched; :func:`burn_in_bounded` runs the work in a child
process with the same memory and time limits as the reading of documents.
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
        # Labels are drawn after every redaction is applied, so an overlapping redaction never removes one.
        labels: list[tuple[int, Any, str]] = []
        for number in range(doc.page_count):
            page = doc[number]
            any_here = False
            for i, m in enumerate(marks):
                for rect in _rects(page, number, m):
                    page.add_redact_annot(rect, text=None, fill=FILL)
                    labels.append((number, rect, m.label))
                    hits[i] += 1
                    any_here = True
            if any_here:
                page.apply_redactions(
                    images=getattr(pymupdf, "PDF_REDACT_IMAGE_PIXELS"),  # noqa: B009 - not in its stubs
                    graphics=getattr(pymupdf, "PDF_REDACT_LINE_ART_REMOVE_IF_TOUCHED"),  # noqa: B009
                    text=getattr(pymupdf, "PDF_REDACT_TEXT_REMOVE"),  # noqa: B009
                )
        _draw_labels(doc, labels)
        _strip_document(doc)
        out = doc.tobytes(garbage=4, deflate=True, clean=True, no_new_id=True)
    finally:
        doc.close()
    return BurnResult(out, tuple(hits))


def _rects(page: Any, number: int, m: Mark) -> list[Any]:
    import pymupdf

    if m.kind == "region":
        if m.page != number + 1 or m.box is None:
            return []
        x0, y0, x1, y1 = m.box
        # PDF points (origin bottom-left, as PDF defines it) → PyMuPDF's page space (origin top-left).
        rect = pymupdf.Rect(x0, y0, x1, y1) * page.transformation_matrix
        rect.normalize()
        if rect.is_empty or not rect.intersects(page.rect):
            raise ValidationError("box", f"feltet ligger uden for side {number + 1}")
        return [rect & page.rect]
    pattern = term_pattern(m.term or "")
    if pattern is None:
        return []
    return _find(page, pattern)


def term_pattern(term: str) -> re.Pattern[str] | None:
    """The pattern a text redaction is searched with: case-insensitive, a whole word or phrase (not part
    of a longer word: "Ole" never removes "skole"), whitespace of any length where the term has a space,
    and a word hyphenated at a line end ("Vester-" / "gade") found too. None for a blank term."""
    words = term.split()
    if not words:
        return None
    joiner = "(?:- )?"
    body = " ".join(joiner.join(re.escape(ch) for ch in word.lower()) for word in words)
    return re.compile(rf"(?<!\w){body}(?!\w)")


def _find(page: Any, pattern: re.Pattern[str]) -> list[Any]:
    """Every match of ``pattern`` on the page as rectangles (one per line it spans). The page's text is
    rebuilt from its characters, so a phrase split across text runs, fonts or lines is found as one."""
    import pymupdf

    chars: list[tuple[str, Any, int]] = []  # (lower-case character, bbox, line number)
    line_no = 0
    for block in page.get_text("rawdict", flags=_search_flags())["blocks"]:
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
                    chars.append((low if len(low) == 1 else c, pymupdf.Rect(ch["bbox"]), line_no))
    text = "".join(c for c, _, _ in chars)
    rects: list[Any] = []
    for hit in pattern.finditer(text):
        by_line: dict[int, Any] = {}
        for _c, box, line in chars[hit.start() : hit.end()]:
            if box is None:
                continue
            by_line[line] = box if line not in by_line else by_line[line] | box
        rects.extend(by_line.values())
    return rects


def _search_flags() -> int:
    import pymupdf

    return int(
        pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_PRESERVE_LIGATURES | pymupdf.TEXT_MEDIABOX_CLIP
    )


def _draw_labels(doc: Any, labels: list[tuple[int, Any, str]]) -> None:
    """A black box with the ground printed in white, for each removed area (after all are applied)."""
    import pymupdf

    for number, rect, text in labels:
        page = doc[number]
        page.draw_rect(rect, color=None, fill=FILL, overlay=True)
        size = min(LABEL_SIZE, max(rect.height * 0.8, 1.0))
        width = pymupdf.get_text_length(text, fontname="helv", fontsize=size)
        if width > rect.width:
            size = max(size * rect.width / width, 1.0)
        point = pymupdf.Point(rect.x0 + 1, rect.y0 + (rect.height + size * 0.7) / 2)
        if rect.height >= 3 and rect.width >= 6:
            page.insert_text(point, text, fontname="helv", fontsize=size, color=LABEL_COLOUR, overlay=True)


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
    """Metadata, XMP, embedded files, JavaScript, thumbnails, the form and the outline's hidden targets."""
    doc.scrub(
        attached_files=True,
        clean_pages=True,
        embedded_files=True,
        hidden_text=False,  # hidden text runs are read by the leak check instead: never silently kept
        javascript=True,
        metadata=True,
        redactions=False,  # applied above
        remove_links=True,
        reset_fields=True,
        reset_responses=True,
        thumbnails=True,
        xml_metadata=True,
    )
    for name in list(doc.embfile_names()):
        doc.embfile_del(name)
    doc.set_metadata({})
    doc.del_xml_metadata()
    catalog = doc.pdf_catalog()
    for key in ("AcroForm", "Names", "OpenAction", "AA", "OCProperties", "PieceInfo", "Perms", "Collection"):
        if doc.xref_get_key(catalog, key)[0] != "null":
            doc.xref_set_key(catalog, key, "null")
