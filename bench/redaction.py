"""Burn-in of a 20-page PDF with 50 redactions vs a bare render/save of the same file with the same library
(PyMuPDF: every page rendered at 96 dpi, the file saved anew) in the same run (docs/redaction.md; goal ≤ 3×)."""

from __future__ import annotations

from .common import Result, interleaved, ratio

PAGES = 20
NAMES = [f"Person{i:02d} Efternavn{i:02d}" for i in range(30)]


def sample() -> tuple[bytes, list]:
    """A 20-page text PDF (40 lines a page, the 30 names spread over the pages) and 50 redactions: the 30
    names as text redactions and 20 regions, one per page."""
    import pymupdf

    from aktflow.redaction import Mark

    doc = pymupdf.open()
    for n in range(PAGES):
        page = doc.new_page()
        for i in range(40):
            name = NAMES[(n * 40 + i) % len(NAMES)] if i % 4 == 0 else "sagen"
            page.insert_text(
                (50, 60 + 18 * i), f"Side {n + 1}, linje {i}: {name} skrev om {name} og frist.", fontsize=10
            )
    marks = [Mark("text", "OFL § 30, nr. 1", term=t) for t in NAMES]
    marks += [Mark("region", "OFL § 30, nr. 1", page=n + 1, box=(50, 100, 300, 140)) for n in range(PAGES)]
    return doc.tobytes(), marks


def bare(pdf: bytes) -> bytes:
    """The baseline: open with PyMuPDF, render every page as a viewer shows it (96 dpi), save it anew
    (garbage=4)."""
    import pymupdf

    doc = pymupdf.open(stream=pdf, filetype="pdf")
    for page in doc:
        page.get_pixmap(dpi=96)
    out = doc.tobytes(garbage=4, deflate=True, clean=True)
    doc.close()
    return out


def run(quick: bool = False) -> Result:
    """burn-in-20x50."""
    from aktflow.redaction import burn_in

    pdf, marks = sample()
    rounds = 3 if quick else 7
    burn_in(pdf, marks)  # warm up (imports, fonts)
    t_burn, t_bare = interleaved(lambda: burn_in(pdf, marks), lambda: bare(pdf), rounds)
    return Result(
        "burn-in-20x50",
        t_burn * 1000,
        "ms",
        t_bare * 1000,
        ratio(t_burn, t_bare),
        3.0,
        rounds,
    )
