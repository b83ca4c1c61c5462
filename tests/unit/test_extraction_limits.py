"""Bounded work: the fast checks, the limits, the bombs and the child process's time and memory limits."""

from __future__ import annotations

import resource
import time

import pytest

from aktflow.config import load_settings
from aktflow.errors import ValidationError
from aktflow.extraction import (
    TYPES,
    Limits,
    Refused,
    extract,
    extract_bounded,
    limits_from_settings,
    precheck,
)
from tests import corpus

MIB = 2**20


@pytest.fixture(scope="module")
def bombs() -> dict[str, tuple[str, bytes]]:
    return {
        "zip": ("bombe.docx", corpus.zip_bomb_docx(300 * MIB)),
        "lying_zip": ("bombe.docx", corpus.lying_zip_bomb_docx(300 * MIB)),
        "inflating_pdf": ("bombe.pdf", corpus.inflating_pdf(150 * MIB)),
        "inflating_form": ("form.pdf", corpus.inflating_form_pdf(150 * MIB)),
        "many_pages": ("sider.pdf", corpus.many_pages_pdf(5000)),
    }


# --- the fast checks -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../x.pdf", "mappe/x.pdf", "a\\b.pdf", "x\x00.pdf", "", "a" * 197 + ".txt"])
def test_bad_file_names_are_refused(name):
    with pytest.raises(Refused, match="ugyldigt filnavn"):
        precheck(name, b"tekst", Limits())


def test_an_unknown_type_is_refused_with_the_list_of_accepted_types():
    with pytest.raises(Refused) as err:
        precheck("makro.docm", b"PK\x03\x04", Limits())
    for ext in TYPES:
        assert ext in err.value.detail
    assert err.value.limit is None and err.value.field == "file" and isinstance(err.value, ValidationError)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("x.docx", b"%PDF-1.7 not a zip"),
        ("x.pdf", b"PK\x03\x04 not a pdf"),
        ("x.png", b"\xff\xd8\xff jpeg"),
        ("x.jpg", b"\x89PNG\r\n\x1a\n"),
        ("x.tif", b"GIF89a"),
        ("x.msg", b"From: a@b\n\nhej"),
        ("x.eml", b"\x00\x01binary"),
        ("x.txt", b"abc\x00def"),
        ("x.xlsx", corpus.docx(corpus.p("Word, not Excel"))),
        ("x.odt", corpus.odf("<text:p>x</text:p>", spreadsheet=True)),
    ],
)
def test_content_must_match_the_extension(name, data):
    with pytest.raises(Refused, match=f"hedder {name[1:]}, men er ikke"):
        precheck(name, data, Limits())


def test_the_content_type_comes_back():
    assert precheck("a.docx", corpus.docx(corpus.p("x")), Limits()) == TYPES[".docx"]
    assert precheck("A.PDF", corpus.text_pdf([corpus.bt("x")]), Limits()) == "application/pdf"
    assert precheck("n.txt", "Notat æøå".encode(), Limits()) == "text/plain"


def test_size_limits_name_the_setting():
    with pytest.raises(Refused) as err:
        precheck("a.txt", b"x" * 2000, Limits(max_bytes=1000))
    assert err.value.limit == "max_bytes" and "AKTFLOW_MAX_UPLOAD" in err.value.detail
    with pytest.raises(Refused, match="tom"):
        precheck("a.txt", b"", Limits())


def test_a_zip_with_too_many_members_is_refused_from_its_directory():
    extra = {f"word/media/{i}.xml": b"<x/>" for i in range(30)}
    data = corpus.docx(corpus.p("x"), extra=extra)
    with pytest.raises(Refused) as err:
        precheck("a.docx", data, Limits(max_parts=20))
    assert err.value.limit == "max_parts" and "AKTFLOW_MAX_PARTS" in err.value.detail


def test_a_zip_bomb_is_refused_by_its_declared_size_at_once(bombs):
    name, data = bombs["zip"]
    assert len(data) < 2 * MIB
    started = time.perf_counter()
    with pytest.raises(Refused) as err:
        precheck(name, data, Limits())
    assert time.perf_counter() - started < 0.5
    assert err.value.limit == "max_unpacked"
    assert err.value.detail == "filen fylder 300 MB udpakket; grænsen er 100 MB (AKTFLOW_MAX_UNPACKED)"


def test_a_member_packed_like_a_bomb_is_refused_even_under_the_total(bombs):
    name, data = bombs["zip"]
    with pytest.raises(Refused) as err:
        precheck(name, data, Limits(max_unpacked=1000 * MIB))
    assert err.value.limit == "max_unpacked" and "gange mere end pakket" in err.value.detail


# --- extraction stops at the limits --------------------------------------------------------------------


def test_a_zip_whose_directory_lies_about_the_size_stops_at_the_declared_size(bombs):
    name, data = bombs["lying_zip"]
    precheck(name, data, Limits())  # the directory looks harmless
    with pytest.raises(Refused) as err:
        extract(name, data, Limits())
    assert err.value.limit == "max_unpacked" and "filen selv angiver" in err.value.detail


def test_an_xml_heavy_docx_stops_at_max_chars():
    data = corpus.xml_heavy_docx(60_000)
    assert len(data) < 1 * MIB
    with pytest.raises(Refused) as err:
        extract("tung.docx", data, Limits(max_chars=200_000))
    assert err.value.limit == "max_chars"
    assert err.value.detail == (
        "filen indeholder mere end 200.000 tegn tekst; grænsen er 200.000 (AKTFLOW_MAX_CHARS)"
    )
    assert len(extract("tung.docx", data, Limits()).text) > 200_000  # the same file within the default


@pytest.mark.parametrize("key", ["inflating_pdf", "inflating_form"])
def test_a_pdf_stream_that_inflates_without_end_is_refused(bombs, key):
    name, data = bombs[key]
    assert len(data) < MIB
    with pytest.raises(Refused) as err:
        extract(name, data, Limits())
    assert err.value.limit == "max_unpacked"


def test_embedded_files_count_against_the_unpacked_size():
    data = corpus.eml(attachments=[("a.bin", b"x" * 3000), ("b.bin", b"y" * 3000)])
    assert len(extract("post.eml", data, Limits()).children) == 2
    with pytest.raises(Refused) as err:
        extract("post.eml", data, Limits(max_unpacked=5000))
    assert err.value.limit == "max_unpacked"


def test_a_pdf_with_thousands_of_pages_is_refused_by_max_pages(bombs):
    name, data = bombs["many_pages"]
    with pytest.raises(Refused) as err:
        extract(name, data, Limits())
    assert err.value.limit == "max_pages"
    assert err.value.detail == "PDF-filen har 5.000 sider; grænsen er 1.000 (AKTFLOW_MAX_PAGES)"
    assert extract(name, data, Limits(max_pages=5000, ocr=False)).complete is False  # empty pages: unread


def test_a_pdf_that_needs_a_password_is_refused_clearly():
    with pytest.raises(Refused) as err:
        extract("kode.pdf", corpus.pdf_with_password(), Limits())
    assert err.value.limit is None and err.value.detail.startswith("PDF-filen er beskyttet med adgangskode")


def test_too_many_attachments_are_refused():
    data = corpus.eml(attachments=[(f"{i}.txt", b"x") for i in range(5)])
    with pytest.raises(Refused) as err:
        extract("post.eml", data, Limits(max_parts=4))
    assert err.value.limit == "max_parts"


def test_an_image_too_large_to_decode_is_refused_from_its_header():
    data = corpus.huge_png(6000)
    started = time.perf_counter()
    with pytest.raises(Refused) as err:
        extract("stor.png", data, Limits(max_unpacked=10 * MIB))
    assert time.perf_counter() - started < 1.0
    assert err.value.limit == "max_unpacked" and "6000 × 6000" in err.value.detail


def test_a_damaged_outlook_message_is_refused():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert precheck("besked.msg", data, Limits()) == TYPES[".msg"]
    with pytest.raises(Refused, match="Outlook-beskeden kan ikke læses"):
        extract("besked.msg", data, Limits())


def test_a_refusal_never_repeats_a_cpr_number_from_the_file_name():
    with pytest.raises(Refused) as err:
        precheck(f"{corpus.CPR}.exe", b"x", Limits())
    assert corpus.CPR not in err.value.message


# --- the bounded runner ----------------------------------------------------------------------------------


def test_the_bounded_runner_returns_what_extract_returns():
    for case in corpus.docx_cases()[:3] + corpus.pdf_cases()[:2] + corpus.other_cases()[3:4]:
        assert extract_bounded(case.filename, case.data, Limits()) == extract(
            case.filename, case.data, Limits()
        )


@pytest.mark.slow
def test_every_bomb_is_refused_by_a_size_limit_of_the_bounded_runner_long_before_its_clock(bombs):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    xml_heavy = ("tung.docx", corpus.xml_heavy_docx(60_000))
    for key, (name, data) in [*bombs.items(), ("xml_heavy", xml_heavy)]:
        limits = Limits(max_chars=200_000) if key == "xml_heavy" else Limits()
        started = time.perf_counter()
        with pytest.raises(Refused) as err:
            extract_bounded(name, data, limits)
        took = time.perf_counter() - started
        assert err.value.limit in ("max_unpacked", "max_pages", "max_chars"), key
        # A size limit stops it, long before the 60 s clock (the 2 s goal is measured by docs/reliability.md's
        # figures, not here: a loaded shared machine can stall a child's start-up).
        assert took < limits.max_seconds / 6, f"{key}: {took:.2f} s"
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    assert grown < 256 * MIB


@pytest.mark.slow
def test_a_child_over_max_memory_is_refused_with_the_memory_message():
    data = corpus.huge_png(12000)  # 144 MB of pixels once decoded
    with pytest.raises(Refused) as err:
        extract_bounded("stor.png", data, Limits(max_unpacked=1000 * MIB, max_memory=200 * MIB))
    assert err.value.limit == "max_memory"
    assert err.value.detail == (
        "gennemgangen af filen krævede for meget hukommelse og blev stoppet; grænsen er 200 MB (AKTFLOW_MAX_MEMORY)"
    )


@pytest.mark.slow
def test_a_child_over_max_seconds_is_killed_and_refused_with_the_time_message():
    data = corpus.printed(["CPR-nr. 120385-1237", "Borgeren har diabetes"], fmt="TIFF", pages=10)
    started = time.perf_counter()
    with pytest.raises(Refused) as err:
        extract_bounded("scan.tif", data, Limits(max_seconds=1.0))
    assert time.perf_counter() - started < 3.0
    assert err.value.limit == "max_seconds"
    assert err.value.detail == (
        "gennemgangen af filen tog for lang tid og blev stoppet; grænsen er 1 sekund (AKTFLOW_MAX_SECONDS)"
    )


# --- settings -------------------------------------------------------------------------------------------


def test_the_limits_come_from_the_settings():
    settings = load_settings(
        {
            "AKTFLOW_MAX_UPLOAD": "1000",
            "AKTFLOW_MAX_UNPACKED": "2000",
            "AKTFLOW_MAX_PARTS": "3",
            "AKTFLOW_MAX_PAGES": "4",
            "AKTFLOW_MAX_CHARS": "5",
            "AKTFLOW_MAX_SECONDS": "6.5",
            "AKTFLOW_MAX_MEMORY": "7000",
            "AKTFLOW_OCR": "0",
        }
    )
    assert limits_from_settings(settings) == Limits(
        max_bytes=1000,
        max_unpacked=2000,
        max_parts=3,
        max_pages=4,
        max_chars=5,
        max_seconds=6.5,
        max_memory=7000,
        ocr=False,
    )


def test_the_settings_defaults_are_the_limits_defaults():
    assert limits_from_settings(load_settings({})) == Limits()
