"""Redactions: the caseworker's changes to what a released document shows (docs/redaction.md).

Four actions, allowed only while screening (fortrolighedsgennemgang): ``redact`` (a word or phrase, or a
rectangle on a page, with the ground printed on the box), ``remove_redaction``, and the caseworker's click
on a screening proposal, ``accept_redaction`` or ``reject_redaction``. Each is an event in the log; a
change after the legal contact's approval lapses it (the approval's snapshot holds each document's
redactions, aktflow/approval.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import guards
from .effects import Effect
from .spec import CASEWORK, Field, TriggerSpec

PHASE = "review"
SOURCES = ("screening",)
LOCKED = (
    "overstregninger kan kun ændres under fortrolighedsgennemgangen; "
    "send sagen tilbage til gennemgang for at ændre dem"
)


@dataclass(frozen=True)
class Redact(Effect):
    def describe(self) -> str:
        return "Overstreg en tekst eller et felt på en side i dokumentet"


@dataclass(frozen=True)
class RemoveRedaction(Effect):
    def describe(self) -> str:
        return "Fjern overstregningen"


@dataclass(frozen=True)
class DecideProposal(Effect):
    """Accept (``accept`` True: it becomes a redaction) or reject a screening proposal."""

    accept: bool

    def describe(self) -> str:
        return "Overstreg det foreslåede" if self.accept else "Afvis forslaget til overstregning"


# A proposal is named by its key (kind and a hash of its text), so no CPR number is in a form or the log.
_PROPOSAL = Field("proposal", "text", "Forslag (nøgle, fx cpr:1a2b3c4d5e6f7a8b)", max_len=60)
_GROUND = Field("ground", "text", "Undtagelsesgrund (kode, fx ofl-30-1)", max_len=40)

TRIGGERS = (
    TriggerSpec(
        "redact",
        SOURCES,
        None,
        CASEWORK,
        "Overstreg",
        PHASE,
        fields=(
            Field("document_id", "document", "Dokument"),
            Field("term", "text", "Tekst (alle forekomster)", required=False, max_len=300),
            Field("page", "int", "Side", required=False),
            Field("box", "text", "Felt i PDF-punkter: x0,y0,x1,y1", required=False, max_len=100),
            _GROUND,
        ),
        guards=(guards.document_on_case,),
        locked=LOCKED,
        effects=(Redact(),),
    ),
    TriggerSpec(
        "remove_redaction",
        SOURCES,
        None,
        CASEWORK,
        "Fjern overstregning",
        PHASE,
        fields=(
            Field("document_id", "document", "Dokument"),
            Field("redaction_id", "int", "Overstregning"),
        ),
        guards=(guards.document_on_case,),
        locked=LOCKED,
        effects=(RemoveRedaction(),),
    ),
    TriggerSpec(
        "accept_redaction",
        SOURCES,
        None,
        CASEWORK,
        "Overstreg det foreslåede",
        PHASE,
        fields=(
            Field("document_id", "document", "Dokument"),
            _PROPOSAL,
            _GROUND,
        ),
        guards=(guards.document_on_case,),
        locked=LOCKED,
        effects=(DecideProposal(True),),
    ),
    TriggerSpec(
        "reject_redaction",
        SOURCES,
        None,
        CASEWORK,
        "Afvis forslaget",
        PHASE,
        fields=(
            Field("document_id", "document", "Dokument"),
            _PROPOSAL,
        ),
        guards=(guards.document_on_case,),
        locked=LOCKED,
        effects=(DecideProposal(False),),
    ),
)


def _unredacted(documents: object) -> list[str]:
    return sorted(
        d.title
        for d in documents  # type: ignore[attr-defined]
        if d.assessment is not None
        and d.assessment.outcome == "partial"
        and d.sha256 is not None
        and not any(r.state == "accepted" for r in d.redactions)
    )


def _message(titles: list[str]) -> str | None:
    if not titles:
        return None
    names = ", ".join(f"'{t}'" for t in titles)
    return (
        f"udleveres delvist, men har ingen overstregninger: {names}; overstreg det undtagne "
        "('redact') eller vurdér dokumentet igen"
    )


def partial_documents_redacted(case: object, ctx: object) -> str | None:
    """``send_decision``: every document with a file that is released in part ("udleveres delvist") has at
    least one redaction, so the requester receives the rest of it (OFL § 34; docs/redaction.md). A
    document registered without a file is redacted in the archive it is kept in."""
    return _message(_unredacted(case.documents))  # type: ignore[attr-defined]


def released_documents_redacted(case: object, ctx: object) -> str | None:
    """``send_partial_decision``: the same for the documents it releases (:func:`aktflow.approval.releasable`)."""
    from ..approval import releasable

    return _message(_unredacted(releasable(case, guards.released_before(ctx))))
