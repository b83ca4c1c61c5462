"""The fast search for where a sensitive-category match may start finds every place the union of all the
categories' patterns finds (so screening loses no recall by it), on vocabulary words in all their forms,
compounds, upper case, phrases and ordinary text."""

from __future__ import annotations

import random

import pytest

from aktflow.screening import categories as C

FILLER = "Borgeren skrev til kommunen om sagen og fik svar . - ( ) 3F HK 2026-00012 kr. 1.200,00".split()


def union_starts(text: str) -> set[int]:
    """Where the union of all patterns matches something (the places the categories' patterns then read)."""
    low = C._lower(text)
    found, pos = set(), 0
    while (m := C._union().search(low, pos)) is not None:
        if any(
            (mm := p.match(low, m.start())) is not None and mm.end() > m.start()
            for cat in C._CATEGORY_LIST
            for p in C._category_patterns(cat.code)
        ):
            found.add(m.start())
        pos = m.start() + 1
    return found


def texts() -> list[str]:
    words = [w.strip("*") for cat in C._CATEGORY_LIST for w in C.vocabulary(cat.code)]
    rnd = random.Random(14)
    out = []
    for i in range(200):
        t = " ".join(
            rnd.choice(words + FILLER * 4) + rnd.choice(["", "en", "erne", "s", "-", "sygdom", "kræft", "."])
            for _ in range(30)
        )
        out.append(t.upper() if i % 5 == 0 else t)
    return out


def test_every_alternative_has_a_known_first_character():
    by_char, word, anything = C._starts()
    assert anything == ()  # else the search falls back on the union (correct, only slower)
    assert by_char and word
    assert all(C._infix(alt) is not None for alt in word)


@pytest.mark.parametrize("text", texts())
def test_the_fast_search_finds_every_place_the_union_finds(text):
    assert union_starts(text) <= set(C._candidates(C._lower(text)))


def test_findings_are_the_same_as_with_the_union(monkeypatch):
    text = (
        "Borgeren har brystkræft og astmaen er værre. Han er i kemoterapi, sigtet for vold, medlem af 3F, "
        "anbragt i plejefamilie, muslim, homoseksuel og medlem af partiet. Sygehusvej 3. Sygefraværet i "
        "afdelingen. Misbrug af offentlige midler. Alkoholmisbruger. " + " ".join(texts()[:20])
    )
    fast = C.find_sensitive(text)
    monkeypatch.setattr(C, "_candidates", lambda low: sorted(union_starts(low)))
    assert C.find_sensitive(text) == fast
    assert {code for code, _, _ in fast} >= {"health", "criminal", "religion", "union", "sexual_orientation"}
