"""Small guard functions. Each returns None when met, or a Danish message naming what is unmet.

Guards read the case as loaded (documents, flags) and the fire context (actor, data); they change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..vocabulary import MANAGERS


def input_guard(guard: Callable[[Any, Any], str | None]) -> Callable[[Any, Any], str | None]:
    """Mark a guard whose answer depends on what the user types (e.g. which document): the case page's
    preview of what can be done now does not judge it; fire() always does."""
    guard.needs_input = True  # type: ignore[attr-defined]
    return guard


def no_open_flags(case: Any, ctx: Any) -> str | None:
    flags = case.open_flags
    if not flags:
        return None
    reasons = "; ".join(f.reason for f in flags)
    return (
        "sagen er markeret til juridisk vurdering og er ikke godkendt af juridisk kontakt "
        f"({reasons}); brug 'submit_for_legal_review'"
    )


def documents_screened(case: Any, ctx: Any) -> str | None:
    """Every document's file has been read by screening (none "under gennemgang"; docs/domain.md §4)."""
    pending = [d for d in case.documents if d.status == "pending"]
    if not pending:
        return None
    n = len(pending)
    return (
        f"{n} dokument{'er' if n != 1 else ''} er under gennemgang (filen læses og screenes); "
        "vent til gennemgangen er færdig"
    )


def all_documents_assessed(case: Any, ctx: Any) -> str | None:
    missing = [d for d in case.documents if d.assessment is None]
    if not missing:
        return None
    n = len(missing)
    return f"{n} dokument{'er' if n != 1 else ''} er ikke vurderet"


def may_assign(case: Any, ctx: Any) -> str | None:
    """Managers and administrators assign anyone; a caseworker may only take an unassigned case."""
    if ctx.actor.role in MANAGERS:
        return None
    target = ctx.data.get("assignee")
    if case.assignee_id is not None:
        return "sagen er allerede fordelt; kun en leder kan omfordele den"
    if target != ctx.actor.username:
        return "en sagsbehandler kan kun tage en ufordelt sag til sig selv"
    return None


def employee_notified(case: Any, ctx: Any) -> str | None:
    """Personnel cases (KLE 81): the employee must have been told of the request (OFL § 41)."""
    if not case.emne.startswith("81."):
        return None
    if ctx.has_event("notify_employee"):
        return None
    return "personalesag: medarbejderen skal først underrettes om anmodningen (OFL § 41, 'notify_employee')"


def may_extend(case: Any, ctx: Any) -> str | None:
    """MOL § 4 stk. 3 / GDPR art. 12(3): extension only for those bases, once, within the first month."""
    from ..calendar import add_months

    if case.basis not in ("mol", "gdpr"):
        return "kun sager efter miljøoplysningsloven eller databeskyttelsesforordningen kan forlænges"
    if ctx.today > add_months(case.received, 1):
        return "forlængelsen skal meddeles inden for den første måned efter modtagelsen"
    if ctx.extended:
        return "fristen er allerede forlænget"
    return None


@input_guard
def document_on_case(case: Any, ctx: Any) -> str | None:
    doc_id = ctx.data.get("document_id")
    if any(d.id == doc_id for d in case.documents):
        return None
    return f"dokument {doc_id} findes ikke på sagen"


# --- complaints about the time taken (OFL § 39) ---------------------------------------------------------------


def no_delay_complaint_pending(case: Any, ctx: Any) -> str | None:
    """One complaint about the time taken at a time: the running one is decided or forwarded first."""
    due = ctx.deadline_due("delay-complaint-forward")
    if due is None:
        return None
    return (
        "en klage over sagsbehandlingstiden er allerede modtaget; træf afgørelse eller oversend den "
        f"senest {due:%d.%m.%Y} ('forward_delay_complaint')"
    )


def delay_complaint_from_day_14(case: Any, ctx: Any) -> str | None:
    """OFL § 39: the requester may complain about the time taken when the case is not decided 14 working
    days after receipt; aktflow takes a complaint received on that 14th working day or later. Judged in
    the case page's preview too (with today as the received date: before day 14 no date can pass)."""
    import datetime as dt

    raw = ctx.data.get("received")
    received = dt.date.fromisoformat(raw) if raw else ctx.today
    day_14 = ctx.deadline_due("ofl-delay-complaint")
    if day_14 is None or received >= day_14:
        return None
    return (
        "der kan først klages over sagsbehandlingstiden fra den 14. arbejdsdag efter modtagelsen "
        f"({day_14:%d.%m.%Y}, OFL § 39)"
    )


def delay_complaint_pending(case: Any, ctx: Any) -> str | None:
    """Forwarding needs a received complaint about the time taken that is neither forwarded nor met."""
    if ctx.deadline_due("delay-complaint-forward") is not None:
        return None
    return "der er ingen klage over sagsbehandlingstiden, der venter på at blive oversendt"
