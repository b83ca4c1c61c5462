"""Each released document as a clean PDF: converted from its format, then stripped of what is not shown.

Conversion (:func:`to_pdf`): office files (.docx, .doc, .odt, .rtf, .xlsx, .xls, .ods) and text files
(.txt) go through LibreOffice headless as PDF/A-2b, one LibreOffice profile per call, in a process group
of its own that is killed after ``timeout`` seconds, with its address space limited to ``memory`` bytes;
e-mails (.eml, .msg) are written as a page with their headers (Fra, Til, Cc, Dato, Emne) and their body,
converted the same way (their attachments are documents of their own on the case); images (.png, .jpg,
.jpeg, .tif, .tiff, .gif, .bmp) become one page per frame with Pillow; a PDF is taken as it is. Without
LibreOffice a file that needs it cannot be converted: :class:`ConversionError` says so in Danish.

Stripping (:func:`strip`, with pikepdf over qpdf): the document information and the XMP packet, every
annotation (comments, links, pop-ups, file attachments) and form field (the fields are removed with their
values, not flattened: a value that is to be released must be in the page itself), embedded files,
JavaScript and every other action, hidden layers (content in an optional-content group that is off is
removed from the page; the layers' definitions go), thumbnails, page-piece data, structure and outlines of
the original, and any earlier revision: the file is written anew from its reachable objects only, never as
an incremental update, so nothing the page does not show survives. See docs/release.md.
"""

from __future__ import annotations

import email
import email.policy
import html
import io
import os
import resource
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import AktflowError

#: Seconds one LibreOffice conversion may take before its process group is killed.
TIMEOUT = 120
#: Bytes of address space one LibreOffice conversion may use.
MEMORY = 3 * 1024**3

OFFICE = frozenset({".docx", ".doc", ".odt", ".rtf", ".xlsx", ".xls", ".ods", ".txt"})
MAIL = frozenset({".eml", ".msg"})
IMAGES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".bmp"})
PDF = frozenset({".pdf"})

_PDFA = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'
_CALC_PDFA = 'pdf:calc_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'
_SHEETS = frozenset({".xlsx", ".xls", ".ods"})

NO_LIBREOFFICE = (
    "LibreOffice er ikke installeret på serveren, så {what} kan ikke gøres til PDF, og "
    "udleveringspakken kan ikke dannes. Installér LibreOffice (fx pakken libreoffice-writer-nogui)."
)


class ConversionError(AktflowError):
    """A released file could not be made into a clean PDF; ``message`` says why, in Danish."""

    exit_code = 3
    http_status = 422


def soffice() -> str | None:
    """The LibreOffice executable (``soffice`` or ``libreoffice`` on PATH), or None when not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def extension(filename: str) -> str:
    """The lower-case extension of ``filename`` with its dot (``".docx"``); ``""`` when there is none."""
    return Path(filename or "").suffix.lower()


def supported(filename: str) -> bool:
    """Whether :func:`to_pdf` converts files of this name's type."""
    return extension(filename) in OFFICE | MAIL | IMAGES | PDF


def needs_libreoffice(filename: str) -> bool:
    """Whether converting ``filename`` needs LibreOffice (office files, text files and e-mails)."""
    return extension(filename) in OFFICE | MAIL


def to_pdf(
    filename: str, data: bytes, *, timeout: float = TIMEOUT, memory: int = MEMORY, workdir: Path | None = None
) -> bytes:
    """``data`` (a file named ``filename``) as PDF bytes, not yet stripped (see :func:`released_pdf`).

    Raises :class:`ConversionError` for a type that is not converted, a file that cannot be read,
    LibreOffice missing, failing, or taking longer than ``timeout`` seconds.
    """
    ext = extension(filename)
    if ext in PDF:
        return data
    if ext in IMAGES:
        return image_to_pdf(data, filename)
    if ext in MAIL:
        page = mail_html(data, msg=ext == ".msg")
        return office_to_pdf(
            "mail.html", page, timeout=timeout, memory=memory, workdir=workdir, what="e-mailen"
        )
    if ext in OFFICE:
        return office_to_pdf(
            f"document{ext}", data, timeout=timeout, memory=memory, workdir=workdir, what=f"filen ({ext})"
        )
    raise ConversionError(
        f"Filtypen {ext or '(ingen)'} kan ikke gøres til PDF til udlevering; "
        "gem dokumentet som PDF og tilføj det igen"
    )


def released_pdf(filename: str, data: bytes, **kw: Any) -> bytes:
    """The released form of one stored file: :func:`to_pdf`, then :func:`strip`. Raises ConversionError."""
    return strip(to_pdf(filename, data, **kw))


def _limit_memory(memory: int) -> Any:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return apply


def office_to_pdf(
    name: str,
    data: bytes,
    *,
    timeout: float = TIMEOUT,
    memory: int = MEMORY,
    workdir: Path | None = None,
    what: str = "filen",
) -> bytes:
    """A file LibreOffice opens (its type read from ``name``'s extension) as PDF/A-2b.

    Each call has its own LibreOffice profile in a temporary folder, so parallel workers never share one.
    Raises :class:`ConversionError` (in Danish, naming ``what``) when LibreOffice is missing, fails, or runs
    out of ``timeout`` seconds or ``memory`` bytes.
    """
    exe = soffice()
    if exe is None:
        raise ConversionError(NO_LIBREOFFICE.format(what=what))
    ext = extension(name)
    target = _CALC_PDFA if ext in _SHEETS else _PDFA
    with tempfile.TemporaryDirectory(prefix="aktflow-release-", dir=workdir) as tmp:
        tmpdir = Path(tmp)
        src = tmpdir / name
        src.write_bytes(data)
        cmd = [
            exe,
            f"-env:UserInstallation={(tmpdir / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
        ]
        if ext == ".html":
            cmd.append("--infilter=HTML (StarWriter)")
        cmd += ["--convert-to", target, "--outdir", str(tmpdir / "out"), str(src)]
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            cwd=tmpdir,
            preexec_fn=_limit_memory(memory),  # noqa: PLW1509 - only setrlimit, before exec
        )
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise ConversionError(
                f"LibreOffice kunne ikke gøre {what} til PDF inden for {timeout:g} sekunder"
            ) from None
        out = tmpdir / "out" / (Path(name).stem + ".pdf")
        if proc.returncode != 0 or not out.exists():
            raise ConversionError(
                f"LibreOffice kunne ikke gøre {what} til PDF (filen er måske beskadiget eller beskyttet)"
            )
        return out.read_bytes()


def image_to_pdf(data: bytes, filename: str = "billede") -> bytes:
    """An image as a PDF, one page per frame (a multi-page TIFF keeps its pages), at the image's resolution
    (72 dpi when it declares none). Raises ConversionError for a file Pillow cannot read."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            dpi = im.info.get("dpi", (72, 72))
            frames = [_flat(frame.copy()) for frame in ImageSequence.Iterator(im)]
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ConversionError("Billedet kan ikke læses og kan derfor ikke gøres til PDF") from None
    out = io.BytesIO()
    resolution = float(dpi[0] or 72) if isinstance(dpi, tuple) else 72.0
    frames[0].save(out, "PDF", save_all=True, append_images=frames[1:], resolution=resolution)
    return out.getvalue()


def _flat(frame: Any) -> Any:
    """A frame Pillow can write to PDF: RGB (or grey/bilevel) without transparency (on white)."""
    from PIL import Image

    if frame.mode in ("1", "L", "RGB", "CMYK"):
        return frame
    if frame.mode in ("RGBA", "LA", "PA") or "transparency" in frame.info:
        rgba = frame.convert("RGBA")
        white = Image.new("RGB", rgba.size, "white")
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return frame.convert("RGB")


MAIL_HEADERS = (("From", "Fra"), ("To", "Til"), ("Cc", "Cc"), ("Date", "Dato"), ("Subject", "Emne"))


def mail_headers_and_body(data: bytes, *, msg: bool = False) -> tuple[list[tuple[str, str]], str]:
    """An e-mail's headers (Danish label, value; only those present) and its text body.

    The body is the text/plain part, else the text of the HTML part; attachments are not part of it (they
    are documents of their own). Raises ConversionError for an .msg file that cannot be read.
    """
    from ..extraction.mail import html_text

    if msg:
        import extract_msg

        try:
            m: Any = extract_msg.openMsg(io.BytesIO(data))
        except Exception:  # noqa: BLE001 - extract-msg raises many kinds for a broken file
            raise ConversionError("E-mailen (.msg) kan ikke læses og kan derfor ikke gøres til PDF") from None
        try:
            values = {
                "From": m.sender,
                "To": m.to,
                "Cc": m.cc,
                "Date": str(m.date) if m.date else "",
                "Subject": m.subject,
            }
            body = m.body or ""
            if not body.strip() and getattr(m, "htmlBody", None):
                raw = m.htmlBody
                body = html_text(raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw))
        finally:
            m.close()
    else:
        parsed = email.message_from_bytes(data, policy=email.policy.default)
        values = {key: str(parsed.get(key, "") or "") for key, _ in MAIL_HEADERS}
        body = ""
        part = parsed.get_body(preferencelist=("plain", "html"))
        if part is not None:
            try:
                content = part.get_content()
            except (LookupError, ValueError):
                payload = part.get_payload(decode=True) or b""
                content = payload.decode("latin-1", "replace") if isinstance(payload, bytes) else str(payload)
            body = html_text(content) if part.get_content_type() == "text/html" else str(content)
    headers = [(label, str(values.get(key) or "").strip()) for key, label in MAIL_HEADERS]
    return [(label, value) for label, value in headers if value], body


def mail_html(data: bytes, *, msg: bool = False) -> bytes:
    """An e-mail as a small HTML page (headers as a table, the body as preformatted text), for LibreOffice.

    Every value is escaped: the e-mail's text is data, never markup.
    """
    headers, body = mail_headers_and_body(data, msg=msg)
    rows = "".join(
        f"<tr><th align='left' valign='top'>{html.escape(label)}:</th><td>{html.escape(value)}</td></tr>"
        for label, value in headers
    )
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>E-mail</title></head><body>"
        f"<table>{rows}</table><hr>"
        f"<pre style='white-space: pre-wrap; font-family: sans-serif'>{html.escape(body)}</pre>"
        "</body></html>"
    )
    return page.encode("utf-8")


# --- stripping ---------------------------------------------------------------------------------------------

_ROOT_KEYS = (
    "/Metadata",
    "/Names",
    "/OpenAction",
    "/AA",
    "/AcroForm",
    "/OCProperties",
    "/Outlines",
    "/PieceInfo",
    "/StructTreeRoot",
    "/MarkInfo",
    "/Threads",
    "/SpiderInfo",
    "/URI",
    "/Perms",
    "/Legal",
    "/Collection",
    "/Dests",
    "/PageLabels",
    "/Requirements",
    "/AF",
)
_PAGE_KEYS = ("/Annots", "/AA", "/PieceInfo", "/Metadata", "/Thumb", "/B", "/StructParents", "/AF", "/Trans")
_OBJECT_KEYS = ("/Metadata", "/PieceInfo", "/OC", "/AF", "/StructParent", "/StructParents")


def strip(pdf: bytes, finish: Callable[[Any], None] | None = None) -> bytes:
    """``pdf`` rewritten without anything the pages do not show (see the module's docstring).

    What a visible page draws stays as it was (text stays selectable). ``finish`` is called with the new
    ``pikepdf.Pdf`` before it is written (the package stamps its pages there, in the same pass). Raises
    ConversionError for a file that cannot be opened (broken, or protected by a password).
    """
    import pikepdf

    try:
        src = pikepdf.open(io.BytesIO(pdf))
    except pikepdf.PasswordError:
        raise ConversionError(
            "PDF-filen er beskyttet med adgangskode og kan ikke udleveres; gem den uden adgangskode"
        ) from None
    except pikepdf.PdfError:
        raise ConversionError("PDF-filen kan ikke læses (filen er beskadiget)") from None
    with src:
        hidden = _hidden_groups(src)
        for page in src.pages:
            _remove_hidden(src, page, hidden)
            for key in _PAGE_KEYS:
                if key in page.obj:
                    del page.obj[key]
        root = src.Root
        for key in _ROOT_KEYS:
            if key in root:
                del root[key]
        if "/Info" in src.trailer:
            del src.trailer["/Info"]
        # Fresh copies of the pages: the new file holds what the pages reach, and nothing else.
        out = pikepdf.new()
        with out:
            out.pages.extend(src.pages)
            for obj in out.objects:
                if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                    for key in _OBJECT_KEYS:
                        if key in obj:
                            del obj[key]
            out.remove_unreferenced_resources()
            if finish is not None:
                finish(out)
            buf = io.BytesIO()
            out.save(
                buf,
                fix_metadata_version=False,
                compress_streams=True,
                object_stream_mode=pikepdf.ObjectStreamMode.generate,
                deterministic_id=True,
            )
            return buf.getvalue()


def _hidden_groups(pdf: Any) -> set[tuple[int, int]]:
    """The object ids of the optional-content groups that are off by default (``/OCProperties /D /OFF``),
    and of those not listed as on when the default is to hide (``/BaseState /OFF``)."""
    import pikepdf

    props = pdf.Root.get("/OCProperties")
    if not isinstance(props, pikepdf.Dictionary):
        return set()
    groups = [g for g in props.get("/OCGs", []) if isinstance(g, pikepdf.Dictionary)]
    default = props.get("/D", pikepdf.Dictionary())
    off = {g.objgen for g in default.get("/OFF", []) if isinstance(g, pikepdf.Dictionary)}
    if str(default.get("/BaseState", "/ON")) == "/OFF":
        on = {g.objgen for g in default.get("/ON", []) if isinstance(g, pikepdf.Dictionary)}
        off |= {g.objgen for g in groups if g.objgen not in on}
    return off


def _is_hidden(oc: Any, hidden: set[tuple[int, int]]) -> bool:
    """Whether an /OC entry (a group, or a membership dictionary over groups) is hidden by default.

    A membership dictionary is read on the safe side: hidden when any of its groups is hidden."""
    import pikepdf

    if not isinstance(oc, pikepdf.Dictionary):
        return False
    if oc.objgen in hidden:
        return True
    members = oc.get("/OCGs")
    if isinstance(members, pikepdf.Array):
        return any(isinstance(m, pikepdf.Dictionary) and m.objgen in hidden for m in members)
    if isinstance(members, pikepdf.Dictionary):
        return members.objgen in hidden
    return False


def _remove_hidden(pdf: Any, page: Any, hidden: set[tuple[int, int]], depth: int = 0) -> None:
    """Remove from ``page`` (a page or a form XObject) what a hidden layer draws: marked content
    ``/OC /name BDC … EMC`` whose group is hidden, and the XObjects with a hidden /OC that it paints."""
    import pikepdf

    if not hidden or depth > 8:
        return
    is_page = isinstance(page, pikepdf.Page)
    resources = page.resources if is_page else page.get("/Resources", pikepdf.Dictionary())
    props = resources.get("/Properties", pikepdf.Dictionary())
    xobjects = resources.get("/XObject", pikepdf.Dictionary())
    hidden_x = {name for name, x in xobjects.items() if _is_hidden(x.get("/OC"), hidden)}
    for name, x in xobjects.items():
        if name not in hidden_x and x.get("/Subtype") == "/Form":
            _remove_hidden(pdf, x, hidden, depth + 1)
    ops: list[Any] = list(pikepdf.parse_content_stream(page))
    kept: list[Any] = []
    skipping = 0
    changed = False
    for item in ops:
        operands, op = item.operands, str(item.operator)
        if skipping:
            changed = True
            if op in ("BDC", "BMC"):
                skipping += 1
            elif op == "EMC":
                skipping -= 1
            continue
        if op == "BDC" and len(operands) == 2 and str(operands[0]) == "/OC":
            target = operands[1]
            group = props.get(str(target)) if isinstance(target, pikepdf.Name) else target
            if _is_hidden(group, hidden):
                skipping = 1
                changed = True
                continue
        if op == "Do" and operands and str(operands[0]) in hidden_x:
            changed = True
            continue
        kept.append(item)
    if changed:
        data = pikepdf.unparse_content_stream(kept)
        if is_page:
            page.obj.Contents = pdf.make_stream(data)
        else:
            page.write(data)
