"""The workflow definition: states and triggers per phase, on ONE shared ``transitions.Machine``.

The machine holds no models (``model=None``; cases are never registered with ``add_model``). The service
fires an event on a loaded case with ``MACHINE.events[trigger].trigger(case, ctx=ctx)``.
"""

from __future__ import annotations

from transitions import EventData, Machine

from ..vocabulary import ADMINS, DOCUMENT_OUTCOMES
from . import case_actions, complaint, decision, guards, intake, redaction, review, versions
from .case_rules import REQUEST_GROUNDS, is_personnel_case
from .effects import (
    AddDocument,
    AssessDocument,
    AssignCase,
    CancelRequestRefusal,
    CompleteDeadlines,
    DeadlineNoticeSent,
    EditDocument,
    Effect,
    ExtendDecisionDeadline,
    MakeLetter,
    MakeReleasePackage,
    MarkPersonnel,
    NarrowingAttemptRecorded,
    RaiseManualFlag,
    RefuseRequest,
    ReleaseDocuments,
    RemoveDocument,
    StartDeadline,
    StopDeadlines,
)
from .spec import ANYONE, CASEWORK, Field, StateSpec, TriggerSpec

_PHASES = (intake, review, decision, complaint)

STATES: dict[str, StateSpec] = {s.name: s for p in _PHASES for s in p.STATES}
INITIAL = "received"
FINAL = frozenset(n for n, s in STATES.items() if s.final)
NON_FINAL = tuple(n for n in STATES if n not in FINAL)
UNDECIDED_OPEN = (
    "received",
    "registered",
    "awaiting_clarification",
    "collecting",
    "screening",
    "third_party_hearing",
    "legal_review",
    "drafting_decision",
)

GENERAL = "general"
REGISTER_LOCKED = (
    "dokumentregisteret er låst, fordi fortrolighedsgennemgangen er startet; "
    "dokumenter kan kun tilføjes, rettes og fjernes under dokumentindsamlingen"
)

_GENERAL_TRIGGERS: tuple[TriggerSpec, ...] = (
    TriggerSpec(
        "withdraw",
        NON_FINAL,
        "withdrawn",
        CASEWORK,
        "Anmodningen trukket tilbage",
        GENERAL,
        fields=(Field("note", "text", "Bemærkning", required=False),),
        guards=(guards.employee_told_if_decided,),
        effects=(StopDeadlines(),),
    ),
    # Actions: change no state, but are logged like transitions.
    TriggerSpec(
        "send_deadline_notice",
        UNDECIDED_OPEN,
        None,
        CASEWORK,
        "Send fristbrev",
        GENERAL,
        fields=(
            Field("reason", "text", "Begrundelse for at fristen ikke kan holdes"),
            Field("expected", "future_date", "Forventet afgørelsesdato"),
            # The letter as it was seen in the preview, when given (aktflow.letter_preview).
            Field("letter_sha256", "fingerprint", "Brevet, som det er set", required=False),
        ),
        effects=(
            DeadlineNoticeSent(),
            MakeLetter("fristbrev"),
        ),
    ),
    TriggerSpec(
        "extend_deadline",
        UNDECIDED_OPEN,
        None,
        CASEWORK,
        "Forlæng fristen (MOL/GDPR)",
        GENERAL,
        fields=(
            Field("reason", "text", "Begrundelse for forlængelsen"),
            # The letter as it was seen in the preview, when given (aktflow.letter_preview).
            Field("letter_sha256", "fingerprint", "Brevet, som det er set", required=False),
        ),
        guards=(guards.may_extend,),
        applies=lambda case: case.basis in ("mol", "gdpr"),
        effects=(
            ExtendDecisionDeadline(),
            MakeLetter("fristbrev"),
        ),
    ),
    TriggerSpec(
        "send_partial_decision",
        ("screening", "third_party_hearing", "legal_review", "drafting_decision"),
        None,
        CASEWORK,
        "Send delafgørelse",
        GENERAL,
        fields=(
            Field("note", "text", "Hvad udleveres nu"),
            # The letter as the caseworker saw it in the preview (aktflow.letter_preview).
            Field("letter_sha256", "fingerprint", "Brevet, som det er set", required=False),
        ),
        guards=(
            guards.documents_screened,
            guards.request_not_refused,
            guards.documents_to_release,
            guards.no_open_flags,
            guards.employee_notified,
            guards.approval_holds_for_release,
            redaction.released_documents_redacted,
        ),
        effects=(ReleaseDocuments(), MakeLetter("delafgoerelse"), MakeReleasePackage()),
    ),
    TriggerSpec(
        "assign",
        NON_FINAL,
        None,
        CASEWORK,
        "Fordel sag",
        GENERAL,
        fields=(Field("assignee", "user", "Sagsbehandler"),),
        guards=(guards.may_assign,),
        effects=(AssignCase(),),
    ),
    TriggerSpec(
        "flag_for_legal",
        NON_FINAL,
        None,
        ANYONE,
        "Markér til juridisk vurdering",
        GENERAL,
        fields=(Field("note", "text", "Begrundelse"),),
        effects=(RaiseManualFlag(),),
    ),
    TriggerSpec(
        "add_document",
        ("collecting",),
        None,
        CASEWORK,
        "Tilføj dokument",
        GENERAL,
        fields=(
            Field("file", "file", "Fil", required=False),
            Field("title", "text", "Titel", max_len=300),
            Field("date", "date", "Dato", required=False),
            Field("sender", "text", "Afsender", required=False, max_len=200),
            Field("recipient", "text", "Modtager", required=False, max_len=200),
            Field("archive_doc_id", "text", "Dokument-id i arkivet", required=False, max_len=100),
        ),
        locked=REGISTER_LOCKED,
        effects=(AddDocument(),),
    ),
    TriggerSpec(
        "edit_document",
        ("collecting",),
        None,
        CASEWORK,
        "Ret dokument",
        GENERAL,
        fields=(
            Field("document_id", "document", "Dokument"),
            Field("title", "text", "Titel", required=False, max_len=300),
            Field("date", "date", "Dato", required=False),
            Field("sender", "text", "Afsender", required=False, max_len=200),
            Field("recipient", "text", "Modtager", required=False, max_len=200),
            Field("archive_doc_id", "text", "Dokument-id i arkivet", required=False, max_len=100),
        ),
        guards=(guards.document_on_case,),
        locked=REGISTER_LOCKED,
        effects=(EditDocument(),),
    ),
    TriggerSpec(
        "remove_document",
        ("collecting",),
        None,
        CASEWORK,
        "Fjern dokument",
        GENERAL,
        fields=(
            Field("document_id", "document", "Dokument"),
            Field("note", "text", "Begrundelse", required=False),
        ),
        guards=(guards.document_on_case,),
        locked=REGISTER_LOCKED,
        effects=(RemoveDocument(),),
    ),
    TriggerSpec(
        "notify_employee",
        NON_FINAL,
        None,
        CASEWORK,
        "Underret medarbejderen (OFL § 41)",
        GENERAL,
        fields=(
            Field("employee", "text", "Medarbejder", max_len=200),
            Field("stage", "choice", "Underretning om", choices=("request", "release")),
            Field("note", "text", "Bemærkning", required=False),
            # The letter as it was seen in the preview, when given (aktflow.letter_preview).
            Field("letter_sha256", "fingerprint", "Brevet, som det er set", required=False),
        ),
        guards=(guards.release_notice_after_decision,),
        applies=is_personnel_case,
        effects=(MakeLetter("underretning_ansat"),),
    ),
    TriggerSpec(
        "assess_document",
        ("screening", "drafting_decision"),
        None,
        CASEWORK,
        "Vurdér dokument",
        GENERAL,
        fields=(
            Field("document_id", "document", "Dokument"),
            Field("outcome", "choice", "Vurdering", choices=DOCUMENT_OUTCOMES),
            Field("grounds", "grounds", "Undtagelsesgrunde", required=False),
            # Texts for the requester (printed in the decision) and the internal note (never printed):
            # ASSESS_AUDIENCE says which is which, and the form marks each (docs/domain.md).
            Field(
                "reason", "text", "Begrundelse til anmoderen (hvad er undtaget og hvorfor)", required=False
            ),
            Field(
                "weighing_note",
                "text",
                "Hovedhensyn i afvejningen (§§ 30, 33, 35; MOL: offentlighedens interesse)",
                required=False,
            ),
            Field("extracted", "bool", "Ekstrahering (§ 28/§ 29) foretaget", required=False),
            Field("extraction_note", "text", "Hvad er ekstraheret (§§ 28-29)", required=False),
            Field(
                "meroffentlighed_note",
                "text",
                "Meroffentlighed (§ 14) overvejet: hvorfor der ikke gives mere",
                required=False,
            ),
            Field("released_title", "text", "Titel i aktlisten", required=False, max_len=300),
            Field("released_sender", "text", "Afsender/modtager i aktlisten", required=False, max_len=410),
            Field("emission", "bool", "Oplysninger om emissioner til miljøet (MOL)", required=False),
            Field("internal_note", "text", "Intern note", required=False),
        ),
        guards=(guards.document_on_case, guards.released_stays_released),
        effects=(AssessDocument(),),
    ),
)

# The request as a whole: personnel matters (OFL § 41) and refusals of the whole request (OFL § 9, stk. 2).
_REQUEST_SOURCES = tuple(s for s in UNDECIDED_OPEN if s != "received")
_REQUEST_TRIGGERS = (
    TriggerSpec(
        "mark_personnel",
        NON_FINAL,
        None,
        CASEWORK,
        "Markér som personalesag (OFL § 41)",
        GENERAL,
        fields=(Field("reason", "text", "Begrundelse"),),
        guards=(guards.not_yet_personnel,),
        effects=(MarkPersonnel(),),
    ),
    TriggerSpec(
        "record_narrowing_attempt",
        UNDECIDED_OPEN,
        None,
        CASEWORK,
        "Registrér forsøg på at afgrænse anmodningen",
        GENERAL,
        fields=(
            Field("date", "date", "Dato for forsøget"),
            Field("how", "choice", "Hvordan", choices=("phone", "mail", "letter", "meeting")),
            Field("answer", "text", "Anmoderens svar (tomt: intet svar)", required=False),
        ),
        effects=(NarrowingAttemptRecorded(),),
    ),
    TriggerSpec(
        "refuse_request",
        _REQUEST_SOURCES,
        None,
        CASEWORK,
        "Giv afslag på hele anmodningen (OFL § 9, stk. 2)",
        GENERAL,
        fields=(
            Field("ground", "choice", "Grundlag", choices=REQUEST_GROUNDS),
            Field("hours", "int", "Anslået tidsforbrug (timer)", required=False),
            Field("reason", "text", "Begrundelse (skrives i afgørelsen)", required=False),
        ),
        guards=(guards.narrowing_attempted,),
        effects=(RefuseRequest(),),
    ),
    TriggerSpec(
        "cancel_request_refusal",
        _REQUEST_SOURCES,
        None,
        CASEWORK,
        "Fortryd afslaget på hele anmodningen",
        GENERAL,
        fields=(Field("note", "text", "Begrundelse", required=False),),
        guards=(guards.request_refused,),
        effects=(CancelRequestRefusal(),),
    ),
)

# OFL § 39: a complaint about the time taken, while the case is undecided (added, not reordered).
_GENERAL_TRIGGERS += (
    TriggerSpec(
        "receive_delay_complaint",
        UNDECIDED_OPEN,
        None,
        CASEWORK,
        "Registrér klage over sagsbehandlingstiden (OFL § 39)",
        GENERAL,
        fields=(
            Field("received", "date", "Klagen modtaget", required=False),
            Field("note", "text", "Klagens indhold", required=False),
        ),
        guards=(guards.no_delay_complaint_pending, guards.delay_complaint_from_day_14),
        effects=(StartDeadline("delay-complaint-forward"),),
    ),
    TriggerSpec(
        "forward_delay_complaint",
        UNDECIDED_OPEN,
        None,
        CASEWORK,
        "Oversend klagen over sagsbehandlingstiden til klageinstansen",
        GENERAL,
        fields=(
            Field("reason", "text", "Begrundelse for sagsbehandlingstiden"),
            Field("note", "text", "Bemærkning", required=False),
            # The letter as it was seen in the preview, when given (aktflow.letter_preview).
            Field("letter_sha256", "fingerprint", "Brevet, som det er set", required=False),
        ),
        guards=(guards.delay_complaint_pending,),
        effects=(CompleteDeadlines(("delay-complaint-forward",)), MakeLetter("klage_forsinkelse")),
    ),
)

# Redactions while screening (docs/redaction.md).
_GENERAL_TRIGGERS += redaction.TRIGGERS

# Letters on their way out, the legal contact's comments, who may see a sensitive case (workflow 2026.6).
_GENERAL_TRIGGERS += case_actions.TRIGGERS
#: The actions drawn on their own panels, never among the case page's next steps.
PANEL_TRIGGERS = case_actions.PANEL_TRIGGERS

_SYSTEM_TRIGGERS = (
    TriggerSpec(
        "recalculate_deadlines",
        NON_FINAL,
        None,
        ADMINS,
        "Frister genberegnet efter kalenderændring",
        GENERAL,
        system=True,
    ),
    TriggerSpec(
        # A document's file read and screened by the worker (aktflow.document_screening): in any state,
        # since the worker may finish after the case has moved on (e.g. was withdrawn).
        "screen_document",
        tuple(STATES),
        None,
        ADMINS,
        "Dokument gennemgået (læst og screenet)",
        GENERAL,
        system=True,
    ),
)

TRIGGERS: dict[str, TriggerSpec] = {
    t.name: t
    for t in (
        *(t for p in _PHASES for t in p.TRIGGERS),
        *_GENERAL_TRIGGERS,
        *_REQUEST_TRIGGERS,
        *_SYSTEM_TRIGGERS,
    )
}

CREATE_EFFECTS = intake.CREATE_EFFECTS
VERSION = versions.CURRENT


def validate() -> list[str]:
    """The problems of the workflow definition itself, in Danish (an empty list when it is sound).

    Checks: every source and destination is a known state; only a trigger marked ``reopens`` starts from a
    final state (or a system action that changes no state, e.g. a finished screening recorded late); names are unique; field names are unique per trigger; guards are named functions; effects
    are Effect values and a trigger writes at most one letter; every state can be reached from the
    initial state; the frozen table of the current version equals this definition. The application checks
    its own side (every effect has a handler, every letter a template) in ``aktflow.effects.validate``.
    """
    problems: list[str] = []
    names = [t.name for p in _PHASES for t in p.TRIGGERS] + [
        t.name for t in (*_GENERAL_TRIGGERS, *_REQUEST_TRIGGERS, *_SYSTEM_TRIGGERS)
    ]
    for n in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"handlingen {n!r} er defineret flere gange")
    for t in TRIGGERS.values():
        if not t.sources:
            problems.append(f"{t.name}: ingen starttilstande")
        for src in t.sources:
            if src not in STATES:
                problems.append(f"{t.name}: ukendt starttilstand {src!r}")
            elif src in FINAL and not t.reopens and not ((t.system or t.closed_too) and t.dest is None):
                problems.append(f"{t.name}: starter i sluttilstanden {src!r} uden at være markeret 'reopens'")
        if t.dest is not None and t.dest not in STATES:
            problems.append(f"{t.name}: ukendt sluttilstand {t.dest!r}")
        fields = [f.name for f in t.fields]
        if len(fields) != len(set(fields)):
            problems.append(f"{t.name}: et felt er nævnt to gange")
        for g in t.guards:
            if not callable(g) or getattr(g, "__name__", "<lambda>") == "<lambda>":
                problems.append(f"{t.name}: en betingelse skal være en navngiven funktion")
        for e in t.effects:
            if not isinstance(e, Effect):
                problems.append(f"{t.name}: {e!r} er ikke en virkning (Effect)")
        for name in t.unlogged:
            if name not in fields:
                problems.append(f"{t.name}: {name!r} holdes ude af loggen, men er ikke et felt")
        if sum(isinstance(e, MakeLetter) for e in t.effects) > 1:
            problems.append(f"{t.name}: danner mere end ét brev")
    reached, todo = {INITIAL}, [INITIAL]
    while todo:
        here = todo.pop()
        for t in TRIGGERS.values():
            if here in t.sources and t.dest and t.dest not in reached:
                reached.add(t.dest)
                todo.append(t.dest)
    for name in STATES:
        if name not in reached:
            problems.append(f"tilstanden {name!r} kan ikke nås fra {INITIAL!r}")
    live = {t.name: (tuple(t.sources), t.dest) for t in TRIGGERS.values()}
    if versions.TABLES.get(VERSION) != live or versions.INITIAL.get(VERSION) != INITIAL:
        problems.append(
            f"definitionen er ændret, men versionen {VERSION!r} er den samme: "
            "frys den nye tabel under en ny version i aktflow/states/versions.py"
        )
    return problems


def _condition(guard):
    """The guard as a condition of the machine: transitions evaluates it, once per fire() (and once per
    preview); the first unmet guard's Danish message is kept on the context for the refusal."""

    def check(event) -> bool:
        ctx = event.kwargs["ctx"]
        if getattr(ctx, "preview", False) and getattr(guard, "needs_input", False):
            return True  # judged only when the user has said which document etc.
        unmet = guard(event.model, ctx)
        if unmet and getattr(ctx, "unmet", None) is None:
            ctx.unmet = unmet
        return unmet is None

    check.__name__ = guard.__name__
    return check


MACHINE = Machine(
    model=None,
    states=list(STATES),
    initial=INITIAL,
    transitions=[
        {
            "trigger": t.name,
            "source": list(t.sources),
            "dest": t.dest,
            "conditions": [_condition(g) for g in t.guards],
        }
        for t in TRIGGERS.values()
    ],
    auto_transitions=False,
    send_event=True,
    model_attribute="state",
)


def unmet(case, trigger: str, ctx) -> str | None:
    """Whether ``trigger`` may fire on ``case`` now, asked of the machine with its own conditions.

    Returns None when it may, else the first unmet guard's Danish message. Changes nothing: the machine's
    own conditions (the ``Condition`` objects on its transitions, checked with the same ``EventData`` the
    machine passes when it fires, ``send_event=True``) are evaluated without the transition, through
    transitions' public API (``get_triggers``, ``events``, ``Condition.check``), like its ``may_<trigger>``.
    ``ctx`` is the service's FireContext (with ``preview=True`` guards that depend on the user's input are
    not judged).
    """
    ctx.unmet = None
    state = MACHINE.get_state(case.state)
    if trigger in MACHINE.get_triggers(state.name):
        event = MACHINE.events[trigger]
        event_data = EventData(state, event, MACHINE, case, (), {"ctx": ctx})
        for transition in event.transitions.get(state.name, ()):
            event_data.transition = transition
            if all(c.check(event_data) for c in transition.conditions):
                return None
    return ctx.unmet or "en betingelse er ikke opfyldt"


def triggers_from(state: str) -> list[str]:
    """Every trigger (transition or action) a user may fire from ``state``, in definition order."""
    return [name for name, t in TRIGGERS.items() if state in t.sources and not t.system]


def offered(case, role: str | None = None) -> list[str]:
    """The triggers to offer on this case now: allowed from its state, for the role, applicable to it."""
    return [
        n
        for n in triggers_from(case.state)
        if (role is None or role in TRIGGERS[n].roles)
        and ((applies := TRIGGERS[n].applies) is None or applies(case))
    ]


def target(trigger: str, state: str) -> str | None:
    """The state ``trigger`` leads to from ``state`` (the same state for an action), or None if not allowed."""
    t = TRIGGERS.get(trigger)
    if t is None or state not in t.sources:
        return None
    return t.dest or state


def as_json() -> dict:
    """The definition as data (``aktflow workflow --format json``): states, and triggers with their fields.

    Each field is ``{name, kind, label, required, widget, schema}``, ``schema`` being the JSON schema of its
    value in ``data`` (the same the API's OpenAPI document gives).
    """
    return {
        "initial": INITIAL,
        "states": [{"name": s.name, "label": s.label, "final": s.final} for s in STATES.values()],
        "triggers": [
            {
                "name": t.name,
                "label": t.label,
                "phase": t.phase,
                "sources": list(t.sources),
                "dest": t.dest,
                "roles": sorted(t.roles),
                "fields": [f.describe() for f in t.fields],
                "guards": [g.__name__ for g in t.guards],
            }
            for t in TRIGGERS.values()
        ],
    }


def as_mermaid() -> str:
    """A mermaid state diagram of the transitions (actions, which change no state, are left out)."""
    lines = ["stateDiagram-v2"]
    for s in STATES.values():
        lines.append(f'    state "{s.label}" as {s.name}')
    lines.append(f"    [*] --> {INITIAL}")
    for t in TRIGGERS.values():
        if t.dest is None:
            continue
        for src in t.sources:
            lines.append(f"    {src} --> {t.dest}: {t.name}")
    for name in sorted(FINAL):
        lines.append(f"    {name} --> [*]")
    return "\n".join(lines) + "\n"


__all__ = [
    "MACHINE",
    "STATES",
    "TRIGGERS",
    "FINAL",
    "INITIAL",
    "Field",
    "StateSpec",
    "TriggerSpec",
    "triggers_from",
    "target",
    "as_json",
    "as_mermaid",
]


#: Who reads each free text of ``assess_document`` (docs/domain.md, "Texts for the requester"): "printed"
#: fields are printed in the decision letter; "internal" ones never reach a letter. An old assessment's
#: ``note`` (workflow versions before 2026.4) is internal.
ASSESS_AUDIENCE: dict[str, str] = {
    "reason": "printed",
    "weighing_note": "printed",
    "extraction_note": "printed",
    "meroffentlighed_note": "printed",
    "released_title": "printed",
    "released_sender": "printed",
    "internal_note": "internal",
}
