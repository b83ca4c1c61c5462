"""Small guard functions. Each returns None when met, or a Danish message naming what is unmet.

Guards read the case as loaded (documents, flags) and the fire context (actor, data); they change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..exits import mask
from ..vocabulary import MANAGERS
from .case_rules import NARROWING_REQUIRED, is_personnel_case, request_refusal


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
    if request_refusal(case):  # the whole request is refused (OFL § 9, stk. 2): no document is assessed
        return None
    missing = [d for d in case.documents if d.assessment is None]
    if not missing:
        return None
    n = len(missing)
    return f"{n} dokument{'er' if n != 1 else ''} er ikke vurderet"


def released_files_readable(case: Any, ctx: Any) -> str | None:
    """No document assessed to be released (in full or in part) has a file that was refused or could not
    be read: the release package would be blocked (aktflow/release/), so the decision is refused before it
    is sent rather than failing later in the outbox. A document without any file (registered from paper or
    the archive) is not judged here."""
    bad = [
        d
        for d in case.documents
        if d.assessment is not None and d.assessment.outcome in ("grant", "partial") and d.status == "refused"
    ]
    if not bad:
        return None
    # the titles as every exit shows them: a CPR number in a title is masked (aktflow.exits)
    titles = ", ".join(f"'{mask(d.title)}'" for d in bad[:3]) + (" m.fl." if len(bad) > 3 else "")
    return (
        f"dokumentet {titles} er vurderet til udlevering, men filen kunne ikke læses og kan ikke udleveres; "
        "tilføj filen igen, eller vurdér dokumentet til afslag"
    )


def no_document_assessed(case: Any, ctx: Any) -> str | None:
    """Nothing is assessed yet: the case may go back from the confidentiality review to collecting
    documents (``reopen_collection``) only before any document has an assessment, so no assessment is
    made of a register that then changes under it."""
    assessed = [d for d in case.documents if d.assessment is not None]
    if not assessed:
        return None
    n = len(assessed)
    return (
        f"{n} dokument{'er' if n != 1 else ''} er allerede vurderet; dokumentindsamlingen kan kun genåbnes, "
        "før noget er vurderet"
    )


def may_assign(case: Any, ctx: Any) -> str | None:
    """Managers and administrators assign anyone; a caseworker may only take an unassigned case. Assigning
    the case to the one who already holds it is no change: refused with a sentence that says so, so no
    event is written."""
    target = ctx.data.get("assignee")
    if ctx.actor.role in MANAGERS:
        if target and case.assignee is not None and case.assignee.username == target:
            return f"sagen har allerede {case.assignee.name or target} som sagsbehandler; intet er ændret"
        return None
    if case.assignee_id is not None:
        return "sagen er allerede fordelt; kun en leder kan omfordele den"
    if target != ctx.actor.username:
        return "en sagsbehandler kan kun tage en ufordelt sag til sig selv"
    return None


def _notified(ctx: Any, stage: str) -> bool:
    return any(data.get("stage") == stage for _, _, data in ctx.event_data("notify_employee"))


def employee_notified(case: Any, ctx: Any) -> str | None:
    """Personnel cases: the employee must have been told of the request before the decision (OFL § 41)."""
    if not is_personnel_case(case):
        return None
    if _notified(ctx, "request"):
        return None
    return "personalesag: medarbejderen skal først underrettes om anmodningen (OFL § 41, 'notify_employee')"


def employee_told_of_release(case: Any, ctx: Any) -> str | None:
    """Closing a personnel case: the employee has been told both of the request and, after the decision, of
    what was released (OFL § 41: the two notices)."""
    if not is_personnel_case(case):
        return None
    missing = [
        label
        for stage, label in (("request", "anmodningen"), ("release", "det udleverede"))
        if not _notified(ctx, stage)
    ]
    if not missing:
        return None
    return (
        f"personalesag: medarbejderen er ikke underrettet om {' og '.join(missing)} "
        "(OFL § 41, 'notify_employee'); sagen kan først afsluttes, når begge underretninger er sendt"
    )


def employee_told_if_decided(case: Any, ctx: Any) -> str | None:
    """``withdraw``: a personnel case that has a decision ends, like ``close``, only after both OFL § 41
    notices (see :func:`employee_told_of_release`); one withdrawn before the decision needs neither."""
    if not ctx.has_event("send_decision"):
        return None
    return employee_told_of_release(case, ctx)


@input_guard
def release_notice_after_decision(case: Any, ctx: Any) -> str | None:
    """OFL § 41: the notice of what was released ("we have now decided") only once a decision exists."""
    if ctx.data.get("stage") != "release" or ctx.has_event("send_decision"):
        return None
    return (
        "underretningen om det udleverede kan først sendes, når afgørelsen er truffet ('send_decision'); "
        "før afgørelsen underrettes medarbejderen om anmodningen"
    )


@input_guard
def narrowing_attempted(case: Any, ctx: Any) -> str | None:
    """OFL § 9, stk. 2, nr. 1: a refusal for excessive resources only after a recorded attempt to narrow the
    request with the requester (the preparatory works; FOB 2014.22 and 2014.36)."""
    if ctx.data.get("ground") not in NARROWING_REQUIRED or ctx.has_event("record_narrowing_attempt"):
        return None
    return (
        "afslag efter offentlighedslovens § 9, stk. 2, nr. 1 kræver først et registreret forsøg på at "
        "afgrænse anmodningen sammen med anmoderen ('record_narrowing_attempt')"
    )


def request_refusal_approved(case: Any, ctx: Any) -> str | None:
    """A refusal of the whole request (OFL § 9, stk. 2) always goes to legal review: the legal contact's
    approval must come after the refusal was last recorded."""
    if not request_refusal(case):
        return None
    refused = max((seq for seq, _, _ in ctx.event_data("refuse_request")), default=0)
    approved = max((seq for seq, _, _ in ctx.event_data("approve_legal")), default=0)
    if approved > refused:
        return None
    return (
        "afslag på hele anmodningen skal godkendes af juridisk kontakt, før afgørelsen kan sendes; "
        "brug 'submit_for_legal_review'"
    )


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


@input_guard
def documents_on_case(case: Any, ctx: Any) -> str | None:
    """``request_hearing``: the documents the third party is heard about are on the case."""
    known = {d.id for d in case.documents}
    missing = [i for i in ctx.data.get("document_ids") or [] if i not in known]
    return f"dokument {', '.join(map(str, missing))} findes ikke på sagen" if missing else None


def approver_did_not_assess(case: Any, ctx: Any) -> str | None:
    """``approve_legal``: four eyes are two people. An administrator may both assess documents and approve;
    the approval is refused from the person who made any of the assessments now on the case."""
    own = sorted(
        d.title
        for d in case.documents
        if d.assessment is not None and d.assessment.assessed_by == ctx.actor.username
    )
    if not own:
        return None
    return (
        "den juridiske godkendelse skal gives af en anden end den, der har vurderet dokumenterne "
        f"(du har vurderet {', '.join(repr(t) for t in own[:3])}{' m.fl.' if len(own) > 3 else ''})"
    )


_LESS_RESTRICTIVE = {"grant": ("grant",), "partial": ("grant", "partial")}


@input_guard
def released_stays_released(case: Any, ctx: Any) -> str | None:
    """``assess_document``: a document a partial decision has released (in full or in part) cannot be
    re-assessed to withhold more than was released — the requester has it; the decision must say so. It
    may be re-assessed to release more (``partial`` → ``grant``)."""
    doc_id = ctx.data.get("document_id")
    if doc_id not in released_before(ctx):
        return None
    doc = next((d for d in case.documents if d.id == doc_id), None)
    was = doc.assessment.outcome if doc is not None and doc.assessment is not None else None
    if was is None or ctx.data.get("outcome") in _LESS_RESTRICTIVE.get(was, (was,)):
        return None
    return (
        f"dokument {doc_id} er allerede udleveret ved en delafgørelse og kan ikke vurderes til at blive "
        "udleveret i mindre omfang"
    )


def not_yet_personnel(case: Any, ctx: Any) -> str | None:
    """``mark_personnel``: only a case that is not a personnel matter already (KLE 81 or marked)."""
    return "sagen er allerede en personalesag" if is_personnel_case(case) else None


def request_not_refused(case: Any, ctx: Any) -> str | None:
    """``send_partial_decision``: nothing is released early from a request refused as a whole (OFL § 9,
    stk. 2); the refusal is taken back first (``cancel_request_refusal``)."""
    if request_refusal(case):
        return "der er givet afslag på hele anmodningen (OFL § 9, stk. 2); en delafgørelse kan ikke sendes"
    return None


def request_refused(case: Any, ctx: Any) -> str | None:
    """``cancel_request_refusal``: only when the whole request has been refused."""
    return None if request_refusal(case) else "der er ikke givet afslag på hele anmodningen"


# --- the legal review holds (four eyes; docs/domain.md, "Juridisk vurdering") ------------------------------


def _approved(ctx: Any) -> dict[str, Any] | None:
    """The latest approval's snapshot (the approve_legal event's ``approved``), or None if never approved.
    An approval recorded before snapshots were kept counts as covering nothing."""
    approvals = ctx.data_of("approve_legal")
    if not approvals:
        return None
    return approvals[-1].get("approved") or {"documents": {}, "flags": [], "outcome": "?"}


def _review_needed(case: Any, ctx: Any) -> bool:
    """Whether the case was flagged (a flag not superseded by a re-assessment) or legally approved."""
    return any(not f.superseded for f in case.flags) or ctx.has_event("approve_legal")


def _lapsed_message(what: str) -> str:
    return (
        f"den juridiske godkendelse dækker ikke sagen, som den er nu ({what}); "
        "send sagen til juridisk vurdering igen ('submit_for_legal_review')"
    )


def approval_holds(case: Any, ctx: Any) -> str | None:
    """A flagged case's decision needs the legal contact's approval of the case as it is now: any change
    since to an assessment, a document or the outcome lapses it (the four-eyes review, OFL § 30/§ 33)."""
    from ..approval import lapsed

    if not _review_needed(case, ctx):
        return None
    approved = _approved(ctx)
    if approved is None:
        return _lapsed_message("sagen er markeret, men ikke godkendt")
    what = lapsed(approved, case)
    return _lapsed_message(what) if what else None


def released_before(ctx: Any) -> list[int]:
    """The ids of the documents released by the case's earlier partial decisions (their ``released``)."""
    return [i for d in ctx.data_of("send_partial_decision") for i in d.get("released") or []]


def documents_to_release(case: Any, ctx: Any) -> str | None:
    """A partial decision releases something: a document assessed to be released (in full or in part)
    that no earlier partial decision released."""
    from ..approval import releasable

    if releasable(case, released_before(ctx)):
        return None
    return (
        "der er ingen dokumenter at udlevere: ingen vurderet til (delvis) udlevering, "
        "som ikke allerede er udleveret ved en delafgørelse"
    )


def approval_holds_for_release(case: Any, ctx: Any) -> str | None:
    """A flagged case's partial decision needs the legal contact's approval of the documents it releases,
    as they are now (see :func:`approval_holds`)."""
    from ..approval import lapsed, releasable

    if not _review_needed(case, ctx):
        return None
    approved = _approved(ctx)
    if approved is None:
        return _lapsed_message("sagen er markeret, men ikke godkendt")
    what = lapsed(approved, case, [d.id for d in releasable(case, released_before(ctx))])
    return _lapsed_message(what) if what else None


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


# --- where a complaint goes (OFL § 37 stk. 1, § 38 stk. 1; GDPR art. 77) -------------------------------------


def complaint_may_be_forwarded(case: Any, ctx: Any) -> str | None:
    """``uphold_and_forward``: a complaint is forwarded only where the law routes it through the
    municipality. Never a GDPR complaint (the data subject complains to Datatilsynet, GDPR art. 77; it is
    no OFL complaint), and not a partsaktindsigt case whose main case has no appeal body (as recorded when
    the complaint was received; docs/domain.md, "Klageinstanser")."""
    if case.basis == "gdpr":
        return (
            "en klage over en afgørelse om indsigt efter databeskyttelsesforordningen oversendes ikke som en "
            "klage efter offentlighedsloven: klageren kan selv klage til Datatilsynet; "
            "genoptag sagen ('revise_decision'), hvis afgørelsen skal ændres"
        )
    received = ctx.data_of("receive_complaint")
    route = (received[-1].get("appeal_route") if received else None) or {}
    if route.get("kind") == "ingen":
        return (
            "der er ingen klageinstans for hovedsagen, så klagen over afgørelsen om partsaktindsigt kan ikke "
            "oversendes; genoptag sagen ('revise_decision'), hvis afgørelsen skal ændres"
        )
    return None


def complaint_not_forwardable(case: Any, ctx: Any) -> str | None:
    """``close_complaint``: a complaint is closed without forwarding only where it may not be forwarded
    (:func:`complaint_may_be_forwarded` refuses: a GDPR complaint, or a partsaktindsigt case whose main
    case has no appeal body); any other complaint goes to the appeal body or is reconsidered."""
    if complaint_may_be_forwarded(case, ctx) is None:
        return (
            "klagen skal oversendes til klageinstansen ('uphold_and_forward') eller sagen genoptages "
            "('revise_decision'); kun en klage, der ikke kan oversendes (databeskyttelsesforordningen, eller "
            "ingen klageinstans for hovedsagen), afsluttes uden oversendelse"
        )
    return None
