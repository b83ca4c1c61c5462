"""Decision: drafting and sending the decision, closing the case."""

from . import guards, redaction
from .effects import CloseArchiveCase, DecisionMade, MakeLetter, MakeReleasePackage
from .spec import CASEWORK, Field, StateSpec, TriggerSpec

PHASE = "decision"

#: send_decision's fields for a GDPR art. 15 decision: (name, label); the same names are the municipality's
#: standard texts (aktflow.case_letters.DEFAULT_MUNICIPALITY).
ART15_FIELDS = (
    ("art15_purposes", "GDPR art. 15: formålene med behandlingen (tom: kommunens standardtekst)"),
    ("art15_categories", "GDPR art. 15: kategorier af personoplysninger (tom: standardtekst)"),
    ("art15_recipients", "GDPR art. 15: modtagere af oplysningerne (tom: standardtekst)"),
    ("art15_storage", "GDPR art. 15: hvor længe oplysningerne opbevares (tom: standardtekst)"),
    ("art15_source", "GDPR art. 15: hvor oplysningerne stammer fra (tom: standardtekst)"),
    ("art15_automated", "GDPR art. 15: automatiske afgørelser og profilering (tom: standardtekst)"),
    ("art15_transfers", "GDPR art. 15, stk. 2: overførsel til tredjelande (tom: standardtekst)"),
)

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
        fields=(
            Field("note", "text", "Sådan er anmodningen forstået", required=False),
            # GDPR art. 15(1)(a)-(h) and (2): the information a decision on a data subject's access carries
            # (workflow 2026.4). Empty: the municipality's standard text (settings). Only GDPR cases use them.
            *(Field(name, "text", label, required=False, max_len=2000) for name, label in ART15_FIELDS),
            # The letter as the caseworker saw it in the preview (aktflow.letter_preview).
            Field("letter_sha256", "fingerprint", "Brevet, som det er set", required=False),
        ),
        guards=(
            guards.documents_screened,
            guards.no_open_flags,
            guards.all_documents_assessed,
            guards.employee_notified,
            guards.request_refusal_approved,
            guards.approval_holds,
            redaction.partial_documents_redacted,
            guards.released_files_readable,
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
