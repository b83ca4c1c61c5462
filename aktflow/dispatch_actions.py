"""The caseworker's actions on the letters on their way out (docs/dispatch.md): another channel before the
letter is sent, another try after a failure, and "Sendt med post" for a printed letter.

Use cases in one unit of work each, taking the acting user (a caseworker, manager or administrator) and
checking the rule (:func:`aktflow.dispatch.rules.check_override`) themselves, so the web page, the API and
the CLI answer alike. The rows they return are :func:`aktflow.queries.dispatches.dispatch_row`'s.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import case_access
from .dispatch import rules
from .dispatch.channels import configured_names
from .dispatch.delivery import KIND
from .errors import NotFound, PermissionDenied, ValidationError, WorkflowError
from .models import Case, Dispatch, OutboxItem, User
from .queries.dispatches import dispatch_row
from .uow import UnitOfWork
from .vocabulary import CASEWORK

log = logging.getLogger("aktflow.dispatch")


def _load(session: Session, case_id: int, dispatch_id: int, actor: str) -> tuple[Dispatch, Case, User]:
    user = session.scalar(select(User).where(User.username == actor))
    if user is None or not user.active:
        raise ValidationError("actor", f"ukendt eller inaktiv bruger {actor!r}")
    if user.role not in CASEWORK:
        raise PermissionDenied(f"rollen '{user.role}' må ikke ændre forsendelser")
    d = session.get(Dispatch, dispatch_id)
    if d is None or d.case_id != case_id:
        raise NotFound(f"sag {case_id} har ingen forsendelse {dispatch_id}")
    case = session.get_one(Case, case_id)
    # Need-to-know (docs/access.md): the case's own caseworker, members added to it, or a manager.
    if (why := case_access.act_refusal(session, user, case, CASEWORK)) is not None:
        raise PermissionDenied(why)
    return d, case, user


def _requeue(session: Session, d: Dispatch, now: dt.datetime) -> None:
    d.status, d.next_attempt_at, d.updated_at = "queued", now, now
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.kind == KIND, OutboxItem.idempotency_key == f"dispatch-{d.id}")
        .where(OutboxItem.status != "delivering")
        .values(status="pending", next_attempt_at=now, last_error=None)
    )


def choose(
    db: Any, case_id: int, dispatch_id: int, channel: str, *, actor: str, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The caseworker's channel for a dispatch not yet sent (status queued, exempt, rejected, bounced or
    failed); a dispatch that did not go is queued again. Raises ValidationError (field ``channel``) for a
    channel the rule forbids (e-mail for FVL/GDPR answers, Digital Post without CPR/CVR, a channel that is
    not configured), WorkflowError when the letter is already out, NotFound, PermissionDenied."""
    with UnitOfWork(db, now=now) as uow:
        s = uow.session
        d, case, user = _load(s, case_id, dispatch_id, actor)
        if d.status not in rules.OPEN:
            raise WorkflowError(
                f"forsendelsen er {rules.STATUS_LABELS.get(d.status, d.status).lower()}; kanalen kan ikke ændres"
            )
        requester = d.recipient_role == "requester"
        why = rules.check_override(
            channel,
            has_cpr_or_cvr=requester and bool(case.requester_cpr or case.requester_cvr),
            email=d.recipient_email,
            personal=d.own_personal_data,
            configured=configured_names(uow.settings),
            has_address=bool(d.recipient_address),
        )
        if why:
            raise ValidationError("channel", why)
        d.channel, d.chosen_by = channel, "caseworker"
        d.reason = f"Valgt af {user.name or user.username}"
        d.detail = None
        _requeue(s, d, uow.now)
        uow.commit()
        log.info("dispatch %s: channel %s chosen by the caseworker", dispatch_id, channel)
        return dispatch_row(d)


def retry(
    db: Any, case_id: int, dispatch_id: int, *, actor: str, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Send a dispatch that did not go (rejected, bounced, failed, exempt) again on its channel. Raises
    WorkflowError for one that is queued or out, NotFound, PermissionDenied."""
    with UnitOfWork(db, now=now) as uow:
        s = uow.session
        d, _case, _user = _load(s, case_id, dispatch_id, actor)
        if d.status not in (*rules.NOT_SENT, "exempt"):
            raise WorkflowError(
                f"forsendelsen er {rules.STATUS_LABELS.get(d.status, d.status).lower()}; kun en forsendelse, "
                "der ikke blev sendt, kan prøves igen"
            )
        d.attempts = 0
        _requeue(s, d, uow.now)
        uow.commit()
        return dispatch_row(d)


def confirm_posted(
    db: Any, case_id: int, dispatch_id: int, *, actor: str, now: dt.datetime | None = None
) -> dict[str, Any]:
    """ "Sendt med post": a printed letter was posted now (``sent_at``, the time that counts for the
    recipient). Raises WorkflowError unless the print file is ready (status ``printed``)."""
    with UnitOfWork(db, now=now) as uow:
        s = uow.session
        d, _case, user = _load(s, case_id, dispatch_id, actor)
        if d.status != "printed":
            raise WorkflowError("kun et udskrevet brev (status 'Klar til post') kan bekræftes sendt med post")
        d.status, d.sent_at, d.confirmed_by, d.updated_at = "sent", uow.now, user.username, uow.now
        d.detail = "Sendt med post"
        uow.commit()
        return dispatch_row(d)
