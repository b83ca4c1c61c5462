"""Complaint: reconsideration and the appeal body."""

from . import guards
from .effects import (
    CloseArchiveCase,
    ComplaintNotForwarded,
    CompleteDeadlines,
    CountComplaint,
    MakeLetter,
    OpenArchiveCase,
    StartDeadline,
)
from .spec import CASEWORK, Field, StateSpec, TriggerSpec

PHASE = "complaint"

STATES = (
    StateSpec("complaint_received", "Klage modtaget"),
    StateSpec("appeal_pending", "Oversendt til klageinstans"),
)

TRIGGERS = (
    TriggerSpec(
        "receive_complaint",
        ("decided", "closed"),
        "complaint_received",
        CASEWORK,
        "Registrér klage",
        PHASE,
        fields=(
            Field("received", "date", "Klagen modtaget", required=False),
            Field("note", "text", "Klagens indhold", required=False),
        ),
        effects=(
            StartDeadline("complaint-forward"),
            CountComplaint(),
            OpenArchiveCase("K02"),
        ),
        reopens=True,
    ),
    TriggerSpec(
        "revise_decision",
        ("complaint_received",),
        "drafting_decision",
        CASEWORK,
        "Genoptag og træf ny afgørelse",
        PHASE,
        fields=(Field("note", "text", "Begrundelse", required=False),),
        effects=(
            CompleteDeadlines(("complaint-forward",)),
            CountComplaint(),
        ),
    ),
    TriggerSpec(
        "uphold_and_forward",
        ("complaint_received",),
        "appeal_pending",
        CASEWORK,
        "Fasthold og oversend til klageinstans",
        PHASE,
        fields=(
            Field("note", "text", "Udtalelse til klageinstansen", required=False),
            # The letter as it was seen in the preview, when given (aktflow.letter_preview).
            Field("letter_sha256", "fingerprint", "Brevet, som det er set", required=False),
        ),
        guards=(guards.complaint_may_be_forwarded,),
        effects=(
            CompleteDeadlines(("complaint-forward",)),
            StartDeadline("appeal-body"),
            CountComplaint(),
            MakeLetter("klage_oversendelse"),
        ),
    ),
    TriggerSpec(
        # workflow 2026.4: a complaint that may not be forwarded (GDPR art. 15: Datatilsynet, GDPR art. 77;
        # partsaktindsigt without an appeal body for the main case) is closed here; the decision stands.
        "close_complaint",
        ("complaint_received",),
        "decided",
        CASEWORK,
        "Afslut klagen – videresendes ikke",
        PHASE,
        fields=(Field("note", "text", "Hvad klageren er vejledt om"),),
        guards=(guards.complaint_not_forwardable,),
        effects=(
            CompleteDeadlines(("complaint-forward",)),
            CountComplaint(),
            ComplaintNotForwarded(),
        ),
    ),
    TriggerSpec(
        "appeal_decided",
        ("appeal_pending",),
        "closed",
        CASEWORK,
        "Klageinstansen har afgjort (stadfæstet)",
        PHASE,
        fields=(Field("note", "text", "Klageinstansens afgørelse", required=False),),
        # It closes the case: a personnel case, as by 'close', only after both OFL § 41 notices.
        guards=(guards.employee_told_of_release,),
        effects=(
            CompleteDeadlines(("appeal-body",)),
            CountComplaint(),
            CloseArchiveCase(),
        ),
    ),
    TriggerSpec(
        "appeal_overturned",
        ("appeal_pending",),
        "drafting_decision",
        CASEWORK,
        "Klageinstansen har hjemvist/omgjort",
        PHASE,
        fields=(Field("note", "text", "Klageinstansens afgørelse", required=False),),
        effects=(
            CompleteDeadlines(("appeal-body",)),
            CountComplaint(),
        ),
    ),
)
