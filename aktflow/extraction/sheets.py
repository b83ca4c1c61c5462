"""Spreadsheets and OpenDocument: .xlsx (openpyxl, read-only, values), .odt and .ods (their XML as a stream).

.xlsx: each sheet's cell values, a row per line with cells separated by tabs ("Ark 'Budget'"), cell
comments ("Kommentarer") and the document properties ("Egenskaber"). .odt: the text, tables and headings
("Brødtekst"), headers and footers from styles.xml ("Sidehoved", "Sidefod"), comments ("Kommentar af …")
and meta.xml ("Metadata"). .ods: each sheet ("Ark 'navn'"), comments and metadata.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.handler import ContentHandler

from .docx import embedded, pictures, properties
from .limits import Budget, Collector, Refused
from .zipped import TextCollector, has, parse

TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
STYLE_NS = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
DC_NS = "http://purl.org/dc/elements/1.1/"


def read_xlsx(data: bytes, zf: zipfile.ZipFile, budget: Budget, out: Collector) -> None:
    """An Excel workbook into ``out``: values per sheet (formulas as their last computed value)."""
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a broken file
        raise Refused("Excel-filen kan ikke åbnes (filen er beskadiget)") from None
    try:
        for ws in wb.worksheets:
            lines: list[str] = []
            for row in ws.iter_rows(values_only=True):
                cells = ["" if v is None else str(v) for v in row]
                while cells and not cells[-1]:
                    cells.pop()
                if cells:
                    line = "\t".join(cells)
                    budget.add_chars(len(line))
                    lines.append(line)
            out.add(f"Ark '{ws.title}'", "\n".join(lines), counted=True)
        out.add("Arknavne", "\n".join(ws.title for ws in wb.worksheets))
    finally:
        wb.close()
    comments = [n for n in zf.namelist() if n.startswith("xl/comments") and n.endswith(".xml")]
    for name in comments:
        collector = TextCollector(budget)
        parse(zf, name, collector, budget)
        out.add("Kommentarer", "\n".join(t for k, t in collector.lines if k == "t"), counted=True)
    properties(zf, budget, out)
    embedded(zf, "xl/embeddings/", budget, out)
    pictures(zf, "xl/media/", budget, out)


class _Odf(ContentHandler):
    """content.xml / styles.xml of an OpenDocument file, streamed into labelled buffers."""

    def __init__(self, budget: Budget, base: str, spreadsheet: bool):
        super().__init__()
        self.budget = budget
        self.base = base
        self.spreadsheet = spreadsheet
        self.buffers: dict[str, list[str]] = {}
        self.labels: list[str] = [base]
        self._in_body = not spreadsheet
        self._in_creator = False
        self._creator: list[str] = []

    def _emit(self, text: str) -> None:
        self.buffers.setdefault(self.labels[-1], []).append(text)

    def _end_line(self) -> None:
        buf = self.buffers.get(self.labels[-1])
        if buf and not buf[-1].endswith("\n"):
            buf.append("\n")

    def startElementNS(self, name, qname, attrs):  # noqa: N802 - SAX's names
        ns, local = name
        if ns == OFFICE_NS and local == "annotation":
            self.labels.append("Kommentar")
            self._creator = []
        elif ns == DC_NS and local == "creator" and self.labels[-1] == "Kommentar":
            self._in_creator = True
        elif ns == TABLE_NS and local == "table" and self.spreadsheet:
            self.labels.append(f"Ark '{attrs.get((TABLE_NS, 'name'), '')}'")
        elif ns == STYLE_NS and local in ("header", "header-first", "header-left"):
            self.labels.append("Sidehoved")
        elif ns == STYLE_NS and local in ("footer", "footer-first", "footer-left"):
            self.labels.append("Sidefod")
        elif ns == TEXT_NS:
            if local == "s":
                self._emit(" ")
            elif local == "tab":
                self._emit("\t")
            elif local == "line-break":
                self._emit("\n")

    def endElementNS(self, name, qname):  # noqa: N802
        ns, local = name
        if ns == OFFICE_NS and local == "annotation":
            label = self.labels.pop()
            author = " ".join("".join(self._creator).split())
            pieces = self.buffers.pop(label, [])
            if pieces:
                named = f"Kommentar af {author}" if author else "Kommentar"
                self.buffers.setdefault(named, []).extend(pieces + ["\n"])
        elif ns == DC_NS and local == "creator" and self._in_creator:
            self._in_creator = False
        elif (ns == TABLE_NS and local == "table" and self.spreadsheet) or (
            ns == STYLE_NS and local.startswith(("header", "footer"))
        ):
            self.labels.pop()
        elif ns == TEXT_NS and local in ("p", "h"):
            if self.spreadsheet and self.labels[-1].startswith("Ark"):
                self._emit(" ")
            else:
                self._end_line()
        elif ns == TABLE_NS and local == "table-cell" and self.spreadsheet:
            self._emit("\t")
        elif ns == TABLE_NS and local == "table-row" and self.spreadsheet:
            self._end_line()

    def characters(self, content):
        if self._in_creator:
            self._creator.append(content)
            return
        self.budget.add_chars(len(content))
        self._emit(content)

    def flush(self, out: Collector) -> None:
        for label, pieces in self.buffers.items():
            text = "\n".join(line.rstrip() for line in "".join(pieces).split("\n"))
            out.add(label, text, counted=True)


def read_odf(zf: zipfile.ZipFile, budget: Budget, out: Collector, spreadsheet: bool) -> None:
    """An OpenDocument text (.odt) or spreadsheet (.ods) into ``out``."""
    content = _Odf(budget, "Brødtekst", spreadsheet)
    parse(zf, "content.xml", content, budget)
    content.flush(out)
    if has(zf, "styles.xml"):
        styles = _Odf(budget, "", False)
        parse(zf, "styles.xml", styles, budget)
        styles.buffers.pop("", None)
        styles.flush(out)
    if has(zf, "meta.xml"):
        meta = TextCollector(
            budget,
            skip=frozenset({"creation-date", "date", "editing-duration", "editing-cycles", "generator"}),
        )
        parse(zf, "meta.xml", meta, budget)
        out.add("Metadata", "\n".join(f"{k}: {v}" for k, v in meta.lines), counted=True)
