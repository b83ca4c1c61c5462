"""Burn-in finds a term from the page's words where the match begins and ends at word edges, and from
its characters otherwise; both give the same rectangles, so the faster reading removes exactly what the
slower one would (aktflow/redaction/burn.py, ``_PageText``)."""

from __future__ import annotations

import pymupdf
import pytest

from aktflow.redaction.burn import Mark, _PageText, burn, term_pattern

LINES = [
    "Ole Hansen skrev til skolen om (Ole), og Ole svarede.",
    "Mødet med Ole",
    "Hansen blev holdt i Vester-",
    "gade hos ØSTERGAARD.",
]


def _page() -> tuple[pymupdf.Document, pymupdf.Page]:
    doc = pymupdf.open()
    page = doc.new_page()
    for i, line in enumerate(LINES):
        page.insert_text((60, 80 + 20 * i), line, fontsize=11)
    return doc, page


def _rounded(rects) -> list[tuple[float, ...]]:
    return [tuple(round(v, 2) for v in r) for r in rects]


@pytest.mark.parametrize("term", ["Ole Hansen", "Ole", "Vestergade", "østergaard", "skolen om", "Hansen"])
def test_words_and_characters_give_the_same_rectangles(term):
    _doc, page = _page()
    pattern = term_pattern(term)
    by_words = _PageText(page).find(pattern)
    by_chars = _PageText(page)._char_rects(pattern, "")
    assert by_words, f"{term} not found"
    assert _rounded(by_words) == _rounded(by_chars)


def test_a_term_inside_punctuation_is_removed_and_the_punctuation_around_it_stays():
    doc, _page_ = _page()
    result = burn(doc.tobytes(), [Mark("text", "OFL § 30, nr. 1", term="Ole")])
    text = pymupdf.open(stream=result.pdf)[0].get_text()
    assert "Ole" not in text
    assert "om (" in text and ")," in text  # the brackets around "(Ole)" are not part of the term
    assert "skolen" in text  # "Ole" inside "skolen" is no match
    assert result.hits == (4,)
