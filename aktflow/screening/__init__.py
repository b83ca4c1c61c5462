"""Screening of Danish text for CPR numbers and sensitive categories (docs/domain.md §4, flagging).

Pure functions over strings: no database, no network, no framework. The CPR patterns are compiled at
import; the category vocabularies (``aktflow/data/vocabularies/``) are read and compiled on first use.

- :mod:`aktflow.screening.cpr`: CPR numbers in every writing people and programs use (Unicode spaces and
  dashes, line breaks, spaced dates, any separator after a CPR label), the false-positive guards, masking.
- :mod:`aktflow.screening.categories`: GDPR art. 9 and 10 and OFL § 30, nr. 1 categories, by hand-written
  patterns and by vocabularies from public Danish sources, with Danish inflection and compounds.

Nothing returned by :func:`scan`, :func:`flag_reasons` or :func:`find_all` ever holds the digits of a CPR
number: findings name the kind, hits carry offsets, and the place named in a reason is masked.
"""

from __future__ import annotations

from dataclasses import dataclass

from .categories import CATEGORIES, categories_in, find_sensitive, vocabulary
from .cpr import CPR_LABEL, CPR_MASK, contains_cpr, cpr_digits, find_cprs, is_cpr, redact_cpr

__all__ = [
    "CATEGORIES",
    "CPR_LABEL",
    "CPR_MASK",
    "Finding",
    "Hit",
    "contains_cpr",
    "cpr_digits",
    "find_all",
    "find_cprs",
    "find_sensitive",
    "is_cpr",
    "flag_reasons",
    "redact_cpr",
    "scan",
    "vocabulary",
]


@dataclass(frozen=True)
class Finding:
    """One kind of sensitive content found in a text: ``"cpr"`` or a category code, with a Danish label."""

    kind: str
    label: str
    ref: str = ""


@dataclass(frozen=True)
class Hit:
    """One place in a text where screening found something, for highlighting.

    ``kind`` is ``"cpr"`` or a category code (:data:`CATEGORIES`), ``label`` and ``ref`` the Danish label
    and the legal reference (``ref`` is empty for CPR numbers), ``start``/``end`` offsets in the text
    given to :func:`find_all` (``text[start:end]`` is the match; show a CPR number masked, never as is).
    """

    kind: str
    label: str
    ref: str
    start: int
    end: int


def scan(text: str) -> list[Finding]:
    """What the text holds, at most one finding per kind: CPR numbers first, then categories in order."""
    findings: list[Finding] = []
    if contains_cpr(text):
        findings.append(Finding("cpr", CPR_LABEL))
    for code in categories_in(text):
        label, ref = CATEGORIES[code]
        findings.append(Finding(code, label, ref))
    return findings


def find_all(text: str) -> list[Hit]:
    """Every CPR number and every category match in ``text``, ordered by position (then end, then kind).

    For the document page's highlighting: the spans are offsets in ``text`` as given. A category match
    that overlaps a CPR number is kept (the page masks the digits either way).
    """
    hits = [Hit("cpr", CPR_LABEL, "", start, end) for start, end in find_cprs(text)]
    hits += [Hit(code, *CATEGORIES[code], start, end) for code, start, end in find_sensitive(text)]
    return sorted(hits, key=lambda h: (h.start, h.end, h.kind))


def flag_reasons(text: str, where: str) -> list[str]:
    """Danish flag reasons naming the place and the category, e.g. ``"Anmodningen: helbredsoplysninger (GDPR art. 9)"``.

    ``where`` names the place (``"Dokument 'Notat om borger', Sidehoved, afsnit 1"``); a CPR number in it
    is masked, so a reason never carries one.
    """
    place = redact_cpr(where).strip()
    prefix = f"{place}: " if place else ""
    return [prefix + (f.label if not f.ref else f"{f.label} ({f.ref})") for f in scan(text)]
