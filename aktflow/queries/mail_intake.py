"""The e-mails taken in, as ``aktflow intake poll --status`` lists them (docs/mail-intake.md)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ..db import Database
from ..exits import mask
from ..models import Case, MailMessage


def mail_failures(db: Database, limit: int = 200) -> list[dict[str, Any]]:
    """The mails that could not be taken in (they wait in the mailbox and are tried again), newest first.

    Each row: ``{"id", "message_id", "source", "subject", "error", "attempts", "first_attempt",
    "last_attempt", "kept"}``, texts masked (no CPR number), times ISO in UTC (seconds); ``kept`` says
    whether the mail's bytes are kept, so that it can be tried again or made a case from the page of mails
    not taken in (a mail too large to fetch is not).
    """
    with db.session() as s:
        rows = s.execute(
            select(MailMessage, MailMessage.content.is_not(None))
            .where(MailMessage.status == "failed")
            .order_by(MailMessage.updated_at.desc(), MailMessage.id.desc())
            .limit(limit)
        ).all()
        return [
            {
                "id": r.id,
                "message_id": mask(r.message_id),
                "source": r.source,
                "subject": mask(r.subject or ""),
                "error": mask(r.error or ""),
                "attempts": r.attempts,
                "first_attempt": r.created_at.isoformat(timespec="seconds") if r.created_at else None,
                "last_attempt": r.updated_at.isoformat(timespec="seconds") if r.updated_at else None,
                "kept": bool(kept),
            }
            for r, kept in rows
        ]


def failure_count(db: Database) -> int:
    """How many mails wait because they could not be taken in (the figure on the dashboard's link)."""
    with db.session() as s:
        return s.scalar(select(func.count(MailMessage.id)).where(MailMessage.status == "failed")) or 0


def case_mails(db: Database, case_id: int) -> list[dict[str, Any]]:
    """The mails taken in on case ``case_id``, oldest first: ``{"message_id", "kind", "document_id",
    "subject", "at"}`` (``kind``: ``case`` for the mail that opened it, ``reply`` for an answer)."""
    with db.session() as s:
        rows = s.scalars(
            select(MailMessage)
            .join(Case, Case.id == MailMessage.case_id)
            .where(MailMessage.case_id == case_id, MailMessage.status == "done")
            .order_by(MailMessage.id)
        ).all()
        return [
            {
                "message_id": r.message_id,
                "kind": r.kind,
                "document_id": r.document_id,
                "subject": mask(r.subject or ""),
                "at": r.created_at.isoformat(timespec="seconds") if r.created_at else None,
            }
            for r in rows
        ]
