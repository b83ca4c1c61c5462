"""Run the benchmarks: ``python -m bench [--quick] [--only NAME …]``.

Prints one JSON object per line — ``{"name", "value", "unit", "baseline", "ratio", "goal", "n"}`` — where
``goal`` bounds ``ratio`` (or ``value`` where there is no baseline), then writes docs/benchmarks.md with the
table, the machine and the date. Baselines are measured in the same run, on the same database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
from pathlib import Path

from .common import Result

ROOT = Path(__file__).resolve().parent.parent

FULL = {
    "fire_rounds": 600,
    "memory_cases": 100_000,
    "letter_rounds": 15,
    "recompute_cases": 100_000,
    "dashboard_sizes": (10_000, 1_000_000),
    "web_seconds": 30,
    "web_clients": 16,
}
QUICK = {
    "fire_rounds": 150,
    "memory_cases": 10_000,
    "letter_rounds": 5,
    "recompute_cases": 10_000,
    "dashboard_sizes": (2_000, 20_000),
    "web_seconds": 8,
    "web_clients": 8,
}
NAMES = (
    "fire-sqlite",
    "fire-postgres",
    "machine-memory",
    "letter-200",
    "recompute-100k",
    "dashboard-scale",
    "web-load",
    "extraction",
    "redaction",
    "package",
)
QUICK_NAMES = (
    "fire-sqlite",
    "fire-postgres",
    "machine-memory",
    "letter-200",
    "recompute-100k",
    "extraction",
    "redaction",
    "package",
)


def _sqlite(tmp: Path, name: str):
    from aktflow.db import Database, upgrade

    url = f"sqlite:///{tmp / (name + '.db')}"
    upgrade(url)
    return Database(url)


def _postgres(cluster, name: str):
    from aktflow.db import Database, upgrade

    url = cluster.create_database(name)
    upgrade(url)
    return Database(url)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench")
    ap.add_argument("--quick", action="store_true", help="reduced sizes, under two minutes")
    ap.add_argument("--only", nargs="*", default=None, help="run only these benchmarks")
    ap.add_argument("--no-write", action="store_true", help="do not write docs/benchmarks.md")
    args = ap.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    names = args.only or (QUICK_NAMES if args.quick else NAMES)
    unknown = set(names) - set(NAMES)
    if unknown:
        ap.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    results: list[Result] = []
    cluster = None
    started = dt.datetime.now()
    with tempfile.TemporaryDirectory(prefix="aktflow-bench-") as tmpdir:
        tmp = Path(tmpdir)

        def pg(name: str):
            nonlocal cluster
            if cluster is None:
                from devtools.pgcluster import start

                # Durable settings, as in production (fsync on): the bench measures the real cost of a commit.
                cluster = start(fast=False)
            return _postgres(cluster, name)

        def emit(r: Result | list[Result]) -> None:
            for one in r if isinstance(r, list) else [r]:
                results.append(one)
                print(one.line(), flush=True)

        try:
            for name in names:
                if name == "fire-sqlite":
                    from . import fire

                    emit(fire.run(_sqlite(tmp, "fire"), "fire-sqlite", 1.5, cfg["fire_rounds"]))
                elif name == "fire-postgres":
                    from . import fire

                    emit(fire.run(pg("bench_fire"), "fire-postgres", 1.25, cfg["fire_rounds"]))
                elif name == "machine-memory":
                    from . import memory

                    emit(memory.run(cfg["memory_cases"]))
                elif name == "letter-200":
                    from . import letter

                    emit(letter.run(200, cfg["letter_rounds"]))
                elif name == "recompute-100k":
                    from . import recompute

                    emit(recompute.run(_sqlite(tmp, "recompute"), cfg["recompute_cases"]))
                elif name == "dashboard-scale":
                    from . import dashboard

                    emit(dashboard.run(cluster_factory=pg, sizes=cfg["dashboard_sizes"]))
                elif name == "web-load":
                    from . import webload

                    emit(webload.run(pg("bench_web"), seconds=cfg["web_seconds"], clients=cfg["web_clients"]))
                elif name == "extraction":
                    from . import extraction

                    emit(extraction.run(quick=args.quick))
                elif name == "redaction":
                    from . import redaction

                    emit(redaction.run(quick=args.quick))
                elif name == "package":
                    from . import package

                    emit(package.run(quick=args.quick))
        finally:
            if cluster is not None:
                cluster.stop()
    if not args.no_write and results:
        write_report(results, quick=args.quick, started=started)
    return 0


def write_report(results: list[Result], *, quick: bool, started: dt.datetime) -> None:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    lines = [
        "# Benchmarks",
        "",
        f"Run {started:%Y-%m-%d %H:%M} with `make bench{'-quick' if quick else ''}` on {platform.node() or 'this machine'}: "
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()} {platform.release()}.",
        "",
        "Each line's baseline is measured in the same run on the same database; `goal` bounds the ratio "
        "(or the value where there is no baseline). Rerun with `make bench` (full) or `make bench-quick`.",
        "",
        "| benchmark | value | unit | baseline | ratio | goal | n | met | note |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.value:.4g} | {r.unit} | {'' if r.baseline is None else f'{r.baseline:.4g}'} | "
            f"{'' if r.ratio is None else f'{r.ratio:.3f}'} | ≤ {r.goal:g} | {r.n} | {'yes' if r.met else 'NO'} | "
            f"{r.note} |"
        )
    lines += ["", "## What each measures", "", *[f"- **{n}**: {d}" for n, d in DESCRIPTIONS.items()], ""]
    extra = ROOT / "docs" / "benchmarks-notes.md"
    if extra.exists():
        lines += ["", extra.read_text()]
    (ROOT / "docs").mkdir(exist_ok=True)
    # A quick run (the CI smoke test) never replaces the full report.
    (ROOT / "docs" / ("benchmarks-quick.md" if quick else "benchmarks.md")).write_text("\n".join(lines))


DESCRIPTIONS = {
    "fire-sqlite": "a full `fire()` per transition (user and case loaded, role/version/state/guards, the shared "
    "machine, hash-chained event, version, one commit) vs one UPDATE + one INSERT in one "
    "transaction via SQLAlchemy Core, alternating, on SQLite in WAL mode.",
    "fire-postgres": "the same on PostgreSQL (fsync on).",
    "machine-memory": "bytes per case that the state machine adds when loaded cases are advanced (tracemalloc); "
    "one module-level Machine serves every case.",
    "letter-200": "the decision letter with a 200-document aktliste vs a bare docxtpl render of a template "
    "with the same table.",
    "recompute-100k": "recomputing the deadlines of the open cases after a calendar change (SQLite).",
    "dashboard-scale": "the manager dashboard's queries and page on PostgreSQL with 1,000,000 vs 10,000 cases "
    "(10 % open): time ratio.",
    "extract-pdf-50, extract-docx-30": "every part of a 50-page text PDF and a 30-page .docx "
    "(aktflow.extraction.extract) vs bare text extraction of the same file (pypdf page text; python-docx "
    "paragraphs), alternating.",
    "screen-pdf-50, screen-docx-30": "the same with screening (aktflow.screening.scan) of the extracted text.",
    "ocr-page": "one printed page through extract (Tesseract, Danish, TSV) vs bare `tesseract` on the same image.",
    "bomb-refused": "the slowest refusal by extract_bounded of three bombs (a .docx whose zip directory lies "
    "about its size, a PDF stream that inflates to 150 MiB, a PDF with 5,000 pages); no baseline.",
    "burn-in-20x50": "aktflow.redaction.burn_in of a 20-page text PDF with 50 redactions (30 names as text "
    "redactions, found on every page, and 20 regions) vs opening the same file with PyMuPDF, rendering every "
    "page at 96 dpi and saving it anew (garbage=4), alternating.",
    "package-500, package-500-memory": "the release package of 500 text PDFs with 2,000 pages (each "
    "document stripped and stamped, the merge with bookmarks, a .zip of the individual PDFs, the CPR check "
    "of every page's text with pdfium) vs a bare merge of the same PDFs with pikepdf, each in a process of "
    "its own; and the peak resident memory of the process that builds the package (`make bench-quick`: 100 "
    "documents, 400 pages).",
    "web-load": "gunicorn with 2 workers on PostgreSQL, concurrent clients reading case pages and firing "
    "transitions: errors and p99/p50 latency.",
}


if __name__ == "__main__":
    sys.exit(main())
