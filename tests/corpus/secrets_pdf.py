"""A PDF that hides a secret in every place a PDF can keep one that the page does not show.

``hiding_pdf()`` returns the file and the secrets by where they hide. The page itself shows
``VISIBLE`` only. Built with pikepdf (and pypdf for the incremental update that keeps an earlier revision).
"""

from __future__ import annotations

import io

import pikepdf

VISIBLE = "Offentlig tekst til udlevering"

SECRETS = {
    "metadata": "HEMMELIGFORFATTER",
    "xmp": "HEMMELIGXMP",
    "annotation": "HEMMELIGKOMMENTAR",
    "form_field": "HEMMELIGFELT",
    "attachment": "HEMMELIGBILAG",
    "javascript": "HEMMELIGSKRIPT",
    "hidden_layer": "HEMMELIGLAG",
    "earlier_revision": "HEMMELIGREVISION",
}


def _font(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    return pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica,
            Encoding=pikepdf.Name.WinAnsiEncoding,
        )
    )


def _text(s: str, y: int = 700) -> bytes:
    return f"BT /F1 14 Tf 72 {y} Td ({s}) Tj ET\n".encode("latin-1")


def hiding_pdf() -> tuple[bytes, dict[str, str]]:
    """A one-page PDF showing :data:`VISIBLE`, with each of :data:`SECRETS` hidden where its key says."""
    pdf = pikepdf.new()
    font = _font(pdf)
    layer = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.OCG, Name=pikepdf.String("Skjult lag")))
    content = (
        _text(SECRETS["earlier_revision"])  # replaced by the incremental update below
        + b"/OC /L0 BDC\n"
        + _text(SECRETS["hidden_layer"], 600)
        + b"EMC\n"
    )
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, 595, 842],
        Resources=pikepdf.Dictionary(
            Font=pikepdf.Dictionary(F1=font), Properties=pikepdf.Dictionary(L0=layer)
        ),
        Contents=pdf.make_stream(content),
    )
    pdf.pages.append(pikepdf.Page(page))
    page = pdf.pages[0].obj
    pdf.Root.OCProperties = pikepdf.Dictionary(OCGs=[layer], D=pikepdf.Dictionary(OFF=[layer], Order=[layer]))
    # A comment (sticky note) and a form field with its own appearance.
    note = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Text,
            Rect=[100, 100, 120, 120],
            Contents=pikepdf.String(SECRETS["annotation"]),
        )
    )
    appearance = pdf.make_stream(
        b"/Tx BMC BT /F1 10 Tf 2 4 Td (" + SECRETS["form_field"].encode() + b") Tj ET EMC",
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Form,
        BBox=[0, 0, 200, 20],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
    )
    field = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Widget,
            FT=pikepdf.Name.Tx,
            T=pikepdf.String("navn"),
            V=pikepdf.String(SECRETS["form_field"]),
            Rect=[72, 300, 272, 320],
            AP=pikepdf.Dictionary(N=appearance),
            P=page,
        )
    )
    page.Annots = pdf.make_indirect([note, field])
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[field], DA=pikepdf.String("/F1 10 Tf 0 g"))
    # An attached file, JavaScript run on opening, the document information and an XMP packet.
    spec = pikepdf.AttachedFileSpec(pdf, SECRETS["attachment"].encode() * 3, filename="bilag.txt")
    pdf.attachments["bilag.txt"] = spec
    js = pdf.make_indirect(
        pikepdf.Dictionary(
            S=pikepdf.Name.JavaScript, JS=pikepdf.String(f"app.alert('{SECRETS['javascript']}')")
        )
    )
    pdf.Root.OpenAction = js
    pdf.Root.Names.JavaScript = pikepdf.Dictionary(Names=[pikepdf.String("start"), js])
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:description"] = SECRETS["xmp"]
    pdf.docinfo["/Author"] = pikepdf.String(SECRETS["metadata"])
    buf = io.BytesIO()
    pdf.save(buf, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return _revise(buf.getvalue()), dict(SECRETS)


def _revise(data: bytes) -> bytes:
    """``data`` with an incremental update that replaces the page's first text by :data:`VISIBLE`: the
    earlier revision stays in the file's bytes, as an editor that saves incrementally leaves it."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter(io.BytesIO(data), incremental=True)
    page = writer.pages[0]
    old = page.get_contents().get_data()
    first_end = old.index(b"ET\n") + 3
    new = DecodedStreamObject()
    new.set_data(_text(VISIBLE) + old[first_end:])
    page[NameObject("/Contents")] = writer._add_object(new)
    out = io.BytesIO()
    writer.write(out)
    revised = out.getvalue()
    assert revised.startswith(data[:100]) and SECRETS["earlier_revision"].encode() in revised
    return revised
