"""Review: collecting documents, screening them, hearing third parties, legal consultation."""

from . import guards
from .effects import ClearFlags, CompleteDeadlines, MakeLetter, StartDeadline
from .spec import CASEWORK, LEGAL, Field, StateSpec, TriggerSpec

PHASE = "review"

STATES = (
    StateSpec("collecting", "Dokumentindsamling"),
    StateSpec("screening", "Fortrolighedsgennemgang"),
    StateSpec("third_party_hearing", "Høring af tredjemand"),
    StateSpec("legal_review", "Juridisk vurdering"),
)

TRIGGERS = (
    TriggerSpec(
        "start_screening",
        ("collecting",),
        "screening",
        CASEWORK,
        "Start fortrolighedsgennemgang",
        PHASE,
        guards=(guards.documents_screened,),
    ),
    # workflow 2026.5: back to collecting documents while nothing is assessed (a document was forgotten).
    TriggerSpec(
        "reopen_collection",
        ("screening",),
        "collecting",
        CASEWORK,
        "Genåbn dokumentindsamlingen",
        PHASE,
        fields=(Field("note", "text", "Begrundelse", required=False),),
        guards=(guards.no_document_assessed,),
    ),
    TriggerSpec(
        "request_hearing",
        ("screening",),
        "third_party_hearing",
        CASEWORK,
        "Send i høring hos tredjemand",
        PHASE,
        fields=(
            Field("party", "text", "Part der høres", max_len=300),
            # workflow 2026.4: the letter is addressed to the party and names the documents it is about
            Field("party_address", "text", "Partens adresse", required=False, max_len=300),
            Field("document_ids", "documents", "Dokumenter, høringen angår", required=False),
            Field("question", "text", "Hvad der spørges om", required=False),
            Field("reply_by", "future_date", "Svarfrist"),
            # The letter as it was seen in the preview, when given (aktflow.letter_preview).
            Field("letter_sha256", "fingerprint", "Brevet, som det er set", required=False),
        ),
        guards=(guards.documents_on_case,),
        effects=(
            StartDeadline("hearing-reply"),
            MakeLetter("hoering"),
        ),
    ),
    TriggerSpec(
        "hearing_completed",
        ("third_party_hearing",),
        "screening",
        CASEWORK,
        "Høring afsluttet",
        PHASE,
        fields=(
            Field("reply", "choice", "Svar", choices=("received", "none")),
            Field("note", "text", "Resumé af svaret", required=False),
        ),
        effects=(CompleteDeadlines(("hearing-reply",)),),
    ),
    TriggerSpec(
        "submit_for_legal_review",
        ("screening", "drafting_decision"),
        "legal_review",
        CASEWORK,
        "Send til juridisk vurdering",
        PHASE,
        fields=(Field("note", "text", "Spørgsmål til juridisk kontakt", required=False),),
    ),
    TriggerSpec(
        "approve_legal",
        ("legal_review",),
        "drafting_decision",
        LEGAL,
        "Godkend (juridisk)",
        PHASE,
        fields=(
            Field("note", "text", "Kommentar", required=False),
            # The decision letter as the legal contact saw it on the review page: a letter rendered
            # differently at sending lapses the approval (aktflow.case_letters).
            Field("letter_sha256", "fingerprint", "Afgørelsesbrevet, som det er set", required=False),
            # Whose letter that is: the decision's (default) or the partial decision's.
            Field(
                "letter_trigger",
                "choice",
                "Brevet er afgørelsen fra",
                required=False,
                choices=("send_decision", "send_partial_decision"),
            ),
        ),
        guards=(guards.approver_did_not_assess,),
        effects=(ClearFlags(),),
    ),
    TriggerSpec(
        "return_to_screening",
        ("legal_review",),
        "screening",
        LEGAL,
        "Send tilbage til gennemgang",
        PHASE,
        fields=(Field("note", "text", "Kommentar"),),
    ),
)
