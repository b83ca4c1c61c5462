"""PDFs with a secret in each place it can hide, made with PyMuPDF for the redaction tests.

Each builder returns the PDF's bytes; the secret is :data:`SECRET` (a made-up name) or the made-up CPR
number :data:`CPR`. ``PLACES`` maps the place's name to its builder.
"""

from __future__ import annotations

from collections.abc import Callable

import pymupdf

SECRET = "Hemmelig Halvorsen"
CPR = "120385-1237"
PUBLIC = "Kommunen har modtaget ansøgningen om byggetilladelse."
# Where the scanned secret is printed on its page (PyMuPDF space: origin top-left), for region redactions.
SCAN_TOP = 60


def _page(doc: pymupdf.Document, *lines: str) -> pymupdf.Page:
    page = doc.new_page()
    for i, line in enumerate(lines):
        page.insert_text((72, 100 + 20 * i), line, fontsize=11)
    return page


def body() -> bytes:
    doc = pymupdf.open()
    _page(doc, PUBLIC, f"Naboen {SECRET} har klaget.")
    return doc.tobytes()


def split_runs() -> bytes:
    """The secret written as three text runs in two fonts, and hyphenated across a line end on page 2."""
    doc = pymupdf.open()
    page = _page(doc, PUBLIC)
    first, last = SECRET.split()
    page.insert_text((72, 140), "Naboen ", fontsize=11)
    x = 72 + pymupdf.get_text_length("Naboen ", fontsize=11)
    page.insert_text((x, 140), first[:4], fontsize=11, fontname="tiro")
    x += pymupdf.get_text_length(first[:4], fontsize=11, fontname="tiro")
    page.insert_text((x, 140), first[4:] + " " + last + " har klaget.", fontsize=11)
    page2 = _page(doc, PUBLIC)
    page2.insert_text((72, 140), f"Skrevet af {first} Halvor-", fontsize=11)
    page2.insert_text((72, 160), "sen, som bor her.", fontsize=11)
    return doc.tobytes()


def metadata() -> bytes:
    doc = pymupdf.open()
    _page(doc, PUBLIC)
    doc.set_metadata({"author": SECRET, "subject": f"CPR {CPR}"})
    return doc.tobytes()


def form_field() -> bytes:
    doc = pymupdf.open()
    page = _page(doc, PUBLIC)
    widget = pymupdf.Widget()
    widget.field_name = "navn"
    widget.field_type = pymupdf.PDF_WIDGET_TYPE_TEXT
    widget.field_value = SECRET
    widget.rect = pymupdf.Rect(72, 200, 300, 220)
    page.add_widget(widget)
    return doc.tobytes()


def annotation() -> bytes:
    doc = pymupdf.open()
    page = _page(doc, PUBLIC)
    page.add_text_annot((72, 300), f"Husk: {SECRET}")
    return doc.tobytes()


def image_text() -> bytes:
    """A scanned page: the secret is only pixels (no text layer), read by OCR."""
    src = pymupdf.open()
    page = src.new_page(width=420, height=200)
    page.insert_text((20, SCAN_TOP), SECRET, fontsize=22)
    page.insert_text((20, 120), "Sagen behandles", fontsize=22)
    pix = page.get_pixmap(dpi=200)
    doc = pymupdf.open()
    out = doc.new_page(width=420, height=200)
    out.insert_image(out.rect, stream=pix.tobytes("png"))
    return doc.tobytes()


def attached_file() -> bytes:
    doc = pymupdf.open()
    _page(doc, PUBLIC)
    doc.embfile_add("bilag.txt", f"Bilag om {SECRET}".encode())
    return doc.tobytes()


def attachment_annotation() -> bytes:
    doc = pymupdf.open()
    page = _page(doc, PUBLIC)
    page.add_file_annot((72, 400), f"Notat om {SECRET}".encode(), "notat.txt")
    return doc.tobytes()


def hidden_layer() -> bytes:
    """The secret in an optional-content layer that is switched off (invisible in a viewer)."""
    doc = pymupdf.open()
    page = _page(doc, PUBLIC)
    ocg = doc.add_ocg("Skjult", on=False)
    page.insert_text((72, 500), f"Skjult: {SECRET}", fontsize=11, oc=ocg)
    return doc.tobytes()


def earlier_revision() -> bytes:
    """The secret was the title in the first revision; an incremental update changed the title, so the
    old value is still in the file's bytes (what a PDF tool can dig out), not in the current revision."""
    import os
    import tempfile

    doc = pymupdf.open()
    _page(doc, PUBLIC)
    doc.set_metadata({"title": SECRET})
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "r.pdf")
        doc.save(path)
        doc.close()
        doc = pymupdf.open(path)
        doc.set_metadata({"title": "Revideret"})
        doc.saveIncr()
        doc.close()
        with open(path, "rb") as fh:
            return fh.read()


PLACES: dict[str, Callable[[], bytes]] = {
    "body": body,
    "split_runs": split_runs,
    "metadata": metadata,
    "form_field": form_field,
    "annotation": annotation,
    "image_text": image_text,
    "attached_file": attached_file,
    "attachment_annotation": attachment_annotation,
    "hidden_layer": hidden_layer,
}
