"""The release package: letter first, documents in aktliste order, every page stamped, a bookmark per
document, nothing hidden left, and a CPR number on any page blocks it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pikepdf
import pytest

from aktflow.release import package as P
from tests.corpus.secrets_pdf import VISIBLE, hiding_pdf
from tests.unit.test_release_convert import every_byte, extracted_text


def text_pdf(*pages: str) -> bytes:
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    for text in pages:
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, 595, 842],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
            # A transformation left behind by the page must not move the stamp.
            Contents=pdf.make_stream(f"2 0 0 2 0 0 cm BT /F1 12 Tf 36 300 Td ({text}) Tj ET".encode()),
        )
        pdf.pages.append(pikepdf.Page(page))
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def doc(number: int, title: str, data: bytes, filename: str = "fil.pdf") -> P.PackageDocument:
    return P.PackageDocument(number, title, filename, lambda: data, document_id=number * 10)


def build(tmp_path: Path, documents, **kw) -> P.BuiltPackage:
    return P.build(
        tmp_path / "pakke.pdf",
        sagsnummer="15.17.12-A53-1-26",
        letter_pdf=text_pdf("Afgoerelsesbrev side en", "Aktliste"),
        documents=documents,
        **kw,
    )


def test_letter_then_documents_in_order_each_page_stamped_with_bookmarks(tmp_path):
    built = build(
        tmp_path,
        [
            doc(2, "Referat", text_pdf("Referat side en", "Referat side to")),
            doc(5, "Notat", text_pdf("Notat")),
        ],
    )
    texts = list(P.page_texts(built.path))
    assert built.pages == len(texts) == 5 and built.documents == 2
    assert "Afgoerelsesbrev side en" in texts[0] and "Aktliste" in texts[1]
    assert "Referat side en" in texts[2] and "Referat side to" in texts[3] and "Notat" in texts[4]
    stamps = [
        "Sag 15.17.12-A53-1-26 - Afgørelse - side 1 af 2",
        "Sag 15.17.12-A53-1-26 - Afgørelse - side 2 af 2",
        "Sag 15.17.12-A53-1-26 - Dokument 2 - side 1 af 2",
        "Sag 15.17.12-A53-1-26 - Dokument 2 - side 2 af 2",
        "Sag 15.17.12-A53-1-26 - Dokument 5 - side 1 af 1",
    ]
    for text, expected in zip(texts, stamps, strict=True):
        assert expected in text
    with pikepdf.open(built.path) as pdf:
        with pdf.open_outline() as outline:
            marks = [(str(i.title), i.destination) for i in outline.root]
        starts = [pdf.pages.index(pikepdf.Page(d[0])) for _, d in marks]
        # The stamp sits in the lower left corner, outside the page's own transformation.
        words = pdf.pages[4].obj.Contents
        assert isinstance(words, pikepdf.Array) and words[0].read_bytes() == b"q\n"
    assert [t for t, _ in marks] == ["Afgørelse med aktliste", "2. Referat", "5. Notat"]
    assert starts == [0, 2, 4]
    assert built.sha256 == P.sha256_of(built.path) and built.size == built.path.stat().st_size


def test_no_hidden_secret_survives_into_the_package(tmp_path):
    data, secrets = hiding_pdf()
    built = build(tmp_path, [doc(1, "Skema", data)], zip_out=tmp_path / "pakke.zip")
    content = built.path.read_bytes()
    found, text = every_byte(content), extracted_text(content)
    for where, secret in secrets.items():
        assert secret.encode() not in found, where
        assert secret not in text, where
    assert VISIBLE in text
    with zipfile.ZipFile(built.zip_path) as z:
        assert z.namelist() == ["000 Afgørelse.pdf", "001 Skema.pdf"]
        member = z.read("001 Skema.pdf")
    for where, secret in secrets.items():
        assert secret.encode() not in every_byte(member), where
    assert VISIBLE in extracted_text(member)


def test_the_prepare_hook_sees_each_document_and_its_result_is_released(tmp_path):
    seen = []

    def prepare(document: P.PackageDocument, pdf: bytes) -> bytes:
        seen.append((document.number, document.document_id, pdf[:5]))
        return text_pdf(f"Forberedt {document.number}")

    built = build(
        tmp_path, [doc(1, "A", text_pdf("Original A")), doc(4, "B", text_pdf("Original B"))], prepare=prepare
    )
    assert seen == [(1, 10, b"%PDF-"), (4, 40, b"%PDF-")]
    texts = list(P.page_texts(built.path))
    assert "Forberedt 1" in texts[2] and "Forberedt 4" in texts[3]
    assert not any("Original" in t for t in texts)


def test_a_cpr_number_on_a_page_blocks_the_package_without_showing_it(tmp_path):
    with pytest.raises(P.PackageBlocked) as err:
        build(
            tmp_path,
            [doc(1, "Fint", text_pdf("Intet")), doc(7, "Sagsakt", text_pdf("Ok", "Borger 120385-1237"))],
        )
    assert "Dokument 7" in err.value.message and "side 2" in err.value.message
    assert "120385" not in err.value.message
    assert not (tmp_path / "pakke.pdf").exists()


def test_a_cpr_number_spaced_out_is_found_too(tmp_path):
    with pytest.raises(P.PackageBlocked, match="CPR-nummer"):
        build(tmp_path, [doc(1, "Spredt", text_pdf("1 2 0 3 8 5 - 1 2 3 7"))])


def test_a_cpr_number_added_by_the_hook_is_caught(tmp_path):
    with pytest.raises(P.PackageBlocked, match="Dokument 1"):
        build(tmp_path, [doc(1, "A", text_pdf("Ren"))], prepare=lambda d, pdf: text_pdf("nr. 120385-1237"))


def test_a_title_with_a_cpr_number_is_masked_in_bookmarks_and_file_names(tmp_path):
    built = build(tmp_path, [doc(1, "Notat 120385-1237", text_pdf("Ren"))], zip_out=tmp_path / "p.zip")
    assert P.outline_titles(built.path)[1] == "1. Notat XXXXXX-XXXX"
    with zipfile.ZipFile(built.zip_path) as z:
        assert z.namelist()[1] == "001 Notat XXXXXX-XXXX.pdf"


def test_a_document_that_cannot_be_converted_blocks_the_package(tmp_path):
    with pytest.raises(P.PackageBlocked, match=r"Dokument 3 \('Tegning'\): Filtypen \.dwg"):
        build(tmp_path, [doc(3, "Tegning", b"...", filename="tegning.dwg")])


def test_each_file_is_checked_and_its_check_recorded(tmp_path):
    built = build(tmp_path, [doc(1, "A", text_pdf("Et", "To")), doc(4, "B", text_pdf("Tre"))])
    assert [(c["number"], c["document_id"], c["pages"], c["ok"]) for c in built.checks] == [
        (None, None, 2, True),
        (1, 10, 2, True),
        (4, 40, 1, True),
    ]
    for check in built.checks:
        (cpr,) = check["checks"]
        assert cpr["check"] == "cpr" and cpr["source"] == "text_layer" and cpr["pages"] == check["pages"]
    # The package holds exactly the checked files' pages.
    with pikepdf.open(built.path) as merged:
        assert len(merged.pages) == sum(c["pages"] for c in built.checks)


def test_a_pdf_screened_clean_and_unchanged_is_not_read_again(tmp_path):
    import hashlib

    data = text_pdf("Gennemgaaet")
    screened = P.PackageDocument(
        1, "A", "a.pdf", lambda: data, document_id=1, screened=hashlib.sha256(data).hexdigest()
    )
    built = build(tmp_path, [screened])
    (cpr,) = built.checks[1]["checks"]
    assert cpr["source"] == "screening" and cpr["pages"] is None and built.checks[1]["pages"] == 1


def test_a_screening_of_other_bytes_or_a_changed_file_does_not_count(tmp_path):
    import hashlib

    secret = text_pdf("Borger 120385-1237")
    # Screening read a different file (the stored one was replaced): the pages are read, the number found.
    stale = P.PackageDocument(1, "A", "a.pdf", lambda: secret, document_id=1, screened="0" * 64)
    with pytest.raises(P.PackageBlocked, match="CPR-nummer") as err:
        build(tmp_path, [stale])
    assert err.value.checks[-1]["checks"][0]["found_on"] == [1]
    # Screening read this file, but the prepare hook changed it: the output is read.
    clean = text_pdf("Ren")
    changed = P.PackageDocument(
        1, "A", "a.pdf", lambda: clean, document_id=1, screened=hashlib.sha256(clean).hexdigest()
    )
    with pytest.raises(P.PackageBlocked, match="CPR-nummer"):
        build(tmp_path, [changed], prepare=lambda d, pdf: secret)


def test_a_failed_leak_report_from_the_hook_blocks_and_is_recorded(tmp_path):
    report = {
        "ok": False,
        "parts": 3,
        "sha256": "a" * 64,
        "leaks": [{"what": "term", "where": "Side 1", "term": 1}],
        "reason": "Lækagekontrollen fandt: overstregning nr. 1 findes stadig i Side 1",
    }
    with pytest.raises(P.PackageBlocked, match=r"Dokument 1 \('A'\): Lækagekontrollen fandt") as err:
        build(tmp_path, [doc(1, "A", text_pdf("Ren"))], prepare=lambda d, pdf: P.Prepared(pdf, report))
    (redactions, cpr) = err.value.checks[-1]["checks"]
    assert redactions["check"] == "redactions" and not redactions["ok"] and redactions["parts"] == 3
    assert cpr["source"] == "text_layer"  # a failed leak check covers nothing: the pages are read
    assert not (tmp_path / "pakke.pdf").exists()
