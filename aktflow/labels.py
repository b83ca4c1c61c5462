"""Every Danish word a user reads for a code name: roles, bases, rules, statuses, outcomes, letters, states.

One module for the web pages (through ``web/filters.py``), the letters (``letters/compose.py``), the CSV
export and the SBSYS journal titles. The code names themselves are in :mod:`aktflow.vocabulary`. States
and triggers carry their label in the workflow definition (``aktflow/states``); :func:`state_label`,
:func:`trigger_label` and :func:`event_label` are the one way to look them up.
"""

from __future__ import annotations

from . import states

ROLE_LABELS = {
    "caseworker": "Sagsbehandler",
    "legal": "Juridisk kontakt",
    "manager": "Leder",
    "admin": "Administrator",
}

#: The legal basis as a heading ("Retsgrundlag: …").
BASIS_LABELS = {
    "ofl": "Offentlighedsloven",
    "fvl": "Forvaltningsloven (partsaktindsigt)",
    "mol": "Miljøoplysningsloven",
    "gdpr": "Databeskyttelsesforordningen art. 15",
}
#: The legal basis in a table cell.
BASIS_SHORT = {"ofl": "OFL", "fvl": "FVL", "mol": "MOL", "gdpr": "GDPR"}
#: The legal basis inside a sentence, as in "en sag efter …".
BASIS_NAMES = {
    "ofl": "offentlighedsloven",
    "fvl": "forvaltningsloven",
    "mol": "miljøoplysningsloven",
    "gdpr": "databeskyttelsesforordningen",
}

#: Deadline rules (``vocabulary.RULES``).
RULE_LABELS = {
    "ofl-decision": "Afgørelse (OFL § 36)",
    "ofl-notice": "Fristbrev (OFL § 36)",
    "ofl-delay-complaint": "Klage over sagsbehandlingstid (OFL § 39)",
    "ofl-outer": "Yderste frist (40 arbejdsdage)",
    "fvl-decision": "Afgørelse (FVL)",
    "fvl-notice": "Fristbrev (FVL)",
    "mol-decision": "Afgørelse (MOL § 4)",
    "gdpr-decision": "Svar (GDPR art. 12)",
    "complaint-forward": "Genvurdering og oversendelse af klage",
    "delay-complaint-forward": "Klage over sagsbehandlingstid: afgør eller oversend (OFL § 39)",
    "appeal-body": "Klageinstansens frist (vejledende)",
    "hearing-reply": "Svarfrist i høring",
    "expected-decision": "Forventet afgørelse (oplyst i fristbrev)",
}

#: A deadline's status (``vocabulary.STATUSES``): the case page, the lists and the CSV export.
STATUS_LABELS = {"ok": "I gang", "due_soon": "Snart", "overdue": "Overskredet", "met": "Overholdt"}
#: The dashboard's alerts.
ALERT_LABELS = {"overdue": "Overskredet", "due_soon": "Frist snart", "missing_notice": "Mangler fristbrev"}

#: A document's assessment (``vocabulary.DOCUMENT_OUTCOMES``): the case page, the aktliste in letters.
DOCUMENT_OUTCOME_LABELS = {"grant": "Udleveres", "partial": "Udleveres delvis", "refuse": "Udleveres ikke"}
#: A case's outcome (``vocabulary.CASE_OUTCOMES``).
CASE_OUTCOME_LABELS = {
    "full": "Fuld aktindsigt",
    "partial": "Delvis aktindsigt",
    "refusal": "Afslag",
    "none_found": "Ingen dokumenter fundet",
}

#: Letter kinds, short (the case page, the template list).
LETTER_LABELS = {
    "kvittering": "Kvittering",
    "praecisering": "Anmodning om præcisering",
    "fristbrev": "Fristbrev",
    "hoering": "Høring af tredjemand",
    "underretning_ansat": "Underretning af medarbejder (OFL § 41)",
    "delafgoerelse": "Delafgørelse",
    "afgoerelse": "Afgørelse",
    "videresendelse": "Videresendelse",
    "klage_oversendelse": "Oversendelse af klage",
    "klage_forsinkelse": "Klage over sagsbehandlingstiden",
}
#: Letter kinds, as the document's title in the archive (SBSYS journal).
LETTER_TITLES = {
    "kvittering": "Kvittering for anmodning om aktindsigt",
    "praecisering": "Anmodning om præcisering",
    "fristbrev": "Meddelelse om forventet svartid",
    "hoering": "Høring af tredjemand",
    "underretning_ansat": "Underretning af medarbejder (offentlighedslovens § 41)",
    "delafgoerelse": "Delafgørelse om aktindsigt",
    "afgoerelse": "Afgørelse om aktindsigt",
    "videresendelse": "Videresendelse af anmodning",
    "klage_oversendelse": "Oversendelse af klage til klageinstansen",
    "klage_forsinkelse": "Oversendelse af klage over sagsbehandlingstiden",
}

#: A letter's journalising status.
ARCHIVE_LABELS = {
    "pending": "Venter på journalisering",
    "journalised": "Journaliseret",
    "failed": "Fejlet",
    "local": "Gemt lokalt",
    "delivering": "Journaliseres nu",
}

#: The choices of a trigger's choice field, keyed by (trigger, field).
CHOICE_LABELS = {
    ("hearing_completed", "reply"): {"received": "Svar modtaget", "none": "Intet svar"},
    ("notify_employee", "stage"): {"request": "Anmodningen (ved modtagelse)", "release": "Det udleverede"},
    ("assess_document", "outcome"): DOCUMENT_OUTCOME_LABELS,
    ("record_narrowing_attempt", "how"): {
        "phone": "Telefon",
        "mail": "E-mail eller digital post",
        "letter": "Brev",
        "meeting": "Møde",
    },
    ("refuse_request", "ground"): {
        "ofl-9-2-1": "OFL § 9, stk. 2, nr. 1 — uforholdsmæssigt ressourceforbrug",
        "ofl-9-2-2": "OFL § 9, stk. 2, nr. 2 — retsstridigt eller chikanøst formål",
        "fvl-9a-2": "FVL § 9 a, stk. 2 — retsstridigt formål",
        "gdpr-12-5": "GDPR art. 12, stk. 5 — åbenbart grundløs eller overdreven anmodning",
    },
    ("approve_legal", "letter_trigger"): {
        "send_decision": "Afgørelsen",
        "send_partial_decision": "Delafgørelsen",
    },
}

#: The first event of every case (not a trigger of the machine).
CREATE_LABEL = "Anmodning registreret"


def state_label(state: str) -> str:
    """The Danish name of a workflow state (``received`` → "Modtaget"); an unknown name is returned as is."""
    s = states.STATES.get(state)
    return s.label if s else state


def trigger_label(trigger: str) -> str:
    """The Danish name of a trigger as the workflow definition declares it; an unknown name as is."""
    t = states.TRIGGERS.get(trigger)
    return t.label if t else trigger


def event_label(trigger: str) -> str:
    """What an event in a case's log reads as: the trigger's label, or "Anmodning registreret" for ``create``."""
    return CREATE_LABEL if trigger == "create" else trigger_label(trigger)
