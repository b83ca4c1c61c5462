"""The package reads a page's text with the letter-spaced runs rejoined; the rejoining's line-by-line work
is skipped where two patterns find nothing for it to do, and that never loses what it would have found."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aktflow.extraction.pdf import _SPACED, rejoin
from aktflow.release.package import _ONE_CHARACTER_LINE

ALPHABET = "ab12 \u00a0\n\t-\u2009"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_the_quick_look_finds_every_page_the_rejoining_changes(text):
    if rejoin(text):
        assert _SPACED.search(text) or _ONE_CHARACTER_LINE.search(text)


def test_a_letter_spaced_cpr_number_is_still_rejoined():
    text = "Sagen vedrører\n1 2 0 3 8 5 - 1 2 3 7\nog mere"
    assert _SPACED.search(text)
    assert "120385-1237" in rejoin(text)


def test_ordinary_text_skips_the_rejoining():
    text = "Linje 1: borgeren skrev om sagen, frist og afgørelse.\nLinje 2: sagsnr. 2026-00002."
    assert not _SPACED.search(text) and not _ONE_CHARACTER_LINE.search(text)
    assert rejoin(text) == ""
