"""The words aktflow's rules are written in: roles, legal bases, outcomes, deadline rule ids, channels.

One place for each: the models, the workflow definition, the service, the web, the API, the CLI and the
archive adapters import these names instead of spelling the values out. The Danish words a user sees for
them live in :mod:`aktflow.labels`. This module imports nothing of the application, so the workflow
definition and the domain rules may use it.
"""

from __future__ import annotations

import re

# --- roles --------------------------------------------------------------------------------------------

CASEWORKER, LEGAL_CONTACT, MANAGER, ADMIN = "caseworker", "legal", "manager", "admin"
#: Every role a user can have, in the order the UI lists them.
ROLES = (CASEWORKER, LEGAL_CONTACT, MANAGER, ADMIN)
#: Who handles cases: registers, is assigned, advances them (the legal contact does not own cases).
CASEWORK = frozenset({CASEWORKER, MANAGER, ADMIN})
#: Who gives the legal contact's advice (sagsbehandlingen's juridiske kontakt) and sees the legal queue.
LEGAL = frozenset({LEGAL_CONTACT, ADMIN})
#: Who may (re)assign any case and sees the dashboard.
MANAGERS = frozenset({MANAGER, ADMIN})
#: Who administers users, settings, templates, the KLE plan, API tokens and the outbox.
ADMINS = frozenset({ADMIN})
#: Every signed-in user.
ANYONE = frozenset(ROLES)
#: Who works on their own cases: their case list shows their own cases first, and they take an unassigned
#: case for themselves ("Tag sagen") instead of choosing whom to assign it to.
OWN_CASES = frozenset({CASEWORKER})


def mine_by_default(role: str | None) -> bool:
    """Whether the case list shows only the user's own cases when no choice is given (``OWN_CASES``)."""
    return role in OWN_CASES


def assigns_to_self(role: str | None) -> bool:
    """Whether assigning a case means taking it oneself, not choosing an assignee (``OWN_CASES``)."""
    return role in OWN_CASES


#: The acting user of the server's own shell (``aktflow users add``, ``aktflow users token``), trusted as
#: ``aktflow db upgrade`` is. Not a valid username (``@``), so no login or token can ever act as it.
SYSTEM_ACTOR = "@system"

# --- legal bases ----------------------------------------------------------------------------------------

#: Offentlighedsloven, forvaltningsloven (partsaktindsigt), miljøoplysningsloven, GDPR art. 15.
BASES = ("ofl", "fvl", "mol", "gdpr")
#: The bases under which a request may be anonymous: anyone may ask under OFL § 7 (and MOL, which builds on
#: it) without saying who they are. Partsaktindsigt (FVL § 9) needs the party, GDPR art. 15 the data
#: subject, so those requests need the requester's name.
ANONYMOUS_BASES = ("ofl", "mol")
#: What an anonymous requester is registered as (the case's requester name): lists and pages show it, and
#: letters address "anmoderen" instead of a name.
ANONYMOUS_REQUESTER = "Anonym anmoder"

# --- outcomes -------------------------------------------------------------------------------------------

#: A document's assessment: released, released in part, withheld.
DOCUMENT_OUTCOMES = ("grant", "partial", "refuse")
#: A case's outcome, derived from its documents' assessments (or none found).
CASE_OUTCOMES = ("full", "partial", "refusal", "none_found")

# --- deadline rule ids ----------------------------------------------------------------------------------

#: The decision deadline of each basis (OFL § 36, FVL, MOL § 4, GDPR art. 12): a sent decision meets it.
DECISION_RULES = ("ofl-decision", "fvl-decision", "mol-decision", "gdpr-decision")
#: The decision deadlines counted in the dashboard's "decided in time" figure (OFL and FVL only).
FIGURE_DECISION_RULES = ("ofl-decision", "fvl-decision")
#: The fristbrev deadlines (OFL § 36, stk. 2; FVL): a notice is due when the decision will be late.
NOTICE_RULES = ("ofl-notice", "fvl-notice")
#: The deadline a fristbrev sets: the date the caseworker expects to decide by (not computed from the law).
EXPECTED_DECISION = "expected-decision"
#: Every deadline rule id, in the order the labels list them.
RULES = (
    "ofl-decision",
    "ofl-notice",
    "ofl-delay-complaint",
    "ofl-outer",
    "fvl-decision",
    "fvl-notice",
    "mol-decision",
    "gdpr-decision",
    "complaint-forward",
    "delay-complaint-forward",
    "appeal-body",
    "hearing-reply",
    "expected-decision",
)
#: The deadlines a person sets (a hearing's reply date, the date promised in a fristbrev), not the law.
SET_BY_CASEWORKER = ("hearing-reply", EXPECTED_DECISION)
#: The deadlines the law sets: counted on the law's calendar only (statutory holidays), never moved by the
#: municipality's closure days (docs/domain.md §2).
STATUTORY_RULES = tuple(r for r in RULES if r not in SET_BY_CASEWORKER)

# --- deadline status ------------------------------------------------------------------------------------

#: A deadline's status at read time (derived from its due date, never stored).
STATUSES = ("ok", "due_soon", "overdue", "met")

# --- intake channels ------------------------------------------------------------------------------------

#: How a request may arrive. Intake (web, API, CLI) accepts only these.
CHANNELS = ("e-mail", "digital post", "brev", "telefon", "personlig henvendelse", "selvbetjening")

# --- formats --------------------------------------------------------------------------------------------

#: The MIME type of a Word document (.docx): letters, templates, uploads.
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: A KLE emne: NN.NN.NN (hovedgruppe.gruppe.emne).
EMNE_RE = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")
#: A plausible e-mail address (something@domain.tld, no spaces); deliverability is not checked.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: A username: 2–64 of a–z, A–Z, digits, ".", "_", "-", optionally after a Windows domain and a backslash
#: (``KOMMUNE\jens``: sign-on keeps the domain, so two domains' "jens" are two users), 64 characters in all.
USERNAME_RE = re.compile(r"^(?=.{2,64}\Z)(?:[a-zA-Z0-9._-]{1,15}\\)?[a-zA-Z0-9._-]{2,64}\Z")

# --- passwords ------------------------------------------------------------------------------------------

#: The one password policy for passwords set through the product (CLI, web, API).
PASSWORD_MIN, PASSWORD_MAX = 12, 1000  # aktflow.users.check_password
