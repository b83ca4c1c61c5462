"""Mails not taken in, handled by a person: try again, open a case by hand, or dismiss (docs/mail-intake.md).

The mailbox poller keeps each mail it could not take in (unreadable, too large, no KLE emne to propose, a
reply to a case that takes no documents now, a bounce naming no letter) in ``mail_messages`` with status
``failed``, its Danish reason and, within ``AKTFLOW_MAX_UPLOAD``, its bytes. The page "E-mails, der ikke
er modtaget" (``/mail/failures``) lists them for caseworkers and managers, and these use cases act on one:

- :func:`retry` takes the kept mail in again (:func:`aktflow.mail_in.intake.take_in`), optionally with the
  KLE emne and the legal basis the caseworker chose, or as a new case even when it answers an open case
  (``new_case``: "Opret sag");
- :func:`dismiss` sets it aside (status ``dismissed``, the person in ``handled_by``) and deletes its bytes;
  the poller then moves it to the done folder without taking it in.

A mail taken in from here is then known by its Message-ID: the next round of the poller only moves it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import undefer

from ..db import Database
from ..errors import AktflowError, NotFound, ValidationError, WorkflowError
from ..models import MailMessage, utcnow

__all__ = ["dismiss", "is_dismissed", "retry"]


def is_dismissed(db: Database, key: str) -> bool:
    """Whether the mail known by ``key`` (its Message-ID or ``sha256:…``) was dismissed by a person."""
    with db.session() as s:
        return (
            s.scalar(
                select(MailMessage.id).where(MailMessage.message_id == key, MailMessage.status == "dismissed")
            )
            is not None
        )


def _failed_row(db: Database, failure_id: int) -> tuple[str, str, str, bytes | None]:
    with db.session() as s:
        row = s.scalar(
            select(MailMessage).where(MailMessage.id == failure_id).options(undefer(MailMessage.content))
        )
        if row is None:
            raise NotFound(f"e-mail {failure_id} findes ikke")
        if row.status != "failed":
            raise WorkflowError(f"e-mail {failure_id} er allerede behandlet")
        return row.message_id, row.source, row.filename or "e-mail.eml", row.content


def retry(
    db: Database,
    failure_id: int,
    *,
    actor: str,
    emne: str | None = None,
    basis: str | None = None,
    new_case: bool = False,
    now: dt.datetime | None = None,
):
    """Take the kept mail ``failure_id`` (``mail_messages.id``) in again as user ``actor``.

    ``emne`` (NN.NN.NN) and ``basis`` are the new case's when given; ``new_case`` makes it a new request
    even when it answers an open case. Returns the :class:`~aktflow.mail_in.intake.MailIntake`. Raises
    NotFound, WorkflowError (already handled), ValidationError (field ``file``: the mail's bytes were not
    kept, it was too large: handle it in the mailbox) and whatever taking it in raises; a failure is
    recorded again with its new reason, the mail kept.
    """
    from .intake import record_failure, take_in

    key, source, filename, content = _failed_row(db, failure_id)
    if not content:
        raise ValidationError(
            "file", "e-mailen er ikke gemt i aktflow (den var for stor): behandl den direkte i postkassen"
        )
    try:
        return take_in(
            db,
            filename,
            content,
            actor=actor,
            source=source if source in ("upload", "cli", "imap") else "imap",
            basis=basis,
            emne=emne,
            now=now,
            new_case=new_case,
        )
    except AktflowError as e:
        if e.http_status != 403:
            record_failure(db, key, source=source, subject=None, error=e.message, now=now)
        raise


def dismiss(db: Database, failure_id: int, *, actor: str, now: dt.datetime | None = None) -> None:
    """Set the mail ``failure_id`` aside: status ``dismissed``, ``handled_by`` = ``actor``, its bytes deleted.
    Raises NotFound, WorkflowError (already handled)."""
    now = now or utcnow()
    _failed_row(db, failure_id)
    with db.session() as s:
        row = s.get_one(MailMessage, failure_id)
        row.status, row.handled_by, row.content, row.updated_at = "dismissed", actor[:64], None, now
        s.commit()
