"""A generated test corpus: one small file per place a CPR number or a sensitive word can hide, harmless
look-alikes, and bombs. Everything is built at test time from code (raw OOXML and OpenDocument zips,
pypdf, the standard library's e-mail, openpyxl, Pillow); nothing binary is committed.

The CPR numbers are made up (valid dates, no real person): :data:`CPR` and :data:`CPR2`.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

CPR = "120385-1237"
CPR2 = "010190-1234"
HEALTH = "diabetes"
LOOKALIKES = "Tlf. 33 12 34 56. Sagsnr. 2024-120385. Beløb: kr. 1.203.851,00. Bilag 12 03 85."
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
)


@dataclass(frozen=True)
class Case:
    """A corpus file: its name and bytes, the label of the part that must hold ``secret``."""

    name: str
    filename: str
    data: bytes
    label: str
    secret: str


# --- .docx (raw WordprocessingML) ------------------------------------------------------------------------

NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml" mc:Ignorable="wps"'
)
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def run(text: str) -> str:
    """One run of text."""
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def p(*runs: str) -> str:
    """A paragraph of runs (plain strings become runs)."""
    return "<w:p>" + "".join(r if r.startswith("<") else run(r) for r in runs) + "</w:p>"


def table(*rows: list[str]) -> str:
    """A table; each cell is XML (use :func:`p`, or another :func:`table` for a nested one)."""
    body = "".join("<w:tr>" + "".join(f"<w:tc>{cell}</w:tc>" for cell in row) + "</w:tr>" for row in rows)
    return f"<w:tbl>{body}</w:tbl>"


def docx(
    body: str,
    *,
    sections: list[dict[str, str]] | None = None,
    footnotes: list[str] = (),  # type: ignore[assignment]
    endnotes: list[str] = (),  # type: ignore[assignment]
    comments: list[tuple[str, str]] = (),  # type: ignore[assignment]
    links: dict[str, str] | None = None,
    core: dict[str, str] | None = None,
    app: dict[str, str] | None = None,
    custom: dict[str, str] | None = None,
    extra: dict[str, bytes] | None = None,
) -> bytes:
    """A .docx built from raw XML.

    ``sections``: one dict per section mapping ``header``/``footer`` + ``:default|first|even`` to the
    part's body XML (the last dict is the final section). ``links``: relationship id -> external URL.
    """
    sections = sections or [{}]
    files: dict[str, bytes] = {}
    rels: list[str] = []
    overrides: list[str] = []
    sect_xml: list[str] = []
    n = 0
    for section in sections:
        refs = []
        for key, xml in section.items():
            kind, _, hf_type = key.partition(":")
            n += 1
            name = f"{kind}{n}.xml"
            root = "hdr" if kind == "header" else "ftr"
            files[f"word/{name}"] = f"<w:{root} {NS}>{xml}</w:{root}>".encode()
            rels.append(f'<Relationship Id="rId{n}" Type="{REL}/{kind}" Target="{name}"/>')
            overrides.append(
                f'<Override PartName="/word/{name}" ContentType="application/'
                f'vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml"/>'
            )
            refs.append(f'<w:{kind}Reference w:type="{hf_type or "default"}" r:id="rId{n}"/>')
        sect_xml.append("<w:sectPr>" + "".join(refs) + "</w:sectPr>")
    # Every section but the last ends with a paragraph that carries its sectPr.
    body_xml = body + "".join(f"<w:p><w:pPr>{s}</w:pPr></w:p>" for s in sect_xml[:-1]) + sect_xml[-1]
    files["word/document.xml"] = f"<w:document {NS}><w:body>{body_xml}</w:body></w:document>".encode()
    for rid, url in (links or {}).items():
        rels.append(
            f'<Relationship Id="{rid}" Type="{REL}/hyperlink" Target={quoteattr(url)} TargetMode="External"/>'
        )
    notes = (("footnotes", "footnote", footnotes), ("endnotes", "endnote", endnotes))
    for part, item, texts in notes:
        if texts:
            sep = f'<w:{item} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{item}>'
            items = "".join(f'<w:{item} w:id="{i}">{p(t)}</w:{item}>' for i, t in enumerate(texts, start=1))
            files[f"word/{part}.xml"] = f"<w:{part} {NS}>{sep}{items}</w:{part}>".encode()
            rels.append(f'<Relationship Id="rId{part}" Type="{REL}/{part}" Target="{part}.xml"/>')
    if comments:
        items = "".join(
            f'<w:comment w:id="{i}" w:author={quoteattr(a)}>{p(t)}</w:comment>'
            for i, (a, t) in enumerate(comments)
        )
        files["word/comments.xml"] = f"<w:comments {NS}>{items}</w:comments>".encode()
        rels.append(f'<Relationship Id="rIdComments" Type="{REL}/comments" Target="comments.xml"/>')
    files["word/_rels/document.xml.rels"] = (
        f'<Relationships xmlns="{PKG}">' + "".join(rels) + "</Relationships>"
    ).encode()
    pkg_rels = [f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>']
    if core:
        fields = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in core.items())
        files["docProps/core.xml"] = (
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">' + fields + "</cp:coreProperties>"
        ).encode()
    if app:
        fields = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in app.items())
        files["docProps/app.xml"] = (
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            + fields
            + "</Properties>"
        ).encode()
    if custom:
        props = "".join(
            f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{i}" name={quoteattr(k)}>'
            f"<vt:lpwstr>{escape(v)}</vt:lpwstr></property>"
            for i, (k, v) in enumerate(custom.items(), start=2)
        )
        files["docProps/custom.xml"] = (
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            + props
            + "</Properties>"
        ).encode()
    files["_rels/.rels"] = (
        f'<Relationships xmlns="{PKG}">' + "".join(pkg_rels) + "</Relationships>"
    ).encode()
    files["[Content_Types].xml"] = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        + "".join(overrides)
        + "</Types>"
    ).encode()
    files.update(extra or {})
    return zip_files(files)


def zip_files(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of ``files`` (name -> bytes)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buf.getvalue()


def text_box(text: str) -> str:
    """A text box as Word writes it: the same text in mc:Choice (DrawingML) and mc:Fallback (VML)."""
    content = f"<w:txbxContent>{p(text)}</w:txbxContent>"
    return (
        "<w:p><w:r><mc:AlternateContent>"
        f'<mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx>{content}</wps:txbx></wps:wsp></w:drawing></mc:Choice>'
        f"<mc:Fallback><w:pict><v:shape><v:textbox>{content}</v:textbox></v:shape></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r></w:p>"
    )


def docx_cases() -> list[Case]:
    """One .docx per place in a Word file where a CPR number can hide."""
    secret = f"CPR {CPR}"
    c = []

    def add(name: str, label: str, data: bytes, s: str = secret) -> None:
        c.append(Case(name, f"{name}.docx", data, label, s))

    add("body", "Brødtekst", docx(p("Indledning") + p(f"Borgeren, {secret}, har skrevet.")))
    add("header", "Sidehoved, afsnit 1", docx(p("Brødtekst uden noget"), sections=[{"header": p(secret)}]))
    add("footer", "Sidefod, afsnit 1", docx(p("Brødtekst"), sections=[{"footer": p(secret)}]))
    add(
        "first_page_header",
        "Sidehoved (første side), afsnit 1",
        docx(p("Brødtekst"), sections=[{"header:first": p(secret), "header": p("Almindeligt sidehoved")}]),
    )
    add("even_footer", "Sidefod (lige sider), afsnit 1", docx(p("x"), sections=[{"footer:even": p(secret)}]))
    add(
        "second_section_header",
        "Sidehoved, afsnit 2",
        docx(p("Afsnit et"), sections=[{"header": p("Første afsnits sidehoved")}, {"header": p(secret)}]),
    )
    add(
        "health_in_header",
        "Sidehoved, afsnit 1",
        docx(p("Brødtekst"), sections=[{"header": p(f"Borger med {HEALTH}")}]),
        HEALTH,
    )
    add("text_box", "Tekstfelt", docx(p("Brødtekst") + text_box(secret)))
    sdt = f'<w:sdt><w:sdtPr><w:alias w:val="CPR"/></w:sdtPr><w:sdtContent>{p(secret)}</w:sdtContent></w:sdt>'
    add("content_control", "Indholdskontrol", docx(p("Brødtekst") + sdt))
    ins = f'<w:p>{run("Tekst ")}<w:ins w:id="1" w:author="A">{run(secret)}</w:ins></w:p>'
    add("tracked_insertion", "Indsat ændring", docx(ins))
    dele = f'<w:p>{run("Tekst ")}<w:del w:id="2" w:author="A"><w:r><w:delText>{secret}</w:delText></w:r></w:del></w:p>'
    add("deletion", "Slettet tekst", docx(dele))
    nested = table([p("Ydre celle"), table([p("Indre celle"), p(secret)])])
    add("nested_table", "Brødtekst", docx(nested))
    field = (
        f'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> QUOTE "{CPR}" '
        '</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f'{run("resultat")}<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    add("field_code", "Feltkode", docx(field), CPR)
    simple = f'<w:p><w:fldSimple w:instr=" MERGEFIELD cpr_{CPR} ">{run("«cpr»")}</w:fldSimple></w:p>'
    add("simple_field", "Feltkode", docx(simple), CPR)
    link = f'<w:p><w:hyperlink r:id="rIdL1">{run(secret)}</w:hyperlink></w:p>'
    add("hyperlink", "Hyperlink", docx(link, links={"rIdL1": "https://example.org/sag"}))
    link2 = f'<w:p><w:hyperlink r:id="rIdL2">{run("se sagen")}</w:hyperlink></w:p>'
    add(
        "hyperlink_address", "Hyperlink", docx(link2, links={"rIdL2": f"https://example.org/?cpr={CPR}"}), CPR
    )
    add("footnote", "Fodnote 1", docx(p("Brødtekst"), footnotes=[secret]))
    add("endnote", "Slutnote 1", docx(p("Brødtekst"), endnotes=[secret]))
    add("comment", "Kommentar af Jens Hansen", docx(p("Brødtekst"), comments=[("Jens Hansen", secret)]))
    add("core_title", "Egenskaber", docx(p("x"), core={"dc:title": f"Notat om {secret}"}))
    add("core_author", "Egenskaber", docx(p("x"), core={"cp:lastModifiedBy": f"Sagsbehandler {secret}"}))
    add("custom_property", "Egenskaber", docx(p("x"), custom={"Borger": secret}))
    add("app_company", "Egenskaber", docx(p("x"), app={"Company": f"Firma {secret}"}))
    return c


# --- PDF -------------------------------------------------------------------------------------------------


def raw_pdf(objects: list[bytes], root: int = 1, info: int | None = None) -> bytes:
    """A PDF from numbered objects (object i+1 is ``objects[i]``, without ``obj``/``endobj``)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    trailer = b"/Size %d /Root %d 0 R" % (len(objects) + 1, root)
    if info:
        trailer += b" /Info %d 0 R" % info
    out += b"trailer\n<< " + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def stream(data: bytes, extra: bytes = b"", compress: bool = False) -> bytes:
    """A stream object's body."""
    if compress:
        data = zlib.compress(data)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def text_pdf(pages: list[bytes], *, annots: list[bytes] | None = None) -> bytes:
    """A PDF whose pages have the given content streams (Helvetica as /F1).

    ``annots``: extra objects appended and referenced from page 1's /Annots.
    """
    n = len(pages)
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    font = 3
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    kids = []
    annots = annots or []
    first_annot = 4 + 2 * n
    for i, content in enumerate(pages):
        page_no = len(objects) + 1
        kids.append(page_no)
        annot_ref = b""
        if i == 0 and annots:
            refs = b" ".join(b"%d 0 R" % (first_annot + k) for k in range(len(annots)))
            annot_ref = b" /Annots [" + refs + b"]"
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> >> "
            b"/Contents %d 0 R%s >>" % (font, page_no + 1, annot_ref)
        )
        objects.append(stream(content))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), n)
    objects.extend(annots)
    return raw_pdf(objects)


def bt(text: str, y: int = 700) -> bytes:
    """A content stream that prints ``text`` at 12 pt."""
    safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"BT /F1 12 Tf 72 %d Td (%s) Tj ET" % (y, safe.encode("cp1252"))


def pdf_writer_case(build) -> bytes:
    """A PDF made with pypdf's writer: ``build(writer, page)`` adds to a one-page document with body text."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf([bt("Almindelig brødtekst på siden")]))))
    build(writer, writer.pages[0])
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def pdf_cases() -> list[Case]:
    """One PDF per place in a PDF where a CPR number can hide."""
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    secret = f"CPR {CPR}"
    c = []

    def add(name: str, label: str, data: bytes, s: str = secret) -> None:
        c.append(Case(name, f"{name}.pdf", data, label, s))

    add("pdf_text", "Side 1", text_pdf([bt(f"Borgeren med {secret} klager.")]))
    add(
        "pdf_page_3",
        "Side 3",
        text_pdf([bt("Side et har tekst nok"), bt("Side to har tekst nok"), bt(f"Her: {secret}")]),
    )
    spaced = "[" + " ".join(f"({ch}) -900" for ch in CPR) + "]"
    add(
        "pdf_letter_spaced",
        "Side 1",
        text_pdf([b"BT /F1 12 Tf 72 700 Td (Personnummer:) Tj 0 -20 Td " + spaced.encode() + b" TJ ET"]),
        CPR,
    )
    per_line = (
        b"BT /F1 12 Tf 72 760 Td (Lodret skrevet nummer herunder) Tj "
        + b" ".join(b"0 -14 Td (%s) Tj" % ch.encode() for ch in CPR.replace("-", ""))
        + b" ET"
    )
    add("pdf_one_char_per_line", "Side 1", text_pdf([per_line]), CPR.replace("-", ""))

    def form(writer, page):
        field = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Widget"),
                NameObject("/FT"): NameObject("/Tx"),
                NameObject("/T"): TextStringObject("cpr"),
                NameObject("/V"): TextStringObject(CPR),
                NameObject("/Rect"): ArrayObject([FloatObject(x) for x in (72, 600, 300, 620)]),
            }
        )
        ref = writer._add_object(field)
        page[NameObject("/Annots")] = ArrayObject([ref])
        writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
            {NameObject("/Fields"): ArrayObject([ref])}
        )

    add("pdf_form_field", "Formularfelt 'cpr'", pdf_writer_case(form), CPR)

    def comment(writer, page):
        from pypdf.annotations import Popup, Text

        note = Text(rect=(50, 550, 200, 650), text=f"Husk {secret}", open=False)
        note[NameObject("/T")] = TextStringObject("Jens Hansen")
        writer.add_annotation(0, note)
        ref = page["/Annots"][-1]
        writer.add_annotation(0, Popup(rect=(50, 450, 200, 550), parent=ref))

    add("pdf_annotation_popup", "Kommentar, side 1", pdf_writer_case(comment))

    def free_text(writer, page):
        from pypdf.annotations import FreeText

        writer.add_annotation(0, FreeText(text=f"Påskrift {secret}", rect=(50, 550, 300, 650)))

    add("pdf_free_text", "Kommentar, side 1", pdf_writer_case(free_text))

    def metadata(writer, page):
        writer.add_metadata({"/Title": f"Notat {secret}", "/Author": "Jens Hansen"})

    add("pdf_metadata", "Metadata", pdf_writer_case(metadata))

    def xmp(writer, page):
        xml = (
            '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:description><rdf:Alt>'
            f'<rdf:li xml:lang="x-default">Om {secret}</rdf:li></rdf:Alt></dc:description></rdf:Description>'
            '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
        ).encode()
        s = DecodedStreamObject()
        s.set_data(xml)
        s[NameObject("/Type")] = NameObject("/Metadata")
        s[NameObject("/Subtype")] = NameObject("/XML")
        writer._root_object[NameObject("/Metadata")] = writer._add_object(s)

    add("pdf_xmp", "XMP-metadata", pdf_writer_case(xmp))

    def file_annotation(writer, page):
        ef = DecodedStreamObject()
        ef.set_data(f"Bilag: {secret}".encode())
        ef[NameObject("/Type")] = NameObject("/EmbeddedFile")
        spec = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Filespec"),
                NameObject("/F"): TextStringObject("annoteret.txt"),
                NameObject("/EF"): DictionaryObject({NameObject("/F"): writer._add_object(ef)}),
            }
        )
        annot = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/FileAttachment"),
                NameObject("/Rect"): ArrayObject([NumberObject(x) for x in (10, 10, 30, 30)]),
                NameObject("/FS"): writer._add_object(spec),
            }
        )
        page[NameObject("/Annots")] = ArrayObject([writer._add_object(annot)])

    c.append(
        Case(
            "pdf_file_annotation",
            "pdf_file_annotation.pdf",
            pdf_writer_case(file_annotation),
            "annoteret.txt",
            secret,
        )
    )

    def attachment(writer, page):
        writer.add_attachment("bilag.txt", f"Bilag om {secret}".encode())

    c.append(
        Case("pdf_embedded_file", "pdf_embedded_file.pdf", pdf_writer_case(attachment), "bilag.txt", secret)
    )

    from pypdf import PdfWriter

    w = PdfWriter(clone_from=io.BytesIO(text_pdf([bt(f"Hemmeligt men åbent: {secret}")])))
    w.encrypt(user_password="", owner_password="ejer-kode", algorithm="AES-256")
    buf = io.BytesIO()
    w.write(buf)
    add("pdf_aes_no_password", "Side 1", buf.getvalue())
    return c


def pdf_with_password() -> bytes:
    """An AES-encrypted PDF that needs a password to open."""
    from pypdf import PdfWriter

    w = PdfWriter(clone_from=io.BytesIO(text_pdf([bt(f"CPR {CPR}")])))
    w.encrypt(user_password="kode", owner_password="ejer", algorithm="AES-256")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


# --- e-mail, spreadsheets, OpenDocument --------------------------------------------------------------------


def eml(
    *,
    subject: str = "Aktindsigt",
    body: str = "Hej",
    html: str | None = None,
    to: str = "sag@kommune.dk",
    attachments: list[tuple[str, bytes]] = (),
    inner: EmailMessage | None = None,
) -> bytes:  # type: ignore[assignment]
    """An e-mail (.eml) with the standard library."""
    msg = EmailMessage()
    msg["From"] = "Borger <borger@example.org>"
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = "Mon, 30 Nov 2026 10:00:00 +0100"
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for name, content in attachments:
        msg.add_attachment(content, maintype="application", subtype="octet-stream", filename=name)
    if inner is not None:
        msg.add_attachment(inner)
    return msg.as_bytes()


def xlsx(cells: dict[str, dict[str, str]], comment: tuple[str, str, str] | None = None) -> bytes:
    """An .xlsx: sheet name -> {cell: value}; ``comment`` = (sheet, cell, text)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment

    wb = Workbook()
    wb.remove(wb.active)
    for sheet, values in cells.items():
        ws = wb.create_sheet(sheet)
        for ref, value in values.items():
            ws[ref] = value
    if comment:
        wb[comment[0]][comment[1]].comment = Comment(comment[2], "Jens Hansen")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
)


def odf(body: str, *, spreadsheet: bool = False, meta: str = "") -> bytes:
    """An .odt (or .ods) from the XML inside ``office:text`` (``office:spreadsheet``)."""
    kind = "spreadsheet" if spreadsheet else "text"
    content = f'<office:document-content {ODF_NS} office:version="1.2"><office:body><office:{kind}>{body}</office:{kind}></office:body></office:document-content>'
    files = {
        "mimetype": f"application/vnd.oasis.opendocument.{kind}".encode(),
        "content.xml": content.encode(),
        "META-INF/manifest.xml": b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
    }
    if meta:
        files["meta.xml"] = (
            f"<office:document-meta {ODF_NS}><office:meta>{meta}</office:meta></office:document-meta>".encode()
        )
    return zip_files(files)


def other_cases() -> list[Case]:
    """E-mail, spreadsheet and OpenDocument cases."""
    secret = f"CPR {CPR}"
    inner = EmailMessage()
    inner["Subject"] = "Videresendt"
    inner["From"] = "a@example.org"
    inner.set_content(f"Indre mail om {secret}")
    return [
        Case("eml_subject", "eml_subject.eml", eml(subject=f"Sag om {secret}"), "E-mailhoved", secret),
        Case("eml_body", "eml_body.eml", eml(body=f"Hej, mit {secret}."), "Brødtekst", secret),
        Case(
            "eml_html",
            "eml_html.eml",
            eml(body="Se HTML", html=f"<p>Mit <b>{secret}</b></p>"),
            "Brødtekst (HTML)",
            secret,
        ),
        Case(
            "eml_attachment",
            "eml_attachment.eml",
            eml(attachments=[("bilag.txt", f"{secret}".encode())]),
            "bilag.txt",
            secret,
        ),
        Case("eml_nested", "eml_nested.eml", eml(inner=inner), "Videresendt.eml", secret),
        Case(
            "xlsx_cell",
            "xlsx_cell.xlsx",
            xlsx({"Budget": {"A1": "Navn", "B2": secret}}),
            "Ark 'Budget'",
            secret,
        ),
        Case(
            "xlsx_comment",
            "xlsx_comment.xlsx",
            xlsx({"Ark1": {"A1": "x"}}, ("Ark1", "A1", secret)),
            "Kommentarer",
            secret,
        ),
        Case(
            "odt_paragraph",
            "odt_paragraph.odt",
            odf(f"<text:p>Borgeren <text:span>{secret}</text:span> skriver</text:p>"),
            "Brødtekst",
            secret,
        ),
        Case(
            "odt_comment",
            "odt_comment.odt",
            odf(
                f"<text:p>Tekst<office:annotation><dc:creator>Jens Hansen</dc:creator><text:p>{secret}</text:p></office:annotation></text:p>"
            ),
            "Kommentar af Jens Hansen",
            secret,
        ),
        Case(
            "odt_meta",
            "odt_meta.odt",
            odf("<text:p>x</text:p>", meta=f"<dc:title>{secret}</dc:title>"),
            "Metadata",
            secret,
        ),
        Case(
            "ods_cell",
            "ods_cell.ods",
            odf(
                f'<table:table table:name="Budget"><table:table-row><table:table-cell><text:p>{secret}</text:p></table:table-cell></table:table-row></table:table>',
                spreadsheet=True,
            ),
            "Ark 'Budget'",
            secret,
        ),
        Case("txt", "notat.txt", f"Notat\n{secret}\n".encode(), "Brødtekst", secret),
        Case("msg_subject", "msg_subject.msg", _msg(subject=f"Sag om {secret}"), "E-mailhoved", secret),
        Case("msg_header", "msg_header.msg", _msg(to=f"{secret} <b@example.org>"), "E-mailhoved", secret),
        Case("msg_body", "msg_body.msg", _msg(body=f"Hej, mit {secret}."), "Brødtekst", secret),
        Case(
            "msg_attachment",
            "msg_attachment.msg",
            _msg(attachments=[("bilag.txt", secret.encode())]),
            "bilag.txt",
            secret,
        ),
    ]


def _msg(
    *, subject: str = "Aktindsigt", body: str = "Hej", to: str = "sag@kommune.dk", attachments=()
) -> bytes:
    from .outlook import msg

    headers = {
        "From": "Borger <borger@example.org>",
        "To": to,
        "Subject": subject,
        "Date": "Mon, 30 Nov 2026 10:00:00 +0100",
    }
    return msg(subject=subject, body=body, headers=headers, attachments=list(attachments))


def lookalike_cases() -> list[Case]:
    """Harmless look-alikes (phone, case number, amount) in the same places: no CPR number in them."""
    return [
        Case(
            "docx_lookalike",
            "ok.docx",
            docx(p(LOOKALIKES), sections=[{"header": p(LOOKALIKES)}]),
            "Brødtekst",
            "33 12 34 56",
        ),
        Case("pdf_lookalike", "ok.pdf", text_pdf([bt(LOOKALIKES)]), "Side 1", "33 12 34 56"),
        Case("eml_lookalike", "ok.eml", eml(body=LOOKALIKES), "Brødtekst", "33 12 34 56"),
    ]


# --- images for OCR ----------------------------------------------------------------------------------------


def font_path() -> str | None:
    """A TrueType font on this machine, or None (the caller falls back to Pillow's default font)."""
    return next((f for f in FONT_CANDIDATES if Path(f).exists()), None)


def printed(lines: list[str], size: int = 48, fmt: str = "PNG", pages: int = 1) -> bytes:
    """An image (a "scan") with ``lines`` printed in a large clear font, black on white."""
    from PIL import Image, ImageDraw, ImageFont

    path = font_path()
    font = ImageFont.truetype(path, size) if path else ImageFont.load_default(size=size)
    frames = []
    for _ in range(pages):
        img = Image.new("L", (1600, 120 + len(lines) * size * 2), 255)
        draw = ImageDraw.Draw(img)
        for i, line in enumerate(lines):
            draw.text((60, 60 + i * size * 2), line, fill=0, font=font)
        frames.append(img)
    buf = io.BytesIO()
    if pages > 1:
        frames[0].save(buf, format=fmt, save_all=True, append_images=frames[1:])
    else:
        frames[0].save(buf, format=fmt)
    return buf.getvalue()


def noise(size: int = 400, fmt: str = "PNG", blank: bool = False) -> bytes:
    """A blank or random-noise image: nothing OCR can read."""
    import random

    from PIL import Image

    if blank:
        img = Image.new("L", (size, size), 255)
    else:
        rnd = random.Random(14)
        img = Image.frombytes("L", (size, size), bytes(rnd.getrandbits(8) for _ in range(size * size)))
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return buf.getvalue()


def scanned_pdf(lines: list[str]) -> bytes:
    """A PDF whose only page is an image of printed ``lines`` (no text layer), as a scanner makes it."""
    from PIL import Image

    img = Image.open(io.BytesIO(printed(lines)))
    buf = io.BytesIO()
    img.save(buf, format="PDF", resolution=150)
    return buf.getvalue()


# --- bombs -------------------------------------------------------------------------------------------------


def zip_bomb_docx(size: int = 400 * 2**20) -> bytes:
    """A small .docx whose document.xml declares and unpacks to ``size`` bytes (spaces in a valid wrapper)."""
    return _deflated_docx(size, declared=size)


def lying_zip_bomb_docx(size: int = 400 * 2**20, declared: int = 2**20) -> bytes:
    """The same bomb, but its central directory says document.xml is only ``declared`` bytes."""
    return _deflated_docx(size, declared=declared)


def _deflated_docx(size: int, declared: int) -> bytes:
    head = f"<w:document {NS}><w:body>".encode()
    tail = b"</w:body></w:document>"
    data, crc, _ = deflated_spaces(head, size - len(head) - len(tail), tail)
    base = zipfile.ZipFile(io.BytesIO(docx(p("x"))))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in base.infolist():
            if info.filename != "word/document.xml":
                out.writestr(info, base.read(info))
    # Append the bomb member by hand (zipfile would compress it again).
    return _append_member(buf.getvalue(), "word/document.xml", data, crc, declared)


def deflated_spaces(head: bytes, spaces: int, tail: bytes) -> tuple[bytes, int, int]:
    """``head + b" " * spaces + tail`` as a raw deflate stream, with its CRC-32 and Adler-32, built fast:
    one MiB of spaces is packed once after a full flush and its bytes repeated (the packer's state is the
    same after each full flush, so the repeated block is a valid stream)."""
    mib = 2**20
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = comp.compress(head) + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(b" " * mib) + comp.flush(zlib.Z_FULL_FLUSH)
    rest = spaces % mib
    end = comp.compress(b" " * rest + tail) + comp.flush()
    crc, adler = zlib.crc32(head), zlib.adler32(head)
    one = b" " * mib
    for _ in range(spaces // mib):
        crc, adler = zlib.crc32(one, crc), zlib.adler32(one, adler)
    last = b" " * rest + tail
    crc, adler = zlib.crc32(last, crc), zlib.adler32(last, adler)
    return start + block * (spaces // mib) + end, crc, adler


def _append_member(zip_bytes: bytes, name: str, packed: bytes, crc: int, declared: int) -> bytes:
    import struct

    infos = zipfile.ZipFile(io.BytesIO(zip_bytes)).infolist()
    cd_start = _cd_offset(zip_bytes)
    body = bytearray(zip_bytes[:cd_start])
    offset = len(body)
    fname = name.encode()
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(packed), declared, len(fname), 0)
    body += local + fname + packed
    central = bytearray(zip_bytes[cd_start : _eocd_offset(zip_bytes)])
    central += (
        struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            8,
            0,
            0,
            crc,
            len(packed),
            declared,
            len(fname),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        + fname
    )
    cd_offset = len(body)
    eocd = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(infos) + 1, len(infos) + 1, len(central), cd_offset, 0
    )
    return bytes(body + central + eocd)


def _eocd_offset(data: bytes) -> int:
    return data.rfind(b"PK\x05\x06")


def _cd_offset(data: bytes) -> int:
    import struct

    eocd = _eocd_offset(data)
    return struct.unpack("<I", data[eocd + 16 : eocd + 20])[0]


def xml_heavy_docx(runs: int = 400_000) -> bytes:
    """A .docx with ``runs`` small runs of varied text (many MiB of XML; packs like a real document)."""
    import random

    rnd = random.Random(14)
    words = ["borger", "sag", "aktindsigt", "kommune", "notat", "brev", "afgørelse", "klage", "frist", "møde"]
    body = "".join(
        f"<w:p><w:r><w:t>{rnd.choice(words)} {rnd.randrange(10**6)} {rnd.choice(words)}</w:t></w:r></w:p>"
        for _ in range(runs)
    )
    return docx(body)


def inflating_pdf(size: int = 200 * 2**20) -> bytes:
    """A tiny PDF whose one content stream inflates to ``size`` bytes."""
    import struct

    raw, _, adler = deflated_spaces(b"", size, b"")
    packed = b"\x78\xda" + raw + struct.pack(">I", adler)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream",
    ]
    return raw_pdf(objects)


def many_pages_pdf(pages: int = 5000) -> bytes:
    """A PDF with ``pages`` empty pages."""
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>"] * pages
    return raw_pdf(objects)


def huge_png(side: int = 12000) -> bytes:
    """A small PNG of ``side`` × ``side`` grey pixels: decoding it needs ``side``² bytes of memory."""
    import struct

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    comp = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * side
    rows = row * 256
    packed = [comp.compress(rows) for _ in range(side // 256)]
    packed.append(comp.compress(row * (side % 256)))
    packed.append(comp.flush())
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", b"".join(packed)) + chunk(b"IEND", b"")
    )


def inflating_form_pdf(size: int = 150 * 2**20) -> bytes:
    """A tiny PDF whose page draws a form XObject whose stream inflates to ``size`` bytes."""
    import struct

    raw, _, adler = deflated_spaces(b"", size, b"")
    packed = b"\x78\xda" + raw + struct.pack(">I", adler)
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /X1 5 0 R >> >> "
            b"/Contents 4 0 R >>",
            stream(b"q /X1 Do Q"),
            b"<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Length %d /Filter /FlateDecode >>\nstream\n"
            % len(packed)
            + packed
            + b"\nendstream",
        ]
    )


def text_and_scan_pdf(heading: str, lines: list[str]) -> bytes:
    """A PDF page with a typed ``heading`` in its text layer above a scanned image of printed ``lines``."""
    from PIL import Image

    img = Image.open(io.BytesIO(printed(lines))).convert("L")
    width, height = img.size
    image = (
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 "
        b"/Filter /FlateDecode /Length %d >>\nstream\n"
    )
    packed = zlib.compress(img.tobytes())
    draw = bt(heading, 800) + b" q 560 0 0 %d 18 400 cm /Im1 Do Q" % (560 * height // width)
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> "
            b"/XObject << /Im1 5 0 R >> >> /Contents 6 0 R >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            image % (width, height, len(packed)) + packed + b"\nendstream",
            stream(draw),
        ]
    )
