"""Released files: converted to PDF from each format, and stripped of everything the page does not show."""

from __future__ import annotations

import io
import shutil
import zlib

import pikepdf
import pytest

from aktflow.extraction import Limits, extract
from aktflow.release import convert
from tests.archive_setup import require_soffice as needs_soffice
from tests.corpus.secrets_pdf import VISIBLE, hiding_pdf


def every_byte(pdf: bytes) -> bytes:
    """The raw file, every stream decoded by qpdf, and every zlib run found in the raw file inflated."""
    out = [pdf]
    with pikepdf.open(io.BytesIO(pdf)) as p:
        for obj in p.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    out.append(obj.read_bytes())
                except pikepdf.PdfError:
                    out.append(obj.read_raw_bytes())
            elif isinstance(obj, pikepdf.Dictionary | pikepdf.Array):
                out.append(repr(obj).encode("utf-8", "replace"))
    for start in range(len(pdf) - 1):
        if pdf[start] == 0x78 and pdf[start + 1] in (0x01, 0x5E, 0x9C, 0xDA):
            try:
                out.append(zlib.decompressobj().decompress(pdf[start:]))
            except zlib.error:
                pass
    return b"\n".join(out)


def extracted_text(pdf: bytes) -> str:
    """All text aktflow's own reader finds: pages, metadata, XMP, fields, annotations, embedded files."""
    result = extract("pakke.pdf", pdf, Limits())
    return "\n".join(p.text for p in result.parts) + "\n".join(
        e.content.decode("latin-1") for e in result.children
    )


def test_the_corpus_hides_each_secret_where_a_reader_finds_it():
    data, secrets = hiding_pdf()
    found = every_byte(data)
    for where, secret in secrets.items():
        assert secret.encode() in found, where
    text = extracted_text(data)
    for where in ("metadata", "xmp", "annotation", "form_field", "attachment"):
        assert secrets[where] in text, where


def test_stripping_removes_every_hidden_secret_and_keeps_the_page():
    data, secrets = hiding_pdf()
    clean = convert.strip(data)
    found = every_byte(clean)
    text = extracted_text(clean)
    for where, secret in secrets.items():
        assert secret.encode() not in found, where
        assert secret not in text, where
    assert VISIBLE in text
    with pikepdf.open(io.BytesIO(clean)) as p:
        assert "/Info" not in p.trailer
        assert not {"/Metadata", "/AcroForm", "/Names", "/OpenAction", "/OCProperties"} & set(p.Root.keys())
        assert "/Annots" not in p.pages[0].obj
        assert len(p.pages) == 1


def test_a_visible_layer_stays():
    pdf = pikepdf.new()
    layer = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.OCG, Name=pikepdf.String("Synligt")))
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, 595, 842],
        Resources=pikepdf.Dictionary(
            Font=pikepdf.Dictionary(F1=font), Properties=pikepdf.Dictionary(L=layer)
        ),
        Contents=pdf.make_stream(b"/OC /L BDC BT /F1 12 Tf 72 700 Td (Synlig lagtekst) Tj ET EMC"),
    )
    pdf.pages.append(pikepdf.Page(page))
    pdf.Root.OCProperties = pikepdf.Dictionary(OCGs=[layer], D=pikepdf.Dictionary(ON=[layer]))
    buf = io.BytesIO()
    pdf.save(buf)
    assert "Synlig lagtekst" in extracted_text(convert.strip(buf.getvalue()))


def test_a_file_that_is_not_a_pdf_is_refused_in_danish():
    with pytest.raises(convert.ConversionError, match="kan ikke læses"):
        convert.strip(b"%PDF-1.7 not really")


def test_an_unknown_type_is_refused_in_danish():
    with pytest.raises(convert.ConversionError, match=r"Filtypen \.xyz"):
        convert.to_pdf("data.xyz", b"...")


def test_without_libreoffice_an_office_file_cannot_be_converted(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(convert.ConversionError, match="LibreOffice er ikke installeret"):
        convert.to_pdf("brev.docx", b"PK")


def test_an_image_becomes_a_page_per_frame():
    from PIL import Image

    frames = [Image.new("RGB", (300, 200), c) for c in ("red", "blue")]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:])
    pdf = convert.released_pdf("scan.tif", buf.getvalue())
    with pikepdf.open(io.BytesIO(pdf)) as p:
        assert len(p.pages) == 2
    rgba = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 0, 0, 0)).save(rgba, "PNG")
    assert convert.released_pdf("logo.png", rgba.getvalue()).startswith(b"%PDF")
    with pytest.raises(convert.ConversionError, match="Billedet kan ikke læses"):
        convert.to_pdf("scan.png", b"not an image")


def test_an_email_shows_its_headers_and_body():
    eml = (
        "From: Borger <borger@example.dk>\nTo: kommune@example.dk\nCc: kopi@example.dk\n"
        "Date: Mon, 1 Jan 2024 10:00:00 +0100\nSubject: Støjklage\n"
        "Content-Type: text/plain; charset=utf-8\n\nDer er støj <b> & larm.\n"
    ).encode()
    headers, body = convert.mail_headers_and_body(eml)
    assert dict(headers) == {
        "Fra": "Borger <borger@example.dk>",
        "Til": "kommune@example.dk",
        "Cc": "kopi@example.dk",
        "Dato": "Mon, 01 Jan 2024 10:00:00 +0100",
        "Emne": "Støjklage",
    }
    assert "støj <b> & larm" in body
    page = convert.mail_html(eml).decode()
    assert "&lt;b&gt; &amp; larm" in page and "<b>" not in page
    needs_soffice()
    text = extracted_text(convert.released_pdf("klage.eml", eml))
    for expected in ("Fra:", "Borger", "Emne:", "Støjklage", "Dato:", "Der er støj <b> & larm."):
        assert expected in text


def test_an_outlook_message_shows_its_headers_and_body():
    from tests.corpus.outlook import msg

    data = msg(
        subject="Høring om vejen",
        body="Teksten i beskeden",
        headers={"From": "a@example.dk", "To": "b@example.dk", "Date": "Mon, 1 Jan 2024 10:00:00 +0100"},
    )
    headers, body = convert.mail_headers_and_body(data, msg=True)
    assert ("Emne", "Høring om vejen") in headers
    assert "Teksten i beskeden" in body


def test_office_files_keep_their_text_and_lose_their_properties():
    needs_soffice()
    import docx

    d = docx.Document()
    d.add_paragraph("Referat af mødet om skolen")
    d.core_properties.author = "HEMMELIGFORFATTER"
    d.core_properties.comments = "HEMMELIGNOTE"
    buf = io.BytesIO()
    d.save(buf)
    pdf = convert.released_pdf("referat.docx", buf.getvalue())
    assert "Referat af mødet om skolen" in extracted_text(pdf)
    found = every_byte(pdf)
    assert b"HEMMELIGFORFATTER" not in found and b"HEMMELIGNOTE" not in found
    text = convert.released_pdf("note.txt", "Linje med æøå\n".encode())
    assert "Linje med æøå" in extracted_text(text)


def test_a_hidden_layer_is_removed_beside_an_inline_image():
    pdf = pikepdf.new()
    layer = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.OCG, Name=pikepdf.String("Skjult")))
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, 595, 842],
        Resources=pikepdf.Dictionary(
            Font=pikepdf.Dictionary(F1=font), Properties=pikepdf.Dictionary(L=layer)
        ),
        Contents=pdf.make_stream(
            b"q 10 0 0 10 0 0 cm BI /W 1 /H 1 /BPC 8 /CS /G ID \x80 EI Q "
            b"BT /F1 12 Tf 72 700 Td (Synlig) Tj ET /OC /L BDC BT /F1 12 Tf 72 600 Td (HEMMELIGLAG) Tj ET EMC"
        ),
    )
    pdf.pages.append(pikepdf.Page(page))
    pdf.Root.OCProperties = pikepdf.Dictionary(OCGs=[layer], D=pikepdf.Dictionary(OFF=[layer]))
    buf = io.BytesIO()
    pdf.save(buf)
    clean = convert.strip(buf.getvalue())
    assert "Synlig" in extracted_text(clean)
    assert b"HEMMELIGLAG" not in every_byte(clean)
    with pikepdf.open(io.BytesIO(clean)) as p:
        assert any(
            isinstance(i, pikepdf.ContentStreamInlineImage) for i in pikepdf.parse_content_stream(p.pages[0])
        )
