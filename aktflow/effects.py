"""What a trigger does besides changing the state, run inside fire()'s unit of work.

Each effect gets the case and the FireContext and may add to ``ctx.recorded`` what the event should keep.
Nothing here commits; side effects outside the database go through the outbox.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from . import deadlines as rules
from . import figures, tracking
from .errors import ValidationError
from .models import Assessment, Case, Document, Flag, User

Effect = Callable[[Case, Any], None]
_EFFECTS: dict[str, list[Effect]] = {}


def effect(trigger: str) -> Callable[[Effect], Effect]:
    def register(fn: Effect) -> Effect:
        _EFFECTS.setdefault(trigger, []).append(fn)
        return fn

    return register


def run(trigger: str, case: Case, ctx: Any) -> None:
    for fn in _EFFECTS.get(trigger, ()):
        fn(case, ctx)


def has_effects(trigger: str) -> bool:
    return bool(_EFFECTS.get(trigger))


def on_create(case: Case, ctx: Any) -> None:
    run("create", case, ctx)


@effect("register")
def open_archive_case(case: Case, ctx: Any) -> None:
    number = ctx.archive.open_case(ctx.session, case, facet="A53", now=ctx.now)
    if number:
        case.sagsnummer = number
        ctx.recorded["sagsnummer"] = number
    ctx.recorded["archive"] = ctx.archive.name


@effect("assign")
def set_assignee(case: Case, ctx: Any) -> None:
    user = ctx.session.scalar(select(User).where(User.username == ctx.data["assignee"]))
    ctx.recorded["previous_assignee"] = case.assignee.username if case.assignee else None
    figures.move_case(ctx.session, case, user.id if user else None)
    case.assignee = user


def add_flag(case: Case, ctx: Any, reason: str, source: str) -> None:
    if any(f.reason == reason for f in case.open_flags):
        return
    flag = Flag(case=case, reason=reason, source=source, created_at=ctx.now)
    ctx.session.add(flag)
    ctx.recorded.setdefault("flags_raised", []).append(reason)


@effect("flag_for_legal")
def manual_flag(case: Case, ctx: Any) -> None:
    add_flag(case, ctx, f"Markeret af {ctx.actor.username}: {ctx.note}", "manual")


@effect("approve_legal")
def clear_flags(case: Case, ctx: Any) -> None:
    cleared = []
    for flag in case.open_flags:
        flag.cleared_at = ctx.now
        flag.cleared_by = ctx.actor.username
        cleared.append(flag.id)
    ctx.recorded["flags_cleared"] = cleared


@effect("add_document")
def add_document(case: Case, ctx: Any) -> None:
    d = ctx.data
    doc = Document(
        case=case,
        title=d["title"][:300],
        doc_date=dt.date.fromisoformat(d["date"]) if d.get("date") else None,
        sender=d.get("sender"),
        recipient=d.get("recipient"),
        archive_doc_id=d.get("archive_doc_id"),
        created_at=ctx.now,
    )
    if ctx.attachment is not None:
        from .documents import extract

        ex = extract(ctx.attachment)
        doc.filename, doc.content_type, doc.content = ex.filename, ex.content_type, ctx.attachment.content
        doc.text, doc.sha256 = ex.text, ex.sha256
        ctx.recorded["file"] = {"filename": ex.filename, "sha256": ex.sha256, "size": ex.size}
    ctx.session.add(doc)
    ctx.session.flush()
    ctx.recorded["document_id"] = doc.id
    screen(case, ctx, f"{doc.title}\n{doc.text or ''}", f"Dokument '{doc.title}'")


@effect("edit_document")
def edit_document(case: Case, ctx: Any) -> None:
    d = ctx.data
    doc = _document(case, d["document_id"])
    changed = {}
    for key, attr in (
        ("title", "title"),
        ("sender", "sender"),
        ("recipient", "recipient"),
        ("archive_doc_id", "archive_doc_id"),
    ):
        if key in d and getattr(doc, attr) != d[key]:
            changed[key] = [getattr(doc, attr), d[key]]
            setattr(doc, attr, d[key])
    if "date" in d:
        new = dt.date.fromisoformat(d["date"])
        if doc.doc_date != new:
            changed["date"] = [doc.doc_date.isoformat() if doc.doc_date else None, d["date"]]
            doc.doc_date = new
    ctx.recorded["changed"] = changed
    if "title" in changed:
        screen(case, ctx, doc.title, f"Dokument '{doc.title}'")


@effect("remove_document")
def remove_document(case: Case, ctx: Any) -> None:
    doc = _document(case, ctx.data["document_id"])
    ctx.recorded["removed"] = {"title": doc.title, "sha256": doc.sha256}
    if doc.assessment is not None:
        figures.assessment(ctx.session, case, doc.assessment, -1)
        ctx.session.delete(doc.assessment)
    case.documents.remove(doc)
    ctx.session.delete(doc)


def _document(case: Case, doc_id: int) -> Document:
    return next(doc for doc in case.documents if doc.id == doc_id)


@effect("assess_document")
def assess_document(case: Case, ctx: Any) -> None:
    from . import grounds as catalogue

    d = ctx.data
    doc = _document(case, d["document_id"])
    codes = list(dict.fromkeys(d.get("grounds", [])))
    if d["outcome"] in ("partial", "refuse") and not codes:
        raise ValidationError("grounds", "delvis udlevering eller afslag kræver mindst én undtagelsesgrund")
    if d["outcome"] == "grant" and codes:
        raise ValidationError("grounds", "fuld udlevering tager ingen undtagelsesgrunde")
    problems = catalogue.validate(codes, case.basis)
    if problems:
        raise ValidationError("grounds", "; ".join(problems))
    figures.assessment(ctx.session, case, doc.assessment, -1)  # a new assessment replaces the old one
    a = doc.assessment or Assessment(document=doc)
    a.outcome = d["outcome"]
    a.grounds = codes
    a.extracted = bool(d.get("extracted", False))
    a.meroffentlighed_note = d.get("meroffentlighed_note")
    a.note = ctx.note
    a.assessed_by = ctx.actor.username
    a.assessed_at = ctx.now
    ctx.session.add(a)
    figures.assessment(ctx.session, case, a, 1)
    for code in codes:
        g = catalogue.get(code)
        if g.flags_legal:
            verb = "afslag" if d["outcome"] == "refuse" else "delvis udlevering"
            add_flag(case, ctx, f"Dokument '{doc.title}': {verb} efter {g.label}", "assessment")


# --- screening ----------------------------------------------------------------------------------------


def screen(case: Case, ctx: Any, text: str, where: str) -> None:
    """Flag the case for each CPR number or sensitive category found in ``text`` (never the number itself)."""
    from .screening import flag_reasons

    for reason in flag_reasons(text, where):
        add_flag(case, ctx, reason, "screening")


@effect("create")
def screen_request(case: Case, ctx: Any) -> None:
    screen(case, ctx, case.subject, "Anmodningen")
    if case.emne.startswith("81."):
        add_flag(case, ctx, "Personalesag (KLE 81): medarbejderen skal underrettes (OFL § 41)", "personnel")


# --- deadlines ----------------------------------------------------------------------------------------


@effect("create")
def start_deadlines(case: Case, ctx: Any) -> None:
    ctx.recorded["deadlines"] = tracking.start_case(ctx.session, case, ctx.now)


@effect("send_decision")
def decision_deadlines_met(case: Case, ctx: Any) -> None:
    done = tracking.complete(ctx.session, case, tracking.DECIDED_BY_DECISION, ctx.today)
    figures.decision_made(ctx.session, case, done)


@effect("send_deadline_notice")
def notice_sent(case: Case, ctx: Any) -> None:
    expected = dt.date.fromisoformat(ctx.data["expected"])
    cal = tracking.load_calendar(ctx.session)
    tracking.complete(ctx.session, case, tracking.NOTICE_RULES, ctx.today)
    d = tracking.expected_deadline(ctx.today, expected, ctx.data["reason"], cal)
    ctx.recorded["expected_deadline"] = tracking.start(ctx.session, case, d, ctx.now)


@effect("extend_deadline")
def extend(case: Case, ctx: Any) -> None:
    cal = tracking.load_calendar(ctx.session)
    d = (
        rules.mol_extended(case.received, cal)
        if case.basis == "mol"
        else rules.gdpr_extended(case.received, cal)
    )
    ctx.recorded["extended"] = tracking.start(ctx.session, case, d, ctx.now)


@effect("request_hearing")
def hearing_started(case: Case, ctx: Any) -> None:
    cal = tracking.load_calendar(ctx.session)
    reply_by = dt.date.fromisoformat(ctx.data["reply_by"])
    try:
        d = rules.hearing_reply(ctx.today, reply_by, cal)
    except ValueError:
        raise ValidationError("reply_by", "svarfristen skal ligge efter i dag") from None
    ctx.recorded["hearing_reply"] = tracking.start(ctx.session, case, d, ctx.now)


@effect("hearing_completed")
def hearing_done(case: Case, ctx: Any) -> None:
    tracking.complete(ctx.session, case, ("hearing-reply",), ctx.today)


@effect("receive_complaint")
def complaint_started(case: Case, ctx: Any) -> None:
    received = dt.date.fromisoformat(ctx.data["received"]) if ctx.data.get("received") else ctx.today
    if received > ctx.today:
        raise ValidationError("received", "klagen kan ikke være modtaget i fremtiden")
    cal = tracking.load_calendar(ctx.session)
    ctx.recorded["complaint_forward"] = tracking.start(
        ctx.session, case, rules.complaint_forward(received, cal), ctx.now
    )


@effect("revise_decision")
def complaint_reconsidered(case: Case, ctx: Any) -> None:
    tracking.complete(ctx.session, case, ("complaint-forward",), ctx.today)


@effect("uphold_and_forward")
def complaint_forwarded(case: Case, ctx: Any) -> None:
    tracking.complete(ctx.session, case, ("complaint-forward",), ctx.today)
    cal = tracking.load_calendar(ctx.session)
    ctx.recorded["appeal_body"] = tracking.start(
        ctx.session, case, rules.appeal_body(ctx.today, cal), ctx.now
    )


@effect("appeal_decided")
@effect("appeal_overturned")
def appeal_done(case: Case, ctx: Any) -> None:
    tracking.complete(ctx.session, case, ("appeal-body",), ctx.today)


@effect("forward")
@effect("withdraw")
def deadlines_stop(case: Case, ctx: Any) -> None:
    tracking.stop_all(ctx.session, case)


for _trigger in figures.COMPLAINT_TRIGGERS:

    @effect(_trigger)
    def count_complaint(case: Case, ctx: Any, _trigger: str = _trigger) -> None:
        figures.complaint(ctx.session, case, _trigger, ctx.now)


# --- letters and the archive ---------------------------------------------------------------------------


def _letter_effect(kind: str) -> Effect:
    def make(case: Case, ctx: Any) -> None:
        from .correspondence import make_letter

        make_letter(ctx.session, case, kind, ctx)

    make.__name__ = f"letter_{kind}"
    return make


def _register_letters() -> None:
    from .correspondence import LETTER_FOR_TRIGGER

    for trigger, kind in LETTER_FOR_TRIGGER.items():
        effect(trigger)(_letter_effect(kind))


_register_letters()


@effect("receive_complaint")
def open_complaint_case(case: Case, ctx: Any) -> None:
    """A complaint is journalised on its own archive case: same emne, facet K02."""
    number = ctx.archive.open_case(ctx.session, case, facet="K02", now=ctx.now)
    if number:
        ctx.recorded["complaint_sagsnummer"] = number


@effect("close")
@effect("appeal_decided")
def archive_case_closed(case: Case, ctx: Any) -> None:
    ctx.archive.case_closed(ctx.session, case, now=ctx.now)
