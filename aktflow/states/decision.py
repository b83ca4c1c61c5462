"""Decision: drafting and sending the decision, closing the case."""

from . import guards
from .effects import CloseArchiveCase, DecisionMade, MakeLetter, MakeReleasePackage
from .spec import CASEWORK, Field, StateSpec, TriggerSpec

PHASE = "decision"

STATES = (
    StateSpec("drafting_decision", "Afgørelse under udarbejdelse"),
    StateSpec("decided", "Afgørelse sendt", decided=True),
    StateSpec("closed", "Afsluttet", final=True, open=False, decided=True),
)

TRIGGERS = (
    TriggerSpec(
        "draft_decision",
        ("screening",),
        "drafting_decision",
        CASEWORK,
        "Udarbejd afgørelse",
        PHASE,
        guards=(
            guards.documents_screened,
            guards.no_open_flags,
            guards.all_documents_assessed,
            guards.employee_notified,
            guards.request_refusal_approved,
            guards.approval_holds,
        ),
    ),
    TriggerSpec(
        "send_decision",
        ("drafting_decision",),
        "decided",
        CASEWORK,
        "Send afgørelse",
        PHASE,
        fields=(Field("note", "text", "Sådan er anmodningen forstået", required=False),),
        guards=(
            guards.documents_screened,
            guards.no_open_flags,
            guards.all_documents_assessed,
            guards.employee_notified,
            guards.request_refusal_approved,
            guards.approval_holds,
        ),
        effects=(
            DecisionMade(),
            MakeLetter("afgoerelse"),
            MakeReleasePackage(),
        ),
    ),
    TriggerSpec(
        "close",
        ("decided",),
        "closed",
        CASEWORK,
        "Afslut sag",
        PHASE,
        guards=(guards.employee_told_of_release,),
        effects=(CloseArchiveCase(),),
    ),
)
