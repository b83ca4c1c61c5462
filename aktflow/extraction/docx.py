"""Word (.docx): every place a Word file keeps text, read straight from its XML parts as a stream.

Read: the body; headers and footers of every section (first page, even pages, the rest); footnotes and
endnotes; comments (with their author); text boxes and shapes (``w:txbxContent``, one branch of
``mc:AlternateContent`` only); content controls (``w:sdt``); tracked insertions (``w:ins``) and deletions
(``w:delText``); field codes (``w:instrText``, ``w:fldSimple``); hyperlinks (text and address); tables,
nested ones too; the core, extended (company, manager) and custom properties; the glossary part. Files
embedded in the document (``word/embeddings/``) are children when aktflow reads their type, else unread parts.

Each piece of text belongs to exactly one part: the innermost special place it sits in (a content control in
a text box is "Indholdskontrol"), else the story it is in ("Brødtekst", "Sidehoved, afsnit 1", …). Inside a
header or footer a special place is named with the story: "Tekstfelt (Sidehoved, afsnit 1)".
"""

from __future__ import annotations

import posixpath
import zipfile
from xml.sax.handler import ContentHandler

from .limits import UNREAD, Budget, Collector, Part
from .zipped import TextCollector, has, parse, read_member

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"

BODY = "Brødtekst"
# Elements whose content is a part of its own (the innermost one wins).
CONTAINERS = {
    "txbxContent": "Tekstfelt",
    "sdtContent": "Indholdskontrol",
    "ins": "Indsat ændring",
    "moveTo": "Indsat ændring",
    "del": "Slettet tekst",
    "moveFrom": "Slettet tekst",
    "hyperlink": "Hyperlink",
}
TEXT = {"t": None, "delText": "Slettet tekst", "instrText": "Feltkode", "delInstrText": "Slettet tekst"}
CHARS = {"tab": "\t", "br": "\n", "cr": "\n", "noBreakHyphen": "-"}
HF_TYPES = {"default": "", "first": " (første side)", "even": " (lige sider)"}
NOTE_SKIP = {"separator", "continuationSeparator", "continuationNotice"}

CORE_LABELS = {
    "title": "Titel",
    "subject": "Emne",
    "creator": "Forfatter",
    "keywords": "Nøgleord",
    "description": "Beskrivelse",
    "lastModifiedBy": "Sidst ændret af",
    "category": "Kategori",
    "contentStatus": "Status",
    "identifier": "Id",
}
APP_LABELS = {"Company": "Firma", "Manager": "Leder", "HyperlinkBase": "Hyperlink-base"}


class _Frame:
    __slots__ = ("label", "local", "skip", "choice_taken")

    def __init__(self, local: str, label: str, skip: bool):
        self.local = local
        self.label = label
        self.skip = skip
        self.choice_taken = False


class Story(ContentHandler):
    """One WordprocessingML part streamed into labelled buffers (see the module's docstring).

    ``base`` is the story's label; ``per_item`` names the elements that start a labelled item of their own
    (``comment``, ``footnote``, ``endnote``), ``links`` maps relationship ids to hyperlink addresses.
    """

    def __init__(self, base: str, budget: Budget, links: dict[str, str] | None = None, per_item: str = ""):
        super().__init__()
        self.base = base
        self.budget = budget
        self.links = links or {}
        self.per_item = per_item
        self.items = 0
        self.buffers: dict[str, list[str]] = {}
        self.stack: list[_Frame] = [_Frame("", base, False)]
        self.text_label: str | None = None  # inside a w:t / w:delText / w:instrText: where its text goes
        self.sections: list[tuple[int, str, str, str]] = []  # (section no., header|footer, type, r:id)
        self._section = 1

    # --- where text goes

    def _named(self, label: str) -> str:
        story = self.stack[2].label if self.per_item and len(self.stack) > 2 else self.base
        return label if story == BODY else f"{label} ({story})"

    def _emit(self, label: str, text: str) -> None:
        self.buffers.setdefault(label, []).append(text)

    def _end_line(self, label: str) -> None:
        buf = self.buffers.get(label)
        if buf and not buf[-1].endswith("\n"):
            buf.append("\n")

    # --- SAX

    def startElementNS(self, name, qname, attrs):  # noqa: N802 - SAX's names
        ns, local = name
        top = self.stack[-1]
        skip = top.skip
        label = top.label
        if ns == MC:
            if local == "Choice":
                skip = skip or top.choice_taken
                top.choice_taken = True
            elif local == "Fallback":
                skip = skip or top.choice_taken
                top.choice_taken = True
        elif ns == W:
            if self.per_item and local == self.per_item and len(self.stack) == 2:
                kind = attrs.get((W, "type"), "")
                skip = skip or kind in NOTE_SKIP
                if not skip:
                    self.items += 1
                    label = self._item_label(attrs)
            elif local in CONTAINERS:
                label = self._named(CONTAINERS[local])
                if local == "hyperlink" and not skip:
                    address = self.links.get(attrs.get((R, "id"), ""), "")
                    anchor = attrs.get((W, "anchor"), "")
                    if address or anchor:
                        self._emit(label, f"[{address or '#' + anchor}] ")
            elif local in TEXT and not skip:
                own = TEXT[local]
                self.text_label = self._named(own) if own else label
            elif local in CHARS and not skip:
                self._emit(label, CHARS[local])
            elif local == "fldSimple" and not skip:
                instr = attrs.get((W, "instr"), "").strip()
                if instr:
                    field = self._named("Feltkode")
                    self._emit(field, instr)
                    self._end_line(field)
            elif local in ("headerReference", "footerReference") and not skip:
                kind = "header" if local == "headerReference" else "footer"
                self.sections.append(
                    (self._section, kind, attrs.get((W, "type"), "default"), attrs.get((R, "id"), ""))
                )
        self.stack.append(_Frame(local if ns in (W, MC) else "", label, skip))

    def endElementNS(self, name, qname):  # noqa: N802
        frame = self.stack.pop()
        ns, local = name
        if ns != W or frame.skip:
            return
        if local in TEXT:
            self.text_label = None
        elif local == "p":
            self._end_line(frame.label)
        elif local == "tc":
            self._end_line(frame.label)
        elif local in CONTAINERS:
            self._end_line(frame.label)
        elif local == "sectPr":
            self._section += 1

    def characters(self, content):
        if self.text_label is not None:
            self.budget.add_chars(len(content))
            self._emit(self.text_label, content)

    def _item_label(self, attrs) -> str:
        if self.per_item == "comment":
            author = (attrs.get((W, "author"), "") or "").strip()
            return f"Kommentar af {author}" if author else "Kommentar"
        noun = "Fodnote" if self.per_item == "footnote" else "Slutnote"
        return f"{noun} {self.items}"

    def flush(self, out: Collector) -> None:
        """Hand the buffers to ``out`` as parts, in the order they were first written."""
        for label, pieces in self.buffers.items():
            out.add(label, "".join(pieces), counted=True)


def _rels(zf: zipfile.ZipFile, part: str, budget: Budget) -> dict[str, tuple[str, str, bool]]:
    """A part's relationships: id -> (type's last word, target as a zip path or URL, external)."""
    folder, base = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    if not has(zf, rels_name):
        return {}

    class H(ContentHandler):
        def __init__(self) -> None:
            super().__init__()
            self.out: dict[str, tuple[str, str, bool]] = {}

        def startElementNS(self, name, qname, attrs):  # noqa: N802
            if name[1] != "Relationship":
                return
            rid = attrs.get((None, "Id"), "")
            kind = attrs.get((None, "Type"), "").rsplit("/", 1)[-1]
            target = attrs.get((None, "Target"), "")
            external = attrs.get((None, "TargetMode"), "") == "External"
            if not external:
                target = posixpath.normpath(posixpath.join(folder, target)).lstrip("/")
            self.out[rid] = (kind, target, external)

    h = H()
    parse(zf, rels_name, h, budget)
    return h.out


def main_part(zf: zipfile.ZipFile, budget: Budget) -> str:
    """The main document's zip path (from the package relationships), usually ``word/document.xml``."""
    for kind, target, _ in _rels(zf, "", budget).values():
        if kind == "officeDocument" and has(zf, target):
            return target
    return "word/document.xml"


def read_docx(zf: zipfile.ZipFile, budget: Budget, out: Collector) -> None:
    """Read every text-bearing part of a .docx into ``out`` (see the module's docstring)."""
    main = main_part(zf, budget)
    rels = _rels(zf, main, budget)
    links = {rid: target for rid, (kind, target, ext) in rels.items() if kind == "hyperlink"}

    body = Story(BODY, budget, links)
    parse(zf, main, body, budget)
    body.flush(out)

    # Headers and footers, named by the first section that uses them.
    done: set[str] = set()
    for section, kind, hf_type, rid in body.sections:
        _, path, outside = rels.get(rid, ("", "", True))
        if outside or not path or path in done or not has(zf, path):
            continue
        done.add(path)
        noun = "Sidehoved" if kind == "header" else "Sidefod"
        _story(zf, path, f"{noun}{HF_TYPES.get(hf_type, '')}, afsnit {section}", budget, out)
    for kind, target, external in rels.values():
        if kind in ("header", "footer") and not external and target not in done and has(zf, target):
            done.add(target)
            _story(zf, target, "Sidehoved" if kind == "header" else "Sidefod", budget, out)

    for kind, per_item in (("footnotes", "footnote"), ("endnotes", "endnote"), ("comments", "comment")):
        for rel_kind, target, external in rels.values():
            if rel_kind == kind and not external and has(zf, target):
                _story(zf, target, "", budget, out, per_item=per_item)
    for rel_kind, target, external in rels.values():
        if rel_kind == "glossaryDocument" and not external and has(zf, target):
            _story(zf, target, "Byggeklodser", budget, out)

    properties(zf, budget, out)
    embedded(zf, "word/embeddings/", budget, out)
    pictures(zf, "word/media/", budget, out)


def _story(
    zf: zipfile.ZipFile, name: str, label: str, budget: Budget, out: Collector, per_item: str = ""
) -> None:
    links = {rid: t for rid, (kind, t, _) in _rels(zf, name, budget).items() if kind == "hyperlink"}
    story = Story(label, budget, links, per_item=per_item)
    parse(zf, name, story, budget)
    story.flush(out)


class _Custom(ContentHandler):
    """docProps/custom.xml: each property's name and value."""

    def __init__(self, budget: Budget):
        super().__init__()
        self.budget = budget
        self.lines: list[str] = []
        self._name: str | None = None
        self._buf: list[str] = []

    def startElementNS(self, name, qname, attrs):  # noqa: N802
        if name[1] == "property":
            self._name = attrs.get((None, "name"), "")
            self._buf = []

    def endElementNS(self, name, qname):  # noqa: N802
        if name[1] == "property" and self._name is not None:
            value = "".join(self._buf).strip()
            if value:
                self.lines.append(f"{self._name}: {value}")
            self._name = None

    def characters(self, content):
        if self._name is not None:
            self.budget.add_chars(len(content))
            self._buf.append(content)


def properties(zf: zipfile.ZipFile, budget: Budget, out: Collector) -> None:
    """The Office document properties (core, app, custom) as one part, "Egenskaber"."""
    lines: list[str] = []
    if has(zf, "docProps/core.xml"):
        core = TextCollector(budget)
        parse(zf, "docProps/core.xml", core, budget)
        lines += [f"{CORE_LABELS[k]}: {v}" for k, v in core.lines if k in CORE_LABELS]
    if has(zf, "docProps/app.xml"):
        app = TextCollector(budget)
        parse(zf, "docProps/app.xml", app, budget)
        lines += [f"{APP_LABELS[k]}: {v}" for k, v in app.lines if k in APP_LABELS]
    if has(zf, "docProps/custom.xml"):
        custom = _Custom(budget)
        parse(zf, "docProps/custom.xml", custom, budget)
        lines += custom.lines
    out.add("Egenskaber", "\n".join(lines), counted=True)


def embedded(zf: zipfile.ZipFile, folder: str, budget: Budget, out: Collector) -> None:
    """Files embedded in an Office file (an Excel sheet in a Word document, …): a type aktflow reads is
    returned as a child, screened as a document of its own; any other (an OLE object) is an unread part."""
    from . import TYPES

    for name in zf.namelist():
        if not name.startswith(folder) or name.endswith("/"):
            continue
        base = posixpath.basename(name)
        if posixpath.splitext(base)[1].lower() in TYPES:
            out.child(base, read_member(zf, name, budget), "indlejrede filer")
        else:
            out.parts.append(
                Part(
                    f"Indlejret objekt '{base}'",
                    "",
                    read=False,
                    reason=f"{UNREAD} (indlejret objekt, der ikke kan læses)",
                )
            )


RASTER = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".bmp")
SMALL_PICTURE = 300  # pixels: a picture below this on both sides with no text found is a logo or an icon


def pictures(zf: zipfile.ZipFile, folder: str, budget: Budget, out: Collector) -> None:
    """The pictures in an Office file (a scanned letter pasted into Word) through OCR, one part each,
    "Billede 'image1.png' (OCR)". A picture OCR finds no (or only uncertain) text in counts as read only
    when it is small (a logo, an icon: below ``SMALL_PICTURE`` pixels on both sides; what OCR made of it
    is still screened); a larger one, one OCR could not run on, a picture Pillow cannot decode and a vector
    picture (.emf, .wmf) are unread parts: unread is never clean."""
    import io

    from PIL import Image

    from .ocr import ocr_image

    for name in sorted(zf.namelist()):
        if not name.startswith(folder) or name.endswith("/"):
            continue
        base = posixpath.basename(name)
        label = f"Billede '{base}' (OCR)"
        if posixpath.splitext(base)[1].lower() not in RASTER:
            out.parts.append(
                Part(label, "", read=False, reason=f"{UNREAD} (et billedformat, der ikke kan læses)")
            )
            continue
        data = read_member(zf, name, budget)
        try:
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height * max(len(image.getbands()), 1) > budget.limits.max_unpacked:
                raise ValueError("too large")
            frame = image.convert("L")
        except (Image.DecompressionBombError, OSError, ValueError, SyntaxError):
            out.parts.append(Part(label, "", read=False, reason=f"{UNREAD} (billedet kunne ikke afkodes)"))
            continue
        part = ocr_image(frame, label, budget)
        small = width < SMALL_PICTURE and height < SMALL_PICTURE
        if not part.read and small and ("ingen tekst" in part.reason or "usikker tekst" in part.reason):
            # OCR did read it: a logo or an icon. What it made of it is kept and screened all the same.
            part = Part(
                label,
                part.text,
                read=True,
                ocr_confidence=part.ocr_confidence,
                reason="lille billede (logo eller ikon)",
            )
        out.parts.append(part)


__all__ = ["embedded", "pictures", "properties", "read_docx", "read_member"]
