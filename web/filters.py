"""Jinja filters: Danish dates and labels."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from aktflow import states

ROLE_LABELS = {
    "caseworker": "Sagsbehandler",
    "legal": "Juridisk kontakt",
    "manager": "Leder",
    "admin": "Administrator",
}
BASIS_LABELS = {
    "ofl": "Offentlighedsloven",
    "fvl": "Forvaltningsloven (partsaktindsigt)",
    "mol": "Miljøoplysningsloven",
    "gdpr": "Databeskyttelsesforordningen art. 15",
}


def da_date(value: dt.date | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return value.strftime("%d.%m.%Y")


def da_datetime(value: dt.datetime | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.astimezone().strftime("%d.%m.%Y %H:%M")


def init_app(app: Flask) -> None:
    app.jinja_env.filters["da_date"] = da_date
    app.jinja_env.filters["da_datetime"] = da_datetime
    app.jinja_env.globals.update(
        STATES=states.STATES, TRIGGERS=states.TRIGGERS, ROLE_LABELS=ROLE_LABELS, BASIS_LABELS=BASIS_LABELS
    )
