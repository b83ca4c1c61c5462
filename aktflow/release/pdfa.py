"""PDF/A-2b for the release package as a whole, declared only when proved (docs/release.md, "PDF/A").

:func:`save` writes the merged package. When the package can be PDF/A-2b it is prepared and validated by
pikepdf's PDF/A module (``pikepdf.pdfa``, an allow-list validator: it approves only what it recognises as
conforming): an output intent with the sRGB profile shipped with pikepdf (``/S /GTS_PDFA1`` with a
``/DestOutputProfile``), an XMP packet declaring ``pdfaid:part 2``, ``pdfaid:conformance B`` that agrees
with the document information, and the written bytes read back and validated before they are kept. Only a
file that passed is declared; anything else is written as a plain PDF with the reason (Danish) in
:class:`Conformance`, never a false claim.

A quick look first spares the validator's cost (it reads every object, seconds per thousand pages) where the
answer is already known: a font whose program is not embedded in the file (a PDF given as PDF with
Helvetica or Arial referenced by name) can never be PDF/A, and the package is then written as a plain PDF
at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

FLAVOUR = "2b"


@dataclass(frozen=True)
class Conformance:
    """Whether the written package is declared PDF/A-2b (``pdfa``) and, when not, why (``reason``, Danish)."""

    pdfa: bool
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        """``{"pdfa": bool, "flavour": "PDF/A-2b" or None, "reason": str or None}``."""
        return {"pdfa": self.pdfa, "flavour": "PDF/A-2b" if self.pdfa else None, "reason": self.reason}


def available() -> bool:
    """Whether pikepdf's PDF/A module and its dependencies (fontTools, jsonschema) are installed."""
    try:
        import pikepdf.pdfa  # noqa: F401
    except ImportError:
        return False
    return True


def _embedded(font: Any) -> bool:
    import pikepdf

    if not isinstance(font, pikepdf.Dictionary):
        return True  # not a font the quick look understands: the validator decides
    subtype = str(font.get("/Subtype", ""))
    if subtype == "/Type3":
        return True  # drawn by the file's own glyph procedures
    if subtype == "/Type0":
        descendants = font.get("/DescendantFonts")
        if not isinstance(descendants, pikepdf.Array) or len(descendants) == 0:
            return False
        font = descendants[0]
        if not isinstance(font, pikepdf.Dictionary):
            return False
    descriptor = font.get("/FontDescriptor")
    if not isinstance(descriptor, pikepdf.Dictionary):
        return False
    return any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def unembedded_font(pdf: Any) -> tuple[int, str] | None:
    """The first page (1-based) and font name where a font's program is not in the file, looking at
    each page's own font resources; None when none was found (the validator still reads everything)."""
    import pikepdf

    seen: set[tuple[int, int]] = set()
    for number, page in enumerate(pdf.pages, start=1):
        resources = page.obj.get("/Resources")
        fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
        if not isinstance(fonts, pikepdf.Dictionary):
            continue
        for _name, font in fonts.items():
            key = font.objgen if font.is_indirect else (0, id(font))
            if key in seen:
                continue
            seen.add(key)
            if not _embedded(font):
                return number, str(font.get("/BaseFont", "?")).lstrip("/")
    return None


def _reason(findings: list[Any]) -> str:
    rules = sorted({f.rule for f in findings})
    first = findings[0].message if findings else ""
    more = f" (og {len(rules) - 1} andre regler)" if len(rules) > 1 else ""
    return f"PDF/A-kontrollen godkendte ikke filen: {rules[0] if rules else '?'}: {first}{more}"


def save(pdf: Any, out: Path, *, declare: bool = True, **save_kwargs: Any) -> Conformance:
    """Write ``pdf`` (a ``pikepdf.Pdf``, the merged package) to ``out`` as PDF/A-2b when it passes, else as
    a plain PDF; returns what was written. ``declare``: False writes a plain PDF without trying.
    ``save_kwargs`` are ``pikepdf.Pdf.save``'s settings. Never raises for the document's content."""
    if not declare:
        pdf.save(out, **save_kwargs)
        return Conformance(False, "PDF/A blev ikke forsøgt")
    if not available():
        pdf.save(out, **save_kwargs)
        return Conformance(False, "pikepdf's PDF/A-modul (pikepdf[pdfa]) er ikke installeret")
    missing = unembedded_font(pdf)
    if missing is not None:
        pdf.save(out, **save_kwargs)
        page, name = missing
        return Conformance(
            False,
            f"skrifttypen {name} på side {page} er ikke indlejret i filen (PDF/A kræver indlejrede skrifttyper)",
        )
    import pikepdf.pdfa

    try:
        pikepdf.pdfa.save(pdf, out, FLAVOUR, output_intent="sRGB", **save_kwargs)
    except pikepdf.pdfa.PdfaError as exc:
        _undeclared(pdf).save(out, **save_kwargs)
        return Conformance(False, _reason(list(exc.report.findings)))
    except ValueError as exc:  # a save setting the flavour forbids, a profile it refuses
        _undeclared(pdf).save(out, **save_kwargs)
        return Conformance(False, f"PDF/A kunne ikke skrives: {exc}")
    return Conformance(True)


def _undeclared(pdf: Any) -> Any:
    """``pdf`` without what the PDF/A preparation added (the XMP packet that declares conformance, the
    output intent, the document information), so a file that failed never claims PDF/A."""
    for key in ("/Metadata", "/OutputIntents"):
        if key in pdf.Root:
            del pdf.Root[key]
    if "/Info" in pdf.trailer:
        del pdf.trailer["/Info"]
    return pdf
