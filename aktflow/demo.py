"""Demo data: four users (password 'demo') and cases in several states. For trying aktflow, not for production."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from .db import Database
from .documents import Attachment
from .models import User
from .service import create_case, fire
from .users import add_user
from .vocabulary import SYSTEM_ACTOR

DEMO_USERS = (
    ("sagsbehandler", "caseworker", "Sara Sagsbehandler"),
    ("jurist", "legal", "Jonas Jurist"),
    ("leder", "manager", "Lene Leder"),
    ("admin", "admin", "Anders Administrator"),
)

# (requester, basis, emne, subject, days ago, triggers as (trigger, actor, note, data))
CW, LEGAL = "sagsbehandler", "jurist"
DEMO_CASES = (
    ("Mette Hansen", "ofl", "15.17.12", "Aktindsigt i sagen om dagtilbuddet Solsikken, 2026", 1, ()),
    (
        "Jyllands-Bladet v/ Peter Jensen",
        "ofl",
        "02.34.02",
        "Byggesagen for Havnevej 12",
        3,
        (("register", CW, None, None),),
    ),
    (
        "Firma ApS",
        "ofl",
        "13.02.00",
        "Korrespondance om vandforsyningens takster",
        5,
        (
            ("register", CW, None, None),
            ("start_collecting", CW, None, None),
            (
                "add_document",
                CW,
                None,
                {"title": "Notat om takstberegning", "date": "2026-09-14", "sender": "Forsyningen"},
            ),
            (
                "add_document",
                CW,
                None,
                {"title": "Mail fra borger", "date": "2026-10-02", "sender": "Borger"},
            ),
        ),
    ),
    (
        "Karin Nielsen",
        "fvl",
        "27.24.00",
        "Partsaktindsigt i min egen sag om hjælpemidler",
        6,
        (
            ("register", CW, None, None),
            ("start_collecting", CW, None, None),
            ("add_document", CW, None, {"title": "Ansøgning om hjælpemiddel", "date": "2026-08-01"}),
            ("start_screening", CW, None, None),
            ("flag_for_legal", CW, "Indeholder helbredsoplysninger om tredjemand", None),
            ("submit_for_legal_review", CW, "Må oplysningerne om ægtefællen udleveres?", None),
        ),
    ),
    (
        "Lokalavisen",
        "ofl",
        "00.01.10",
        "Borgmesterens kalender for oktober",
        9,
        (
            ("register", CW, None, None),
            ("start_collecting", CW, None, None),
            (
                "add_document",
                CW,
                None,
                {"title": "Kalenderudskrift oktober", "date": "2026-10-31", "_file": "kalender-oktober.txt"},
            ),
            ("start_screening", CW, None, None),
            ("assess_document", CW, None, {"document_id": "$doc0", "outcome": "grant"}),
            ("draft_decision", CW, None, None),
            ("send_decision", CW, None, None),
        ),
    ),
    (
        "Ole Madsen",
        "ofl",
        "81.00.00",
        "Personalesag vedr. afskedigelse i ældreplejen",
        12,
        (("register", CW, None, None), ("start_collecting", CW, None, None)),
    ),
)


def load_demo(db: Database, *, if_empty: bool = False, today: dt.date | None = None) -> int | None:
    """Load the demo. With ``if_empty``, do nothing (return None) when users exist already."""
    with db.session() as s:
        if if_empty and s.scalar(select(func.count()).select_from(User)):
            return None
    for username, role, name in DEMO_USERS:
        add_user(db, username, actor=SYSTEM_ACTOR, role=role, password="demo", name=name, demo_password=True)
    from .kle import has_plan, load_sample

    if not has_plan(db):
        load_sample(db, actor=SYSTEM_ACTOR)
    from .clock import today as clock_today

    today = today or clock_today()
    for requester, basis, emne, subject, days_ago, steps in DEMO_CASES:
        received = _working_days_back(today, days_ago)
        case = create_case(
            db,
            actor=CW,
            requester=requester,
            received=received,
            basis=basis,
            subject=subject,
            emne=emne,
            assign=CW,
            email=None,
            channel="e-mail",
        )
        docs: list[int] = []
        for trigger, actor, note, data in steps:
            fields: dict[str, Any] | None = data
            if data and data.get("document_id") == "$doc0":
                fields = {**data, "document_id": docs[0]}
            attachment = None
            if fields and "_file" in fields:  # a granted document needs its file, or it cannot be released
                fields = dict(fields)
                name = fields.pop("_file")
                attachment = Attachment(name, _demo_file(fields["title"]))
            if trigger == "start_screening" and docs:
                _wait_for_screening(db, docs)
            c = fire(db, case.id, trigger, actor=actor, note=note, data=fields, attachment=attachment)
            if trigger == "add_document":
                docs.append(c.documents[-1].id)
    return len(DEMO_CASES)


def _demo_file(title: str) -> bytes:
    """A small made-up text file for a demo document (no personal data)."""
    return f"{title}\n\nDemodokument: mødeaftaler og arrangementer, uden personoplysninger.\n".encode()


def _wait_for_screening(db: Database, document_ids: list[int]) -> None:
    """Let the demo's stored files be read before screening starts (whatever AKTFLOW_SCREENING says)."""
    from .bootstrap import current
    from .document_screening import wait
    from .extraction import limits_from_settings

    wait(db, document_ids, limits_from_settings(current().settings), timeout=60)


def _working_days_back(today: dt.date, n: int) -> dt.date:
    d = today
    while n > 0:
        d -= dt.timedelta(days=1)
        if d.weekday() < 5:
            n -= 1
    return d


def embedded_database_file(url: str) -> Path:
    """The file of an embedded SQLite database URL (``sqlite:///path``), for resetting the demo. Raises
    ValidationError (field ``database``) for any other database: a municipality's PostgreSQL database, whose
    event log may never be deleted, is never reset."""
    from .errors import ValidationError

    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == prefix or ":memory:" in url:
        raise ValidationError(
            "database",
            "kun den indbyggede SQLite-database kan nulstilles til demodata; denne installation bruger en "
            "anden database, og dens hændelseslog må aldrig slettes",
        )
    return Path(url[len(prefix) :].split("?", 1)[0])


def remove_embedded_database(url: str) -> Path:
    """Delete the embedded SQLite database of ``url`` (the file and its ``-wal``/``-shm`` companions) so the
    demo starts afresh; returns the file's path. Raises ValidationError as :func:`embedded_database_file`."""
    path = embedded_database_file(url)
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        p.unlink(missing_ok=True)
    return path
