"""The release package: 500 documents with 2,000 pages in all vs a bare merge of the same PDFs with the same
library (pikepdf), each in a child process of its own that reports its time and its peak memory
(docs/release.md)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .common import Result, ratio

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
MEMORY_GOAL_MIB = 512


def _write_corpus(folder: Path, documents: int, pages_per_document: int) -> None:
    """``documents`` text PDFs of ``pages_per_document`` pages each (40 lines a page), and a letter."""
    import pikepdf

    lines = [
        f"Linje {i}: borgeren skrev om sagen, frist og afgoerelse, sagsnr. 2026-{i:05d}." for i in range(40)
    ]

    def pdf(path: Path, pages: int, tag: str) -> None:
        doc = pikepdf.new()
        font = doc.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
            )
        )
        for n in range(pages):
            body = (
                b"BT /F1 10 Tf 50 800 Td 14 TL "
                + b" ".join(f"({tag} side {n + 1} {line}) '".encode() for line in lines)
                + b" ET"
            )
            page = pikepdf.Dictionary(
                Type=pikepdf.Name.Page,
                MediaBox=[0, 0, 595, 842],
                Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
                Contents=doc.make_stream(body),
            )
            doc.pages.append(pikepdf.Page(page))
        doc.docinfo["/Author"] = "Sagsbehandler"
        doc.save(path)

    pdf(folder / "letter.pdf", 3, "Afgoerelse")
    for i in range(documents):
        pdf(folder / f"doc-{i:04d}.pdf", pages_per_document, f"Dokument {i + 1}")


def child(kind: str, folder: str, out: str) -> None:
    """Run one side in this process and print ``{"seconds", "maxrss_kib", "pages"}``."""
    import resource

    src = Path(folder)
    files = sorted(src.glob("doc-*.pdf"))
    # As on a case, every document was screened when it was added (outside the time measured): the
    # package may rely on a screening that read every part and found no CPR number in the same bytes.
    screened = _screened(files) if kind == "package" else {}
    # Each side's libraries are imported (and the stamp's font made) before the clock starts: the time is
    # the work, not Python's start-up.
    import pikepdf

    if kind in ("package", "package-unscreened"):
        from aktflow.release import stamp
        from aktflow.release.package import PackageDocument, build

        stamp.embedded()
    t = time.perf_counter()
    if kind in ("package", "package-unscreened"):
        docs = (
            PackageDocument(
                n,
                f"Dokument {n}",
                f.name,
                (lambda f=f: f.read_bytes()),
                document_id=n,
                screened=screened.get(f.name),
            )
            for n, f in enumerate(files, start=1)
        )
        built = build(
            Path(out),
            sagsnummer="15.17.12-A53-1-26",
            letter_pdf=(src / "letter.pdf").read_bytes(),
            documents=docs,
            zip_out=Path(out).with_suffix(".zip"),
        )
        pages = built.pages
    else:
        result = pikepdf.new()
        sources = []
        for f in [src / "letter.pdf", *files]:
            s = pikepdf.open(f)
            sources.append(s)
            result.pages.extend(s.pages)
        pages = len(result.pages)
        result.save(out)
        for s in sources:
            s.close()
    seconds = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "maxrss_kib": rss, "pages": pages}))


def _screened(files: list[Path]) -> dict[str, str]:
    """What screening records at upload, for each file: its SHA-256 when every part was read
    (``aktflow.extraction``) and no CPR number was found (the rule ``aktflow.release.service.screened_clean``
    applies to the stored screening)."""
    import hashlib

    from aktflow.extraction import Limits, extract
    from aktflow.screening.cpr import find_cprs

    out = {}
    for f in files:
        data = f.read_bytes()
        result = extract(f.name, data, Limits())
        if result.complete and not find_cprs(result.text):
            out[f.name] = hashlib.sha256(data).hexdigest()
    return out


def _side(kind: str, folder: Path, out: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.package", kind, str(folder), str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(quick: bool = False) -> list[Result]:
    """package-500 (time vs a bare merge, goal ≤ 2×) and package-memory (peak MiB, goal ≤ 512)."""
    documents, per = (100, 4) if quick else (500, 4)
    rounds = 1 if quick else 2
    with tempfile.TemporaryDirectory(prefix="aktflow-bench-package-") as tmp:
        folder = Path(tmp)
        _write_corpus(folder, documents, per)
        pkg_times, raw_times, bare_times, peaks, pages = [], [], [], [], 0
        for _ in range(rounds):
            bare = _side("bare", folder, folder / "bare.pdf")
            pkg = _side("package", folder, folder / "package.pdf")
            raw = _side("package-unscreened", folder, folder / "package-raw.pdf")
            bare_times.append(bare["seconds"])
            pkg_times.append(pkg["seconds"])
            raw_times.append(raw["seconds"])
            peaks += [pkg["maxrss_kib"] / 1024, raw["maxrss_kib"] / 1024]
            pages = pkg["pages"]
    name = f"package-{documents}"
    value, baseline = min(pkg_times), min(bare_times)
    return [
        Result(
            f"{name}-unscreened",
            min(raw_times),
            "s",
            baseline,
            ratio(min(raw_times), baseline),
            2.0,
            rounds,
            note=f"{documents} documents never screened: every page's text read; baseline: bare pikepdf merge",
        ),
        Result(
            name,
            value,
            "s",
            baseline,
            ratio(value, baseline),
            2.0,
            rounds,
            note=f"{documents} screened documents, {pages} pages (letter included); baseline: bare pikepdf merge",
        ),
        Result(
            f"{name}-memory",
            max(peaks),
            "MiB",
            None,
            None,
            MEMORY_GOAL_MIB,
            rounds,
            note="peak resident memory of the process that builds the package (either kind)",
        ),
    ]


if __name__ == "__main__":
    child(*sys.argv[1:4])
