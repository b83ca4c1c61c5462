"""The release package is declared PDF/A-2b only when pikepdf's PDF/A validator approved the bytes written.

veraPDF is not installed here; these tests check with pikepdf the structural requirements a reader can see
(docs/release.md, "PDF/A"): the output intent, the XMP declaration and its agreement with the document
information, every font embedded, no encryption, no JavaScript, no embedded files, no transparency group
on a page. A package that cannot conform is written without any claim, with the reason.
"""

from __future__ import annotations

import io
import os

import pikepdf
import pymupdf
import pytest
from PIL import Image

from aktflow.release import convert, pdfa, stamp
from aktflow.release.package import PackageDocument, build

pytestmark = pytest.mark.skipif(not pdfa.available(), reason="pikepdf[pdfa] is not installed")
# Under CI (.ci/run installs fonts-dejavu-core) a missing font is a failure, not a skip.
needs_dejavu = pytest.mark.skipif(
    stamp.font_file() is None and os.environ.get("CI") != "true",
    reason="DejaVu Sans (fonts-dejavu-core) is not installed",
)

SAG = "15.17.12-A53-1-26"


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (240, 120), (30, 90, 160)).save(buf, "PNG")
    return buf.getvalue()


def _helvetica_pdf() -> bytes:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "Referat af mødet")  # Helvetica, referred to by name only
    return doc.tobytes()


def _cid_font_pdf() -> bytes:
    """A font embedded as PyMuPDF embeds it (a CID font without /CIDToGIDMap): not PDF/A-2b."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_font(fontname="dv", fontfile="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    page.insert_text((72, 72), "Referat af mødet", fontname="dv")
    return doc.tobytes()


def _build(tmp_path, docs: list[tuple[str, bytes]]):
    documents = [
        PackageDocument(n, f"Dokument {n}", name, (lambda data=data: data), document_id=n)
        for n, (name, data) in enumerate(docs, start=1)
    ]
    letter = convert.to_pdf("afgoerelse.png", _png())
    return build(tmp_path / "pakke.pdf", sagsnummer=SAG, letter_pdf=letter, documents=documents)


def _fonts(pdf: pikepdf.Pdf):
    for page in pdf.pages:
        fonts = page.obj.get("/Resources", {}).get("/Font", {})
        yield from fonts.values()


@needs_dejavu
def test_a_package_that_can_conform_is_pdfa_2b_with_its_intent_metadata_and_fonts(tmp_path):
    built = _build(tmp_path, [("a.png", _png()), ("b.png", _png())])

    assert built.conformance == {"pdfa": True, "flavour": "PDF/A-2b", "reason": None}
    with pikepdf.open(built.path) as pdf:
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1 and intents[0].S == "/GTS_PDFA1"
        assert isinstance(intents[0].DestOutputProfile, pikepdf.Stream)
        assert len(intents[0].DestOutputProfile.read_bytes()) > 1000  # an ICC profile, not a stub
        meta = pdf.open_metadata()
        assert str(meta["pdfaid:part"]) == "2" and str(meta["pdfaid:conformance"]) == "B"
        info = pdf.docinfo
        for key, prop in (("/Producer", "pdf:Producer"), ("/Title", "dc:title")):
            if key in info:
                assert str(meta.get(prop)) == str(info[key])
        fonts = list(_fonts(pdf))
        assert fonts, "the stamp's font is on every page"
        for font in fonts:
            assert "/FontFile2" in font.FontDescriptor, f"{font.BaseFont} is not embedded"
        assert not pdf.is_encrypted
        assert "/Names" not in pdf.Root and "/OpenAction" not in pdf.Root
        for page in pdf.pages:
            group = page.obj.get("/Group")
            assert group is None or group.get("/S") != "/Transparency"
        assert len(pdf.pages) == 3
        assert [str(i.title) for i in pdf.open_outline().root][0] == "Afgørelse med aktliste"


def test_a_document_with_a_font_that_is_not_embedded_makes_no_claim_and_says_why(tmp_path):
    built = _build(tmp_path, [("a.png", _png()), ("b.pdf", _helvetica_pdf())])

    assert built.conformance["pdfa"] is False
    assert "Helvetica" in built.conformance["reason"] and "side 3" in built.conformance["reason"]
    with pikepdf.open(built.path) as pdf:
        assert "/Metadata" not in pdf.Root and "/OutputIntents" not in pdf.Root
        assert "pdfaid:part" not in pdf.open_metadata()


@needs_dejavu
def test_a_document_the_validator_refuses_makes_no_claim_even_after_preparation(tmp_path):
    built = _build(tmp_path, [("b.pdf", _cid_font_pdf())])

    assert built.conformance["pdfa"] is False
    assert built.conformance["reason"].startswith("PDF/A-kontrollen godkendte ikke filen: ISO_19005_2")
    with pikepdf.open(built.path) as pdf:
        assert "/Metadata" not in pdf.Root and "/OutputIntents" not in pdf.Root
        assert "pdfaid:part" not in pdf.open_metadata()


def test_the_quick_look_names_the_first_page_with_an_unembedded_font():
    with pikepdf.open(io.BytesIO(_helvetica_pdf())) as pdf:
        assert pdfa.unembedded_font(pdf) == (1, "Helvetica")
    with pikepdf.open(io.BytesIO(convert.to_pdf("a.png", _png()))) as pdf:
        assert pdfa.unembedded_font(pdf) is None
