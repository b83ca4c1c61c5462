"""Burn-in and the leak check over a corpus with a secret in each place it can hide.

For each place: the leak check catches the secret when burn-in is skipped (the original file), and the
burnt-in file passes it, with the secret in no byte that PyMuPDF or pypdf can extract.
"""

from __future__ import annotations

import io
import re
import shutil

import pymupdf
import pypdf
import pytest

from aktflow.errors import ValidationError
from aktflow.extraction import Limits, Refused
from aktflow.redaction.burn import Mark, burn, burn_in
from aktflow.redaction.leak import leak_check, normalise
from tests.redaction import corpus

GROUND = "OFL § 30, nr. 1"
TEXT = Mark("text", GROUND, term=corpus.SECRET)
NEEDS_OCR = {"image_text"}


def _ocr_or_skip(place: str) -> None:
    if place in NEEDS_OCR and shutil.which("tesseract") is None:
        pytest.skip("tesseract is not installed")


def _marks(place: str) -> list[Mark]:
    if place == "image_text":  # no text layer: the caseworker draws a region over the scanned line
        # PDF points, origin bottom-left: the page is 200 pt high, the line's baseline 60 pt from the top.
        top = 200 - corpus.SCAN_TOP
        return [TEXT, Mark("region", GROUND, page=1, box=(10, top - 8, 400, top + 30))]
    return [TEXT]


def _everything(pdf: bytes) -> str:
    """All text PyMuPDF and pypdf can get out of a file: pages, metadata, annotations, fields, embedded
    files, and the raw bytes of every object stream (decompressed)."""
    out = []
    doc = pymupdf.open(stream=pdf)
    out.append(str(doc.metadata))
    out.append(doc.get_xml_metadata() or "")
    for page in doc:
        out.append(page.get_text())
        for annot in page.annots() or []:
            out.append(str(annot.info))
        for w in page.widgets() or []:
            out.append(str(w.field_value))
    for name in doc.embfile_names():
        out.append(doc.embfile_get(name).decode("latin-1"))
    for xref in range(1, doc.xref_length()):
        out.append(doc.xref_object(xref) or "")
        if doc.xref_is_stream(xref):
            out.append((doc.xref_stream(xref) or b"").decode("latin-1"))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    out.append(str(reader.metadata))
    out.extend(page.extract_text() for page in reader.pages)
    out.append(pdf.decode("latin-1"))
    return "\n".join(out)


@pytest.mark.parametrize("place", sorted(corpus.PLACES))
def test_the_leak_check_catches_the_secret_when_burn_in_is_skipped(place):
    _ocr_or_skip(place)
    original = corpus.PLACES[place]()
    report = leak_check(original, [corpus.SECRET])
    assert not report.ok
    assert any(leak.what in ("term", "attachment") for leak in report.leaks), report.reason()
    assert corpus.SECRET.lower() not in report.reason().lower()  # the report never repeats the secret


@pytest.mark.parametrize("place", sorted(corpus.PLACES))
def test_burn_in_removes_the_secret_from_every_part(place):
    _ocr_or_skip(place)
    released = burn_in(corpus.PLACES[place](), _marks(place))
    report = leak_check(released, [corpus.SECRET])
    assert report.ok, report.reason()
    everything = normalise(_everything(released))
    for word in corpus.SECRET.lower().split():
        assert word not in everything


def test_the_cpr_number_in_metadata_is_caught_and_stripped():
    original = corpus.metadata()
    assert any(leak.what == "cpr" for leak in leak_check(original, []).leaks)
    released = burn_in(original, [])
    assert leak_check(released, []).ok
    # The whole number, in either form, is nowhere; its last four digits are not in the metadata either
    # (the raw bytes hold the file's random /ID in hex, where any four digits may turn up by chance).
    everything = _everything(released)
    digits = re.sub(r"\D", "", corpus.CPR)
    assert corpus.CPR not in everything and digits not in re.sub(r"\s", "", everything)
    assert digits[-4:] not in str(pymupdf.open(stream=released).metadata)


def test_an_earlier_revision_is_not_carried_over():
    original = corpus.earlier_revision()
    assert corpus.SECRET.encode() in original  # still in the bytes of the first revision
    released = burn_in(original, [])
    assert corpus.SECRET.lower() not in normalise(_everything(released))


def test_text_outside_the_redactions_stays_selectable_and_the_ground_is_printed():
    released = burn(corpus.body(), [TEXT])
    assert released.hits == (1,)
    text = pymupdf.open(stream=released.pdf)[0].get_text()
    assert corpus.PUBLIC in text
    assert "Naboen" in text and "har klaget." in text
    assert GROUND in text


def test_every_occurrence_on_every_page_also_split_across_runs_and_lines():
    original = corpus.split_runs()
    assert not leak_check(original, [corpus.SECRET]).ok
    result = burn(original, [TEXT])
    assert result.hits[0] >= 3  # page 1 once; page 2 across the line end: two areas
    assert leak_check(result.pdf, [corpus.SECRET]).ok


def test_a_term_inside_a_longer_word_is_left_alone():
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 100), "Ole gik i skole.", fontsize=11)
    result = burn(doc.tobytes(), [Mark("text", GROUND, term="ole")])
    assert result.hits == (1,)
    assert "skole" in pymupdf.open(stream=result.pdf)[0].get_text()


def test_a_region_removes_what_is_under_it_and_nothing_else():
    doc = pymupdf.open()
    page = doc.new_page()  # A4: 842 pt high
    page.insert_text((72, 100), "Første linje bliver.", fontsize=11)
    page.insert_text((72, 200), "Anden linje fjernes.", fontsize=11)
    # Baseline 200 pt from the top = 642 pt from the bottom (PDF points).
    result = burn(doc.tobytes(), [Mark("region", GROUND, page=1, box=(60, 638, 400, 655))])
    text = pymupdf.open(stream=result.pdf)[0].get_text()
    assert "Første linje bliver." in text
    assert "fjernes" not in text


def test_a_region_outside_the_page_is_refused_in_danish():
    with pytest.raises(ValidationError) as err:
        burn_in(corpus.body(), [Mark("region", GROUND, page=1, box=(5000, 5000, 6000, 6000))])
    assert err.value.field == "box"


def test_limits_refuse_before_any_page_is_touched():
    with pytest.raises(Refused) as err:
        burn_in(corpus.body(), [], Limits(max_pages=0))
    assert "AKTFLOW_MAX_PAGES" in err.value.detail
    with pytest.raises(Refused):
        burn_in(b"not a pdf", [])


def test_an_unreadable_part_fails_the_check():
    report = leak_check(corpus.image_text(), [], Limits(ocr=False))
    assert not report.ok
    assert any(leak.what == "unread" for leak in report.leaks)


def test_the_bounded_burn_in_gives_the_same_result_and_stops_at_the_limits():
    from aktflow.redaction.bounded import burn_bounded

    marks = [TEXT]
    inside = burn(corpus.split_runs(), marks)
    child = burn_bounded(corpus.split_runs(), marks)
    assert child.hits == inside.hits
    assert leak_check(child.pdf, [corpus.SECRET]).ok
    with pytest.raises(Refused) as err:
        burn_bounded(corpus.body(), marks, Limits(max_pages=0))
    assert "AKTFLOW_MAX_PAGES" in err.value.detail
    with pytest.raises(Refused) as err:
        burn_bounded(corpus.body(), marks, Limits(max_seconds=0.001))
    assert err.value.limit == "max_seconds"
