"""PDF (pypdf; pypdfium2 renders pages for OCR): every place a PDF keeps text.

Read: the text layer of each page ("Side N"), with letter-spaced text rejoined (pypdf gives
``1 2 0 3 8 5 - 1 2 3 7`` or one character per line for it; the part keeps the raw text and adds the
rejoined lines after it); a page with no usable text layer is rendered and OCR'ed ("Side N (OCR)");
form fields ("Formularfelt 'navn'"); annotations and their popups ("Kommentar, side N"); the document
information ("Metadata") and the XMP packet ("XMP-metadata"); embedded files (the /EmbeddedFiles name tree
and file-attachment annotations) as children. An encrypted file is opened with the empty password (AES
included); one that needs a password is refused.
"""

from __future__ import annotations

import hashlib
import io
import re
import zlib
from typing import Any

from ..pdf_engines import LOCK
from .limits import UNREAD, Budget, Collector, Limits, Part, Refused, count, over
from .ocr import ocr_image, unread
from .zipped import TextCollector, parse_bytes

# A page with fewer non-space characters than this in its text layer is treated as a scan; so is a page
# with less than SCAN_TEXT characters that draws a large image (a typed heading above a scanned letter).
MIN_TEXT = 10
SCAN_TEXT = 300
LARGE_IMAGE = 500 * 500  # pixels
DPI = 300
MAX_RENDER_PIXELS = 40_000_000  # ~ A3 at 300 dpi; larger pages are rendered at a lower resolution

INFO_LABELS = {
    "/Title": "Titel",
    "/Author": "Forfatter",
    "/Subject": "Emne",
    "/Keywords": "Nøgleord",
    "/Creator": "Program",
    "/Producer": "Producent",
}
_SPACED = re.compile(r"(?<!\S)(?:\S[ \u00a0]){2,}\S(?!\S)")
_GAP = re.compile(r"[ \u00a0]{2,}|\t")

PASSWORD = (
    "PDF-filen er beskyttet med adgangskode og kan ikke læses; gem den uden adgangskode "
    "(eller udskriv den til PDF) og prøv igen"
)


def rejoin(text: str) -> str:
    """The lines of ``text`` that were letter-spaced, rejoined; empty when there were none.

    ``1 2 0 3 8 5 - 1 2 3 7`` becomes ``120385-1237`` (runs of three or more single characters separated by
    single spaces; two or more spaces separate words), and a run of three or more lines of one character
    each becomes one line.
    """
    out: list[str] = []
    run: list[str] = []
    for line in text.split("\n"):
        stripped = line.strip()
        if len(stripped) == 1:
            run.append(stripped)
            continue
        if len(run) >= 3:
            out.append("".join(run))
        run = []
        words = [
            _SPACED.sub(lambda m: re.sub(r"[ \u00a0]", "", m.group(0)), seg) for seg in _GAP.split(stripped)
        ]
        joined = " ".join(w for w in words if w)
        if joined != " ".join(w for w in _GAP.split(stripped) if w):
            out.append(joined)
    if len(run) >= 3:
        out.append("".join(run))
    return "\n".join(out)


def _pypdf_limits(limits: Limits) -> None:
    """Cap pypdf's own stream limits at ``max_unpacked`` (a stream that inflates without end stops there)."""
    from pypdf import filters

    cap = min(limits.max_unpacked, 75_000_000)
    for name in (
        "ZLIB_MAX_OUTPUT_LENGTH",
        "MAX_DECLARED_STREAM_LENGTH",
        "MAX_ARRAY_BASED_STREAM_OUTPUT_LENGTH",
        "LZW_MAX_OUTPUT_LENGTH",
        "RUN_LENGTH_MAX_OUTPUT_LENGTH",
        "JBIG2_MAX_OUTPUT_LENGTH",
    ):
        if hasattr(filters, name):
            setattr(filters, name, cap)


def _s(value: Any) -> str:
    """A PDF value as plain text (strings, names, numbers, lists of those)."""
    if value is None:
        return ""
    try:
        value = value.get_object()
    except AttributeError:
        pass
    if isinstance(value, (list, tuple)):
        return ", ".join(_s(v) for v in value)
    if isinstance(value, bytes):
        return value.decode("latin-1", errors="replace")
    return str(value)


def read_pdf(data: bytes, budget: Budget, out: Collector) -> None:
    """Read a PDF into ``out`` (see the module's docstring). Raises :class:`Refused`."""
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PdfReadError

    limits = budget.limits
    _pypdf_limits(limits)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = bool(reader.decrypt(""))
            except Exception:  # noqa: BLE001 - an unsupported or broken encryption
                opened = False
            if not opened:
                raise Refused(PASSWORD)
        declared = _declared_pages(reader)
        if declared > limits.max_pages:
            raise over("max_pages", limits, f"PDF-filen har {count(declared)} sider")
        pages = len(reader.pages)
        if pages > limits.max_pages:
            raise over("max_pages", limits, f"PDF-filen har {count(pages)} sider")
        _metadata(reader, budget, out)
        _fields(reader, out)
        for index in range(pages):
            _page(reader, data, index, budget, out)
        _embedded(reader, out)
    except Refused:
        raise
    except LimitReachedError:
        raise over("max_unpacked", limits, "en del af PDF-filen pakker sig ud til mere end grænsen") from None
    except MemoryError:
        raise
    except (PdfReadError, Exception):  # noqa: BLE001 - pypdf raises many kinds on a broken file
        raise Refused("PDF-filen kan ikke læses (filen er beskadiget)") from None


def _declared_pages(reader: Any) -> int:
    """The page count the page tree declares (read before the tree is walked)."""
    try:
        return int(reader.trailer["/Root"]["/Pages"].get("/Count", 0))
    except (KeyError, TypeError, ValueError, AttributeError):
        return 0


def _page(reader: Any, data: bytes, index: int, budget: Budget, out: Collector) -> None:
    from pypdf.errors import LimitReachedError

    label = f"Side {index + 1}"
    page = reader.pages[index]
    _measure_contents(page, budget)
    try:
        raw = page.extract_text() or ""
    except LimitReachedError:
        raise
    except Exception:  # noqa: BLE001 - one broken page: the rest is still read, this one is unread
        out.parts.append(Part(label, "", read=False, reason=f"{UNREAD} (siden kunne ikke læses)"))
        return
    budget.add_chars(len(raw))
    joined = rejoin(raw)
    text = raw + ("\n" + joined if joined else "")
    visible = sum(not c.isspace() for c in raw)
    if visible >= SCAN_TEXT or (visible >= MIN_TEXT and not _large_image(page)):
        out.add(label, text)
    else:
        if raw.strip():
            out.add(label, text)
        out.parts.append(_ocr_page(data, index, f"{label} (OCR)", budget))
    _annotations(page, index, out)


def _measure_contents(page: Any, budget: Budget) -> None:
    """Inflate the page's Flate-compressed content streams and the form XObjects they draw, without keeping
    the output, counting every byte against ``max_unpacked``: a stream that inflates without end is refused
    before pypdf parses it."""
    streams: list[Any] = []
    seen: set[int] = set()
    try:
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        streams += list(contents) if isinstance(contents, list) else [contents]
        _forms(page.get("/Resources"), streams, seen)
    except Exception:  # noqa: BLE001 - a broken reference: pypdf reports it when it reads the page
        pass
    for ref in streams:
        try:
            obj = ref.get_object() if ref is not None else None
            filters = obj.get("/Filter") if obj is not None else None
            first = filters[0] if isinstance(filters, list) and filters else filters
            raw = getattr(obj, "_data", b"") or b""
        except Exception:  # noqa: BLE001
            continue
        if first not in ("/FlateDecode", "/Fl") or not raw:
            continue
        inflater = zlib.decompressobj()
        data = raw
        while data:
            try:
                block = inflater.decompress(data, 1 << 20)
            except zlib.error:
                break
            budget.add_unpacked(len(block))
            data = inflater.unconsumed_tail
            if not block and not data:
                break


def _large_image(page: Any) -> bool:
    """True when the page (or a form it draws) has an image of at least :data:`LARGE_IMAGE` pixels."""
    objects: list[Any] = [page]
    try:
        _forms(page.get("/Resources"), objects, set())
        for obj in objects:
            resources = obj.get("/Resources")
            xobjects = resources.get_object().get("/XObject") if resources is not None else None
            for ref in xobjects.get_object().values() if xobjects is not None else []:
                image = ref.get_object()
                if image.get("/Subtype") == "/Image":
                    if int(image.get("/Width", 0)) * int(image.get("/Height", 0)) >= LARGE_IMAGE:
                        return True
    except Exception:  # noqa: BLE001 - a broken resource: treated as no image
        return False
    return False


def _forms(resources: Any, out: list[Any], seen: set[int], depth: int = 0) -> None:
    """The form XObjects reachable from ``resources`` (each once, at most 20 levels deep) into ``out``."""
    if resources is None or depth > 20:
        return
    xobjects = resources.get_object().get("/XObject")
    if xobjects is None:
        return
    for ref in xobjects.get_object().values():
        obj = ref.get_object()
        if id(obj) in seen or obj.get("/Subtype") != "/Form":
            continue
        seen.add(id(obj))
        out.append(obj)
        _forms(obj.get("/Resources"), out, seen, depth + 1)


def _ocr_page(data: bytes, index: int, label: str, budget: Budget) -> Part:
    """Render page ``index`` with pypdfium2 (at most 300 dpi and :data:`MAX_RENDER_PIXELS`) and OCR it."""
    if not budget.limits.ocr:
        return unread(label, "siden har ingen tekst, og OCR er slået fra, AKTFLOW_OCR")
    try:
        import pypdfium2 as pdfium  # type: ignore[import-untyped]

        with LOCK:  # pdfium is not thread-safe (aktflow.pdf_engines)
            doc = pdfium.PdfDocument(data, password="")
            try:
                page = doc[index]
                width, height = page.get_size()  # points
                scale = DPI / 72
                pixels = width * scale * height * scale
                if pixels > MAX_RENDER_PIXELS:
                    scale *= (MAX_RENDER_PIXELS / pixels) ** 0.5
                image = page.render(scale=scale, grayscale=True).to_pil()
            finally:
                doc.close()
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - a page pdfium cannot draw is unread, not clean
        return unread(label, "siden kunne ikke tegnes til OCR")
    return ocr_image(image, label, budget)


def _annotations(page: Any, index: int, out: Collector) -> None:
    lines: list[str] = []
    try:
        annots = page.get("/Annots")
        annots = annots.get_object() if annots is not None else []
    except Exception:  # noqa: BLE001
        return
    for ref in annots or []:
        try:
            annot = ref.get_object()
            subtype = _s(annot.get("/Subtype"))
            if subtype in ("/Widget", "/Popup"):  # form fields are read as fields; a popup shows its parent
                continue
            if subtype == "/FileAttachment":
                _file_spec(annot.get("/FS"), out)
            author = _s(annot.get("/T")).strip()
            text = _s(annot.get("/Contents")).strip()
            uri = ""
            action = annot.get("/A")
            if action is not None:
                uri = _s(action.get_object().get("/URI"))
            body = " ".join(x for x in (text, uri) if x)
            if body:
                lines.append(f"{author}: {body}" if author else body)
        except Refused:
            raise
        except Exception:  # noqa: BLE001 - one broken annotation does not stop the page
            continue
    out.add(f"Kommentar, side {index + 1}", "\n".join(lines))


def _fields(reader: Any, out: Collector) -> None:
    try:
        fields = reader.get_fields() or {}
    except Exception:  # noqa: BLE001
        return
    for name, field in fields.items():
        value = _s(field.get("/V")).strip()
        if value and value not in ("/Off",):
            out.budget.add_part("formularfelter")
            out.add(f"Formularfelt '{name}'", value.lstrip("/"))


def _metadata(reader: Any, budget: Budget, out: Collector) -> None:
    lines: list[str] = []
    try:
        info = reader.metadata or {}
        for key, value in info.items():
            text = _s(value).strip()
            if text and not key.endswith("Date"):
                lines.append(f"{INFO_LABELS.get(key, key.lstrip('/'))}: {text}")
    except Exception:  # noqa: BLE001
        pass
    out.add("Metadata", "\n".join(lines))
    try:
        stream = reader.trailer["/Root"].get("/Metadata")
        xmp = stream.get_object().get_data() if stream is not None else b""
    except Exception:  # noqa: BLE001
        xmp = b""
    if xmp:
        collector = TextCollector(budget)
        try:
            parse_bytes(xmp, collector)
        except Refused as e:
            if e.limit:
                raise
            out.parts.append(Part("XMP-metadata", "", read=False, reason=f"{UNREAD} (XMP kunne ikke læses)"))
            return
        out.add("XMP-metadata", "\n".join(f"{k}: {v}" for k, v in collector.lines), counted=True)


def _file_spec(spec: Any, out: Collector) -> None:
    if spec is None:
        return
    spec = spec.get_object()
    name = _s(spec.get("/UF") or spec.get("/F")) or "vedhæftet fil"
    ef = spec.get("/EF")
    if ef is None:
        return
    stream = ef.get_object().get("/F") or ef.get_object().get("/UF")
    if stream is not None:
        out.child(name, stream.get_object().get_data(), "indlejrede filer")


def _embedded(reader: Any, out: Collector) -> None:
    seen = {(c.filename, hashlib.sha256(c.content).digest()) for c in out.children}
    try:
        attachments = reader.attachments
        names = list(attachments.keys())
    except Exception:  # noqa: BLE001
        return
    if len(names) + len(out.children) > out.budget.limits.max_parts:
        raise over("max_parts", out.budget.limits, f"PDF-filen har {count(len(names))} indlejrede filer")
    for name in names:
        for content in attachments[name]:
            key = (name, hashlib.sha256(content).digest())
            if key not in seen:
                seen.add(key)
                out.child(name, content, "indlejrede filer")
