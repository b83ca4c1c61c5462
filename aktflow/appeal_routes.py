"""Where a complaint about a case's decision goes: the appeal route from the municipality's appeal-body
table (the rules are described in :mod:`aktflow.appeal_bodies`, which administers the table).

:func:`resolve` is pure (rows in, route out); :func:`route_for` reads the table for a case. Letters
(:mod:`aktflow.case_letters`) and the complaint's forwarding deadline (:mod:`aktflow.effects`) use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import AppealBody
from .vocabulary import BASES

ANKESTYRELSEN = ("Ankestyrelsen", "Teglholmsgade 3, 2450 København SV")
DATATILSYNET = ("Datatilsynet", "Carl Jacobsens Vej 35, 2500 Valby")
NAEVNENES_HUS = "Nævnenes Hus, Toldboden 2, 8800 Viborg"

#: The rows a new installation starts with (migration 0013 writes the same rows); sources in
#: docs/domain.md. (kle_prefix, basis, kind, name, address).
DEFAULTS: tuple[tuple[str, str, str, str, str], ...] = (
    ("", "ofl", "tilsyn", *ANKESTYRELSEN),
    ("", "gdpr", "klageinstans", *DATATILSYNET),
    ("01", "ofl", "klageinstans", "Planklagenævnet", NAEVNENES_HUS),
    ("02", "ofl", "klageinstans", "Byggeklageenheden", NAEVNENES_HUS),
    ("09", "ofl", "klageinstans", "Miljø- og Fødevareklagenævnet", NAEVNENES_HUS),
    ("27", "ofl", "klageinstans", "Ankestyrelsen", ANKESTYRELSEN[1]),
    ("32", "ofl", "klageinstans", "Ankestyrelsen", ANKESTYRELSEN[1]),
    ("82", "ofl", "klageinstans", "Klagenævnet for Udbud", NAEVNENES_HUS),
)


@dataclass(frozen=True)
class AppealRoute:
    """Where a complaint about a case's decision goes.

    ``kind``: ``klageinstans`` | ``tilsyn`` | ``datatilsynet`` | ``ingen``; ``name`` and ``address`` are ""
    for ``ingen``; ``kle_prefix`` is the matching row's prefix (None: the law's own route, no row matched);
    ``email`` and ``cvr`` are where letters to it go electronically ("" when not filled in).
    """

    basis: str
    kind: str
    name: str
    address: str
    kle_prefix: str | None = None
    email: str = ""
    cvr: str = ""

    @property
    def forwarded(self) -> bool:
        """Whether the municipality reconsiders and forwards a complaint (OFL § 37 stk. 2, § 38): not for
        GDPR (the data subject complains to Datatilsynet) and not where there is no appeal body."""
        return self.kind in ("klageinstans", "tilsyn")

    def as_dict(self) -> dict[str, Any]:
        """The route as plain data for a letter: name, address, kind, basis, kle_prefix."""
        return asdict(self)


def _matches(prefix: str, emne: str | None) -> bool:
    if not prefix:
        return True
    if not emne:
        return False
    return emne == prefix or emne.startswith(prefix + ".")


def resolve(rows: Iterable[Any], emne: str | None, basis: str) -> AppealRoute:
    """The appeal route for a case of KLE ``emne`` ("02.34.00") decided under ``basis``, from the table's
    ``rows`` (objects or dicts with kle_prefix, basis, kind, name, address): the most specific matching
    prefix wins; at the same prefix a row of the case's own basis wins over an OFL row (MOL, FVL).

    MOL uses MOL and OFL rows; FVL uses FVL rows and the OFL rows naming a sector appeal body (the main
    case's appeal body), never the supervision; GDPR uses GDPR rows and is always Datatilsynet's kind.
    Raises ValueError for an unknown basis.
    """
    if basis not in BASES:
        raise ValueError(f"unknown legal basis {basis!r}; expected one of {', '.join(BASES)}")

    def get(r: Any, key: str) -> Any:
        return r[key] if isinstance(r, dict) else getattr(r, key)

    def opt(r: Any, key: str) -> str:
        return str((r.get(key) if isinstance(r, dict) else getattr(r, key, None)) or "")

    candidates = []
    for r in rows:
        b, kind, prefix = get(r, "basis"), get(r, "kind"), get(r, "kle_prefix") or ""
        own = b == basis
        inherited = b == "ofl" and (basis == "mol" or (basis == "fvl" and kind == "klageinstans"))
        if (own or inherited) and _matches(prefix, emne):
            candidates.append(((len(prefix), own), r))
    if candidates:
        r = max(candidates, key=lambda c: c[0])[1]
        kind = get(r, "kind")
        if basis == "gdpr":
            kind = "datatilsynet"
        elif kind == "ingen" or (basis == "fvl" and kind == "tilsyn"):
            return AppealRoute(basis, "ingen", "", "", get(r, "kle_prefix"))
        return AppealRoute(
            basis,
            kind,
            get(r, "name"),
            get(r, "address"),
            get(r, "kle_prefix"),
            opt(r, "email"),
            opt(r, "cvr"),
        )
    if basis == "gdpr":
        return AppealRoute(basis, "datatilsynet", *DATATILSYNET)
    if basis == "fvl":
        return AppealRoute(basis, "ingen", "", "")
    return AppealRoute(basis, "tilsyn", *ANKESTYRELSEN)


def route_for(session: Session, case: Any) -> AppealRoute:
    """The appeal route for ``case`` (its ``emne`` and ``basis``) from the municipality's table."""
    return resolve(session.scalars(select(AppealBody)), case.emne, case.basis or "ofl")
