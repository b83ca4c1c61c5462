"""``aktflow calendar``: the municipality's working days; changing them recomputes open deadlines."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from aktflow.errors import ValidationError

from .base import Group, emit, open_db, today
from .options import as_option, json_option


@click.group("calendar", cls=Group)
def calendar() -> None:
    """The municipality's working-day calendar."""


@calendar.command("show")
@click.option("--year", type=int, default=None, help="List the non-working weekdays of this year")
@json_option
def calendar_show(year: int | None, as_json: bool) -> None:
    """Show the calendar settings and the non-working weekdays of a year."""
    import datetime as dt

    from aktflow.queries.calendar import calendar_year

    out = calendar_year(open_db(), year or today().year)
    days = [(dt.date.fromisoformat(d["date"]), d["name"]) for d in out["non_working"]]
    emit(
        out,
        as_json,
        "\n".join([f"Kalenderversion {out['version']}"] + [f"  {d:%d.%m.%Y} {n}" for d, n in days]),
    )


def _progress_runner(label: str) -> Callable[[int, int], None]:
    bar: dict[str, Any] = {"obj": None}

    def progress(done: int, total: int) -> None:
        if bar["obj"] is None:
            shown = click.progressbar(length=max(total, 1), label=label, file=sys.stderr)
            shown.__enter__()
            bar["obj"] = shown
            bar["last"] = 0
        bar["obj"].update(done - bar["last"])
        bar["last"] = done
        if done >= total:
            bar["obj"].__exit__(None, None, None)

    return progress


def _calendar_change(actor: str, as_json: bool, **kw: Any) -> None:
    from aktflow.administration import change_calendar

    out = change_calendar(open_db(), actor=actor, progress=_progress_runner("Genberegner frister"), **kw)
    if not out["changed"]:
        emit(out, as_json, "kalenderen er uændret")
        return
    emit(
        out,
        as_json,
        f"kalender {out['calendar_version']}: {out['deadlines_checked']} frister gennemgået, "
        f"{out['deadlines_moved']} flyttet på {out['cases_moved']} sager",
    )


CHOICE = click.Choice(["working", "closed"])


@calendar.command("set")
@click.option("--grundlovsdag", type=CHOICE, default=None)
@click.option("--juleaften", type=CHOICE, default=None, help="24 December")
@click.option("--nytaarsaften", type=CHOICE, default=None, help="31 December")
@click.option("--first-may", type=CHOICE, default=None, help="1 May")
@as_option()
@json_option
def calendar_set(grundlovsdag, juleaften, nytaarsaften, first_may, actor, as_json) -> None:
    """Mark the optional days as working or closed; open cases' deadlines are recomputed."""
    flags = {
        k: v == "closed"
        for k, v in {
            "grundlovsdag_closed": grundlovsdag,
            "juleaften_closed": juleaften,
            "nytaarsaften_closed": nytaarsaften,
            "first_may_closed": first_may,
        }.items()
        if v is not None
    }
    if not flags:
        raise ValidationError("--grundlovsdag/--juleaften/--nytaarsaften/--first-may", "angiv mindst én dag")
    _calendar_change(actor, as_json, set_flags=flags)


@calendar.command("close")
@click.argument("dates", nargs=-1, required=True)
@as_option()
@json_option
def calendar_close(dates, actor, as_json) -> None:
    """Mark DATES (YYYY-MM-DD) as the municipality's closure days; deadlines are recomputed."""
    from aktflow.service import parse_date

    _calendar_change(actor, as_json, close=[parse_date(d, "DATES") for d in dates])


@calendar.command("open")
@click.argument("dates", nargs=-1, required=True)
@as_option()
@json_option
def calendar_open(dates, actor, as_json) -> None:
    """Remove closure days again; deadlines are recomputed."""
    from aktflow.service import parse_date

    _calendar_change(actor, as_json, reopen=[parse_date(d, "DATES") for d in dates])
