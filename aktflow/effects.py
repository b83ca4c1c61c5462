"""What a trigger does besides changing the state, run inside fire()'s unit of work.

Each effect gets the case and the FireContext and may add to ``ctx.recorded`` what the event should keep.
Nothing here commits; side effects outside the database go through the outbox.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select

from . import appeal_routes, case_actions, case_deadlines, figure_counts, states
from . import deadlines as rules
from .errors import ValidationError
from .flags import add_flag, screen, supersede_assessment_flags
from .models import Assessment, Case, Document, User
from .redaction import actions as redaction_actions
from .states import case_actions as A
from .states import effects as E
from .states import redaction as R
from .states.case_rules import is_personnel_case
from .vocabulary import MANAGERS

Handler = Callable[[Any, Case, Any], None]


def run(effects: Iterable[E.Effect], case: Case, ctx: Any) -> None:
    """Carry out ``effects`` (a trigger's ``TriggerSpec.effects``) in their order, inside fire()'s unit of
    work. Raises what a handler raises (ValidationError for input only an effect can judge)."""
    for e in effects:
        HANDLERS[type(e)](e, case, ctx)


def on_create(case: Case, ctx: Any) -> None:
    """The effects of registering a new request (``states.CREATE_EFFECTS``)."""
    run(states.CREATE_EFFECTS, case, ctx)


def open_archive_case(e: E.OpenArchiveCase, case: Case, ctx: Any) -> None:
    """A53: the request's own case, whose number becomes the sagsnummer; K02: the complaint's case."""
    number = ctx.archive.open_case(ctx.session, case, facet=e.facet, now=ctx.now)
    if e.facet == "K02":
        if number:
            ctx.recorded["complaint_sagsnummer"] = number
        return
    if number:
        case.sagsnummer = number
        ctx.recorded["sagsnummer"] = number
    ctx.recorded["archive"] = ctx.archive.name


#: ``session.info`` key: the users looked up by name in this unit of work (see :func:`user_named`).
_USERS_BY_NAME = "aktflow.users_by_name"


def user_named(session: Any, username: str) -> User | None:
    """The user with this name, or None; asked once per unit of work (a field's check and the effect that
    uses the same user share the answer; the acting user is known from fire()'s load, :func:`know_user`)."""
    known: dict[str, User | None] = session.info.setdefault(_USERS_BY_NAME, {})
    if username not in known:
        known[username] = session.scalar(select(User).where(User.username == username))
    return known[username]


def know_user(session: Any, user: User) -> None:
    """Remember a user this unit of work has loaded already, for :func:`user_named`."""
    session.info.setdefault(_USERS_BY_NAME, {})[user.username] = user


def set_assignee(e: Any, case: Case, ctx: Any) -> None:
    user = user_named(ctx.session, ctx.data["assignee"])  # the field's check found the same user
    ctx.recorded["previous_assignee"] = case.assignee.username if case.assignee else None
    figure_counts.move_case(ctx.session, case, user.id if user else None)
    case.assignee = user


def manual_flag(e: Any, case: Case, ctx: Any) -> None:
    add_flag(case, ctx, f"Markeret af {ctx.actor.username}: {ctx.note}", "manual")


def clear_flags(e: Any, case: Case, ctx: Any) -> None:
    """approve_legal: record what is approved (``approved``, :func:`aktflow.approval.snapshot`: documents,
    assessments, the flags cleared, the outcome) and clear the open flags (``flags_cleared``: their ids)."""
    from .approval import snapshot, with_letter

    # The decision letter the legal contact saw (its fingerprint), when given: aktflow/approval.py.
    ctx.recorded["approved"] = with_letter(
        snapshot(case),
        ctx.data.get("letter_sha256"),
        ctx.today,
        ctx.data.get("letter_trigger") or "send_decision",
    )
    cleared = []
    for flag in case.open_flags:
        flag.cleared_at = ctx.now
        flag.cleared_by = ctx.actor.username
        cleared.append(flag.id)
    ctx.recorded["flags_cleared"] = cleared


def add_document(e: Any, case: Case, ctx: Any) -> None:
    from .aktliste import prefill

    d = ctx.data
    doc = Document(
        case=case,
        title=d["title"][:300],
        doc_date=dt.date.fromisoformat(d["date"]) if d.get("date") else None,
        sender=d.get("sender"),
        recipient=d.get("recipient"),
        archive_doc_id=d.get("archive_doc_id"),
        created_at=ctx.now,
        released_title=prefill(d["title"][:300]),
        released_sender=prefill(d.get("sender"), d.get("recipient")),
    )
    ctx.session.add(doc)
    ctx.session.flush()
    ctx.recorded["document_id"] = doc.id
    if ctx.attachment is not None:
        # The file is checked fast and stored; a worker reads and screens it after the commit.
        from .document_screening import accept
        from .extraction import Limits, limits_from_settings

        lim = limits_from_settings(ctx.settings) if ctx.settings is not None else Limits()
        accept(ctx, case, doc, ctx.attachment.filename, ctx.attachment.content, lim)
    screen(case, ctx, doc.title, f"Dokument '{doc.title}'")


def edit_document(e: Any, case: Case, ctx: Any) -> None:
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
    _reprefill(doc, changed)
    if "date" in d:
        new = dt.date.fromisoformat(d["date"])
        if doc.doc_date != new:
            changed["date"] = [doc.doc_date.isoformat() if doc.doc_date else None, d["date"]]
            doc.doc_date = new
    ctx.recorded["changed"] = changed
    if "title" in changed:
        screen(case, ctx, doc.title, f"Dokument '{doc.title}'")


def _reprefill(doc: Document, changed: dict[str, list[Any]]) -> None:
    """``edit_document``: a released title or sender that was the untouched prefill of the original follows
    the original's change (aktflow/aktliste.py)."""
    from .aktliste import prefill

    if "title" in changed and doc.released_title == prefill(changed["title"][0]):
        doc.released_title = prefill(doc.title)
    if "sender" in changed or "recipient" in changed:
        before = [changed.get(k, [getattr(doc, k)])[0] for k in ("sender", "recipient")]
        if doc.released_sender == prefill(*before):
            doc.released_sender = prefill(doc.sender, doc.recipient)


def remove_document(e: Any, case: Case, ctx: Any) -> None:
    doc = _document(case, ctx.data["document_id"])
    ctx.recorded["removed"] = {"title": doc.title, "sha256": doc.sha256}
    # An e-mail's attachments (and a PDF's embedded files) go with it, innermost first.
    gone = [doc]
    for d in gone:
        gone.extend(c for c in case.documents if c.parent_id == d.id)
    if len(gone) > 1:
        ctx.recorded["removed"]["attachments"] = [d.title for d in gone[1:]]
    for d in gone:
        supersede_assessment_flags(case, ctx, d)
    with ctx.session.no_autoflush:
        for d in reversed(gone):
            if d.assessment is not None:
                figure_counts.assessment(ctx.session, case, d.assessment, -1)
                ctx.session.delete(d.assessment)
            ctx.session.delete(d)
            case.documents.remove(d)
            ctx.session.flush()  # one at a time: an attachment's row goes before its parent's


def _document(case: Case, doc_id: int) -> Document:
    return next(doc for doc in case.documents if doc.id == doc_id)


def assess_document(e: Any, case: Case, ctx: Any) -> None:
    """``assess_document``: the assessment of one document replaces the earlier one.

    Texts for the requester (``reason``, ``weighing_note``, ``extraction_note``, ``meroffentlighed_note``,
    ``released_title``, ``released_sender``) are printed in the decision; ``internal_note`` never is (the
    event's own note, the old ``note``, counts as an internal note). Raises ValidationError naming the
    field (see :func:`_check_reasoning` and :func:`_check_recorded_duties` for the rules of FVL §§ 22-24,
    OFL § 14 and § 28).
    """
    from . import grounds as catalogue
    from .aktliste import check_released

    d = ctx.data
    doc = _document(case, d["document_id"])
    codes = list(dict.fromkeys(d.get("grounds", [])))
    if d["outcome"] != "grant" and not codes:  # partial or refuse
        raise ValidationError("grounds", "delvis udlevering eller afslag kræver mindst én undtagelsesgrund")
    if d["outcome"] == "grant" and codes:
        raise ValidationError("grounds", "fuld udlevering tager ingen undtagelsesgrunde")
    problems = catalogue.validate(codes, case.basis)
    if problems:
        raise ValidationError("grounds", "; ".join(problems))
    _check_request_level(codes)
    _check_environmental(case, d, codes)
    _check_reasoning(d, codes)
    _check_recorded_duties(case, d, codes)
    for key in ("released_title", "released_sender"):
        if d.get(key):
            check_released(key, d[key])
    figure_counts.assessment(ctx.session, case, doc.assessment, -1)  # a new assessment replaces the old one
    a = doc.assessment or Assessment(document=doc)
    a.outcome = d["outcome"]
    a.grounds = codes
    a.extracted = bool(d.get("extracted", False))
    a.extraction_note = d.get("extraction_note") or None
    a.meroffentlighed_note = d.get("meroffentlighed_note") or None
    a.reason = d.get("reason") or None
    a.internal_note = d.get("internal_note") or ctx.note
    a.weighing_note = (d.get("weighing_note") or "").strip() or None
    if d.get("released_title"):
        doc.released_title = d["released_title"]
    if d.get("released_sender"):
        doc.released_sender = d["released_sender"]
    a.emission = bool(d["emission"]) if case.basis == "mol" and "emission" in d else None
    a.assessed_by = ctx.actor.username
    a.assessed_at = ctx.now
    ctx.session.add(a)
    figure_counts.assessment(ctx.session, case, a, 1)
    # Flags follow the current assessment: the earlier assessment's flags that this one does not raise
    # again are closed as superseded (docs/domain.md, "Markeringer").
    verb = "afslag" if d["outcome"] == "refuse" else "delvis udlevering"
    reasons = [
        f"Dokument '{doc.title}': {verb} efter {g.label}"
        for g in (catalogue.get(code) for code in codes)
        if g.flags_legal
    ]
    supersede_assessment_flags(case, ctx, doc, keep=frozenset(reasons))
    for reason in reasons:
        add_flag(case, ctx, reason, "assessment", document_id=doc.id)


def release_documents(e: E.ReleaseDocuments, case: Case, ctx: Any) -> None:
    """A partial decision: the documents it releases (:func:`aktflow.approval.releasable`) go into the
    event and the letter (``released``: ids; ``released_before``: what earlier partial decisions released)."""
    from .approval import releasable
    from .states.guards import released_before

    before = released_before(ctx)
    ctx.recorded["released"] = [d.id for d in releasable(case, before)]
    if before:
        ctx.recorded["released_before"] = before


def _check_request_level(codes: list[str]) -> None:
    """A ground that refuses the whole request (OFL § 9, stk. 2) is never a document's ground."""
    from . import grounds as catalogue

    whole = [c for c in codes if c in catalogue.REQUEST_GROUNDS]
    if whole:
        raise ValidationError(
            "grounds",
            f"{catalogue.get(whole[0]).paragraph} gælder hele anmodningen og kan ikke bruges på et enkelt "
            "dokument; brug 'refuse_request'",
        )


def _check_environmental(case: Case, d: dict[str, Any], codes: list[str]) -> None:
    """MOL cases (miljøoplysningsloven § 2): a withheld document cites a ground the environmental rules
    allow (MOL § 2, stk. 1, jf. the 1985 OFL) with the weighing of the public interest in disclosure
    written down; information about emissions into the environment is never withheld as a business secret
    (MOL § 2, stk. 5, and article 4(2) of directive 2003/4/EF). Other bases take neither field."""
    from . import grounds as catalogue

    weighing = (d.get("weighing_note") or "").strip()
    if case.basis != "mol":
        if d.get("emission"):
            raise ValidationError(
                "emission", "emissionsoplysninger vurderes kun i sager efter miljøoplysningsloven"
            )
        return
    if d["outcome"] == "grant":
        return
    if not any(catalogue.is_environmental(c) for c in codes):
        raise ValidationError(
            "grounds",
            "i en sag efter miljøoplysningsloven skal et undtaget dokument have mindst én undtagelsesgrund, "
            "som miljøoplysningsloven tillader (miljøoplysningslovens § 2, stk. 1, jf. offentlighedsloven "
            "fra 1985)",
        )
    if not weighing:
        raise ValidationError(
            "weighing_note",
            "beskriv afvejningen af offentlighedens interesse i at få oplysningerne udleveret over for de "
            "hensyn, der taler for at undtage dem (miljøoplysningslovens § 2)",
        )
    secrecy = [c for c in codes if c in catalogue.BUSINESS_SECRECY]
    if d.get("emission") and secrecy:
        raise ValidationError(
            "grounds",
            f"oplysninger om emissioner til miljøet kan ikke undtages som drifts- eller forretningsforhold "
            f"({catalogue.get(secrecy[0]).paragraph}), jf. miljøoplysningslovens § 2, stk. 5",
        )


def _check_reasoning(d: dict[str, Any], codes: list[str]) -> None:
    """FVL §§ 22-24: a document released in part or refused has a reason written for the requester (what
    is withheld and why, in the case's facts), and a discretionary ground (``grounds.DISCRETIONARY``) the
    main considerations of the weighing (§ 24, stk. 1, 2. pkt.); a fully released one has neither."""
    from . import grounds as catalogue

    if d["outcome"] == "grant":
        for key in ("reason", "weighing_note"):
            if (d.get(key) or "").strip():
                raise ValidationError(
                    key, "et dokument, der udleveres fuldt ud, skal ikke begrundes over for anmoderen"
                )
        return
    if not (d.get("reason") or "").strip():
        raise ValidationError(
            "reason",
            "et dokument, der udleveres delvis eller ikke udleveres, skal have en begrundelse til "
            "anmoderen: skriv kort, hvilke oplysninger der er undtaget, og hvorfor (forvaltningslovens "
            "§§ 22 og 24)",
        )
    weighed = [c for c in codes if c in catalogue.DISCRETIONARY]
    if weighed and not (d.get("weighing_note") or "").strip():
        raise ValidationError(
            "weighing_note",
            f"{catalogue.get(weighed[0]).paragraph} bygger på en afvejning: beskriv de hovedhensyn, der har "
            "været bestemmende for afvejningen (forvaltningslovens § 24, stk. 1, 2. pkt.)",
        )


def _check_recorded_duties(case: Case, d: dict[str, Any], codes: list[str]) -> None:
    """OFL § 28 (FVL § 14 a; MOL: the 1985 OFL § 11) and § 14 as recorded decisions: extraction only on a
    withheld document citing a ground where extraction applies (``grounds.EXTRACTION_GROUNDS``), with what
    was extracted; a § 14 note (meroffentlighed considered, and why not) only on a withheld document and
    not under GDPR art. 15, where OFL § 14 does not apply."""
    from . import grounds as catalogue

    extracted, what = bool(d.get("extracted")), (d.get("extraction_note") or "").strip()
    if extracted or what:
        if not any(c in catalogue.EXTRACTION_GROUNDS for c in codes):
            raise ValidationError(
                "extracted",
                "ekstrahering (offentlighedslovens § 28) gælder kun dokumenter, der er undtaget efter "
                "§ 23, stk. 1, § 24, stk. 1, § 25 eller § 27, nr. 1-4 (forvaltningslovens § 14 a: § 12; "
                "miljøoplysninger: 1985-lovens § 7); ingen af dokumentets undtagelsesgrunde giver "
                "ekstraheringspligt",
            )
        if extracted and not what:
            raise ValidationError(
                "extraction_note", "skriv, hvilke oplysninger der er ekstraheret og udleveret"
            )
        if what and not extracted:
            raise ValidationError(
                "extracted", "markér, at der er foretaget ekstrahering, når du beskriver det ekstraherede"
            )
    if (d.get("meroffentlighed_note") or "").strip():
        if d["outcome"] == "grant":
            raise ValidationError(
                "meroffentlighed_note",
                "meroffentlighed (offentlighedslovens § 14) overvejes kun for oplysninger, der undtages",
            )
        if case.basis == "gdpr":
            raise ValidationError(
                "meroffentlighed_note",
                "meroffentlighed efter offentlighedslovens § 14 gælder ikke indsigt efter "
                "databeskyttelsesforordningen",
            )


# --- screening ----------------------------------------------------------------------------------------


def screen_request(e: Any, case: Case, ctx: Any) -> None:
    screen(case, ctx, case.subject, "Anmodningen")
    if is_personnel_case(case):
        add_flag(case, ctx, "Personalesag (KLE 81): medarbejderen skal underrettes (OFL § 41)", "personnel")


# --- the request as a whole: personnel matters, refusal of the whole request ----------------------------


def mark_personnel(e: Any, case: Case, ctx: Any) -> None:
    """``mark_personnel``: the case is a personnel matter from now on (OFL § 21, § 41), whatever its KLE
    emne; flagged for legal review like a KLE 81 case, and the employee must be notified."""
    case.personnel = True
    add_flag(
        case,
        ctx,
        f"Personalesag (markeret): {ctx.data['reason']}; medarbejderen skal underrettes (OFL § 41)",
        "personnel",
    )


def narrowing_attempt(e: Any, case: Case, ctx: Any) -> None:
    """``record_narrowing_attempt``: the attempt (date, how, the requester's answer or none) is kept in the
    event; its date cannot lie in the future or before the request was received."""
    when = dt.date.fromisoformat(ctx.data["date"])
    if when > ctx.today:
        raise ValidationError("date", "forsøget kan ikke ligge i fremtiden")
    if when < case.received:
        raise ValidationError("date", "forsøget kan ikke ligge før anmodningen blev modtaget")
    ctx.recorded["answered"] = bool((ctx.data.get("answer") or "").strip())


#: The preparatory works' limit for OFL § 9, stk. 2, nr. 1: about 25 hours (more than three working days).
RESOURCE_HOURS = 25


def refuse_request(e: Any, case: Case, ctx: Any) -> None:
    """``refuse_request``: the whole request is refused (OFL § 9, stk. 2; FVL § 9 a, stk. 2; GDPR art. 12,
    stk. 5) and the case goes to legal review.

    Raises ValidationError: a ground the case's basis cannot cite; § 9, stk. 2, nr. 1 without the estimated
    hours; a ground that needs reasons (all but nr. 1, whose reasons are the recorded attempt and hours)
    without them.
    """
    from . import grounds as catalogue

    code = ctx.data["ground"]
    problems = catalogue.validate([code], case.basis)
    if problems:
        raise ValidationError("ground", "; ".join(problems))
    hours = ctx.data.get("hours")
    if code in catalogue.NARROWING_REQUIRED and not hours:
        raise ValidationError(
            "hours",
            "afslag efter offentlighedslovens § 9, stk. 2, nr. 1 kræver et skøn over tidsforbruget i timer",
        )
    if code not in catalogue.NARROWING_REQUIRED and not (ctx.data.get("reason") or "").strip():
        raise ValidationError("reason", "afslaget skal begrundes (forvaltningslovens § 24)")
    case.request_ground = code
    case.request_hours = hours if code in catalogue.NARROWING_REQUIRED else None
    reason = f"Afslag på hele anmodningen efter {catalogue.get(code).label}"
    if code in catalogue.NARROWING_REQUIRED and hours <= RESOURCE_HOURS:
        reason += f" (skøn: {hours} timer, ikke over de ca. {RESOURCE_HOURS} timer, forarbejderne nævner)"
    add_flag(case, ctx, reason, "request")


def cancel_request_refusal(e: Any, case: Case, ctx: Any) -> None:
    """``cancel_request_refusal``: the request is decided document by document again; the refusal's flag
    goes with it (the log keeps both)."""
    ctx.recorded["cancelled"] = case.request_ground
    case.request_ground = None
    case.request_hours = None
    cleared = []
    for flag in case.open_flags:
        if flag.source == "request":
            flag.cleared_at = ctx.now
            flag.cleared_by = ctx.actor.username
            cleared.append(flag.id)
    if cleared:
        ctx.recorded["flags_cleared"] = cleared


# --- deadlines ----------------------------------------------------------------------------------------


def start_deadlines(e: Any, case: Case, ctx: Any) -> None:
    ctx.recorded["deadlines"] = case_deadlines.start_case(ctx.session, case, ctx.now)


def decision_deadlines_met(e: Any, case: Case, ctx: Any) -> None:
    done = case_deadlines.complete(ctx.session, case, case_deadlines.DECIDED_BY_DECISION, ctx.today)
    figure_counts.decision_made(ctx.session, case, done)


def clarification_received(e: E.ClarificationReceived, case: Case, ctx: Any) -> None:
    """Record when the clarification arrived and which rule applies; restart the deadlines from it when the
    request did not identify what is asked for (OFL § 9, stk. 1). Raises ValidationError("received") for
    a date in the future or before the request was received."""
    received = dt.date.fromisoformat(ctx.data["received"]) if ctx.data.get("received") else ctx.today
    if received > ctx.today:
        raise ValidationError("received", "præciseringen kan ikke være modtaget i fremtiden")
    if received < case.received:
        raise ValidationError(
            "received",
            f"præciseringen kan ikke være modtaget før anmodningen ({case.received:%d.%m.%Y})",
        )
    lacking = bool(ctx.data.get("identification_lacking", False))
    ctx.recorded["clarification"] = {"received": received.isoformat(), "identification_lacking": lacking}
    if lacking:
        ctx.recorded["deadlines"] = case_deadlines.restart_from_clarification(
            ctx.session, case, received, ctx.now
        )


def notice_sent(e: Any, case: Case, ctx: Any) -> None:
    """A fristbrev (OFL § 36, stk. 2), checked: the reason may not be the caseworker's absence alone, the
    expected date lies after today; beyond the § 39 date (``ofl-delay-complaint``) it warns (kept on the
    event as ``warnings``); beyond 40 working days from receipt (``ofl-outer``) only a manager may send it.
    Raises ValidationError("reason" / "expected")."""
    expected = dt.date.fromisoformat(ctx.data["expected"])
    problem = rules.notice_reason_problem(ctx.data["reason"])
    if problem:
        raise ValidationError("reason", problem)
    if expected <= ctx.today:
        raise ValidationError("expected", "den forventede afgørelsesdato skal ligge efter i dag")
    limits = case_deadlines.notice_limits(ctx.session, case)
    outer = limits.get("ofl-outer")
    if outer is not None and expected > outer and ctx.actor.role not in MANAGERS:
        raise ValidationError(
            "expected",
            f"en forventet afgørelse efter {outer:%d.%m.%Y} (40 arbejdsdage efter modtagelsen, den yderste "
            "grænse efter forarbejderne til offentlighedslovens § 36) kræver en leders godkendelse: "
            "fristbrevet skal sendes af en leder",
        )
    warnings = []
    delay = limits.get("ofl-delay-complaint")
    if delay is not None and expected > delay:
        warnings.append(
            f"Den forventede dato ligger efter {delay:%d.%m.%Y} (14 arbejdsdage): anmoderen kan klage over "
            "sagsbehandlingstiden (OFL § 39)"
        )
    if outer is not None and expected > outer:
        warnings.append(
            f"Den forventede dato ligger efter {outer:%d.%m.%Y} (40 arbejdsdage, den yderste grænse efter "
            "forarbejderne til offentlighedslovens § 36); "
            f"godkendt af leder {ctx.actor.username}"
        )
    if warnings:
        ctx.recorded["warnings"] = warnings
    cal = case_deadlines.load_calendar(ctx.session)
    case_deadlines.complete(ctx.session, case, case_deadlines.NOTICE_RULES, ctx.today)
    d = case_deadlines.expected_deadline(ctx.today, expected, ctx.data["reason"], cal)
    ctx.recorded["expected_deadline"] = case_deadlines.start(ctx.session, case, d, ctx.now)


def extend(e: Any, case: Case, ctx: Any) -> None:
    cal = case_deadlines.law_calendar()
    d = (
        rules.mol_extended(case.received, cal)
        if case.basis == "mol"
        else rules.gdpr_extended(case.received, cal)
    )
    ctx.recorded["extended"] = case_deadlines.start(ctx.session, case, d, ctx.now)


def start_deadline(e: E.StartDeadline, case: Case, ctx: Any) -> None:
    """Start one deadline from today and the trigger's input (see ``StartDeadline``)."""
    cal = case_deadlines.load_calendar(ctx.session)
    if e.rule == "hearing-reply":
        reply_by = dt.date.fromisoformat(ctx.data["reply_by"])
        try:
            d = rules.hearing_reply(ctx.today, reply_by, cal)
        except ValueError:
            raise ValidationError("reply_by", "svarfristen skal ligge efter i dag") from None
        ctx.recorded["hearing_reply"] = case_deadlines.start(ctx.session, case, d, ctx.now)
    elif e.rule == "complaint-forward":
        received = dt.date.fromisoformat(ctx.data["received"]) if ctx.data.get("received") else ctx.today
        if received > ctx.today:
            raise ValidationError("received", "klagen kan ikke være modtaget i fremtiden")
        # Where the complaint goes (OFL § 37 stk. 1, § 38 stk. 1, GDPR: Datatilsynet; docs/domain.md): no
        # forwarding deadline where the complaint is not forwarded (GDPR, FVL without an appeal body).
        route = appeal_routes.route_for(ctx.session, case)
        ctx.recorded["appeal_route"] = {"kind": route.kind, "name": route.name}
        if not route.forwarded:
            return
        ctx.recorded["complaint_forward"] = case_deadlines.start(
            ctx.session, case, rules.complaint_forward(received, case_deadlines.law_calendar()), ctx.now
        )
    elif e.rule == "delay-complaint-forward":
        received = dt.date.fromisoformat(ctx.data["received"]) if ctx.data.get("received") else ctx.today
        if received > ctx.today:
            raise ValidationError("received", "klagen kan ikke være modtaget i fremtiden")
        ctx.recorded["delay_complaint_forward"] = case_deadlines.start(
            ctx.session, case, rules.delay_complaint_forward(received, case_deadlines.law_calendar()), ctx.now
        )
    elif e.rule == "appeal-body":
        ctx.recorded["appeal_body"] = case_deadlines.start(
            ctx.session, case, rules.appeal_body(ctx.today, case_deadlines.law_calendar()), ctx.now
        )
    else:  # pragma: no cover - validate() refuses other rules
        raise ValueError(e.rule)


START_RULES = ("hearing-reply", "complaint-forward", "delay-complaint-forward", "appeal-body")


def complete_deadlines(e: E.CompleteDeadlines, case: Case, ctx: Any) -> None:
    case_deadlines.complete(ctx.session, case, e.rules, ctx.today)


def deadlines_stop(e: Any, case: Case, ctx: Any) -> None:
    case_deadlines.stop_all(ctx.session, case)


def count_complaint(e: E.CountComplaint, case: Case, ctx: Any) -> None:
    figure_counts.complaint(ctx.session, case, ctx.trigger, ctx.now)


def complaint_not_forwarded(e: E.ComplaintNotForwarded, case: Case, ctx: Any) -> None:
    """``close_complaint``: record in the event where the complainant was told to turn
    (``complainant_told``): ``datatilsynet`` for a GDPR art. 15 decision (the data subject complains to
    Datatilsynet directly, GDPR art. 77), ``ingen_klageinstans`` for a partsaktindsigt case whose main
    case has no appeal body (docs/domain.md, "Klageinstanser")."""
    ctx.recorded["complainant_told"] = "datatilsynet" if case.basis == "gdpr" else "ingen_klageinstans"


# --- letters and the archive ---------------------------------------------------------------------------


def make_letter(e: E.MakeLetter, case: Case, ctx: Any) -> None:
    from .case_letters import letter_data
    from .case_letters import make_letter as write
    from .dispatch.delivery import create_for_letter

    letter = write(ctx.session, case, e.kind, ctx)
    if letter is not None:  # a letter to a person goes out through the outbox (docs/dispatch.md)
        create_for_letter(ctx.session, case, letter, letter_data(ctx), now=ctx.now, settings=ctx.settings)


def archive_case_closed(e: Any, case: Case, ctx: Any) -> None:
    ctx.archive.case_closed(ctx.session, case, now=ctx.now)


# Every effect of the workflow definition and what carries it out: written out, checked by validate().
def make_release_package(e: E.MakeReleasePackage, case: Case, ctx: Any) -> None:
    """The release package of the decision being fired: pending now, made by the outbox after commit."""
    from .release.service import request_package

    request_package(case, ctx)


HANDLERS: dict[type[E.Effect], Handler] = {
    E.OpenArchiveCase: open_archive_case,
    E.CloseArchiveCase: archive_case_closed,
    E.MakeLetter: make_letter,
    E.MakeReleasePackage: make_release_package,
    E.AssignCase: set_assignee,
    E.RaiseManualFlag: manual_flag,
    E.ClearFlags: clear_flags,
    E.ScreenRequest: screen_request,
    E.AddDocument: add_document,
    E.EditDocument: edit_document,
    E.RemoveDocument: remove_document,
    E.AssessDocument: assess_document,
    E.ReleaseDocuments: release_documents,
    E.StartDeadlines: start_deadlines,
    E.StartDeadline: start_deadline,
    E.CompleteDeadlines: complete_deadlines,
    E.DecisionMade: decision_deadlines_met,
    E.ClarificationReceived: clarification_received,
    E.DeadlineNoticeSent: notice_sent,
    E.ExtendDecisionDeadline: extend,
    E.StopDeadlines: deadlines_stop,
    E.CountComplaint: count_complaint,
    E.ComplaintNotForwarded: complaint_not_forwarded,
    E.MarkPersonnel: mark_personnel,
    E.NarrowingAttemptRecorded: narrowing_attempt,
    E.RefuseRequest: refuse_request,
    E.CancelRequestRefusal: cancel_request_refusal,
    # Redactions (docs/redaction.md): carried out in aktflow/redaction/actions.py.
    R.Redact: redaction_actions.redact,
    R.RemoveRedaction: redaction_actions.remove_redaction,
    R.DecideProposal: redaction_actions.decide_proposal,
    # Dispatches, the legal contact's comments, who may see a case (workflow 2026.6): aktflow/case_actions.py.
    A.ChangeDispatch: case_actions.change_dispatch,
    A.CommentDocument: case_actions.comment_document,
    A.ChangeAccess: case_actions.change_access,
}


def validate() -> list[str]:
    """The application's side of the definition's check, in Danish (empty when sound): every effect the
    definition uses has a handler, deadlines named in effects exist, and every letter has a template."""
    import letters

    problems = []
    specs = [("create", states.CREATE_EFFECTS), *((t.name, t.effects) for t in states.TRIGGERS.values())]
    for name, effects in specs:
        for e in effects:
            if type(e) not in HANDLERS:
                problems.append(f"{name}: virkningen {type(e).__name__} har ingen udførelse")
            if isinstance(e, E.StartDeadline) and e.rule not in START_RULES:
                problems.append(f"{name}: fristen {e.rule!r} kan ikke startes af en handling")
            if isinstance(e, E.CompleteDeadlines):
                for rule in e.rules:
                    if rule not in rules.RULE_IDS:
                        problems.append(f"{name}: ukendt frist {rule!r}")
            if isinstance(e, E.MakeLetter) and e.kind not in letters.KINDS:
                problems.append(f"{name}: ukendt brevtype {e.kind!r}")
    return problems
