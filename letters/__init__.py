"""Letters: one Word template per kind, filled with values composed from the case.

    render(kind, ctx)           -> .docx bytes (the shipped template, or an administrator's own)
    compose(kind, ctx)          -> the template variables (all logic; see letters/compose.py)
    check_template(kind, data)  -> Danish problems with an uploaded template; [] when it may be used
    to_pdf(docx)                -> PDF/A bytes via LibreOffice, or None where LibreOffice is absent
    fingerprint(docx)           -> the letter's SHA-256 (hex): the same inputs give the same bytes

Rendering is deterministic: the same template and the same values give the same bytes (the .docx's zip
entries carry a fixed time, :data:`ZIP_TIME`, and nothing random enters), so a letter's SHA-256 names
its content. The preview a caseworker confirms and the letter sent are compared by it, and the archive
gets the same SHA-256 for the same letter. "Today" enters only as the letter's date, ``ctx["today"]``.

An administrator's template is rendered bounded in time, memory and size in a child process
(letters/bounded.py); one that exceeds a bound is refused at upload (a trial rendering with the sample
case) or, at render, raises ``RenderRefused`` with a Danish sentence. Templates are rendered by docxtpl in a sandboxed Jinja
environment with autoescaping on: requester text
only ever enters as a context value, so ``{{ 7*7 }}``, ``&`` and ``<`` in it come out literally, and an
uploaded template cannot reach Python internals. ``letters/build_templates.py`` regenerates the shipped
templates in ``letters/templates/``.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from aktflow.exits import mask

from .bounded import RenderLimits, RenderRefused, bounded_binop, run_bounded
from .compose import KINDS, as_date, check_kind, compose, danish_date, sample_context

__all__ = [
    "KINDS",
    "RenderLimits",
    "RenderRefused",
    "as_date",
    "check_template",
    "compose",
    "danish_date",
    "filename",
    "fingerprint",
    "known_variables",
    "render",
    "sample_context",
    "template_bytes",
    "to_pdf",
]

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
PDF_TIMEOUT = 60
#: The address space LibreOffice may take for one conversion (bytes), set with util-linux's ``prlimit``
#: where it is installed; with the time limit it bounds what one letter (or a hostile template) costs.
PDF_MEMORY = 1536 * 1024 * 1024
_PDFA_FILTER = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
#: The time every zip entry of a rendered letter carries (the zip format's earliest), so that the same
#: letter is the same bytes whenever it is rendered.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class _Environment(ImmutableSandboxedEnvironment):
    """The sandboxed environment, keeping the templates it compiled: docxtpl hands it each part's XML as a
    string on every render, and compiling that XML was a fifth of a letter's time. Keyed by the source, so
    an uploaded template is compiled anew."""

    CACHE_SIZE = 64
    # Arithmetic that could make a huge string or number is checked (letters/bounded.py).
    intercepted_binops = frozenset(["*", "**", "+"])

    def __init__(self) -> None:
        super().__init__(autoescape=True)
        self._compiled: dict[str, Any] = {}
        self._lock = threading.Lock()

    def call_binop(self, context, operator, left, right):  # noqa: ARG002 - Jinja's signature
        return bounded_binop(operator, left, right)

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002 - Jinja's signature
        if globals or template_class or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        found = self._compiled.get(source)
        if found is None:
            found = super().from_string(source)
            with self._lock:
                while len(self._compiled) >= self.CACHE_SIZE:
                    self._compiled.pop(next(iter(self._compiled)))
                self._compiled[source] = found
        return found


_ENV = _Environment()


def _env() -> ImmutableSandboxedEnvironment:
    return _ENV


@cache
def _shipped(kind: str) -> bytes:
    return (TEMPLATE_DIR / f"{kind}.docx").read_bytes()


def template_bytes(kind: str) -> bytes:
    """The shipped template of this kind."""
    check_kind(kind)
    return _shipped(kind)


def _render(template: bytes, values: dict[str, Any]) -> bytes:
    doc = DocxTemplate(io.BytesIO(template))
    doc.render(values, jinja_env=_env(), autoescape=True)
    if doc.pics_to_replace or doc.crc_to_new_media or doc.crc_to_new_embedded or doc.zipname_to_replace:
        out = io.BytesIO()  # docxtpl rewrites the saved zip itself; the letters replace no media
        doc.save(out)
        return _fixed_zip(out.getvalue())
    return _save_fixed(doc)


class _FixedZipWriter:
    """python-docx's physical package writer, writing each entry as :func:`_fixed_zip` does (at
    :data:`ZIP_TIME`, deflated, mode 0600): the letter is zipped once instead of zipped, read and zipped
    again, and the bytes are the same."""

    def __init__(self, out: io.BytesIO) -> None:
        self._zipf = zipfile.ZipFile(out, "w")

    def write(self, pack_uri: Any, blob: bytes) -> None:
        info = zipfile.ZipInfo(pack_uri.membername, date_time=ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        self._zipf.writestr(info, blob)

    def close(self) -> None:
        self._zipf.close()


def _save_fixed(doc: DocxTemplate) -> bytes:
    """The rendered document's package written as python-docx's ``OpcPackage.save`` writes it (content
    types, package relationships, then each part and its relationships, in order), through
    :class:`_FixedZipWriter`."""
    from docx.opc.pkgwriter import PackageWriter

    package = doc.docx.part.package
    for part in package.parts:
        part.before_marshal()
    out = io.BytesIO()
    writer = _FixedZipWriter(out)
    PackageWriter._write_content_types_stream(writer, package.parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    PackageWriter._write_parts(writer, package.parts)
    writer.close()
    doc.is_saved = True
    return out.getvalue()


def _fixed_zip(docx: bytes) -> bytes:
    """The .docx with every zip entry's time set to :data:`ZIP_TIME` and the same attributes and
    compression for all, entries in their order: python-docx stamps each entry with the time of saving."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info))
    return out.getvalue()


def fingerprint(docx: bytes) -> str:
    """The letter's fingerprint: the SHA-256 of its .docx bytes, 64 lowercase hex digits. It is the
    ``sha256`` a stored letter carries, and what a confirmed preview is compared with."""
    return hashlib.sha256(docx).hexdigest()


def render(kind: str, ctx: dict, template: bytes | None = None) -> bytes:
    """The letter as .docx bytes; ``template`` replaces the shipped one (an administrator's upload).

    An uploaded ``template`` is rendered in a bounded child process and raises :class:`RenderRefused`
    (a ``WorkflowError``) when it takes too long or too much memory, makes too large a letter or computes too
    large a value. Every value composed for the template passes the exit filter (:func:`aktflow.exits.mask`), so no CPR
    number reaches the letter's body, tables, headers or footers, whatever the case holds (the request's
    subject, a document's title, sender or recipient, a note).
    """
    values = mask(compose(kind, ctx))
    if template is None:  # the shipped templates are ours: their cost is measured (make bench), not bounded
        return _render(template_bytes(kind), values)
    # An administrator's template is bounded in time, memory and size (letters/bounded.py); over a bound it
    # raises RenderRefused, a WorkflowError with a Danish sentence.
    return run_bounded(lambda: _render(template, values))


def known_variables(kind: str) -> set[str]:
    """The variables a template of this kind may use."""
    return set(compose(kind, sample_context(kind)))


def check_template(kind: str, data: bytes) -> list[str]:
    """Danish problems that keep this file from being used as the template of ``kind``; [] when none."""
    check_kind(kind)
    try:
        doc = DocxTemplate(io.BytesIO(data))
        doc.init_docx()
    except Exception:  # noqa: BLE001 - any failure to open means the same to the administrator
        return ["Filen kan ikke åbnes som et Word-dokument (.docx)."]
    env = _env()
    try:
        used = doc.get_undeclared_template_variables(jinja_env=env)
    except TemplateSyntaxError as exc:
        return [f"Skabelonen har en fejl i en flettekode: {exc.message}."]
    except Exception as exc:  # noqa: BLE001
        return [f"Skabelonen kan ikke læses: {exc}."]
    problems = [
        f"Ukendt flettefelt: {{{{ {name} }}}}. Det findes ikke for brevtypen {kind}."
        for name in sorted(used - known_variables(kind) - set(env.globals))
    ]
    sample = compose(kind, sample_context(kind))
    try:  # a trial rendering with the sample case, within the same bounds as a real letter
        run_bounded(lambda: _render(data, sample))
    except RenderRefused as exc:
        problems.append(exc.detail)
    return problems


def filename(kind: str, ctx: dict) -> str:
    """A safe file name, e.g. "afgoerelse-15.17.12-A53-1-26.docx"."""
    check_kind(kind)
    case = ctx.get("case") or {}
    ref = str(case.get("sagsnummer") or (f"sag-{case['id']}" if case.get("id") is not None else "sag"))
    ref = _UNSAFE.sub("-", mask(ref)).strip(".-") or "sag"
    return f"{kind}-{ref[:100]}.docx"


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx: bytes, workdir: Path | None = None) -> bytes | None:
    """PDF/A-2 of a .docx via LibreOffice headless; None when LibreOffice is not installed.

    Each call uses its own LibreOffice profile, so parallel workers do not clash. Raises RuntimeError when
    the conversion fails or takes longer than ``PDF_TIMEOUT`` seconds (the whole process group is killed);
    its memory is bounded by :data:`PDF_MEMORY` (through ``prlimit``, where installed). Call it outside a
    database transaction: a conversion takes seconds.
    """
    exe = _soffice()
    if exe is None:
        return None
    with tempfile.TemporaryDirectory(prefix="aktflow-pdf-", dir=workdir) as tmp:
        tmpdir = Path(tmp)
        src = tmpdir / "letter.docx"
        src.write_bytes(docx)
        limit = shutil.which("prlimit")
        bound = [limit, f"--as={PDF_MEMORY}", "--"] if limit else []
        cmd = [
            *bound,
            exe,
            f"-env:UserInstallation={(tmpdir / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            _PDFA_FILTER,
            "--outdir",
            str(tmpdir),
            str(src),
        ]
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, cwd=tmpdir
        )
        try:
            _, err = proc.communicate(timeout=PDF_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise RuntimeError(f"LibreOffice did not convert the letter within {PDF_TIMEOUT} s") from None
        pdf = tmpdir / "letter.pdf"
        if proc.returncode != 0 or not pdf.exists():
            raise RuntimeError(
                f"LibreOffice could not convert the letter (exit {proc.returncode}): "
                f"{err.decode(errors='replace').strip()[:500]}"
            )
        return pdf.read_bytes()
