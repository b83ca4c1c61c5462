"""The workflow definition's versions, frozen: what each version allowed, for replaying old events.

Every event records the workflow version it was written under (``events.workflow_version``), and
``aktflow audit verify`` replays each event against the transition table of ITS version. A later change
of the workflow (a trigger's sources narrowed, a state added) therefore never makes an old, lawful case
look tampered with.

Changing the definition in ``aktflow/states/`` in a way that changes a trigger's sources or destination
means: add the new table here under a new version and make it ``CURRENT``. A test compares ``CURRENT``'s
table with the live definition, so a change without a new version fails the test suite. Tables are data,
never edited after release; this module imports nothing.
"""

from __future__ import annotations

# A trigger's table entry: (the states it may be fired from, the state it leads to; None for an action
# that changes no state).
Table = dict[str, tuple[tuple[str, ...], str | None]]

#: The version every event before versioning was written under (and the first one).
BASE = "2026.1"

#: The version new events are written under.
CURRENT = "2026.6"

INITIAL = {
    "2026.1": "received",
    "2026.2": "received",
    "2026.3": "received",
    "2026.4": "received",
    "2026.5": "received",
    "2026.6": "received",
}

TABLES: dict[str, Table] = {
    "2026.1": {
        "register": (("received",), "registered"),
        "forward": (("received", "registered"), "forwarded"),
        "request_clarification": (("registered", "collecting"), "awaiting_clarification"),
        "clarification_received": (("awaiting_clarification",), "collecting"),
        "start_collecting": (("registered",), "collecting"),
        "start_screening": (("collecting",), "screening"),
        "request_hearing": (("screening",), "third_party_hearing"),
        "hearing_completed": (("third_party_hearing",), "screening"),
        "submit_for_legal_review": (("screening", "drafting_decision"), "legal_review"),
        "approve_legal": (("legal_review",), "drafting_decision"),
        "return_to_screening": (("legal_review",), "screening"),
        "draft_decision": (("screening",), "drafting_decision"),
        "send_decision": (("drafting_decision",), "decided"),
        "close": (("decided",), "closed"),
        "receive_complaint": (("decided", "closed"), "complaint_received"),
        "revise_decision": (("complaint_received",), "drafting_decision"),
        "uphold_and_forward": (("complaint_received",), "appeal_pending"),
        "appeal_decided": (("appeal_pending",), "closed"),
        "appeal_overturned": (("appeal_pending",), "drafting_decision"),
        "withdraw": (
            (
                "received",
                "registered",
                "awaiting_clarification",
                "collecting",
                "screening",
                "third_party_hearing",
                "legal_review",
                "drafting_decision",
                "decided",
                "complaint_received",
                "appeal_pending",
            ),
            "withdrawn",
        ),
        "send_deadline_notice": (
            (
                "received",
                "registered",
                "awaiting_clarification",
                "collecting",
                "screening",
                "third_party_hearing",
                "legal_review",
                "drafting_decision",
            ),
            None,
        ),
        "extend_deadline": (
            (
                "received",
                "registered",
                "awaiting_clarification",
                "collecting",
                "screening",
                "third_party_hearing",
                "legal_review",
                "drafting_decision",
            ),
            None,
        ),
        "send_partial_decision": (
            ("collecting", "screening", "third_party_hearing", "legal_review", "drafting_decision"),
            None,
        ),
        "assign": (
            (
                "received",
                "registered",
                "awaiting_clarification",
                "collecting",
                "screening",
                "third_party_hearing",
                "legal_review",
                "drafting_decision",
                "decided",
                "complaint_received",
                "appeal_pending",
            ),
            None,
        ),
        "flag_for_legal": (
            (
                "received",
                "registered",
                "awaiting_clarification",
                "collecting",
                "screening",
                "third_party_hearing",
                "legal_review",
                "drafting_decision",
                "decided",
                "complaint_received",
                "appeal_pending",
            ),
            None,
        ),
        "add_document": (("collecting",), None),
        "edit_document": (("collecting",), None),
        "remove_document": (("collecting",), None),
        "notify_employee": (
            (
                "received",
                "registered",
                "awaiting_clarification",
                "collecting",
                "screening",
                "third_party_hearing",
                "legal_review",
                "drafting_decision",
                "decided",
                "complaint_received",
                "appeal_pending",
            ),
            None,
        ),
        "assess_document": (("screening", "drafting_decision"), None),
        "recalculate_deadlines": (
            (
                "received",
                "registered",
                "awaiting_clarification",
                "collecting",
                "screening",
                "third_party_hearing",
                "legal_review",
                "drafting_decision",
                "decided",
                "complaint_received",
                "appeal_pending",
            ),
            None,
        ),
    },
}

# 2026.2: a document's file is read and screened by a worker after it is stored; the worker's result is
# logged as the system action "screen_document", in any state (the case may have moved on meanwhile).
TABLES["2026.2"] = {
    **TABLES["2026.1"],
    "screen_document": (
        (
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
        ),
        None,
    ),
}

# 2026.3: the request as a whole: a caseworker may mark any case as a personnel matter (OFL § 41), record
# an attempt to narrow the request, and refuse the whole request (OFL § 9, stk. 2) or take that back; a
# request is registered before it is forwarded; delay complaints (OFL § 39); a partial decision only from
# the confidentiality review on.
_UNDECIDED_OPEN = (
    "received",
    "registered",
    "awaiting_clarification",
    "collecting",
    "screening",
    "third_party_hearing",
    "legal_review",
    "drafting_decision",
)
TABLES["2026.3"] = {
    **TABLES["2026.2"],
    "mark_personnel": (TABLES["2026.2"]["assign"][0], None),
    "record_narrowing_attempt": (_UNDECIDED_OPEN, None),
    "refuse_request": (_UNDECIDED_OPEN[1:], None),
    "cancel_request_refusal": (_UNDECIDED_OPEN[1:], None),
    # A request is registered before it is forwarded, so the forwarding letter carries the case's
    # sagsnummer (never the internal id).
    "forward": (("registered",), "forwarded"),
    # A complaint about the time taken (OFL § 39) is received and, if the case is not decided within 7
    # working days, forwarded to the appeal body: two actions in the undecided states.
    "receive_delay_complaint": (_UNDECIDED_OPEN, None),
    "forward_delay_complaint": (_UNDECIDED_OPEN, None),
    # A partial decision releases assessed documents, and documents are assessed from the confidentiality
    # review on: it is no longer offered while documents are still being collected.
    "send_partial_decision": (
        ("screening", "third_party_hearing", "legal_review", "drafting_decision"),
        None,
    ),
}

# 2026.4: what the requester reads of each document. ``assess_document`` takes the texts for the
# requester (``reason``, ``weighing_note``, ``extraction_note``, ``meroffentlighed_note``, the aktliste's
# ``released_title`` and ``released_sender``) apart from the ``internal_note``, which is never printed; an
# event of an earlier version with the old ``note`` is read as an internal note.
# Letters say what the law requires: the GDPR decision records the art. 15 information (purposes,
# categories, recipients, storage, source, automated decisions, transfers) and the hearing names the
# party's address and the documents it is about. New fields only; the transitions are 2026.3's.
# A decision's letter is sent as the caseworker saw it in the preview: send_decision and
# send_partial_decision take the letter's fingerprint (``letter_sha256``), and approve_legal records the
# fingerprint of the decision letter the legal contact saw, and ``letter_trigger``: whose letter it is
# (send_decision or send_partial_decision). The other letters to a person made by a caseworker's action
# (fristbrev, præcisering, videresendelse, høring, underretning, the complaints' forwarding) take the
# optional ``letter_sha256`` too. Sources and destinations are unchanged.
# Redactions (docs/redaction.md): a word or phrase or a rectangle on a page is redacted, removed,
# or a screening proposal accepted or rejected, while screening.
TABLES["2026.4"] = {
    **TABLES["2026.3"],
    "redact": (("screening",), None),
    "remove_redaction": (("screening",), None),
    "accept_redaction": (("screening",), None),
    "reject_redaction": (("screening",), None),
    # A complaint that may not be forwarded (GDPR, or no appeal body for the main case) is closed.
    "close_complaint": (("complaint_received",), "decided"),
}


# 2026.5: the confidentiality review may go back to collecting documents while no document is assessed
# (``reopen_collection``, guard "no document assessed").
TABLES["2026.5"] = {
    **TABLES["2026.4"],
    "reopen_collection": (("screening",), "collecting"),
}

# 2026.6: changes that were written beside the case are actions in its log (docs/domain.md, "Actions"):
# the caseworker's actions on a letter's dispatch and the changes of who may see a sensitive case, in every
# state (a letter may be on its way, and a closed case keeps its circle), and the legal contact's comment
# on a document while the case is in legal review. A reply mail to a case is added as a document in every
# state that is not final (``receive_mail``), not only while collecting; a case names its legal contact
# (``assign_legal_contact``).
_EVERY_STATE = TABLES["2026.2"]["screen_document"][0]
_NOT_FINAL = tuple(s for s in _EVERY_STATE if s not in ("forwarded", "withdrawn", "closed"))
TABLES["2026.6"] = {
    **TABLES["2026.5"],
    "choose_dispatch_channel": (_EVERY_STATE, None),
    "retry_dispatch": (_EVERY_STATE, None),
    "mark_dispatched_by_post": (_EVERY_STATE, None),
    "comment_review": (("legal_review",), None),
    "grant_case_access": (_EVERY_STATE, None),
    "revoke_case_access": (_EVERY_STATE, None),
    "mark_case_sensitive": (_EVERY_STATE, None),
    "unmark_case_sensitive": (_EVERY_STATE, None),
    "receive_mail": (_NOT_FINAL, None),
    # A case names its legal contact, the one who reviews it.
    "assign_legal_contact": (_NOT_FINAL, None),
}


def target(version: str, trigger: str, state: str) -> str | None:
    """The state ``trigger`` led to from ``state`` under workflow ``version`` (``state`` itself for an
    action), or None when that version did not allow it. Raises KeyError for an unknown version."""
    entry = TABLES[version].get(trigger)
    if entry is None or state not in entry[0]:
        return None
    return entry[1] or state
