"""The municipality's clock: deadlines and 'today' follow Danish local time, whatever the server's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Europe/Copenhagen")


def local_date(moment: dt.datetime) -> dt.date:
    """The date in Denmark at ``moment`` (an aware datetime)."""
    return moment.astimezone(TZ).date()


def today() -> dt.date:
    return dt.datetime.now(TZ).date()
