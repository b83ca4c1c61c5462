"""The dashboard's case list as CSV for a spreadsheet: ``;``-separated, UTF-8 with BOM, dates dd.mm.yyyy,
and cells that a spreadsheet would read as a formula made harmless."""

from __future__ import annotations

import csv
import io
from typing import Any

from ..exits import mask
from ..labels import RULE_LABELS, STATUS_LABELS

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


# What a spreadsheet may read as the start of a formula (OWASP's list for CSV injection), also after blanks.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def csv_safe(value: object) -> str:
    """The cell as text that no spreadsheet reads as a formula (CSV injection): a cell that starts with
    ``= + - @ | %``, a tab or a line break, also after leading spaces, gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.lstrip(" ")[:1] in _FORMULA_START else text


def to_csv(rows: list[dict[str, Any]]) -> str:
    """The case list as CSV for Danish spreadsheets: semicolons, dates as 18.12.2026, UTF-8 with BOM; the
    deadline's kind and status in Danish words ("Afgørelse (OFL § 36)", "Overskredet"), never code names.

    ``rows`` are the dashboard's case rows (:func:`aktflow.queries.cases.case_rows`). Every cell passes
    the exit filter (:func:`aktflow.exits.mask`): a CPR number in a subject or a name is written as
    ``XXXXXX-XXXX``; then every cell, a caseworker's name and a KLE title too, is made formula-safe
    (:func:`csv_safe`).
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
            r["subject"],
            r["state_label"],
            r["assignee_name"] or "Ufordelt",
            r["next_due"].strftime("%d.%m.%Y") if r["next_due"] else "",
            RULE_LABELS.get(r["next_rule"], r["next_rule"]) if r["next_rule"] else "",
            STATUS_LABELS.get(r["next_status"], "") if r["next_status"] else "",
            "ja" if r["flagged"] else "nej",
        ]
        w.writerow([csv_safe(c) for c in mask(cells)])  # every cell: the exit filter, then no formula
    return buf.getvalue()
