"""Rules about the case as a whole, asked by guards, effects, letters and the case page alike.

- :func:`is_personnel_case`: the one predicate for "this is a personnel matter" (OFL § 21 and § 41): the
  case's KLE emne is in main group 81 (Personale), or a caseworker marked it (``mark_personnel``).
- :func:`request_refusal`: the refusal of the whole request (OFL § 9, stk. 2, nr. 1 and nr. 2; FVL § 9 a,
  stk. 2; GDPR art. 12, stk. 5) recorded on the case by ``refuse_request``, or None.

This module imports nothing of the application: it reads the loaded case's attributes only.
"""

from __future__ import annotations

from typing import Any

#: Grounds that refuse the request as a whole, not a document (codes of ``aktflow.grounds``): OFL § 9, stk. 2,
#: nr. 1 (excessive resources) and nr. 2 (unlawful or harassing purpose), FVL § 9 a, stk. 2, GDPR art. 12,
#: stk. 5. Recorded on the case by ``refuse_request`` (possible with no documents in the register), never
#: cited on a document's assessment.
REQUEST_GROUNDS: tuple[str, ...] = ("ofl-9-2-1", "ofl-9-2-2", "fvl-9a-2", "gdpr-12-5")

#: Request grounds used only after a recorded attempt to narrow the request and an estimate of the hours
#: (OFL § 9, stk. 2, nr. 1: the preparatory works' about 25 hours, and the dialogue with the requester the
#: Ombudsman requires first, FOB 2014.22 and FOB 2014.36).
NARROWING_REQUIRED: frozenset[str] = frozenset({"ofl-9-2-1"})

#: The KLE main group of personnel cases (docs/domain.md §3: 81.00.00).
PERSONNEL_KLE = "81."


def is_personnel_case(case: Any) -> bool:
    """True when ``case`` is a personnel matter: KLE 81 or marked by a caseworker (``case.personnel``).

    Every rule about personnel cases asks this (the OFL § 41 notices, the personnel flag, which actions
    are offered), never the emne alone.
    """
    return bool(getattr(case, "personnel", False)) or (case.emne or "").startswith(PERSONNEL_KLE)


def request_refusal(case: Any) -> str | None:
    """The ground code of the refusal of the whole request recorded on ``case`` (e.g. ``ofl-9-2-1``), or
    None when the request is decided document by document."""
    return getattr(case, "request_ground", None) or None
