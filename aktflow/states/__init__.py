"""The workflow definition: states and triggers per phase, on ONE shared ``transitions.Machine``.

The machine holds no models (``model=None``; cases are never registered with ``add_model``). The service
fires an event on a loaded case with ``MACHINE.events[trigger].trigger(case, ctx=ctx)``.
"""

from __future__ import annotations

from transitions import Machine

from . import complaint, decision, guards, intake, review
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

_GENERAL_TRIGGERS = (
    TriggerSpec(
        "withdraw",
        NON_FINAL,
        "withdrawn",
        CASEWORK,
        "Anmodningen trukket tilbage",
        GENERAL,
        fields=(Field("note", "text", "Bemærkning", required=False),),
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
        ),
    ),
    TriggerSpec(
        "extend_deadline",
        UNDECIDED_OPEN,
        None,
        CASEWORK,
        "Forlæng fristen (MOL/GDPR)",
        GENERAL,
        fields=(Field("reason", "text", "Begrundelse for forlængelsen"),),
        guards=(guards.may_extend,),
        applies=lambda case: case.basis in ("mol", "gdpr"),
    ),
    TriggerSpec(
        "send_partial_decision",
        ("collecting", "screening", "third_party_hearing", "legal_review", "drafting_decision"),
        None,
        CASEWORK,
        "Send delafgørelse",
        GENERAL,
        fields=(Field("note", "text", "Hvad udleveres nu"),),
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
    ),
    TriggerSpec(
        "flag_for_legal",
        NON_FINAL,
        None,
        ANYONE,
        "Markér til juridisk vurdering",
        GENERAL,
        fields=(Field("note", "text", "Begrundelse"),),
    ),
    TriggerSpec(
        "add_document",
        ("collecting",),
        None,
        CASEWORK,
        "Tilføj dokument",
        GENERAL,
        fields=(
            Field("title", "text", "Titel", max_len=300),
            Field("date", "date", "Dato", required=False),
            Field("sender", "text", "Afsender", required=False, max_len=200),
            Field("recipient", "text", "Modtager", required=False, max_len=200),
            Field("archive_doc_id", "text", "Dokument-id i arkivet", required=False, max_len=100),
        ),
        locked=REGISTER_LOCKED,
    ),
    TriggerSpec(
        "edit_document",
        ("collecting",),
        None,
        CASEWORK,
        "Ret dokument",
        GENERAL,
        fields=(
            Field("document_id", "int", "Dokument"),
            Field("title", "text", "Titel", required=False, max_len=300),
            Field("date", "date", "Dato", required=False),
            Field("sender", "text", "Afsender", required=False, max_len=200),
            Field("recipient", "text", "Modtager", required=False, max_len=200),
            Field("archive_doc_id", "text", "Dokument-id i arkivet", required=False, max_len=100),
        ),
        guards=(guards.document_on_case,),
        locked=REGISTER_LOCKED,
    ),
    TriggerSpec(
        "remove_document",
        ("collecting",),
        None,
        CASEWORK,
        "Fjern dokument",
        GENERAL,
        fields=(
            Field("document_id", "int", "Dokument"),
            Field("note", "text", "Begrundelse", required=False),
        ),
        guards=(guards.document_on_case,),
        locked=REGISTER_LOCKED,
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
        ),
        applies=lambda case: case.emne.startswith("81."),
    ),
    TriggerSpec(
        "assess_document",
        ("screening", "drafting_decision"),
        None,
        CASEWORK,
        "Vurdér dokument",
        GENERAL,
        fields=(
            Field("document_id", "int", "Dokument"),
            Field("outcome", "choice", "Vurdering", choices=("grant", "partial", "refuse")),
            Field("grounds", "list", "Undtagelsesgrunde", required=False),
            Field("extracted", "bool", "Ekstrahering (§ 28/§ 29) foretaget", required=False),
            Field("meroffentlighed_note", "text", "Meroffentlighed (§ 14) overvejet", required=False),
            Field("note", "text", "Note om overstregning", required=False),
        ),
        guards=(guards.document_on_case,),
    ),
)

_SYSTEM_TRIGGERS = (
    TriggerSpec(
        "recalculate_deadlines",
        NON_FINAL,
        None,
        frozenset({"admin"}),
        "Frister genberegnet efter kalenderændring",
        GENERAL,
        system=True,
    ),
)

TRIGGERS: dict[str, TriggerSpec] = {
    t.name: t for t in (*(t for p in _PHASES for t in p.TRIGGERS), *_GENERAL_TRIGGERS, *_SYSTEM_TRIGGERS)
}

# Sanity of the definition itself (cheap; runs once at import).
for _t in TRIGGERS.values():
    for _s in _t.sources:
        assert _s in STATES and _s not in FINAL or _t.name == "receive_complaint", (_t.name, _s)
    assert _t.dest is None or _t.dest in STATES, _t.name


def _condition(guard):
    def check(event) -> bool:
        return guard(event.model, event.kwargs["ctx"]) is None

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
                "fields": [
                    {"name": f.name, "kind": f.kind, "label": f.label, "required": f.required}
                    for f in t.fields
                ],
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
