"""Intake: from receipt to a registered case under collection."""

from .effects import (
    ClarificationReceived,
    MakeLetter,
    OpenArchiveCase,
    ScreenRequest,
    StartDeadlines,
    StopDeadlines,
)
from .spec import CASEWORK, Field, StateSpec, TriggerSpec

PHASE = "intake"

STATES = (
    StateSpec("received", "Modtaget"),
    StateSpec("registered", "Sag oprettet"),
    StateSpec("awaiting_clarification", "Afventer præcisering"),
    StateSpec("forwarded", "Videresendt til rette myndighed", final=True, open=False),
    StateSpec("withdrawn", "Trukket tilbage", final=True, open=False),
)

# What registering a new request does besides writing its first event (``create``), in order.
CREATE_EFFECTS = (ScreenRequest(), StartDeadlines())

TRIGGERS = (
    TriggerSpec(
        "register",
        ("received",),
        "registered",
        CASEWORK,
        "Opret sag i arkivet",
        PHASE,
        effects=(
            OpenArchiveCase("A53"),
            MakeLetter("kvittering"),
        ),
    ),
    TriggerSpec(
        "forward",
        # Registered first: the forwarding letter carries the case's real sagsnummer (workflow 2026.3).
        ("registered",),
        "forwarded",
        CASEWORK,
        "Videresend til rette myndighed",
        PHASE,
        fields=(
            Field("authority", "text", "Rette myndighed", max_len=300),
            # The letter as it was seen in the preview, when given (aktflow.letter_preview).
            Field("letter_sha256", "fingerprint", "Brevet, som det er set", required=False),
        ),
        effects=(
            StopDeadlines(),
            MakeLetter("videresendelse"),
        ),
    ),
    TriggerSpec(
        "request_clarification",
        ("registered", "collecting"),
        "awaiting_clarification",
        CASEWORK,
        "Bed om præcisering",
        PHASE,
        fields=(
            Field("note", "text", "Hvad skal præciseres"),
            # The letter as it was seen in the preview, when given (aktflow.letter_preview).
            Field("letter_sha256", "fingerprint", "Brevet, som det er set", required=False),
        ),
        effects=(MakeLetter("praecisering"),),
    ),
    TriggerSpec(
        "clarification_received",
        ("awaiting_clarification",),
        "collecting",
        CASEWORK,
        "Præcisering modtaget",
        PHASE,
        fields=(
            Field("note", "text", "Sådan er anmodningen forstået"),
            # default today (in Denmark); not in the future, not before the request was received
            Field("received", "date", "Præciseringen modtaget", required=False),
            # true: the request did not identify what is asked for (OFL § 9, stk. 1): the deadlines run
            # from ``received``; false (the default, the earlier dates): an identifiable request narrowed
            Field(
                "identification_lacking",
                "bool",
                "Anmodningen identificerede ikke, hvad der søges (OFL § 9, stk. 1): fristerne løber fra præciseringen",
                required=False,
            ),
        ),
        effects=(ClarificationReceived(),),
    ),
    TriggerSpec(
        "start_collecting", ("registered",), "collecting", CASEWORK, "Start dokumentindsamling", PHASE
    ),
)
