"""The page stamp of the release package: "Sag … - Dokument n - side x af y", upright at the bottom left of
the page as it is shown (docs/release.md, "Every page").

The stamp is drawn in the page's own coordinates, turned by the page's /Rotate (0, 90, 180 or 270 degrees,
clockwise as shown) and placed from the corner of the CropBox that is shown at the bottom left, so it reads
upright along the bottom edge whatever the page's rotation or the CropBox's offset.

The font is DejaVu Sans (fonts-dejavu-core, Bitstream Vera licence), embedded as a TrueType subset of the
characters the stamp can show (Windows-1252 from space to ÿ) with its widths, as PDF/A requires. Without
DejaVu Sans on the server the stamp falls back to Helvetica, which is not embedded: the package is then not
declared PDF/A (:mod:`aktflow.release.pdfa` says so).
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

#: Where DejaVu Sans is looked for (Debian's fonts-dejavu-core first).
FONT_FILES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/usr/local/share/fonts/DejaVuSans.ttf"),
)
#: The resource name the stamp's font has on every page.
FONT_NAME = "/AktflowStempel"
FIRST, LAST = 32, 255

#: Points from the shown page's lower left corner to the stamp's start (along the bottom edge) and its
#: baseline (up from the bottom edge), and its size.
STAMP_X, STAMP_Y, STAMP_SIZE = 28.0, 12.0, 7.0


@dataclass(frozen=True)
class _Font:
    """The embedded subset: its program (TrueType bytes), widths for codes FIRST..LAST (1/1000 em) and the
    descriptor's numbers."""

    program: bytes
    packed: bytes
    widths: tuple[int, ...]
    bbox: tuple[int, int, int, int]
    ascent: int
    descent: int
    cap_height: int


def font_file() -> Path | None:
    """The DejaVu Sans file on this server, or None."""
    return next((p for p in FONT_FILES if p.is_file()), None)


@lru_cache(maxsize=1)
def _subset() -> _Font | None:
    """DejaVu Sans cut down to the Windows-1252 characters (made once per process); None without it."""
    path = font_file()
    if path is None:
        return None
    from fontTools import subset  # type: ignore[import-untyped]
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    chars = {FIRST + i: bytes([FIRST + i]).decode("cp1252", "replace") for i in range(LAST - FIRST + 1)}
    options = subset.Options()
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.legacy_cmap = True
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM"]
    options.hinting = False
    font = TTFont(str(path))
    sub = subset.Subsetter(options)
    sub.populate(unicodes={ord(c) for c in chars.values() if c != "\ufffd"})
    sub.subset(font)
    scale = 1000 / font["head"].unitsPerEm
    cmap = font.getBestCmap()
    hmtx = font["hmtx"]
    widths = []
    for code in range(FIRST, LAST + 1):
        glyph = cmap.get(ord(chars[code])) if chars[code] != "\ufffd" else None
        widths.append(round(hmtx[glyph][0] * scale) if glyph else 0)
    head, os2 = font["head"], font["OS/2"]
    buf = io.BytesIO()
    font.save(buf)
    return _Font(
        buf.getvalue(),
        zlib.compress(buf.getvalue(), 9),
        tuple(widths),
        tuple(round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)),
        round(os2.sTypoAscender * scale),
        round(os2.sTypoDescender * scale),
        round(getattr(os2, "sCapHeight", 0) * scale) or 729,
    )


def embedded() -> bool:
    """Whether the stamp's font is embedded (DejaVu Sans found)."""
    return _subset() is not None


def make_font(doc: Any, text: str = "") -> Any:
    """The stamp's font as an indirect object of ``doc`` (a ``pikepdf.Pdf``): DejaVu Sans embedded, or
    Helvetica (not embedded) when DejaVu Sans is missing. Text is written in Windows-1252. ``text``: what
    the stamp will show (its widths are given from its lowest to its highest character, a shorter list
    than all of them; empty: all of them)."""
    import pikepdf

    sub = _subset()
    if sub is None:
        return doc.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font,
                Subtype=pikepdf.Name.Type1,
                BaseFont=pikepdf.Name.Helvetica,
                Encoding=pikepdf.Name.WinAnsiEncoding,
            )
        )
    codes = [c for c in text.encode("cp1252", "replace") if FIRST <= c <= LAST] or [FIRST, LAST]
    first, last = min(codes), max(codes)
    # Compressed once per process: every document carries the same program, and qpdf keeps a stream that
    # is already compressed as it is.
    program = doc.make_stream(sub.packed)
    program.Filter = pikepdf.Name.FlateDecode
    program.Length1 = len(sub.program)
    name = pikepdf.Name("/AKTFLW+DejaVuSans")
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor,
        FontName=name,
        Flags=32,  # non-symbolic
        FontBBox=list(sub.bbox),
        ItalicAngle=0,
        Ascent=sub.ascent,
        Descent=sub.descent,
        CapHeight=sub.cap_height,
        StemV=80,
        FontFile2=program,
    )
    return doc.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.TrueType,
            BaseFont=name,
            FirstChar=first,
            LastChar=last,
            Widths=list(sub.widths[first - FIRST : last - FIRST + 1]),
            Encoding=pikepdf.Name.WinAnsiEncoding,
            FontDescriptor=doc.make_indirect(descriptor),
        )
    )


def rotation(page: Any) -> int:
    """The page's /Rotate as 0, 90, 180 or 270 (clockwise as shown; anything else counts as 0)."""
    try:
        value = int(page.obj.get("/Rotate", 0)) % 360
    except (TypeError, ValueError):
        return 0
    return value if value in (0, 90, 180, 270) else 0


def shown_box(page: Any) -> tuple[float, float, float, float]:
    """The part of the page that is shown, ``(x0, y0, x1, y1)`` in the page's own coordinates: the
    CropBox cut to the MediaBox (PDF 32000-1, 14.11.2), corners ordered."""
    media = [float(v) for v in page.mediabox]
    crop = [float(v) for v in page.cropbox]
    mx0, mx1 = sorted((media[0], media[2]))
    my0, my1 = sorted((media[1], media[3]))
    cx0, cx1 = sorted((crop[0], crop[2]))
    cy0, cy1 = sorted((crop[1], crop[3]))
    x0, y0, x1, y1 = max(cx0, mx0), max(cy0, my0), min(cx1, mx1), min(cy1, my1)
    if x1 <= x0 or y1 <= y0:  # a CropBox outside the MediaBox: the MediaBox is what a viewer shows
        return (mx0, my0, mx1, my1)
    return (x0, y0, x1, y1)


def text_matrix(page: Any) -> tuple[float, float, float, float, float, float]:
    """The text matrix that puts the stamp upright at the bottom left of the page as shown: the text's
    direction along the shown bottom edge, :data:`STAMP_X` in from the shown left edge and its baseline
    :data:`STAMP_Y` up from the shown bottom edge."""
    x0, y0, x1, y1 = shown_box(page)
    turn = rotation(page)
    if turn == 90:  # shown right = +y, shown up = -x: the shown bottom left is (x1, y0)
        return (0, 1, -1, 0, x1 - STAMP_Y, y0 + STAMP_X)
    if turn == 180:  # shown right = -x, shown up = -y: from (x1, y1)
        return (-1, 0, 0, -1, x1 - STAMP_X, y1 - STAMP_Y)
    if turn == 270:  # shown right = -y, shown up = +x: from (x0, y1)
        return (0, -1, 1, 0, x0 + STAMP_Y, y1 - STAMP_X)
    return (1, 0, 0, 1, x0 + STAMP_X, y0 + STAMP_Y)


def pdf_string(text: str) -> bytes:
    """``text`` as a PDF string in Windows-1252 (what the font's encoding reads); characters outside it
    become "?"."""
    raw = text.encode("cp1252", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"
