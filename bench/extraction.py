"""Document extraction: every part of a file and screening vs bare text extraction of the same file; OCR vs
bare Tesseract on the same image; the time to refuse a bomb (docs/documents.md)."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from .common import Result, interleaved, ratio

CPR = "120385-1237"


def _corpus():
    import sys

    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from tests import corpus

    return corpus


def _pdf(pages: int) -> bytes:
    corpus = _corpus()
    lines = [
        f"Linje {i}: borgeren skrev om sagen, frist og afgørelse, sagsnr. 2026-{i:05d}." for i in range(40)
    ]
    streams = []
    for n in range(pages):
        body = b" ".join(corpus.bt(f"Side {n + 1} {line}", 800 - 18 * i) for i, line in enumerate(lines))
        streams.append(body)
    return corpus.text_pdf(streams)


def _docx(pages: int) -> bytes:
    corpus = _corpus()
    paragraphs = [
        corpus.p(
            f"Afsnit {i}: borgeren har bedt om aktindsigt i sagen om byggetilladelse, sagsnr. 2026-{i:05d}."
        )
        for i in range(pages * 25)
    ]
    return corpus.docx(
        "".join(paragraphs), sections=[{"header": corpus.p("Kommunen"), "footer": corpus.p("Side")}]
    )


def run(quick: bool = False) -> list[Result]:
    """extract-pdf-50, extract-docx-30, ocr-page and bomb-refused."""
    from aktflow.extraction import Limits, Refused, extract, extract_bounded
    from aktflow.screening import scan

    results: list[Result] = []
    rounds = 3 if quick else 7
    limits = Limits()

    pdf = _pdf(50)
    docx = _docx(30)

    def bare_pdf() -> None:
        from pypdf import PdfReader

        "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)

    def bare_docx() -> None:
        import docx as python_docx

        d = python_docx.Document(io.BytesIO(docx))
        "\n".join(p.text for p in d.paragraphs)

    for name, data, bare, note in (
        ("pdf-50", pdf, bare_pdf, "bare pypdf text"),
        ("docx-30", docx, bare_docx, "bare python-docx paragraphs"),
    ):
        filename = "bench." + name.split("-")[0]

        def alone(filename: str = filename, data: bytes = data) -> None:
            extract(filename, data, limits)

        def screened(filename: str = filename, data: bytes = data) -> None:
            scan(extract(filename, data, limits).text)

        a, b = interleaved(alone, bare, rounds)
        results.append(
            Result(f"extract-{name}", a, "s", b, ratio(a, b), 1.5, rounds, f"every part vs {note}")
        )
        a, b = interleaved(screened, bare, rounds)
        results.append(
            Result(f"screen-{name}", a, "s", b, ratio(a, b), 1.5, rounds, f"every part + scan() vs {note}")
        )

    tesseract = shutil.which("tesseract")
    if tesseract:
        image = _corpus().printed([f"CPR-nr. {CPR}", "Borgeren har diabetes og bor i Århus."])
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "side.png"
            path.write_bytes(image)

            def full_ocr() -> None:
                extract("scan.png", image, limits)

            def bare_ocr() -> None:
                subprocess.run([tesseract, str(path), "stdout", "-l", "dan"], capture_output=True, check=True)

            ocr_rounds = 2 if quick else 5
            a, b = interleaved(full_ocr, bare_ocr, ocr_rounds)
        results.append(Result("ocr-page", a, "s", b, ratio(a, b), 1.2, ocr_rounds, "vs bare tesseract"))

    corpus = _corpus()
    worst = 0.0
    bombs = [
        ("bombe.docx", corpus.lying_zip_bomb_docx(300 * 2**20)),
        ("bombe.pdf", corpus.inflating_pdf(150 * 2**20)),
        ("sider.pdf", corpus.many_pages_pdf(5000)),
    ]
    for name, data in bombs:
        started = time.perf_counter()
        try:
            extract_bounded(name, data, limits)
        except Refused:
            pass
        worst = max(worst, time.perf_counter() - started)
    results.append(Result("bomb-refused", worst, "s", None, None, 2.0, len(bombs), "slowest of three bombs"))
    return results
