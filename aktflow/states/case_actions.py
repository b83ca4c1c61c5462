"""Actions beside the case's course (workflow 2026.6): letters on their way out, the legal contact's
comments, and who may see a sensitive case. Each is an internal transition (no state change) fired through
``fire()`` like every other change, so it is checked (role, need-to-know, state, input) and written to the
case's hash-chained log with what it changed, before and after (docs/domain.md, "Actions").

- ``choose_dispatch_channel``, ``retry_dispatch``, ``mark_dispatched_by_post``: the caseworker's actions on
  a letter's dispatch (docs/dispatch.md), in every state: a letter may still be on its way when the case
  is closed.
- ``comment_review``: the legal contact's comment on one document while the case is in legal review. The
  comment's text is kept with the comment (``review_comments``), not in the log: the event names the
  document, the comment's id and its length.
- ``receive_mail``: a reply mail to an open case (matched by aktflow/mail_in/) is added to it as a document
  in any state that is not final, not only while documents are collected; a document added after the
  confidentiality review began is assessed like the others, and one added after the legal contact's
  approval lapses it (the approval's snapshot holds the documents). A reply to a closed case is not filed.
- ``assign_legal_contact``: the case names its legal contact, the one who reviews it (a user with the legal
  contact's role); the legal queue shows that person's cases first. In every state that is not final.
- ``grant_case_access``, ``revoke_case_access``, ``mark_case_sensitive``, ``unmark_case_sensitive``: who
  may see a sensitive case (docs/access.md), in every state: a closed case keeps its circle.

The effects are carried out by :mod:`aktflow.case_actions` (the application).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..vocabulary import LEGAL, MANAGERS
from .effects import AddDocument, Effect
from .spec import ANYONE, CASEWORK, Field, TriggerSpec

PHASE = "general"

ALL_STATES = (
    "received",
    "registered",
    "awaiting_clarification",
    "forwarded",
    "withdrawn",
    "collecting",
    "screening",
    "third_party_hearing",
    "legal_review",
    "drafting_decision",
    "decided",
    "closed",
    "complaint_received",
    "appeal_pending",
)

#: The states that are not final: where a reply mail is added to its case.
NOT_FINAL = tuple(s for s in ALL_STATES if s not in ("forwarded", "withdrawn", "closed"))

#: The longest reason kept for an access change or a mark (characters).
REASON_MAX = 1000
#: The longest comment of the legal contact (characters).
COMMENT_MAX = 4000


@dataclass(frozen=True)
class ChangeDispatch(Effect):
    """A dispatch changed by the caseworker: ``how`` is ``channel``, ``retry`` or ``posted``."""

    how: str

    def describe(self) -> str:
        return {
            "channel": "Forsendelsen sendes med den valgte kanal",
            "retry": "Forsendelsen sættes i kø igen",
            "posted": "Brevet registreres som sendt med post",
        }[self.how]


@dataclass(frozen=True)
class CommentDocument(Effect):
    def describe(self) -> str:
        return "Den juridiske kontakts kommentar gemmes ved dokumentet"


@dataclass(frozen=True)
class ChangeAccess(Effect):
    """Who may see the case: ``how`` is ``grant``, ``revoke``, ``mark`` or ``unmark``."""

    how: str

    def describe(self) -> str:
        return {
            "grant": "Personen får adgang til sagen",
            "revoke": "Personens adgang til sagen fjernes",
            "mark": "Sagen markeres fortrolig",
            "unmark": "Markeringen fortrolig fjernes",
            "legal_contact": "Sagens juridiske kontakt vælges",
        }[self.how]


_DISPATCH = Field("dispatch_id", "int", "Forsendelse")
_REASON = Field("reason", "text", "Begrundelse", max_len=REASON_MAX)

TRIGGERS = (
    TriggerSpec(
        "choose_dispatch_channel",
        ALL_STATES,
        None,
        CASEWORK,
        "Vælg forsendelseskanal",
        PHASE,
        fields=(_DISPATCH, Field("channel", "choice", "Kanal", choices=("digital_post", "email", "print"))),
        closed_too=True,
        effects=(ChangeDispatch("channel"),),
    ),
    TriggerSpec(
        "retry_dispatch",
        ALL_STATES,
        None,
        CASEWORK,
        "Send forsendelsen igen",
        PHASE,
        fields=(_DISPATCH,),
        closed_too=True,
        effects=(ChangeDispatch("retry"),),
    ),
    TriggerSpec(
        "mark_dispatched_by_post",
        ALL_STATES,
        None,
        CASEWORK,
        "Sendt med post",
        PHASE,
        fields=(_DISPATCH,),
        closed_too=True,
        effects=(ChangeDispatch("posted"),),
    ),
    TriggerSpec(
        "comment_review",
        ("legal_review",),
        None,
        LEGAL,
        "Kommentér et dokument",
        PHASE,
        fields=(
            Field("document_id", "document", "Dokument"),
            Field("text", "text", "Kommentar", max_len=COMMENT_MAX),
        ),
        locked="kommentarer til dokumenterne skrives, mens sagen er til juridisk vurdering",
        effects=(CommentDocument(),),
        unlogged=("text",),
    ),
    TriggerSpec(
        "receive_mail",
        NOT_FINAL,
        None,
        CASEWORK,
        "Svar pr. e-mail lagt på sagen",
        PHASE,
        fields=(
            Field("file", "file", "Fil", required=False),
            Field("title", "text", "Titel", max_len=300),
            Field("date", "date", "Dato", required=False),
            Field("sender", "text", "Afsender", required=False, max_len=200),
        ),
        effects=(AddDocument(),),
    ),
    TriggerSpec(
        "assign_legal_contact",
        NOT_FINAL,
        None,
        ANYONE,
        "Vælg sagens juridiske kontakt",
        PHASE,
        fields=(Field("legal_contact", "text", "Juridisk kontakt (brugernavn)", max_len=100),),
        effects=(ChangeAccess("legal_contact"),),
    ),
    TriggerSpec(
        "grant_case_access",
        ALL_STATES,
        None,
        ANYONE,
        "Giv adgang til sagen",
        PHASE,
        fields=(Field("user", "text", "Bruger (brugernavn)", max_len=100), _REASON),
        closed_too=True,
        effects=(ChangeAccess("grant"),),
    ),
    TriggerSpec(
        "revoke_case_access",
        ALL_STATES,
        None,
        ANYONE,
        "Fjern adgang til sagen",
        PHASE,
        fields=(
            Field("user", "text", "Bruger", max_len=100),
            Field("reason", "text", "Begrundelse", required=False, max_len=REASON_MAX),
        ),
        closed_too=True,
        effects=(ChangeAccess("revoke"),),
    ),
    TriggerSpec(
        "mark_case_sensitive",
        ALL_STATES,
        None,
        ANYONE,
        "Markér sagen fortrolig",
        PHASE,
        fields=(_REASON,),
        closed_too=True,
        effects=(ChangeAccess("mark"),),
    ),
    TriggerSpec(
        "unmark_case_sensitive",
        ALL_STATES,
        None,
        MANAGERS | LEGAL,
        "Fjern markeringen fortrolig",
        PHASE,
        fields=(_REASON,),
        closed_too=True,
        effects=(ChangeAccess("unmark"),),
    ),
)

#: The actions drawn on their own panels (the letters' dispatch list, the access page, the legal review
#: page), never among the case page's next steps.
PANEL_TRIGGERS = frozenset(t.name for t in TRIGGERS)
