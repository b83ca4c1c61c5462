"""The effects of the actions beside the case's course (aktflow/states/case_actions.py), run by ``fire()``
inside its transaction (aktflow/effects.py's table).

Each records in the event what it changed, ``before`` and ``after`` (None where there was or is nothing),
so the case's timeline shows it and ``aktflow audit verify`` covers it. No CPR number reaches the log
(reasons pass the exit filter) and no comment text (kept in ``review_comments``; the event names the
comment). Errors are Danish: ``NotFound`` for a dispatch or document not on the case, ``PermissionDenied``
for who may not change the case's access, ``ValidationError`` naming the field, ``WorkflowError`` for a
dispatch in a status that does not allow the action.

The use cases the entrypoints call (``dispatch_actions.choose``, ``review_comments.add_comment``,
``case_members.add_member``, …) fire these actions; this module never imports them (one direction).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from . import case_access, outbox
from .admin_log import record_admin_change
from .dispatch import rules
from .dispatch.channels import configured_names
from .dispatch.delivery import KIND
from .errors import NotFound, PermissionDenied, ValidationError, WorkflowError
from .exits import mask
from .models import Case, CaseMember, CaseSensitivity, Dispatch, OutboxItem, ReviewComment, User

# --- dispatches (docs/dispatch.md) --------------------------------------------------------------------------


def _dispatch(case: Case, ctx: Any) -> Dispatch:
    d = ctx.session.get(Dispatch, ctx.data["dispatch_id"])
    if d is None or d.case_id != case.id:
        raise NotFound(f"sag {case.id} har ingen forsendelse {ctx.data['dispatch_id']}")
    return d


def _dispatch_state(d: Dispatch) -> dict[str, Any]:
    return {
        "channel": d.channel,
        "status": d.status,
        "sent_at": d.sent_at.isoformat(timespec="seconds") if d.sent_at else None,
    }


def _requeue(ctx: Any, d: Dispatch) -> None:
    """Queue ``d`` again: its outbox item made pending, or made now when the dispatch never had one (a
    letter that found no channel when it was made is not in the outbox until a channel is chosen)."""
    now = ctx.now
    d.status, d.next_attempt_at, d.updated_at = "queued", now, now
    key = f"dispatch-{d.id}"
    item = ctx.session.scalar(
        select(OutboxItem.id).where(OutboxItem.kind == KIND, OutboxItem.idempotency_key == key)
    )
    if item is None:
        outbox.enqueue(ctx.session, KIND, {"dispatch_id": d.id}, key, case_id=d.case_id, now=now)
        return
    ctx.session.execute(
        update(OutboxItem)
        .where(OutboxItem.id == item, OutboxItem.status != "delivering")
        .values(status="pending", next_attempt_at=now, last_error=None)
    )


def _status_word(d: Dispatch) -> str:
    return rules.STATUS_LABELS.get(d.status, d.status).lower()


def change_dispatch(e: Any, case: Case, ctx: Any) -> None:
    """``choose_dispatch_channel`` (a dispatch not yet sent: queued, exempt, rejected, bounced or failed;
    the rule's limits, :func:`aktflow.dispatch.rules.check_override`), ``retry_dispatch`` (one that did not
    go, or exempt) and ``mark_dispatched_by_post`` (a printed letter posted now: ``sent_at``, the time that
    counts for the recipient)."""
    d = _dispatch(case, ctx)
    before = _dispatch_state(d)
    if e.how == "channel":
        if d.status not in rules.OPEN:
            raise WorkflowError(f"forsendelsen er {_status_word(d)}; kanalen kan ikke ændres")
        channel = ctx.data["channel"]
        requester = d.recipient_role == "requester"
        why = rules.check_override(
            channel,
            has_cpr_or_cvr=requester and bool(case.requester_cpr or case.requester_cvr),
            email=d.recipient_email,
            personal=d.own_personal_data,
            configured=configured_names(ctx.settings),
            has_address=bool(d.recipient_address),
        )
        if why:
            raise ValidationError("channel", why)
        d.channel, d.chosen_by = channel, "caseworker"
        d.reason = f"Valgt af {ctx.actor.name or ctx.actor.username}"
        d.detail = None
        _requeue(ctx, d)
    elif e.how == "retry":
        if d.status not in (*rules.NOT_SENT, "exempt"):
            raise WorkflowError(
                f"forsendelsen er {_status_word(d)}; kun en forsendelse, der ikke blev sendt, kan prøves igen"
            )
        d.attempts = 0
        _requeue(ctx, d)
    else:
        if d.status != "printed":
            raise WorkflowError("kun et udskrevet brev (status 'Klar til post') kan bekræftes sendt med post")
        d.status, d.sent_at, d.confirmed_by, d.updated_at = "sent", ctx.now, ctx.actor.username, ctx.now
        d.detail = "Sendt med post"
    ctx.recorded.update(before=before, after=_dispatch_state(d))


# --- the legal contact's comments --------------------------------------------------------------------------


def comment_document(e: Any, case: Case, ctx: Any) -> None:
    """``comment_review``: the comment is stored with the document; the event keeps its id and length."""
    doc_id = ctx.data["document_id"]
    if not any(d.id == doc_id for d in case.documents):
        raise NotFound(f"dokument {doc_id} findes ikke på sag {case.id}")
    text = ctx.data["text"].strip()
    if not text:
        raise ValidationError("text", "skriv en kommentar")
    comment = ReviewComment(
        case_id=case.id, document_id=doc_id, author=ctx.actor.username, text=text, created_at=ctx.now
    )
    ctx.session.add(comment)
    ctx.session.flush()
    ctx.recorded.update(
        comment_id=comment.id, length=len(text), before=None, after={"comment_id": comment.id}
    )


# --- who may see a sensitive case (docs/access.md) ------------------------------------------------------------


def _may_manage(case: Case, ctx: Any) -> None:
    if not case_access.may_manage(ctx.actor, case):
        raise PermissionDenied(
            "kun sagens sagsbehandler, den juridiske kontakt og ledere må ændre, hvem der har adgang til sagen"
        )


def _reason(ctx: Any) -> str:
    return mask((ctx.data.get("reason") or "").strip())


def _user(ctx: Any, username: str) -> User:
    user = ctx.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise ValidationError("user", f"ukendt eller inaktiv bruger {username!r}")
    return user


def _legal_contact(case: Case, ctx: Any) -> None:
    """``assign_legal_contact``: an active user with the legal contact's role; the event is the record
    (:func:`aktflow.case_access.legal_contact` reads the latest)."""
    from .vocabulary import LEGAL_CONTACT

    name = ctx.data["legal_contact"].strip()
    user = ctx.session.scalar(select(User).where(User.username == name)) if name else None
    if user is None or not user.active or user.role != LEGAL_CONTACT:
        raise ValidationError(
            "legal_contact", f"{name!r} er ikke en aktiv bruger med rollen juridisk kontakt"
        )
    before = case_access.legal_contact(ctx.session, case.id)
    if before == user.username:
        raise ValidationError("legal_contact", f"{user.username} er allerede sagens juridiske kontakt")
    ctx.recorded.update(before=before and {"legal_contact": before}, after={"legal_contact": user.username})


def change_access(e: Any, case: Case, ctx: Any) -> None:
    """``grant_case_access`` (a user who does not see the case already, with a reason),
    ``revoke_case_access`` (a member), ``mark_case_sensitive`` (by the caseworker, the legal contact or a
    manager) and ``unmark_case_sensitive`` (a manager or the legal contact; the trigger's roles). Each is
    also written to the administrative log (kinds ``case.member_add``, ``case.member_remove``,
    ``case.mark_sensitive``, ``case.unmark_sensitive``)."""
    s, actor, why = ctx.session, ctx.actor.username, _reason(ctx)
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    if e.how == "legal_contact":
        _legal_contact(case, ctx)
        return
    if e.how != "unmark":
        _may_manage(case, ctx)
    if e.how == "grant":
        member = _user(ctx, ctx.data["user"])
        if case_access.sees_always(s, member, case):
            raise ValidationError(
                "user",
                f"{member.username} ser allerede sagen (sagsbehandler, leder eller sagens juridiske kontakt)",
            )
        if case_access.is_member(s, member, case.id):
            raise ValidationError("user", f"{member.username} er allerede tilføjet sagen")
        s.add(CaseMember(case_id=case.id, user_id=member.id, added_by=actor, added_at=ctx.now, reason=why))
        after = {"user": member.username, "reason": why}
        record_admin_change(s, actor, "case.member_add", f"sag {case.id}", None, after, now=ctx.now)
    elif e.how == "revoke":
        member = _user(ctx, ctx.data["user"])
        row = s.scalar(
            select(CaseMember).where(CaseMember.case_id == case.id, CaseMember.user_id == member.id)
        )
        if row is None:
            raise ValidationError("user", f"{member.username} er ikke tilføjet sagen")
        before = {"user": member.username, "reason": row.reason, "added_by": row.added_by}
        s.delete(row)
        record_admin_change(
            s, actor, "case.member_remove", f"sag {case.id}", before, {"reason": why or None}, now=ctx.now
        )
    elif e.how == "mark":
        if s.get(CaseSensitivity, case.id) is not None:
            raise ValidationError("reason", "sagen er allerede markeret fortrolig")
        s.add(CaseSensitivity(case_id=case.id, reason=why, marked_by=actor, marked_at=ctx.now))
        after = {"reason": why, "marked_by": actor}
        record_admin_change(
            s, actor, "case.mark_sensitive", f"sag {case.id}", None, {"reason": why}, now=ctx.now
        )
    else:
        mark = s.get(CaseSensitivity, case.id)
        if mark is None:
            raise ValidationError("reason", "sagen er ikke markeret fortrolig")
        before = {"reason": mark.reason, "marked_by": mark.marked_by}
        s.delete(mark)
        record_admin_change(
            s, actor, "case.unmark_sensitive", f"sag {case.id}", before, {"reason": why}, now=ctx.now
        )
    s.flush()
    ctx.recorded.update(before=before, after=after)
