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

from .common import MAX_RUNS, MIN_ROUNDS, NEAR_GOAL, Result, settle

ROOT = Path(__file__).resolve().parent.parent

FULL = {
    "fire_rounds": 600,
    "mix_rounds": 40,
    "memory_cases": 100_000,
    "letter_rounds": 15,
    "letter_e2e_rounds": 5,
    "recompute_cases": 100_000,
    "dashboard_sizes": (10_000, 1_000_000),
    "page_docs": 300,
    "web_seconds": 30,
    "web_clients": 16,
    "upload_mb": 25,
}
QUICK = {
    "fire_rounds": 150,
    "mix_rounds": 8,
    "memory_cases": 10_000,
    "letter_rounds": 5,
    "letter_e2e_rounds": 3,
    "recompute_cases": 10_000,
    "dashboard_sizes": (2_000, 20_000),
    "page_docs": 300,
    "web_seconds": 8,
    "web_clients": 8,
    "upload_mb": 25,
}
NAMES = (
    "fire-sqlite",
    "fire-postgres",
    "fire-mix",
    "fire-sbsys-idle",
    "machine-memory",
    "letter-200",
    "letter-e2e-200",
    "recompute-100k",
    "recompute-all-100k",
    "dashboard-scale",
    "case-page-300",
    "web-load",
    "upload-memory",
    "extraction",
    "redaction",
    "package",
)
QUICK_NAMES = (
    "fire-sqlite",
    "fire-postgres",
    "fire-mix",
    "fire-sbsys-idle",
    "machine-memory",
    "letter-200",
    "letter-e2e-200",
    "recompute-100k",
    "recompute-all-100k",
    "case-page-300",
    "extraction",
    "redaction",
    "package",
)


_COUNTER = iter(range(1_000_000))


def _fresh(name: str) -> str:
    """A new database name per measurement run (a repeated run starts from the same empty database)."""
    return f"{name}_{next(_COUNTER)}"


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

        def measure(name: str):
            """The benchmark's lines for one measurement run (settle() repeats it near its goal)."""
            from . import casepage, dashboard, extraction, fire, letter, memory, recompute, upload, webload

            if name == "fire-sqlite":
                return fire.run(_sqlite(tmp, _fresh("fire")), "fire-sqlite", 1.5, cfg["fire_rounds"])
            if name == "fire-postgres":
                return fire.run(pg(_fresh("bench_fire")), "fire-postgres", 1.3, cfg["fire_rounds"])
            if name == "fire-mix":
                dbs = {"sqlite": _sqlite(tmp, _fresh("mix")), "postgresql": pg(_fresh("bench_mix"))}
                return fire.run_mix(dbs, 2.5, cfg["mix_rounds"])
            if name == "fire-sbsys-idle":
                return fire.run_sbsys_idle(pg(_fresh("bench_sbsys")), 1.3, cfg["fire_rounds"])
            if name == "machine-memory":
                return memory.run(cfg["memory_cases"])
            if name == "letter-200":
                return letter.run(200, cfg["letter_rounds"])
            if name == "letter-e2e-200":
                return letter.run_e2e(_sqlite(tmp, _fresh("letter")), 200, cfg["letter_e2e_rounds"])
            if name == "recompute-100k":
                return recompute.run(_sqlite(tmp, _fresh("recompute")), cfg["recompute_cases"])
            if name == "recompute-all-100k":
                return recompute.run_all(_sqlite(tmp, _fresh("recompute_all")), cfg["recompute_cases"])
            if name == "dashboard-scale":
                return dashboard.run(cluster_factory=lambda n: pg(_fresh(n)), sizes=cfg["dashboard_sizes"])
            if name == "case-page-300":
                return casepage.run(pg(_fresh("bench_page")), n_docs=cfg["page_docs"])
            if name == "web-load":
                return webload.run(
                    pg(_fresh("bench_web")), seconds=cfg["web_seconds"], clients=cfg["web_clients"]
                )
            if name == "upload-memory":
                return upload.run(pg(_fresh("bench_upload")), megabytes=cfg["upload_mb"])
            if name == "extraction":
                return extraction.run(quick=args.quick)
            if name == "redaction":
                from . import redaction

                return redaction.run(quick=args.quick)
            if name == "package":
                from . import package

                return package.run(quick=args.quick)
            raise AssertionError(name)

        try:
            for name in names:
                emit(settle(lambda name=name: measure(name)))
                if not args.no_write:  # after each benchmark, so a long run that is stopped keeps its lines
                    write_report(results, quick=args.quick, started=started)
        finally:
            if cluster is not None:
                cluster.stop()
    if not args.no_write and results:
        write_report(results, quick=args.quick, started=started)
    return 0


HEADER = (
    "| benchmark | value | unit | baseline | ratio | goal | n | met | load (start–end) | runs | run | note |"
)


def _row(r: Result, when: str) -> str:
    load = "" if r.load is None else f"{r.load[0]:.1f}–{r.load[1]:.1f}"
    runs = str(r.runs) if r.runs == 1 else f"{r.runs} ({', '.join(f'{x:.3g}' for x in r.spread)})"
    return (
        f"| {r.name} | {r.value:.4g} | {r.unit} | {'' if r.baseline is None else f'{r.baseline:.4g}'} | "
        f"{'' if r.ratio is None else f'{r.ratio:.3f}'} | ≤ {r.goal:g} | {r.n} | {'yes' if r.met else 'NO'} | "
        f"{load} | {runs} | {when} | {r.note} |"
    )


def write_report(results: list[Result], *, quick: bool, started: dt.datetime) -> None:
    """Write docs/benchmarks.md (or -quick.md): this run's lines replace the same names' lines of the
    report there, the others stay with the date of the run they come from (the ``run`` column)."""
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    path = ROOT / "docs" / ("benchmarks-quick.md" if quick else "benchmarks.md")
    when = f"{started:%Y-%m-%d %H:%M}"
    rows: dict[str, str] = {}
    if path.exists():
        old = path.read_text().splitlines()
        if HEADER in old:
            for line in old[old.index(HEADER) + 2 :]:
                if not line.startswith("| "):
                    break
                rows[line.split("|")[1].strip()] = line
    for r in results:
        rows[r.name] = _row(r, when)
    known = [n for n in ORDER if n in rows] + sorted(n for n in rows if n not in ORDER)
    lines = [
        "# Benchmarks",
        "",
        f"Machine: {platform.node() or 'this machine'}, {os.cpu_count()} cores ({cpu}), Python "
        f"{platform.python_version()}, {platform.system()} {platform.release()}. Last run {when} with "
        f"`make bench{'-quick' if quick else ''}`; each line names the run it comes from.",
        "",
        "Each line's baseline is measured in the same run on the same database, in alternation (at least "
        f"{MIN_ROUNDS} rounds, the median); `goal` bounds the ratio (or the value where there is no baseline). "
        "`load` is the machine's 1-minute load average when the line's measurement started and ended: the "
        "machine may be shared, and a high load slows the product and its baseline alike, not always "
        f"equally. A line within {NEAR_GOAL:.0%} of its goal is measured again ({MAX_RUNS} runs at most) and "
        "the median run is reported; `runs` lists each run's figure. Rerun with `make bench` (full), "
        "`make bench-quick`, or `python -m bench --only NAME …` (which replaces those lines only).",
        "",
        HEADER,
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        *[rows[n] for n in known],
    ]
    lines += ["", "## What each measures", "", *[f"- **{n}**: {d}" for n, d in DESCRIPTIONS.items()], ""]
    extra = ROOT / "docs" / "benchmarks-notes.md"
    if extra.exists():
        lines += ["", extra.read_text()]
    (ROOT / "docs").mkdir(exist_ok=True)
    # A quick run (the CI smoke test) never replaces the full report.
    path.write_text("\n".join(lines))


DESCRIPTIONS = {
    "fire-sqlite": "a full `fire()` per effect-free transition (user and case loaded, role/version/state/guards, "
    "the shared machine, hash-chained event, version, one commit, the after-commit work) vs the minimum in "
    "fire()'s own round trips: one transaction that reads user and case in one query, writes the case "
    "(version-checked) and its hashed event, and commits, via SQLAlchemy Core; alternating, SQLite in WAL mode.",
    "fire-postgres": "the same on PostgreSQL (fsync on), where fire() and the minimum both write case and event "
    "in one statement (`WITH … UPDATE … RETURNING` `INSERT … SELECT`).",
    "fire-mix-sqlite, fire-mix-postgresql": "a mix of transitions with effects on one case per round — register "
    "(receipt letter, archive case), assign, start collecting, add a document, start screening, assess it, "
    "a fristbrev (its letter) — each call followed by one minimum call; the mix's median time over as many "
    "minima. The note gives each trigger's ratio.",
    "fire-sbsys-idle": "the effect-free transitions with the SBSYS archive configured (a fake SBSYS on loopback) "
    "and nothing in the outbox, vs the same minimum (PostgreSQL).",
    "machine-memory": "bytes per case that the state machine adds when loaded cases are advanced (tracemalloc); "
    "one module-level Machine serves every case.",
    "letter-200": "the decision letter with a 200-document aktliste (`letters.render`) vs a bare docxtpl render "
    "of a template with the same table through a plain Jinja environment that keeps what it compiled, as the "
    "product's does.",
    "letter-e2e-200": "the whole `fire(send_decision)` on a case with 200 assessed documents (guards, the "
    "letter's data, render, store, deadlines, event, commit) vs `letters.render` of the same template with 200 "
    "documents (the same template cache); a fresh case per round (SQLite).",
    "recompute-100k": "a calendar change (juleaften and nytårsaften closed) over 100,000 open cases, each with an "
    "internal 40-working-day target (what a calendar change moves; the law's deadlines never move); about a "
    "tenth of the cases move (SQLite).",
    "recompute-all-100k": "a closure day inside every open case's target, then reopened, then closed again: each "
    "change moves all 100,000 open cases and logs an event on each, in bounded batches (median of the rounds); "
    "`-lock`: the longest a batch held SQLite's write lock, from its first write to its commit (goal ≤ 1 s; "
    "the longest whole batch, reads included, in the note).",
    "dashboard-scale": "the manager dashboard's queries alone, 1,000,000 vs 10,000 cases (10 % open, 40 skewed "
    "caseworkers) on PostgreSQL, alternating, after VACUUM; the page in the note. `-busiest`: filtered on the "
    "busiest caseworker. `-updated`: after 20 % of the open cases changed as a transition changes them, no "
    "VACUUM since (goal ≤ 3).",
    "case-page-300": "GET of a case page with 300 documents and 600 events vs a case with none (PostgreSQL, "
    "Flask's test client, `Accept-Encoding: gzip`), alternating; `-html`: the page's HTML in KB (the gzipped "
    "bytes sent in the note); `-sql`: the SQL statements the page sends.",
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
    "package-500, package-500-unscreened, package-500-memory": "the release package of 500 text PDFs with "
    "2,000 pages (each document stripped and stamped, the merge with bookmarks, a .zip of the individual "
    "PDFs, each file's check recorded) vs a bare merge of the same PDFs with pikepdf, each in a process of its "
    "own. `package-500`: the documents were screened when added (every part read, no CPR number: their "
    "pages are not read again; the letter's are); `-unscreened`: no screening to rely on, every page's text "
    "read with pdfium and checked for CPR numbers; `-memory`: the peak resident memory of the process that "
    "builds the package (`make bench-quick`: 100 documents, 400 pages).",
    "web-load": "gunicorn as docs/deployment.md sets it up (2 × cores workers, here gthread with 4 threads "
    "each, screening in the background) on PostgreSQL; clients read case pages (some with 300 documents), fire "
    "transitions and upload documents. First 1 client alone, then 16 at once: p99 at 16 clients over p50 at "
    "1 client (goal ≤ 10); `-throughput`: requests per second at 16 over at 1 (goal ≥ 2, shown as 1/ratio ≤ "
    "0.5); `-errors`: 5xx and failed connections (goal 0).",
    "upload-memory": "a gunicorn worker's peak memory above its idle size while a 25 MB file is uploaded and "
    "processed (the peak of the worker's and its children's resident memory, sampled every 20 ms).",
}

#: The report's order of lines.
ORDER = (
    "fire-sqlite",
    "fire-postgres",
    "fire-mix-sqlite",
    "fire-mix-postgresql",
    "fire-sbsys-idle",
    "machine-memory",
    "letter-200",
    "letter-e2e-200",
    "recompute-100k",
    "recompute-all-100k",
    "recompute-all-100k-lock",
    "dashboard-scale",
    "dashboard-scale-busiest",
    "dashboard-scale-updated",
    "case-page-300",
    "case-page-300-html",
    "case-page-300-sql",
    "web-load",
    "web-load-throughput",
    "web-load-errors",
    "upload-memory",
)

if __name__ == "__main__":
    sys.exit(main())
