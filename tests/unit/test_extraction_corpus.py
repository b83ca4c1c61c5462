"""Every place a document can hide a CPR number or a sensitive word is read, into the right part.

The corpus is generated (tests/corpus). For each file the test checks the part's label and text, and that
screening finds the CPR number in the extracted text. The .msg files are written by a small Compound File
writer in tests/corpus/outlook.py (no library writes Outlook's format).
"""

from __future__ import annotations

import pytest

from aktflow.extraction import Extraction, Limits, extract
from aktflow.screening import contains_cpr, scan
from tests import corpus

CASES = corpus.docx_cases() + corpus.pdf_cases() + corpus.other_cases()
CHILD_LABELS = {"bilag.txt", "annoteret.txt", "Videresendt.eml"}


def _extract(case: corpus.Case) -> Extraction:
    return extract(case.filename, case.data, Limits())


def _part_text(result: Extraction, label: str) -> str:
    texts = [p.text for p in result.parts if p.label == label]
    assert texts, f"no part {label!r}; parts: {[p.label for p in result.parts]}"
    return "\n".join(texts)


@pytest.mark.parametrize("case", [c for c in CASES if c.label not in CHILD_LABELS], ids=lambda c: c.name)
def test_the_hidden_text_is_read_into_its_part(case):
    result = _extract(case)
    assert case.secret in _part_text(result, case.label)
    assert result.complete
    if corpus.CPR in case.secret and case.secret.startswith("CPR"):
        assert "cpr" in {f.kind for f in scan(result.text)}, "screening must find the CPR number"
    if case.secret == corpus.HEALTH:
        assert "health" in {f.kind for f in scan(_part_text(result, case.label))}


@pytest.mark.parametrize("case", [c for c in CASES if c.label in CHILD_LABELS], ids=lambda c: c.name)
def test_attachments_and_embedded_files_are_returned_as_documents_of_their_own(case):
    result = _extract(case)
    children = {c.filename: c.content for c in result.children}
    assert case.label in children
    assert case.secret not in result.text, "the attachment's text is screened as its own document"
    child = extract(case.label, children[case.label], Limits())
    assert case.secret in child.text and contains_cpr(child.text)


def test_a_text_box_is_read_once_though_word_stores_it_twice():
    case = next(c for c in CASES if c.name == "text_box")
    assert case.data.count(corpus.CPR.encode()) == 0  # packed; the XML holds it in Choice and Fallback
    result = _extract(case)
    assert result.text.count(corpus.CPR) == 1


def test_each_piece_of_text_is_in_one_part_only():
    for case in corpus.docx_cases():
        result = _extract(case)
        holders = [p.label for p in result.parts if case.secret in p.text]
        assert holders == [case.label], case.name


def test_body_paragraphs_and_table_cells_stay_apart():
    data = corpus.docx(
        corpus.p("Første afsnit")
        + corpus.p("Andet afsnit")
        + corpus.table([corpus.p("celle A"), corpus.p("celle B")])
    )
    text = _part_text(extract("t.docx", data, Limits()), "Brødtekst")
    assert text.splitlines() == ["Første afsnit", "Andet afsnit", "celle A", "celle B"]


def test_letter_spaced_pdf_text_yields_the_digits_joined():
    for name, joined in (("pdf_letter_spaced", corpus.CPR), ("pdf_one_char_per_line", "1203851237")):
        case = next(c for c in CASES if c.name == name)
        text = _part_text(_extract(case), "Side 1")
        assert joined in text, name
        assert contains_cpr(text), name


def test_letter_spacing_in_the_raw_text_is_kept_beside_the_joined_text():
    case = next(c for c in CASES if c.name == "pdf_letter_spaced")
    text = _part_text(_extract(case), "Side 1")
    assert "1 2 0 3 8 5" in text and corpus.CPR in text


def test_a_comment_names_its_author_and_a_pdf_popup_is_not_read_twice():
    docx_case = next(c for c in CASES if c.name == "comment")
    assert [p.label for p in _extract(docx_case).parts if p.label.startswith("Kommentar")] == [
        "Kommentar af Jens Hansen"
    ]
    pdf_case = next(c for c in CASES if c.name == "pdf_annotation_popup")
    text = _part_text(_extract(pdf_case), "Kommentar, side 1")
    assert text.count(corpus.CPR) == 1 and "Jens Hansen" in text


def test_an_aes_encrypted_pdf_without_an_open_password_is_read():
    case = next(c for c in CASES if c.name == "pdf_aes_no_password")
    assert case.data.count(corpus.CPR.encode()) == 0  # encrypted on disk
    assert corpus.CPR in _part_text(_extract(case), "Side 1")


@pytest.mark.parametrize("case", corpus.lookalike_cases(), ids=lambda c: c.name)
def test_harmless_lookalikes_are_read_and_not_taken_for_cpr_numbers(case):
    result = _extract(case)
    assert case.secret in _part_text(result, case.label)
    assert not contains_cpr(result.text)


def test_the_nested_email_is_a_child_and_its_own_attachments_are_found_in_turn():
    inner_attachment = corpus.eml(subject="Indre", attachments=[("dybt.txt", f"CPR {corpus.CPR2}".encode())])
    from email import message_from_bytes, policy

    inner = message_from_bytes(inner_attachment, policy=policy.default)
    outer = extract("ydre.eml", corpus.eml(inner=inner), Limits())
    assert [c.filename for c in outer.children] == ["Indre.eml"]
    middle = extract("Indre.eml", outer.children[0].content, Limits())
    assert [c.filename for c in middle.children] == ["dybt.txt"]
    assert corpus.CPR2 in middle.children[0].content.decode()


def test_an_xlsx_keeps_rows_and_sheet_names():
    data = corpus.xlsx(
        {"Budget": {"A1": "Post", "B1": "Beløb", "A2": "Husleje", "B2": 4500}, "Noter": {"A1": "x"}}
    )
    result = extract("b.xlsx", data, Limits())
    assert _part_text(result, "Ark 'Budget'").splitlines() == ["Post\tBeløb", "Husleje\t4500"]
    assert _part_text(result, "Arknavne").splitlines() == ["Budget", "Noter"]


def test_extraction_keeps_the_file_facts():
    case = CASES[0]
    result = _extract(case)
    import hashlib

    assert (result.filename, result.size, result.sha256) == (
        case.filename,
        len(case.data),
        hashlib.sha256(case.data).hexdigest(),
    )
    assert result.content_type.endswith("wordprocessingml.document")
    assert result.text == "\n".join(p.text for p in result.parts)


def test_a_sheet_embedded_in_a_word_document_is_a_child_and_an_ole_object_is_unread():
    sheet = corpus.xlsx({"Ark1": {"A1": f"CPR {corpus.CPR}"}})
    data = corpus.docx(
        corpus.p("Se regnearket"),
        extra={
            "word/embeddings/Regneark1.xlsx": sheet,
            "word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0",
        },
    )
    result = extract("med-bilag.docx", data, Limits())
    assert [c.filename for c in result.children] == ["Regneark1.xlsx"]
    assert corpus.CPR in extract("Regneark1.xlsx", result.children[0].content, Limits()).text
    unread = [p for p in result.parts if not p.read]
    assert [p.label for p in unread] == ["Indlejret objekt 'oleObject1.bin'"] and not result.complete


def test_a_deleted_field_code_is_read_as_deleted_text():
    body = f'<w:p><w:del w:id="1" w:author="A"><w:r><w:delInstrText> QUOTE "{corpus.CPR}" </w:delInstrText></w:r></w:del></w:p>'
    result = extract("felt.docx", corpus.docx(body), Limits())
    assert corpus.CPR in _part_text(result, "Slettet tekst")


def test_an_outlook_message_attached_to_one_is_a_child_read_in_turn():
    from tests.corpus import outlook

    data = outlook.msg(
        subject="Ydre",
        body="Se vedhæftet",
        headers={"From": "a@example.org"},
        inner=("Indre", f"CPR {corpus.CPR}"),
    )
    outer = extract("ydre.msg", data, Limits())
    assert [c.filename for c in outer.children] == ["Indre.msg"] and corpus.CPR not in outer.text
    inner = extract("Indre.msg", outer.children[0].content, Limits())
    assert corpus.CPR in _part_text(inner, "Brødtekst")


def test_a_carried_file_name_is_made_safe_to_store():
    data = corpus.eml(attachments=[("../../etc/passwd", b"x"), ("", b"y")])
    names = [c.filename for c in extract("post.eml", data, Limits()).children]
    assert names == ["etc_passwd", "vedhæftet-3"]


@pytest.mark.parametrize(
    ("raw", "joined"),
    [
        ("1 2 0 3 8 5 - 1 2 3 7", "120385-1237"),
        ("C P R :  1 2 0 3 8 5 - 1 2 3 7", "CPR: 120385-1237"),
        ("D i a b e t e s", "Diabetes"),
        ("1\n2\n0\n3\n8\n5\n-\n1\n2\n3\n7", "120385-1237"),
    ],
)
def test_letter_spaced_text_is_rejoined(raw, joined):
    from aktflow.extraction.pdf import rejoin

    assert rejoin(raw) == joined


@pytest.mark.parametrize(
    "text", ["Jeg bor i Århus og er 5 år.", "Sagen, jf. § 7, stk. 2, nr. 1", "Tlf. 33 12 34 56", "a\nb"]
)
def test_ordinary_text_is_not_rejoined(text):
    from aktflow.extraction.pdf import rejoin

    assert rejoin(text) == ""


def test_html_becomes_text_without_scripts_and_with_link_addresses():
    from aktflow.extraction.mail import html_text

    html = (
        "<html><head><style>p {color: red}</style></head><body><p>Kære borger</p>"
        "<script>var x = 1;</script><p>Se <a href='https://example.org/sag'>sagen</a> &amp; svar</p>"
        "<table><tr><td>CPR</td><td>120385-1237</td></tr></table></body></html>"
    )
    assert html_text(html).splitlines() == [
        "Kære borger",
        "Se [https://example.org/sag] sagen & svar",
        "CPR 120385-1237",
    ]
