"""Jinja filters and labels: Danish dates (18.12.2026), Danish words for the code names."""

from __future__ import annotations

import datetime as dt
from functools import cache

from flask import Flask

from aktflow import clock, states

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
BASIS_SHORT = {"ofl": "OFL", "fvl": "FVL", "mol": "MOL", "gdpr": "GDPR"}
CHANNELS = ("e-mail", "digital post", "brev", "telefon", "personlig henvendelse", "selvbetjening")
RULE_LABELS = {
    "ofl-decision": "Afgørelse (OFL § 36)",
    "ofl-notice": "Fristbrev (OFL § 36)",
    "ofl-delay-complaint": "Klage over sagsbehandlingstid (OFL § 39)",
    "ofl-outer": "Yderste frist (40 arbejdsdage)",
    "fvl-decision": "Afgørelse (FVL)",
    "fvl-notice": "Fristbrev (FVL)",
    "mol-decision": "Afgørelse (MOL § 4)",
    "gdpr-decision": "Svar (GDPR art. 12)",
    "complaint-forward": "Genvurdering og oversendelse af klage",
    "appeal-body": "Klageinstansens frist (vejledende)",
    "hearing-reply": "Svarfrist i høring",
    "expected-decision": "Forventet afgørelse (oplyst i fristbrev)",
}
STATUS_LABELS = {"ok": "I gang", "due_soon": "Snart", "overdue": "Overskredet", "met": "Overholdt"}
ALERT_LABELS = {"overdue": "Overskredet", "due_soon": "Frist snart", "missing_notice": "Mangler fristbrev"}
OUTCOME_LABELS = {"grant": "Udleveres", "partial": "Udleveres delvis", "refuse": "Udleveres ikke"}
DECISION_LABELS = {
    "full": "Fuld aktindsigt",
    "partial": "Delvis aktindsigt",
    "refusal": "Afslag",
    "none_found": "Ingen dokumenter fundet",
}
LETTER_LABELS = {
    "kvittering": "Kvittering",
    "praecisering": "Anmodning om præcisering",
    "fristbrev": "Fristbrev",
    "hoering": "Høring af tredjemand",
    "underretning_ansat": "Underretning af medarbejder (OFL § 41)",
    "delafgoerelse": "Delafgørelse",
    "afgoerelse": "Afgørelse",
    "videresendelse": "Videresendelse",
    "klage_oversendelse": "Oversendelse af klage",
}
ARCHIVE_LABELS = {
    "pending": "Venter på journalisering",
    "journalised": "Journaliseret",
    "failed": "Fejlet",
    "local": "Gemt lokalt",
    "delivering": "Journaliseres nu",
}
CHOICE_LABELS = {
    ("hearing_completed", "reply"): {"received": "Svar modtaget", "none": "Intet svar"},
    ("notify_employee", "stage"): {"request": "Anmodningen (ved modtagelse)", "release": "Det udleverede"},
    ("assess_document", "outcome"): OUTCOME_LABELS,
}


@cache
def _zone():
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Europe/Copenhagen")
    except Exception:  # noqa: BLE001 - no tz database: the server's own zone
        return None


def local(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    z = _zone()
    return value.astimezone(z) if z else value.astimezone()


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
    return local(value).strftime("%d.%m.%Y %H:%M")


MONTHS_SHORT = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def da_month(value: dt.date) -> str:
    return f"{MONTHS_SHORT[value.month - 1]} {value.year}"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)} %"


def event_label(trigger: str) -> str:
    if trigger == "create":
        return "Anmodning registreret"
    t = states.TRIGGERS.get(trigger)
    return t.label if t else trigger


def init_app(app: Flask) -> None:
    @app.context_processor
    def _today():
        return {"today_iso": clock.today().isoformat()}

    app.jinja_env.filters.update(
        da_date=da_date, da_datetime=da_datetime, da_month=da_month, percent=percent, event_label=event_label
    )
    app.jinja_env.globals.update(
        STATES=states.STATES,
        TRIGGERS=states.TRIGGERS,
        ROLE_LABELS=ROLE_LABELS,
        BASIS_LABELS=BASIS_LABELS,
        BASIS_SHORT=BASIS_SHORT,
        RULE_LABELS=RULE_LABELS,
        STATUS_LABELS=STATUS_LABELS,
        ALERT_LABELS=ALERT_LABELS,
        OUTCOME_LABELS=OUTCOME_LABELS,
        DECISION_LABELS=DECISION_LABELS,
        LETTER_LABELS=LETTER_LABELS,
        ARCHIVE_LABELS=ARCHIVE_LABELS,
        CHOICE_LABELS=CHOICE_LABELS,
        CHANNELS=CHANNELS,
    )
