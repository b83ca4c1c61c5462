"""The dashboard's case list as CSV for a spreadsheet: ``;``-separated, UTF-8 with BOM, dates dd.mm.yyyy,
and cells that a spreadsheet would read as a formula made harmless."""

from __future__ import annotations

import csv
import io
from typing import Any

from ..exits import mask
from ..labels import STATUS_LABELS

CSV_COLUMNS = (
    "Sag",
    "Sagsnummer",
    "Modtaget",
    "Retsgrundlag",
    "KLE-emne",
    "Anmodning",
    "Tilstand",
    "Sagsbehandler",
    "Næste frist",
    "Fristtype",
    "Fristens status",
    "Markeret til juridisk vurdering",
)


def _csv_safe(value: str) -> str:
    """No spreadsheet formulas from requester text (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(rows: list[dict[str, Any]]) -> str:
    """The case list as CSV for Danish spreadsheets: semicolons, dates as 18.12.2026, UTF-8 with BOM.

    ``rows`` are the dashboard's case rows (:func:`aktflow.queries.cases.case_rows`). Every cell passes
    the exit filter (:func:`aktflow.exits.mask`): a CPR number in a subject or a name is written as
    ``XXXXXX-XXXX``.
    """
    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for r in rows:
        cells = [
            r["id"],
            r["sagsnummer"] or "",
            r["received"].strftime("%d.%m.%Y"),
            r["basis"].upper(),
            r["emne"],
            _csv_safe(r["subject"]),
            r["state_label"],
            r["assignee_name"] or "Ufordelt",
            r["next_due"].strftime("%d.%m.%Y") if r["next_due"] else "",
            r["next_rule"] or "",
            STATUS_LABELS.get(r["next_status"], "") if r["next_status"] else "",
            "ja" if r["flagged"] else "nej",
        ]
        w.writerow(mask(cells))  # every cell through the exit filter
    return buf.getvalue()
