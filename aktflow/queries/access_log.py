"""The access log of one case as managers and the legal contact read it: on the case and as CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..access_log import WHAT, is_sensitive
from ..errors import NotFound
from ..exits import mask
from ..models import AccessEntry, Case, User
from .export_csv import csv_safe

CSV_COLUMNS = ("Tidspunkt (UTC)", "Bruger", "Navn", "Handling", "Id", "Fil", "Kanal")


def case_access(session: Session, case_id: int) -> dict[str, Any]:
    """The case's access log with what the page shows beside it: ``{"case_id", "sagsnummer",
    "sensitive", "rows"}`` (rows as :func:`case_access_log`). Raises NotFound for an unknown case."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"sag {case_id} findes ikke")
    return {
        "case_id": case_id,
        "sagsnummer": case.sagsnummer,
        "sensitive": is_sensitive(session, case),
        "rows": case_access_log(session, case_id),
    }


def case_access_log(session: Session, case_id: int) -> list[dict[str, Any]]:
    """Every recorded view or download of the case's documents, letters and package, newest first:
    ``[{"at" (aware UTC), "actor", "actor_name", "what", "label", "object_id", "name", "via"}]``."""
    rows = session.execute(
        select(AccessEntry, User.name)
        .outerjoin(User, User.username == AccessEntry.actor)
        .where(AccessEntry.case_id == case_id)
        .order_by(AccessEntry.at.desc(), AccessEntry.id.desc())
    ).all()
    return [
        {
            "at": e.at,
            "actor": e.actor,
            "actor_name": name or e.actor,
            "what": e.what,
            "label": WHAT.get(e.what, e.what),
            "object_id": e.object_id,
            "name": e.name,
            "via": e.via,
        }
        for e, name in rows
    ]


def access_csv(rows: list[dict[str, Any]]) -> str:
    """The rows of :func:`case_access_log` as CSV for Danish spreadsheets (semicolons, UTF-8 with BOM);
    every cell masked and no cell read as a formula."""
    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for r in rows:
        cells = [
            r["at"].strftime("%d.%m.%Y %H:%M:%S"),
            r["actor"],
            r["actor_name"],
            r["label"],
            "" if r["object_id"] is None else str(r["object_id"]),
            r["name"] or "",
            r["via"],
        ]
        w.writerow([csv_safe(str(c)) for c in mask(cells)])
    return buf.getvalue()
