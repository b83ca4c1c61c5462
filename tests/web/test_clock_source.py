"""The views take "today" from the composition root's clock (``bootstrap.current().clock``), never the wall."""

from __future__ import annotations

import datetime as dt

from aktflow import bootstrap
from aktflow.service import case_view

from .test_web_pages import login, text_of


class FixedClock(bootstrap.Clock):
    def __init__(self, day: dt.date) -> None:
        self.day = day

    def now(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(10), tzinfo=dt.UTC)

    def today(self) -> dt.date:
        return self.day


def test_intake_form_and_case_page_use_the_services_clock(client, db, new_case, monkeypatch):
    day = dt.date(2026, 3, 9)  # not the wall clock's today
    assert day != dt.date.today()
    monkeypatch.setattr(bootstrap.current(), "clock", FixedClock(day))
    login(client, "cw")
    form = text_of(client.get("/cases/new"))
    assert f'value="{day:%d.%m.%Y}"' in form  # the received date defaults to the clock's today
    case = new_case()
    page = text_of(client.get(f"/cases/{case.id}"))
    assert f"tidligst {day:%d.%m.%Y}" in page  # a future date may not lie before the clock's today
    # The read side judges the deadlines against the clock's today when no day is given.
    later = FixedClock(day + dt.timedelta(days=400))
    due = case_view(db, case.id)["deadlines"]
    monkeypatch.setattr(bootstrap.current(), "clock", later)
    assert case_view(db, case.id)["deadlines"] != due
