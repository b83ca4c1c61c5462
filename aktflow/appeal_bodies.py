"""Appeal bodies: where a complaint about an access decision goes, per KLE group and legal basis.

The law (docs/domain.md, "Klageinstanser"):

- OFL § 37 stk. 1: a complaint goes to the body that is the top administrative appeal body for the case
  the request concerns (sector appeal bodies: building, planning, environment, procurement, social cases).
- OFL § 38 stk. 1: where there is none, a municipality's decision can be brought before Ankestyrelsen as
  the supervisory authority (the "tilsyn"). § 37 stk. 2 (reconsider and forward within 7 working days)
  applies to both routes.
- MOL: the OFL rules, with the environmental appeal bodies (a MOL row wins over an OFL row of the same
  prefix).
- FVL (partsaktindsigt): the appeal body of the main case, if any; where there is none, no administrative
  complaint (the supervision is no appeal route for a party's access).
- GDPR art. 15: a complaint to Datatilsynet (art. 77), made by the data subject directly; never forwarded
  as an OFL complaint.

A municipality keeps the table (``AppealBody`` rows: KLE prefix, basis, kind, name, address); an
administrator edits it (``aktflow admin appeal-bodies``, the administrator's page). The most specific
prefix matching the case's emne wins ("02.34" before "02" before ""). Where no row matches, the law's
own route is used: Ankestyrelsen's supervision for OFL/MOL, Datatilsynet for GDPR, none for FVL.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .admin_log import record_admin_change
from .administration import authorize_admin, log_name
from .appeal_routes import ANKESTYRELSEN, DATATILSYNET, DEFAULTS, AppealRoute, resolve, route_for
from .errors import NotFound, ValidationError
from .models import AppealBody
from .uow import UnitOfWork
from .vocabulary import BASES

__all__ = [
    "ANKESTYRELSEN",
    "DATATILSYNET",
    "DEFAULTS",
    "KINDS",
    "AppealRoute",
    "remove_row",
    "resolve",
    "route_for",
    "rows",
    "rows_of",
    "set_row",
]

log = logging.getLogger(__name__)

#: klageinstans: a sector appeal body (OFL § 37 stk. 1; for GDPR: Datatilsynet); tilsyn: Ankestyrelsen's
#: supervision where there is no appeal body (OFL § 38 stk. 1); ingen: no appeal body (FVL only).
KINDS = ("klageinstans", "tilsyn", "ingen")
KIND_LABELS = {
    "klageinstans": "Klageinstans (OFL § 37, stk. 1)",
    "tilsyn": "Ankestyrelsens tilsyn (OFL § 38, stk. 1)",
    "ingen": "Ingen klageinstans (kun FVL)",
}
_PREFIX_RE = re.compile(r"^(\d{2}(\.\d{2}){0,2})?$")
_EMAIL_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")

# --- the table, for the administrator --------------------------------------------------------------------


def rows(session: Session) -> list[dict[str, Any]]:
    """Every row, by basis and prefix: kle_prefix, basis, kind, name, address, email, cvr ("" when unset)."""
    found = session.scalars(select(AppealBody).order_by(AppealBody.basis, AppealBody.kle_prefix))
    return [
        {
            "kle_prefix": r.kle_prefix,
            "basis": r.basis,
            "kind": r.kind,
            "name": r.name,
            "address": r.address,
            "email": r.email or "",
            "cvr": r.cvr or "",
        }
        for r in found
    ]


def rows_of(db: Any) -> list[dict[str, Any]]:
    """:func:`rows` in a session of its own (the CLI)."""
    with db.session() as s:
        return rows(s)


def _clean(kle_prefix: str | None, basis: str | None) -> tuple[str, str]:
    prefix = (kle_prefix or "").strip()
    if prefix in ("*", "-", "alle"):
        prefix = ""
    if not _PREFIX_RE.match(prefix):
        raise ValidationError(
            "kle_prefix", f"ugyldigt KLE-nummer {prefix!r} (NN, NN.NN eller NN.NN.NN; tomt for alle sager)"
        )
    b = (basis or "").strip().lower()
    if b not in BASES:
        raise ValidationError("basis", f"ukendt lovgrundlag {b!r} (ofl, mol, fvl eller gdpr)")
    return prefix, b


def _text(value: Any, field: str, *, required: bool) -> str:
    v = " ".join(str(value).split()) if value is not None else ""
    if len(v) > 300:
        raise ValidationError(field, "højst 300 tegn")
    if required and not v:
        raise ValidationError(field, "skal udfyldes")
    return v


def set_row(
    db: Any,
    *,
    actor: str,
    kle_prefix: str | None,
    basis: str | None,
    kind: str | None,
    name: str | None,
    address: str | None,
    email: str | None = None,
    cvr: str | None = None,
) -> dict[str, Any]:
    """Add or change the row for (``kle_prefix``, ``basis``); administrators only. Returns the row.

    ``kind`` is one of :data:`KINDS`: ``tilsyn`` only for OFL/MOL (§ 38 stk. 1 is about municipal OFL
    decisions), ``ingen`` only for FVL (an OFL/MOL decision always has a route), GDPR only ``klageinstans``
    (Datatilsynet). Name and address are required except for ``ingen``. ``email`` and ``cvr`` (8 digits) are
    where letters to it go electronically (Digital Post by CVR, else e-mail; docs/dispatch.md); None keeps
    what the row has, "" clears it. Raises ValidationError naming the
    field, and what :func:`aktflow.administration.authorize_admin` raises.
    """
    prefix, b = _clean(kle_prefix, basis)
    k = (kind or "").strip().lower()
    if k not in KINDS:
        raise ValidationError("kind", f"ukendt slags {k!r} (klageinstans, tilsyn eller ingen)")
    if k == "tilsyn" and b not in ("ofl", "mol"):
        raise ValidationError("kind", "Ankestyrelsens tilsyn (OFL § 38, stk. 1) gælder kun OFL- og MOL-sager")
    if k == "ingen" and b != "fvl":
        raise ValidationError(
            "kind", "kun partsaktindsigt (FVL) kan være uden klageinstans; OFL og MOL har altid en klagevej"
        )
    if b == "gdpr" and k != "klageinstans":
        raise ValidationError("kind", "en klage efter databeskyttelsesforordningen går til Datatilsynet")
    clean_name = _text(name, "name", required=k != "ingen")
    clean_address = _text(address, "address", required=k != "ingen")
    clean_email = None if email is None else _text(email, "email", required=False)
    if clean_email and not _EMAIL_RE.match(clean_email):
        raise ValidationError("email", f"ugyldig e-mailadresse {clean_email[:60]!r}")
    clean_cvr = None if cvr is None else "".join(str(cvr).split())
    if clean_cvr and not re.fullmatch(r"\d{8}", clean_cvr):
        raise ValidationError("cvr", "CVR-nummeret skal være 8 cifre")
    with UnitOfWork(db) as uow:
        s = uow.session
        authorize_admin(s, actor)
        row = s.scalar(select(AppealBody).where(AppealBody.kle_prefix == prefix, AppealBody.basis == b))
        old = (
            None
            if row is None
            else {
                "kind": row.kind,
                "name": row.name,
                "address": row.address,
                "email": row.email or "",
                "cvr": row.cvr or "",
            }
        )
        if row is None:
            row = AppealBody(kle_prefix=prefix, basis=b)
            s.add(row)
        row.kind, row.name, row.address, row.updated_at = k, clean_name, clean_address, uow.now
        if clean_email is not None:
            row.email = clean_email or None
        if clean_cvr is not None:
            row.cvr = clean_cvr or None
        final_email, final_cvr = row.email or "", row.cvr or ""
        target = f"KLE {prefix or 'alle'} ({b})"
        new = {
            "kind": k,
            "name": clean_name,
            "address": clean_address,
            "email": final_email,
            "cvr": final_cvr,
        }
        record_admin_change(uow, actor, "settings.appeal_body", target, old, new)
        uow.commit()
    log.info("klageinstans for KLE %r (%s) sat af %s", prefix or "alle", b, log_name(actor))
    return {
        "kle_prefix": prefix,
        "basis": b,
        "kind": k,
        "name": clean_name,
        "address": clean_address,
        "email": final_email,
        "cvr": final_cvr,
    }


def remove_row(db: Any, *, actor: str, kle_prefix: str | None, basis: str | None) -> None:
    """Remove the row for (``kle_prefix``, ``basis``); the next less specific row (or the law's own route)
    then applies. Raises NotFound when there is no such row."""
    prefix, b = _clean(kle_prefix, basis)
    with UnitOfWork(db) as uow:
        s = uow.session
        authorize_admin(s, actor)
        row = s.scalar(select(AppealBody).where(AppealBody.kle_prefix == prefix, AppealBody.basis == b))
        if row is None:
            raise NotFound(f"ingen klageinstans for KLE {prefix or 'alle'} ({b})")
        old = {"kind": row.kind, "name": row.name, "address": row.address}
        s.delete(row)
        record_admin_change(uow, actor, "settings.appeal_body", f"KLE {prefix or 'alle'} ({b})", old, None)
        uow.commit()
    log.info("klageinstans for KLE %r (%s) fjernet af %s", prefix or "alle", b, log_name(actor))
