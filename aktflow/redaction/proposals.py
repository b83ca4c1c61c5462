"""Redaction proposals: what screening offers the caseworker to redact (docs/redaction.md).

Pure functions over a document's text. Every CPR number and every sensitive word screening finds
(:func:`aktflow.screening.find_all`) is proposed, and so are person names, street addresses, phone numbers
and e-mail addresses, recognised with public Danish data shipped in ``aktflow/data/redaction/`` (Danmarks
Statistik's most common first names and surnames, frequent street names from the address register; the
sources are in its ``SOURCES.md``). A proposal is only an offer: nothing is redacted until the caseworker
accepts it (``accept_redaction``); a rejected one (``reject_redaction``) is not offered again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..screening import find_all

# What each kind of proposal is called on the page (Danish).
LABELS = {
    "cpr": "CPR-nummer",
    "name": "Navn",
    "address": "Adresse",
    "phone": "Telefonnummer",
    "email": "E-mailadresse",
    "category": "Følsom oplysning",
}

# The ground a proposal suggests, per legal basis: private matters (OFL § 30, nr. 1, and its counterparts).
DEFAULT_GROUND = {"ofl": "ofl-30-1", "mol": "ofl-30-1", "fvl": "fvl-15b-private", "gdpr": "dbl-22-1"}

# Street words a street name ends in (with a house number after it, it is an address).
_STREET_WORDS = (
    "vej", "vejen", "gade", "gaden", "allé", "alle", "stræde", "strædet", "plads", "pladsen", "torv",
    "torvet", "boulevard", "sti", "stien", "vænge", "vænget", "bakke", "bakken", "parken", "have", "haven",
    "toften", "løkke", "høj", "højen", "park", "vang", "engen", "kvarter",
)  # fmt: skip
_UPPER = "A-ZÆØÅÉÜÖÄ"
_WORD = rf"[{_UPPER}][a-zæøåéüöä]+(?:-[{_UPPER}][a-zæøåéüöä]+)?"
_HOUSE = r"\d{1,4}\s?[A-Za-z]?(?:,\s?(?:\d{1,2}\.?|st\.?|kl\.?)\s?(?:tv|th|mf|\d{1,3})?\.?)?"
_POSTAL = rf"(?:,?\s\d{{4}}\s{_WORD}(?:\s{_WORD})?)?"
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
# Danish phone numbers: eight digits, written together, in pairs or 4+4, optionally with +45 / 0045.
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)45[\s-]?)?(?:\d{2}[\s.-]?\d{2}[\s.-]?\d{2}[\s.-]?\d{2}|\d{4}[\s-]\d{4})(?![\w-]|[.,]\d)"
)
_PHONE_LABEL = re.compile(r"(?:tlf|telefon|mobil|mob|phone|tel)\.?:?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Proposal:
    """One thing screening proposes to redact: ``kind`` (a key of :data:`LABELS`), ``term`` (the text as
    found, whitespace made single spaces), ``label`` (Danish: "Navn", or the category's label) and
    ``count`` (how often it occurs in the text)."""

    kind: str
    term: str
    label: str
    count: int = 1

    @property
    def key(self) -> tuple[str, str]:
        """What identifies a proposal across readings: its kind and its term, lower-cased."""
        return (self.kind, self.term.lower())


def propose(text: str) -> list[Proposal]:
    """Every proposal for ``text``, one per kind and distinct term, in order of first occurrence. CPR
    numbers come first in the list's order wherever they stand (they are proposed by default)."""
    found: list[tuple[int, str, str, str]] = []  # (position, kind, term, label)
    for hit in find_all(text):
        kind = "cpr" if hit.kind == "cpr" else "category"
        label = LABELS["cpr"] if kind == "cpr" else hit.label
        found.append((hit.start, kind, text[hit.start : hit.end], label))
    for m in _EMAIL.finditer(text):
        found.append((m.start(), "email", m.group(), LABELS["email"]))
    for m in _PHONE.finditer(text):
        if _is_phone(text, m):
            found.append((m.start(), "phone", m.group(), LABELS["phone"]))
    for start, term in _addresses(text):
        found.append((start, "address", term, LABELS["address"]))
    for start, term in _names(text):
        found.append((start, "name", term, LABELS["name"]))
    counts: dict[tuple[str, str], int] = {}
    first: dict[tuple[str, str], Proposal] = {}
    for _pos, kind, raw, label in sorted(found, key=lambda f: (f[1] != "cpr", f[0])):
        term = " ".join(raw.split())
        key = (kind, term.lower())
        counts[key] = counts.get(key, 0) + 1
        first.setdefault(key, Proposal(kind, term, label))
    return [Proposal(p.kind, p.term, p.label, counts[k]) for k, p in first.items()]


def _is_phone(text: str, m: re.Match[str]) -> bool:
    digits = re.sub(r"\D", "", m.group())
    if len(digits) not in (8, 10):
        return False
    # A bare run of eight digits is a phone number only after a phone label ("tlf. 33123456").
    if re.fullmatch(r"\d{8}", m.group()):
        return bool(_PHONE_LABEL.search(text[max(0, m.start() - 12) : m.start()]))
    return True


def _addresses(text: str) -> list[tuple[int, str]]:
    out = []
    for m in _address_pattern().finditer(text):
        out.append((m.start(), m.group().rstrip(" ,.")))
    return out


def _names(text: str) -> list[tuple[int, str]]:
    out = []
    for m in _name_pattern().finditer(text):
        out.append((m.start(), m.group()))
    return out


@cache
def _list(name: str) -> tuple[str, ...]:
    raw = resources.files("aktflow").joinpath("data", "redaction", name).read_text(encoding="utf-8")
    return tuple(line.strip() for line in raw.splitlines() if line.strip() and not line.startswith("#"))


def first_names() -> tuple[str, ...]:
    """Danmarks Statistik's most common first names (aktflow/data/redaction/first_names.txt)."""
    return _list("first_names.txt")


def last_names() -> tuple[str, ...]:
    """Danmarks Statistik's most common surnames (aktflow/data/redaction/last_names.txt)."""
    return _list("last_names.txt")


def street_names() -> tuple[str, ...]:
    """Frequent street names from the address register (aktflow/data/redaction/streets.txt)."""
    return _list("streets.txt")


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def _name_pattern() -> re.Pattern[str]:
    first = _alternation(first_names())
    last = _alternation(last_names())
    # A listed first name followed by one to three capitalised words ("Jens Hansen", "Anne Marie Holm"),
    # or a capitalised word followed by a listed surname ("Hemmelig Halvorsen").
    return re.compile(rf"(?<![\w])(?:(?:{first})(?:\s{_WORD}){{1,3}}|{_WORD}\s(?:{last}))(?![\w])")


@cache
def _address_pattern() -> re.Pattern[str]:
    streets = _alternation(street_names())
    suffixes = "|".join(sorted(_STREET_WORDS, key=len, reverse=True))
    street = rf"(?:(?:{streets})|(?:[{_UPPER}][\wæøå.-]*\s)?[{_UPPER}][\wæøå-]*(?:{suffixes}))"
    return re.compile(rf"(?<![\w]){street}\s{_HOUSE}{_POSTAL}(?![\w])")
