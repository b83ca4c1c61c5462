"""The municipality's working-day calendar as the command line shows it (``aktflow calendar show``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..db import Database


def calendar_year(db: Database, year: int) -> dict[str, Any]:
    """The calendar settings in force and the non-working weekdays of ``year`` (the caller's "this year"
    comes from the composition root's clock).

    Returns ``{"version", "settings", "year", "non_working": [{"date", "name"}]}``: holidays and the
    municipality's closure days that fall on a weekday, in date order.
    """
    from .. import case_deadlines
    from ..calendar import get_calendar

    with db.session() as s:
        settings = case_deadlines.calendar_settings(s)
    cal = get_calendar(settings)
    days = cal.skipped(dt.date(year - 1, 12, 31), dt.date(year, 12, 31))
    return {
        "version": settings.version,
        "settings": settings.to_dict(),
        "year": year,
        "non_working": [{"date": d.isoformat(), "name": n} for d, n in days],
    }
