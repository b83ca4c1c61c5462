"""The CSV export: no cell, whoever wrote it, is read by a spreadsheet as a formula."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from aktflow.queries.export_csv import CSV_COLUMNS, csv_safe, to_csv


def _row(**over):
    row = {
        "id": 7,
        "sagsnummer": None,
        "received": dt.date(2026, 3, 1),
        "basis": "ofl",
        "emne": "02.34.02",
        "subject": "Byggesag",
        "state_label": "Modtaget",
        "assignee_name": "Karen Jensen",
        "next_due": dt.date(2026, 3, 10),
        "next_rule": "ofl_36",
        "next_status": None,
        "flagged": False,
    }
    row.update(over)
    return row


def _cells(body: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))


@pytest.mark.parametrize(
    "payload",
    ['=HYPERLINK("http://x","y")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "  =1+1", "\t=1", "|x", "%0A"],
)
@pytest.mark.parametrize(
    "column", ["sagsnummer", "emne", "subject", "state_label", "assignee_name", "next_rule"]
)
def test_every_cell_is_formula_safe(column, payload):
    (cells,) = _cells(to_csv([_row(**{column: payload})]))
    written = [v for v in cells.values() if payload.strip() in v]
    assert written, cells
    for value in written:
        assert value.startswith("'"), (column, value)


def test_plain_cells_are_unchanged():
    (cells,) = _cells(to_csv([_row()]))
    assert list(cells) == list(CSV_COLUMNS)
    assert cells["Sagsbehandler"] == "Karen Jensen" and cells["Sag"] == "7"
    assert cells["Modtaget"] == "01.03.2026" and cells["Næste frist"] == "10.03.2026"


def test_csv_safe():
    assert csv_safe("=1") == "'=1" and csv_safe(" @x") == "' @x" and csv_safe("a=1") == "a=1"
    assert csv_safe(None) == "" and csv_safe(12) == "12"
