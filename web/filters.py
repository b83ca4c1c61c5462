"""Jinja filters and globals: Danish dates (18.12.2026) and the Danish labels of ``aktflow.labels``."""

from __future__ import annotations

import datetime as dt
import re
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
    SYSTEM_ACTOR,
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


#: How a date is typed in a form: dd.mm.åååå (1- or 2-digit day and month; "-" or "/" also accepted between
#: them) or åååå-mm-dd (what a browser's date picker sends).
_DA_DATE = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")

#: The sentence a form shows next to a date it cannot read.
DATE_HINT = "skriv datoen som dd.mm.åååå, fx 18.12.2026"


def parse_form_date(text: str | None) -> dt.date | None:
    """The date typed in a web form: ``dd.mm.åååå`` (``18.12.2026``, ``1.2.2026``) or ``åååå-mm-dd``
    (``2026-12-18``). None for a blank field; ValueError(:data:`DATE_HINT`, a Danish sentence) for text
    that is not a real date in one of the two forms (``31.02.2026``, ``i går``). The one parser of dates
    the web forms use; the service gets the date as ``åååå-mm-dd``."""
    text = (text or "").strip()
    if not text:
        return None
    if m := _DA_DATE.fullmatch(text):
        day, month, year = (int(g) for g in m.groups())
    elif m := _ISO_DATE.fullmatch(text):
        year, month, day = (int(g) for g in m.groups())
    else:
        raise ValueError(DATE_HINT)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"datoen {text[:20]} findes ikke — {DATE_HINT}") from None


def form_date_value(value: dt.date | str | None) -> str:
    """A date as a form's text field shows it: ``18.12.2026``; text that is not an ISO date (what the
    user typed, kept after an error) is shown as typed."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            return da_date(value) if _ISO_DATE.fullmatch(value.strip()) else value
        except ValueError:
            return value
    return da_date(value)


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


def user_name(username: str | None, names: dict[str, str] | None = None) -> str:
    """The person's real name for ``username`` (``names``: username → name, as
    :func:`aktflow.queries.users.display_names` gives; else the users are read once per request), the
    username itself when no user has it, "systemet" for the server's own actor, "" for None. For the
    pages that name who did what (the legal queue and review, the case page's timeline and banners)."""
    if not username:
        return ""
    if username == SYSTEM_ACTOR:
        return "systemet"
    if names is None:
        from flask import g

        names = getattr(g, "_user_names", None)
        if names is None:
            from aktflow.queries.users import display_names

            with current_app.extensions["aktflow_db"].session() as s:
                names = g._user_names = display_names(s)
    return names.get(username, username)


def archive_ref(doc_id: str | None) -> str:
    """An archive reference as a user reads it: the local archive's ``local-7`` is "lokalt nr. 7";
    another archive's id (SBSYS) is "nr. <id>"."""
    if not doc_id:
        return ""
    if doc_id.startswith("local-") and doc_id[6:].isdigit():
        return f"lokalt nr. {doc_id[6:]}"
    return f"nr. {doc_id}"


_QUOTED_TRIGGER = re.compile(r"'([a-z][a-z_]+)'")


def plain(message: str | None) -> str:
    """A service message as a user reads it: an action's code name in quotes (``'submit_for_legal_review'``,
    as the CLI and the API name it) becomes its Danish label in quotes ("»Send til juridisk vurdering«")."""
    if not message:
        return ""

    def label(m: re.Match[str]) -> str:
        spec = states.TRIGGERS.get(m.group(1))
        return f"»{spec.label}«" if spec is not None else m.group(0)

    return _QUOTED_TRIGGER.sub(label, message)


def size_text(limit: int) -> str:
    """A size in bytes as a user reads it: ``25 MB``, ``1,5 MB``, ``512 kB`` (the upload limit's words)."""
    size = f"{limit / 2**20:.3g} MB" if limit >= 2**20 else f"{-(-limit // 1024)} kB"
    return size.replace(".", ",")


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
        return {"upload_limit": limit, "upload_limit_text": size_text(limit)}

    @app.context_processor
    def _role_rules():
        # The role rules the templates follow, decided here from aktflow.vocabulary, never spelled in a template.
        role = getattr(current_user, "role", None) if current_user else None
        return {"mine_by_default": mine_by_default(role), "assigns_to_self": assigns_to_self(role)}

    app.jinja_env.filters.update(
        da_date=da_date,
        da_datetime=da_datetime,
        form_date=form_date_value,
        plain=plain,
        user_name=user_name,
        archive_ref=archive_ref,
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
