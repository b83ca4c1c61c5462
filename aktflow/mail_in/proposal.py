"""The KLE emne proposed for a request that came by e-mail: a simple word match against the municipality's
KLE plan. The caseworker confirms it (docs/mail-intake.md); the case's first event says it was proposed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..models import KleEmne

__all__ = ["Proposal", "propose_emne", "words"]

_WORD = re.compile(r"[a-zæøåéü]{4,}")
# Words too common in a request (and in KLE titles) to point at a subject.
_STOP = frozenset(
    """
    aktindsigt anmodning anmoder anmodes beder gerne hermed venlig venlige hilsen hilsner vedrørende
    angående kommune kommunens kommunen dokumenter dokument oplysninger sagen sager sagens eller ikke også
    have være været denne dette disse mine min mit jeres vores kan kunne skal ville blev bliver efter under
    over samt andre anden andet alle fra til med for som der den det her hvor hvad hvis
    generelt almindelig almindelige øvrige øvrigt administration administrative
    """.split()
)


@dataclass(frozen=True)
class Proposal:
    """A proposed emne (``NN.NN.NN``), the plan's title for it and the words that matched."""

    emne: str
    title: str
    matched: tuple[str, ...]


def words(text: str) -> set[str]:
    """The lower-case words of ``text`` of four letters or more that may name a subject."""
    return {w for w in _WORD.findall((text or "").lower()) if w not in _STOP}


def _stem(word: str) -> str:
    """A crude Danish stem: the word without its last letters (``byggesager`` and ``byggesag`` meet)."""
    return word[: max(5, len(word) - 3)]


def _meet(a: str, b: str) -> bool:
    """Two words meet when one begins with the other's stem: Danish compounds (``byggesagen`` and
    ``byggesagsbehandling``) and endings (``skolerne``, ``skoler``)."""
    return b.startswith(_stem(a)) or a.startswith(_stem(b))


def propose_emne(session: Any, text: str) -> Proposal | None:
    """The plan entry whose title shares most words with ``text`` (words meet when one begins with the
    other's stem), an emne (level 3) before its group; None without a plan or without a match.

    The whole plan is read once (KL's full plan has some 5,000 entries: a few milliseconds).
    """
    found = words(text)
    if not found:
        return None
    best: tuple[int, int, str, str, tuple[str, ...]] | None = None
    rows = session.execute(select(KleEmne.nummer, KleEmne.titel, KleEmne.niveau)).all()
    for nummer, titel, niveau in rows:
        matched = tuple(sorted(w for w in words(titel) if any(_meet(w, t) for t in found)))
        if not matched:
            continue
        key = (len(matched), int(niveau or 0), nummer, titel, matched)
        if (
            best is None
            or (key[0], key[1]) > (best[0], best[1])
            or ((key[0], key[1]) == (best[0], best[1]) and nummer < best[2])
        ):
            best = key
    if best is None:
        return None
    nummer = best[2]
    emne = {2: f"{nummer}.00.00", 5: f"{nummer}.00"}.get(len(nummer), nummer)
    return Proposal(emne=emne, title=best[3], matched=best[4])
