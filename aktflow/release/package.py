"""The release package (udleveringspakke): one PDF per release, built in a folder, one document at a time.

Order: the decision letter (its PDF, whose aktliste lists what is released), then each released document
in aktliste order. Every document is converted to PDF (:mod:`.convert`), handed to the ``prepare`` hook
(the redaction's burn-in, identity by default), stripped and stamped on every page with the sagsnummer,
its document number and "side x af y" (one pass), and written to a file of its own; the package is a
merge of those files with one bookmark per document, and the individual files can be kept as a .zip (for
large releases). Each file is checked as it goes into the package, in its final bytes (stripped and
stamped): every page's text against the CPR rule, unless an earlier reading of every part covers it (the
redactions' leak check of the burnt-in file; screening of a PDF released unchanged), and the redactions'
leak check where redactions were burnt in. Each file's check is recorded (``BuiltPackage.checks``: what
ran, the result, what was read, when, the SHA-256 of the checked file). The merge copies those files'
pages as they are, so the package holds exactly the checked pages; its bookmark titles are checked too. A
check that fails, or a file that cannot be converted, blocks the package: :class:`PackageBlocked` names
the document and the page, never the number.

Memory: one document is in memory at a time while it is prepared; the merge reads the pages from the
documents' files and writes the package to a file, so a package of thousands of pages stays within a few
hundred MiB (``make bench``). The package is written as PDF/A-2b when pikepdf's PDF/A validator approves
it, and as a plain PDF with the reason otherwise (:mod:`.pdfa`, ``BuiltPackage.conformance``); the stamp
stands upright on turned and cropped pages, in an embedded font (:mod:`.stamp`; docs/release.md).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import AktflowError
from ..exits import mask, mask_filename
from ..pdf_engines import LOCK
from ..screening.cpr import find_cprs
from . import convert
from .pdfa import Conformance
from .pdfa import save as save_pdfa
from .stamp import STAMP_SIZE, STAMP_X, STAMP_Y, make_font, pdf_string, text_matrix

__all__ = ["STAMP_SIZE", "STAMP_X", "STAMP_Y", "build", "stamp_pages", "stamp_text"]


class PackageBlocked(AktflowError):
    """The package cannot be made: a file could not be converted, or a page still shows a CPR number.

    ``message`` names the document (its number and title, CPR numbers masked) and, for a CPR number, the
    page; never the number itself."""

    exit_code = 3
    http_status = 422

    #: The checks of the files made before the package was blocked (:func:`build` sets it; the last one
    #: is the check that failed, when a check failed).
    checks: list[dict[str, Any]] = []  # noqa: RUF012 - replaced per instance, never mutated


@dataclass(frozen=True)
class PackageDocument:
    """One released document as the package needs it: ``number`` on the aktliste, ``title`` as the aktliste
    prints it (the released title, never an original the caseworker kept back), the stored
    file's ``filename`` (its type decides the conversion), ``load()`` reads the stored bytes when its turn
    comes, and ``document_id`` (the register's id, for the ``prepare`` hook).

    ``screened``: the SHA-256 of the stored file when screening read *every* part of it and found no
    CPR number in what it read (:func:`aktflow.release.service.screened_clean`); None otherwise. A PDF
    released in full whose stored bytes still have that SHA-256 passes the package unchanged but for
    stripping (which only removes) and the stamp (CPR numbers masked), so its pages' text is not read a
    second time: its check records screening as what was read."""

    number: int
    title: str
    filename: str
    load: Callable[[], bytes]
    document_id: int | None = None
    screened: str | None = None


@dataclass(frozen=True)
class Prepared:
    """What a ``prepare`` hook may answer with: the PDF and, when redactions were burnt in, the leak
    check's report of it (:meth:`aktflow.redaction.LeakReport.to_json`), stored with the file's check."""

    pdf: bytes
    leak: dict[str, Any] | None = None


Prepare = Callable[[PackageDocument, bytes], "bytes | Prepared"]


def identity(document: PackageDocument, pdf: bytes) -> bytes:
    """The default ``prepare`` hook: the document as it is (no redactions)."""
    return pdf


@dataclass(frozen=True)
class BuiltPackage:
    """A finished package: the PDF at ``path`` (``size`` bytes, ``pages`` pages, ``sha256`` hex digest) with
    ``documents`` released documents after the letter, and the .zip of the individual PDFs when asked for."""

    path: Path
    sha256: str
    size: int
    pages: int
    documents: int
    zip_path: Path | None = None
    zip_sha256: str | None = None
    checks: tuple[dict[str, Any], ...] = ()
    #: Whether the package PDF was written as PDF/A-2b, and why not (:meth:`Conformance.to_json`).
    conformance: dict[str, Any] | None = None


def sha256_of(path: Path) -> str:
    """The SHA-256 hex digest of the file at ``path``, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def stamp_text(sagsnummer: str, label: str, page: int, pages: int) -> str:
    """The line stamped on a page, e.g. ``"Sag 15.17.12-A53-1-26 - Dokument 3 - side 1 af 4"``."""
    return f"Sag {sagsnummer} - {label} - side {page} af {pages}"


def stamp_pages(doc: Any, *, sagsnummer: str, label: str) -> None:
    """Stamp every page of ``doc`` (a ``pikepdf.Pdf``) with :func:`stamp_text` (CPR numbers masked),
    upright at the bottom left of the page as it is shown: turned with the page's /Rotate and placed from
    the shown corner of its CropBox (:mod:`aktflow.release.stamp`).

    One font object (DejaVu Sans, embedded) and one opening ``q`` stream serve every page of the document;
    the page's own drawing is wrapped in ``q … Q``, so a transformation it leaves behind cannot move the
    stamp."""
    import pikepdf

    total = len(doc.pages)
    # The fixed part is masked once; "side x af y" after " - " cannot complete a CPR number.
    prefix = mask(f"Sag {sagsnummer} - {label} - ")
    font = make_font(doc, f"{prefix}side 0123456789 af")
    opening = doc.make_stream(b"q\n")
    for index, page in enumerate(doc.pages):
        a, b, c, d, e, f = text_matrix(page)
        resources = page.obj.get("/Resources")
        if not isinstance(resources, pikepdf.Dictionary):
            page.obj.Resources = resources = pikepdf.Dictionary()
        fonts = resources.get("/Font")
        if not isinstance(fonts, pikepdf.Dictionary):
            resources.Font = fonts = pikepdf.Dictionary()
        fonts.AktflowStempel = font
        text = pdf_string(f"{prefix}side {index + 1} af {total}")
        page.contents_add(opening, prepend=True)
        page.contents_add(
            doc.make_stream(
                b"\nQ\nq BT 0 g /AktflowStempel %g Tf %g %g %g %g %g %g Tm %s Tj ET Q\n"
                % (STAMP_SIZE, a, b, c, d, e, f, text)
            )
        )


_ONE_CHARACTER_LINE = re.compile(r"^[^\S\n]*\S[^\S\n]*$", re.MULTILINE)


def page_texts(path: Path | bytes) -> Iterable[str]:
    """The text of each page of a PDF (pdfium's text layer, with letter-spaced runs rejoined as the
    document reader does), one page at a time."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    from ..extraction.pdf import _SPACED, rejoin

    with LOCK:  # pdfium is not thread-safe (aktflow.pdf_engines): held per call, never across a yield
        doc = pdfium.PdfDocument(path if isinstance(path, bytes) else str(path))
        count = len(doc)
    try:
        for index in range(count):
            with LOCK:
                page = doc[index]
                textpage = page.get_textpage()
                try:
                    raw = textpage.get_text_bounded() or ""
                finally:
                    textpage.close()
                    page.close()
            # rejoin() finds something only where a letter-spaced run or a line of one character is;
            # one pass of two patterns over the page spares its line-by-line work on ordinary text.
            joined = rejoin(raw) if _SPACED.search(raw) or _ONE_CHARACTER_LINE.search(raw) else ""
            yield raw + ("\n" + joined if joined else "")
    finally:
        with LOCK:
            doc.close()


def cpr_pages(path: Path | bytes) -> list[int]:
    """The pages (1-based) whose text shows a CPR number (aktflow/screening/cpr.py's rule)."""
    return text_pass(path)[1]


def text_pass(path: Path | bytes) -> tuple[int, list[int]]:
    """Read every page's text once (:func:`page_texts`) and check it with the CPR rule: ``(pages read,
    pages that show a CPR number)``, 1-based."""
    found: list[int] = []
    read = 0
    for read, text in enumerate(page_texts(path), start=1):  # noqa: B007 - the count is the answer
        if find_cprs(text):
            found.append(read)
    return read, found


def _now() -> str:
    import datetime as dt

    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _cpr_check(pdf: bytes, label: str) -> tuple[dict[str, Any], PackageBlocked | None]:
    """The CPR check of one file's text layer, every page: the check's record and, when a page shows a
    CPR number, the refusal naming the document and its pages."""
    pages, found = text_pass(pdf)
    check = {
        "check": "cpr",
        "ok": not found,
        "source": "text_layer",
        "read": f"tekstlaget på alle {pages} sider (pdfium)",
        "pages": pages,
        "found_on": found,
    }
    return check, (_blocked_by_cpr(label, found) if found else None)


def _covered_check(source: str, read: str) -> dict[str, Any]:
    """A CPR check answered by an earlier reading of every part (screening, the redactions' leak check)."""
    return {"check": "cpr", "ok": True, "source": source, "read": read, "pages": None, "found_on": []}


def _leak_summary(leak: dict[str, Any]) -> dict[str, Any]:
    """The redactions' leak check as stored with the file (no secret: parts are named, terms numbered)."""
    return {
        "check": "redactions",
        "ok": bool(leak.get("ok")),
        "source": "leak_check",
        "read": f"{leak.get('parts', 0)} dele af den overstregede fil (tekstlag, OCR, metadata, "
        "kommentarer, formularfelter, vedhæftede filer)",
        "parts": leak.get("parts", 0),
        "sha256": leak.get("sha256"),
        "leaks": leak.get("leaks", []),
        "reason": leak.get("reason"),
    }


def outline_titles(path: Path) -> list[str]:
    """The bookmark titles of a PDF, in order (depth first)."""
    import pikepdf

    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        out: list[str] = []

        def walk(items: Any) -> None:
            for item in items:
                out.append(str(item.title))
                walk(item.children)

        walk(outline.root)
        return out


def _blocked_by_cpr(label: str, pages: list[int]) -> PackageBlocked:
    where = ", ".join(str(p) for p in pages[:10]) + (" …" if len(pages) > 10 else "")
    side = "side" if len(pages) == 1 else "siderne"
    return PackageBlocked(
        f"{label} viser et CPR-nummer på {side} {where}; udleveringspakken dannes ikke, "
        "før det er overstreget"
    )


_SAFE = re.compile(r"[^\w.\- ]+")


def member_name(number: int | None, title: str) -> str:
    """A file name in the .zip: ``"003 Referat af mødet.pdf"`` (CPR numbers masked, no path characters)."""
    stem = _SAFE.sub("", mask_filename(title)).strip(" .")[:80] or "dokument"
    return f"{number:03d} {stem}.pdf" if number is not None else f"000 {stem}.pdf"


def build(
    out: Path,
    *,
    sagsnummer: str,
    letter_pdf: bytes,
    documents: Iterable[PackageDocument],
    prepare: Prepare = identity,
    zip_out: Path | None = None,
    workdir: Path | None = None,
    letter_title: str = "Afgørelse med aktliste",
    pdfa: bool = True,
) -> BuiltPackage:
    """Build the package into ``out`` (and the .zip of the individual PDFs into ``zip_out``).

    ``letter_pdf`` is the decision letter as PDF; ``documents`` the released documents in aktliste order
    (read one at a time). Each file is checked as it goes into the package (its final, stripped and
    stamped bytes): the CPR rule over every page's text, or the earlier reading that covers it (the
    redactions' leak check of the burnt-in file; screening of a PDF released unchanged), and the
    redactions' leak check when redactions were burnt in. ``BuiltPackage.checks`` holds one record per
    file (see docs/release.md). Raises :class:`PackageBlocked` (a conversion failed, a check failed, or a
    bookmark shows a CPR number), with the checks made so far in ``checks``; nothing is left at ``out``
    or ``zip_out`` then. ``pdfa``: write the package as PDF/A-2b when the validator approves it
    (``BuiltPackage.conformance`` says whether it did and why not); False writes a plain PDF.
    """
    checks: list[dict[str, Any]] = []
    try:
        return _build(
            out, checks, sagsnummer, letter_pdf, documents, prepare, zip_out, workdir, letter_title, pdfa
        )
    except PackageBlocked as exc:
        exc.checks = checks
        raise


def _build(
    out: Path,
    checks: list[dict[str, Any]],
    sagsnummer: str,
    letter_pdf: bytes,
    documents: Iterable[PackageDocument],
    prepare: Prepare,
    zip_out: Path | None,
    workdir: Path | None,
    letter_title: str,
    pdfa: bool = True,
) -> BuiltPackage:
    with tempfile.TemporaryDirectory(prefix="aktflow-package-", dir=workdir) as tmp:
        folder = Path(tmp)
        files: list[tuple[str, Path]] = []
        # Stored, not deflated: each member is a PDF whose streams are compressed already (deflating them
        # again saves a few per cent and costs as much time as the merge).
        archive = zipfile.ZipFile(folder / "package.zip", "w", zipfile.ZIP_STORED) if zip_out else None
        try:
            letter, letter_pages = _prepared(letter_pdf, sagsnummer, "Afgørelse", "Afgørelsen")
            _check_file(
                checks, letter, letter_pages, None, None, member_name(None, "Afgørelse"), "Afgørelsen", []
            )
            path = folder / "0000.pdf"
            path.write_bytes(letter)
            del letter
            files.append((letter_title, path))
            if archive:
                archive.writestr(member_name(None, "Afgørelse"), path.read_bytes())
            count = 0
            for doc in documents:
                label = f"Dokument {doc.number} ('{mask(doc.title)}')"
                raw = doc.load()
                try:
                    converted = convert.to_pdf(doc.filename, raw, workdir=folder)
                except convert.ConversionError as exc:
                    raise PackageBlocked(f"{label}: {exc.message}") from None
                answer = prepare(doc, converted)
                prepared = answer if isinstance(answer, Prepared) else Prepared(answer)
                before: list[dict[str, Any]] = []
                covered: dict[str, Any] | None = None
                if prepared.leak is not None:
                    before.append(_leak_summary(prepared.leak))
                    if prepared.leak.get("ok"):
                        covered = _covered_check(
                            "leak_check",
                            "lækagekontrollen af den overstregede fil (alle dele, også CPR-numre)",
                        )
                elif (
                    doc.screened is not None
                    and prepared.pdf is raw
                    and hashlib.sha256(raw).hexdigest() == doc.screened
                ):
                    covered = _covered_check(
                        "screening",
                        "gennemgangen af den gemte fil, hvor alle dele blev læst uden CPR-numre "
                        f"(SHA-256 {doc.screened[:16]}…); filen udleveres uændret",
                    )
                del raw, converted, answer
                pdf, own_pages = _prepared(prepared.pdf, sagsnummer, f"Dokument {doc.number}", label)
                del prepared
                name = member_name(doc.number, doc.title)
                _check_file(checks, pdf, own_pages, doc.number, doc.document_id, name, label, before, covered)
                path = folder / f"{doc.number:04d}-{count:04d}.pdf"
                path.write_bytes(pdf)
                if archive:
                    archive.writestr(name, pdf)
                del pdf
                files.append((f"{doc.number}. {mask(doc.title)}", path))
                count += 1
        finally:
            if archive:
                archive.close()
        merged = folder / "package.pdf"
        starts, conformance = _merge(files, merged, pdfa=pdfa)
        pages = starts[-1]
        if any(find_cprs(title) for title in outline_titles(merged)):
            raise PackageBlocked("Udleveringspakkens bogmærker viser et CPR-nummer")
        shutil.move(merged, out)
        zip_sha = None
        if zip_out:
            shutil.move(folder / "package.zip", zip_out)
            zip_sha = sha256_of(zip_out)
        return BuiltPackage(
            path=out,
            sha256=sha256_of(out),
            size=out.stat().st_size,
            pages=pages,
            documents=count,
            zip_path=zip_out,
            zip_sha256=zip_sha,
            checks=tuple(checks),
            conformance=conformance.to_json(),
        )


def _check_file(
    checks: list[dict[str, Any]],
    pdf: bytes,
    pages: int,
    number: int | None,
    document_id: int | None,
    name: str,
    label: str,
    before: list[dict[str, Any]],
    covered: dict[str, Any] | None = None,
) -> None:
    """Check one file as it goes into the package and append its record to ``checks``; raise
    :class:`PackageBlocked` when a check failed (the record is appended first)."""
    blocked: PackageBlocked | None = None
    for check in before:
        if not check["ok"] and blocked is None:
            blocked = PackageBlocked(f"{label}: {check.get('reason') or 'lækagekontrollen fejlede'}")
    if covered is not None:
        cpr = covered
    else:
        cpr, found = _cpr_check(pdf, label)
        blocked = blocked or found
    record = {
        "file": name,
        "number": number,
        "document_id": document_id,
        "sha256": hashlib.sha256(pdf).hexdigest(),
        "pages": pages,
        "checked_at": _now(),
        "ok": blocked is None,
        "checks": [*before, cpr],
    }
    checks.append(record)
    if blocked is not None:
        raise blocked


def _prepared(pdf: bytes, sagsnummer: str, stamp_label: str, label: str) -> tuple[bytes, int]:
    """A document's final form, stripped and stamped in one pass, and its page count."""
    count: list[int] = []

    def stamp(doc: Any) -> None:
        stamp_pages(doc, sagsnummer=sagsnummer, label=stamp_label)
        count.append(len(doc.pages))

    try:
        return convert.strip(pdf, stamp), count[0]
    except convert.ConversionError as exc:
        raise PackageBlocked(f"{label}: {exc.message}") from None


def _merge(files: list[tuple[str, Path]], out: Path, *, pdfa: bool = True) -> tuple[list[int], Conformance]:
    """The files' pages, in order, into one PDF at ``out`` with one bookmark per file; returns the index of
    each file's first page, and the page count last, and whether it was written as PDF/A-2b
    (:func:`aktflow.release.pdfa.save`).

    The sources are opened from their files and stay open until the result is written (qpdf copies their
    streams then), so no document's pages are all held in memory at once. Every file carries the same
    stamp font (:func:`aktflow.release.stamp.make_font`, made from the same bytes); the package keeps one
    copy of it for all pages."""
    import pikepdf

    result = pikepdf.new()
    sources: list[Any] = []
    starts: list[int] = []
    shared: Any = None
    try:
        with result.open_outline() as outline:
            for title, path in files:
                src = pikepdf.open(path)
                sources.append(src)
                start = len(result.pages)
                starts.append(start)
                result.pages.extend(src.pages)
                outline.root.append(pikepdf.OutlineItem(title, start))
                for page in result.pages[start:]:
                    resources = page.obj.get("/Resources")
                    fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
                    if isinstance(fonts, pikepdf.Dictionary) and "/AktflowStempel" in fonts:
                        if shared is None:
                            shared = fonts.AktflowStempel
                        else:
                            fonts.AktflowStempel = shared
        result.Root.PageMode = pikepdf.Name.UseOutlines
        starts.append(len(result.pages))
        conformance = save_pdfa(
            result,
            out,
            declare=pdfa,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            deterministic_id=True,
        )
        return starts, conformance
    finally:
        result.close()
        for src in sources:
            src.close()
