"""Jinja filters and globals: Danish dates (18.12.2026) and the Danish labels of ``aktflow.labels``."""

from __future__ import annotations

import datetime as dt
from functools import cache

from flask import Flask, current_app
from flask_login import current_user

from aktflow import states
from aktflow.bootstrap import current
from aktflow.documents import TYPES
from aktflow.labels import (
    ALERT_LABELS,
    ARCHIVE_LABELS,
    BASIS_LABELS,
    BASIS_SHORT,
    CASE_OUTCOME_LABELS,
    CHOICE_LABELS,
    DOCUMENT_OUTCOME_LABELS,
    LETTER_LABELS,
    ROLE_LABELS,
    RULE_LABELS,
    STATUS_LABELS,
    event_label,
    state_label,
    trigger_label,
)
from aktflow.vocabulary import (
    ADMINS,
    CASEWORK,
    CHANNELS,
    LEGAL,
    MANAGERS,
    ROLES,
    assigns_to_self,
    mine_by_default,
)


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


def today() -> dt.date:
    """Today in Denmark by the composition root's clock (:attr:`aktflow.bootstrap.Services.clock`): the one
    source of "today" for the views' read functions and forms."""
    return current().clock.today()


def init_app(app: Flask) -> None:
    @app.context_processor
    def _today():
        return {"today_iso": today().isoformat()}

    @app.context_processor
    def _upload_limit():
        # The size limit a file field shows (AKTFLOW_MAX_UPLOAD, the request limit Flask enforces).
        limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
        size = f"{limit / 2**20:.3g} MB" if limit >= 2**20 else f"{-(-limit // 1024)} kB"
        return {"upload_limit": limit, "upload_limit_text": size.replace(".", ",")}

    @app.context_processor
    def _role_rules():
        # The role rules the templates follow, decided here from aktflow.vocabulary, never spelled in a template.
        role = getattr(current_user, "role", None) if current_user else None
        return {"mine_by_default": mine_by_default(role), "assigns_to_self": assigns_to_self(role)}

    app.jinja_env.filters.update(
        da_date=da_date,
        da_datetime=da_datetime,
        da_month=da_month,
        percent=percent,
        event_label=event_label,
        state_label=state_label,
        trigger_label=trigger_label,
    )
    app.jinja_env.globals.update(
        STATES=states.STATES,
        TRIGGERS=states.TRIGGERS,
        ASSESS_AUDIENCE=states.ASSESS_AUDIENCE,
        ROLE_LABELS=ROLE_LABELS,
        BASIS_LABELS=BASIS_LABELS,
        BASIS_SHORT=BASIS_SHORT,
        RULE_LABELS=RULE_LABELS,
        STATUS_LABELS=STATUS_LABELS,
        ALERT_LABELS=ALERT_LABELS,
        DOCUMENT_OUTCOME_LABELS=DOCUMENT_OUTCOME_LABELS,
        CASE_OUTCOME_LABELS=CASE_OUTCOME_LABELS,
        LETTER_LABELS=LETTER_LABELS,
        ARCHIVE_LABELS=ARCHIVE_LABELS,
        CHOICE_LABELS=CHOICE_LABELS,
        CHANNELS=CHANNELS,
        CASEWORK=CASEWORK,
        LEGAL=LEGAL,
        MANAGERS=MANAGERS,
        ADMINS=ADMINS,
        ROLES=ROLES,
        UPLOAD_TYPES=list(TYPES),
    )
