"""The read side of dispatches: the case page's "Forsendelser", the API, the CLI, the dashboard's figure.

Every value is masked by the exit filter; the requester's CPR number is never on a dispatch row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, undefer

from .. import case_access
from ..dispatch import rules
from ..errors import NotFound
from ..exits import mask
from ..labels import LETTER_LABELS
from ..models import Case, Dispatch, Letter


def print_file(db: Any, case_id: int, dispatch_id: int) -> tuple[str, bytes]:
    """The print file of a dispatch as (file name, PDF bytes). Raises NotFound when there is none yet."""
    with db.session() as s:
        d = s.scalar(select(Dispatch).where(Dispatch.id == dispatch_id).options(undefer(Dispatch.print_pdf)))
        if d is None or d.case_id != case_id or d.print_pdf is None:
            raise NotFound(f"forsendelse {dispatch_id} på sag {case_id} har ingen printfil")
        return f"print-sag-{case_id}-forsendelse-{dispatch_id}.pdf", d.print_pdf


def dispatch_row(d: Dispatch, letter_kind: str | None = None) -> dict[str, Any]:
    """One dispatch as plain data (the case page, the API, the CLI); masked by the exit filter."""
    return {
        "id": d.id,
        "letter_id": d.letter_id,
        "letter_kind": letter_kind,
        "letter_label": LETTER_LABELS.get(letter_kind or "", letter_kind or ""),
        "recipient_role": d.recipient_role,
        "recipient": mask(d.recipient_name),
        "channel": d.channel,
        "channel_label": rules.CHANNEL_LABELS.get(d.channel, d.channel),
        "chosen_by": d.chosen_by,
        "reason": mask(d.reason or ""),
        "status": d.status,
        "status_label": rules.STATUS_LABELS.get(d.status, d.status),
        "attempts": d.attempts,
        "next_attempt": d.next_attempt_at.isoformat(timespec="seconds") if d.next_attempt_at else None,
        "sent_at": d.sent_at.isoformat(timespec="seconds") if d.sent_at else None,
        "reference": mask(d.reference) if d.reference else None,
        "detail": mask(d.detail) if d.detail else None,
        "updated": d.updated_at.isoformat(timespec="seconds") if d.updated_at else None,
        "not_sent": d.status in rules.NOT_SENT,
        "open": d.status in rules.OPEN,
        "printable": d.status in ("printed", "sent") and d.channel == "print",
    }


def dispatches_of(session: Session, case_id: int) -> list[dict[str, Any]]:
    """The case's dispatches, oldest first, each with its letter's kind (:func:`dispatch_row`)."""
    rows = session.execute(
        select(Dispatch, Letter.kind)
        .join(Letter, Letter.id == Dispatch.letter_id)
        .where(Dispatch.case_id == case_id)
        .order_by(Dispatch.id)
    ).all()
    return [dispatch_row(d, kind) for d, kind in rows]


def case_dispatches(db: Any, case_id: int) -> list[dict[str, Any]]:
    """:func:`dispatches_of` in a session of its own. Raises NotFound for an unknown case."""
    with db.session() as s:
        if s.get(Case, case_id) is None:
            raise NotFound(f"sag {case_id} findes ikke")
        return dispatches_of(s, case_id)


def failed_count(session: Session) -> int:
    """How many dispatches did not go (rejected, bounced, failed): the dashboard's figure."""
    return session.scalar(select(func.count(Dispatch.id)).where(Dispatch.status.in_(rules.NOT_SENT))) or 0


def decision_not_sent(rows: list[dict[str, Any]]) -> bool:
    """Whether a decision (afgørelse or delafgørelse) to the requester did not go: the case page says
    "ikke sendt" until it is sent again."""
    return any(
        r["not_sent"] and r["letter_kind"] in rules.WITH_PACKAGE and r["recipient_role"] == "requester"
        for r in rows
    )


def not_sent(session: Session, limit: int = 200, *, viewer: Any | None = None) -> list[dict[str, Any]]:
    """The dispatches that did not go (rejected, bounced, failed), newest first, each with its case's id and
    sagsnummer: the dashboard's list. Need-to-know (docs/access.md): for a ``viewer`` (a user) who may not
    see a case in full, its rows keep the number, letter, channel and status but the recipient, the reason,
    the reference and the detail read "Fortrolig sag" (``masked: True``); None (the server's shell) sees all."""
    rows = session.execute(
        select(Dispatch, Letter.kind, Case.sagsnummer)
        .join(Letter, Letter.id == Dispatch.letter_id)
        .join(Case, Case.id == Dispatch.case_id)
        .where(Dispatch.status.in_(rules.NOT_SENT))
        .order_by(Dispatch.updated_at.desc(), Dispatch.id.desc())
        .limit(limit)
    ).all()
    hidden = case_access.hidden_case_ids(session, viewer, list({d.case_id for d, _, _ in rows}))
    secret = dict.fromkeys(("recipient", "reason", "reference", "detail"), case_access.MASKED)
    return [
        {
            **dispatch_row(d, kind),
            "case_id": d.case_id,
            "sagsnummer": mask(number) if number else None,
            **({**secret, "masked": True} if d.case_id in hidden else {"masked": False}),
        }
        for d, kind, number in rows
    ]
