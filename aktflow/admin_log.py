"""The administrative audit log: who changed which user, role, password, token or setting, and how.

Every administrative change is recorded by :func:`record_admin_change`, in the same transaction as the
change itself, so a change and its entry commit or roll back together. The log is one append-only hash
chain over all entries (``seq`` 1, 2, …), keyed like the event log: an entry's hash is an HMAC-SHA-256
with the current audit key (:func:`aktflow.audit.keyring`) over its canonical JSON and the previous
entry's hash; ``aktflow audit verify`` checks it (:func:`aktflow.audit.verify_admin_log`). On PostgreSQL
the table refuses UPDATE, DELETE and TRUNCATE, and the runtime role may only INSERT and SELECT there
(docs/deployment.md, "Database roles").

``old`` and ``new`` are the values before and after, as JSON, passed through the exit filter (no CPR
number). A password or a token is never written: a password change records only that it happened.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from . import audit
from .exits import mask
from .models import AdminLogEntry, utcnow

# What was changed: the kinds of entries, with their Danish labels (the admin page, the CLI).
KINDS: dict[str, str] = {
    "user.add": "bruger oprettet",
    "user.role": "rolle ændret",
    "user.active": "bruger aktiveret/deaktiveret",
    "user.password": "adgangskode ændret",
    "user.unlock": "bruger låst op",
    "token.issue": "API-nøgle udstedt",
    "token.revoke": "API-nøgle tilbagekaldt",
    "settings.municipality": "brevhoved og klageinstans ændret",
    "settings.calendar": "kalender ændret",
    "settings.appeal_body": "klageinstans ændret",
    "template.upload": "brevskabelon uploadet",
    "template.reset": "brevskabelon nulstillet",
    "kle.import": "KLE-plan indlæst",
    "outbox.retry": "udbakke-opgaver sat i kø igen",
    "case.member_add": "person tilføjet fortrolig sag",
    "case.member_remove": "person fjernet fra fortrolig sag",
    "case.mark_sensitive": "sag markeret fortrolig",
    "case.unmark_sensitive": "markering fortrolig fjernet",
}
# On PostgreSQL, writers of the one chain take this transaction lock in turn (any number works, if fixed).
_LOCK = 0x616B74666C6F77  # "aktflow"


def _plain(value: Any) -> Any:
    """``value`` as plain JSON (dates as ISO text), masked by the exit filter."""
    return json.loads(audit.canonical(mask(value)))


def record_admin_change(
    uow_or_session: Any,
    actor: str,
    kind: str,
    target: str,
    old: Any = None,
    new: Any = None,
    *,
    now: dt.datetime | None = None,
) -> int:
    """Append one entry to the administrative log, in the caller's transaction; returns its ``seq``.

    ``uow_or_session`` is a :class:`aktflow.uow.UnitOfWork` (its ``now`` is the entry's time) or a
    SQLAlchemy session. ``actor`` is the acting username (``SYSTEM_ACTOR`` for the server's shell), ``kind``
    one of :data:`KINDS`, ``target`` what was changed (a username, a letter kind, "kommunen"); ``old`` and
    ``new`` any JSON-able values (never a password or a token). The caller commits. Raises ValueError for
    an unknown kind (a programming error) and :class:`aktflow.audit.AuditKeyError` without a key.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown admin log kind {kind!r}")
    session: Session = getattr(uow_or_session, "session", uow_or_session)
    at = now or getattr(uow_or_session, "now", None) or utcnow()
    at = at.astimezone(dt.UTC)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK})
    else:
        session.flush()  # on SQLite, take the write lock before reading the chain's head
    head = session.execute(
        select(AdminLogEntry.seq, AdminLogEntry.hash).order_by(AdminLogEntry.seq.desc()).limit(1)
    ).first()
    seq, prev = (head.seq + 1, head.hash) if head else (1, audit.GENESIS)
    ring = audit.keyring()
    row = {
        "seq": seq,
        "at": at,
        "actor": mask(str(actor))[:64],
        "kind": kind,
        "target": mask(str(target))[:200],
        "old": _plain(old),
        "new": _plain(new),
        "prev_hash": prev,
        "key_id": ring.current_id,
    }
    row["hash"] = audit.admin_entry_hash(row, ring.current)
    session.execute(insert(AdminLogEntry.__table__), row)
    return seq
