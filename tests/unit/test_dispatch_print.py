"""The print channel's file: A4, the address inside the C5 window box, then the letter and the package."""

from __future__ import annotations

import datetime as dt

import pymupdf

from aktflow.dispatch import print as printing
from aktflow.dispatch.channel import Attachment, OutgoingLetter, Recipient


def pdf_with(text: str, pages: int = 1) -> bytes:
    doc = pymupdf.open()
    for n in range(pages):
        page = doc.new_page(width=595.28, height=841.89)
        page.insert_text((72, 100), f"{text} {n + 1}", fontsize=12)
    data = doc.tobytes()
    doc.close()
    return data


def letter(**kw) -> OutgoingLetter:
    args = dict(
        dispatch_id=7,
        case_number="02.34.02-A53-3-26",
        label="Afgørelse om aktindsigt",
        letter_kind="afgoerelse",
        recipient=Recipient("Søren Ørsted", postal_address=("Åboulevarden 12, 2. th.", "8000 Aarhus C")),
        main_document=Attachment("afgoerelse.pdf", pdf_with("Brevet")),
        attachments=(Attachment("pakke.pdf", pdf_with("Pakken", pages=2)),),
    )
    args.update(kw)
    return OutgoingLetter(**args)


def test_address_lines_sit_inside_the_window():
    data = printing.render(letter(), sender_line="Eksempel Kommune, Rådhuspladsen 1, 1234 Eksempelby")
    doc = pymupdf.open(stream=data, filetype="pdf")
    page = doc[0]
    assert round(page.rect.width / printing.MM) == 210 and round(page.rect.height / printing.MM) == 297
    x0, y0, x1, y1 = printing.window_rect_pt()
    window = pymupdf.Rect(x0, y0, x1, y1)
    # the window itself: 20 mm from the left, 50 mm from the top
    assert abs(x0 / printing.MM - 20) < 0.01 and abs(y0 / printing.MM - 50) < 0.01
    for line in ("Søren Ørsted", "Åboulevarden 12, 2. th.", "8000 Aarhus C", "Eksempel Kommune"):
        hits = page.search_for(line)
        assert hits, line
        assert all(window.contains(r) for r in hits), (line, hits, window)
    # the case line is below the window, outside it
    case_hits = page.search_for("02.34.02-A53-3-26")
    assert case_hits and not any(window.intersects(r) for r in case_hits)


def test_letter_and_package_follow_the_address_sheet():
    doc = pymupdf.open(stream=printing.render(letter()), filetype="pdf")
    texts = [p.get_text() for p in doc]
    assert len(texts) == 4
    assert "Brevet 1" in texts[1] and "Pakken 1" in texts[2] and "Pakken 2" in texts[3]


def test_missing_address_is_said_on_the_sheet_and_a_cpr_number_is_masked():
    doc = pymupdf.open(
        stream=printing.render(letter(recipient=Recipient("Kontakt 120385-1237"))), filetype="pdf"
    )
    text = doc[0].get_text()
    assert "Adressen mangler" not in text  # a name alone is an address line
    assert "120385-1237" not in text and "1203851237" not in text
    doc = pymupdf.open(stream=printing.render(letter(recipient=Recipient(""))), filetype="pdf")
    assert "Adressen mangler" in doc[0].get_text()


def test_channel_answers_sent_and_keeps_the_file():
    ch = printing.PrintChannel(clock=lambda: dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC))
    result = ch.send(letter())
    assert result.status == "sent" and result.reference.startswith("sha256:")
    assert ch.files[7].startswith(b"%PDF")
    broken = ch.send(letter(dispatch_id=8, main_document=Attachment("x.pdf", b"not a pdf")))
    assert broken.status == "rejected" and 8 not in ch.files


def test_no_print_file_without_a_postal_address():
    ch = printing.PrintChannel(clock=lambda: dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC))
    result = ch.send(letter(recipient=Recipient("Søren Ørsted")))
    assert result.status == "rejected" and result.detail == "ingen postadresse: udfyld adressen"
    assert 7 not in ch.files
