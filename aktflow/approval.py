"""What the legal contact approved, and what has changed since (docs/domain.md, "Juridisk vurdering").

``approve_legal`` records a *snapshot* of the case in its event's data (``data["approved"]``): per
document its title, the file's SHA-256, its assessment (outcome, grounds, extraction and what was
extracted, the § 14 note, the reason for the requester, the weighing, the internal note) and the aktliste
as it will print (the released title and sender), the reasons of the flags the approval cleared, and the case outcome the assessments give. A
decision (``draft_decision``, ``send_decision``) and a partial decision (``send_partial_decision``, for
the documents it releases) compare the case as it is now with the latest snapshot: anything that differs
has lapsed the approval, and the decision is refused until the legal contact approves again.

The event log masks CPR numbers in what it stores (:func:`aktflow.exits.mask`), so each document's
snapshot also carries ``digest``, the SHA-256 of its unmasked values: changes are found by comparing
digests (a change hidden by the mask still counts), and described with the masked values.

The approval also covers the decision letter as the legal contact saw it on the review page, when the
approval gave its fingerprint (approve_legal's ``letter_sha256``): the snapshot's ``letter`` holds
``{"sha256", "date", "trigger"}`` (:func:`with_letter`; ``trigger`` is the decision whose letter it is,
``send_decision`` or ``send_partial_decision``), and that decision refuses a letter that, rendered with
that date, gives another fingerprint (:data:`LETTER_LAPSED`; ``aktflow.case_letters.check_seen``).

Pure functions over the loaded case (duck-typed: ``case.documents``, ``doc.assessment``,
``case.open_flags``); nothing here reads the database or the clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .exits import mask

# The fields of a document's snapshot that are compared and shown, with their Danish names.
FIELDS: dict[str, str] = {
    "title": "titel",
    "sha256": "fil",
    "outcome": "vurdering",
    "grounds": "undtagelsesgrunde",
    "extracted": "ekstrahering",
    "extraction_note": "det ekstraherede",
    "meroffentlighed_note": "meroffentlighed",
    "reason": "begrundelse til anmoderen",
    "weighing_note": "hovedhensyn i afvejningen",
    "internal_note": "intern note",
    # The aktliste as it will print (aktflow/aktliste.py): the legal contact approves what the requester
    # reads, so a changed released title or sender lapses the approval. A snapshot from before these were
    # kept has none, and so covers no aktliste: such an approval lapses ("titel i aktlisten").
    "released_title": "titel i aktlisten",
    "released_sender": "afsender/modtager i aktlisten",
    "redactions": "overstregninger",
}

# Which documents a partial decision releases (docs/domain.md): those assessed to be released in full or
# in part, not yet released by an earlier partial decision.
RELEASABLE_OUTCOMES = ("grant", "partial")


def document_snapshot(doc: Any) -> dict[str, Any]:
    """One document as approved: the :data:`FIELDS` (None/[]/False while unassessed; the released title
    and sender as stored, None meaning the neutral "Dokument nr. N") and ``digest`` (hex SHA-256 of those
    values, unmasked), with ``redactions``: one line per redaction in force."""
    a = doc.assessment

    def of(name: str) -> Any:
        return getattr(a, name, None) if a is not None else None

    snap: dict[str, Any] = {
        "title": doc.title,
        "sha256": doc.sha256,
        "outcome": of("outcome"),
        "grounds": list(a.grounds or []) if a is not None else [],
        "extracted": bool(a is not None and a.extracted),
        "extraction_note": of("extraction_note"),
        "meroffentlighed_note": of("meroffentlighed_note"),
        "reason": of("reason"),
        "weighing_note": of("weighing_note"),
        "internal_note": of("internal_note"),
        "released_title": getattr(doc, "released_title", None),
        "released_sender": getattr(doc, "released_sender", None),
        # The redactions now in force (docs/redaction.md), one line each; a change lapses the approval.
        "redactions": sorted(
            _redaction_line(r) for r in getattr(doc, "redactions", ()) if r.state == "accepted"
        ),
    }
    snap["digest"] = _digest(snap)
    return snap


def case_outcome(documents: Iterable[Any]) -> str | None:
    """The decision outcome the assessments give: ``full``, ``partial``, ``refusal``, ``none_found`` (no
    documents) or None while a document is unassessed (the same rule as the decision letter)."""
    outcomes = [d.assessment.outcome if d.assessment is not None else None for d in documents]
    if not outcomes:
        return "none_found"
    if None in outcomes:
        return None
    if all(o == "grant" for o in outcomes):
        return "full"
    if all(o == "refuse" for o in outcomes):
        return "refusal"
    return "partial"


def snapshot(case: Any) -> dict[str, Any]:
    """The case as the legal contact approves it: ``documents`` (document id as a string → its
    :func:`document_snapshot`), ``flags`` (the reasons of the open flags, which the approval clears) and
    ``outcome`` (:func:`case_outcome`). JSON-ready: it is stored in the approve_legal event's data."""
    return {
        "documents": {str(d.id): document_snapshot(d) for d in case.documents},
        "flags": sorted(f.reason for f in case.open_flags),
        "outcome": case_outcome(case.documents),
    }


@dataclass(frozen=True)
class Change:
    """One document that differs from what was approved: ``kind`` is ``added`` (not in the approval),
    ``removed`` (approved, no longer on the case) or ``changed``; ``fields`` the Danish names of what
    changed, each with (approved, now) as masked values."""

    document_id: int
    title: str
    kind: str
    fields: tuple[tuple[str, Any, Any], ...] = ()

    def describe(self) -> str:
        """A Danish line, e.g. "Dokument 'Notat': vurdering ændret (refuse → grant)"."""
        if self.kind == "added":
            return f"Dokument '{self.title}' er tilføjet"
        if self.kind == "removed":
            return f"Dokument '{self.title}' er fjernet"
        parts = []
        for name, before, after in self.fields:
            if name in ("vurdering", "undtagelsesgrunde", "ekstrahering"):
                parts.append(f"{name} ({_show(before)} → {_show(after)})")
            else:
                parts.append(name)
        return f"Dokument '{self.title}': {', '.join(parts) or 'indhold'} ændret"


def changes(
    approved: dict[str, Any] | None, case: Any, document_ids: Iterable[int] | None = None
) -> list[Change]:
    """What differs between the approval's snapshot ``approved`` and ``case`` now, per document, in the
    register's id order. ``document_ids`` limits it to those documents (a partial decision's release);
    None means the whole register, removed documents included. ``approved`` None (no approval) gives []."""
    if approved is None:
        return []
    before: dict[str, Any] = approved.get("documents") or {}
    now = {str(d.id): d for d in case.documents}
    wanted = None if document_ids is None else {str(i) for i in document_ids}
    ids = sorted(set(before) | set(now), key=int)
    out = []
    for key in ids:
        if wanted is not None and key not in wanted:
            continue
        old: dict[str, Any] | None = before.get(key)
        doc = now.get(key)
        if doc is None:
            out.append(Change(int(key), str((old or {}).get("title")), "removed"))
            continue
        cur = document_snapshot(doc)
        if old is None:
            out.append(Change(int(key), mask(doc.title), "added"))
            continue
        if old.get("digest") == cur["digest"]:
            continue
        shown = mask(cur)
        diff = tuple(
            (label, old.get(name), shown[name])
            for name, label in FIELDS.items()
            if old.get(name, [] if name == "redactions" else None) != shown[name]
        )
        out.append(Change(int(key), mask(doc.title), "changed", diff))
    return out


def lapsed(
    approved: dict[str, Any] | None, case: Any, document_ids: Iterable[int] | None = None
) -> str | None:
    """None while the approval ``approved`` still covers ``case`` (or the given documents), else a Danish
    sentence naming what changed since. Also lapsed: the case outcome changed (whole case only)."""
    if approved is None:
        return None
    lines = [c.describe() for c in changes(approved, case, document_ids)]
    if document_ids is None and not lines and approved.get("outcome") != case_outcome(case.documents):
        lines.append("sagens samlede resultat er ændret")
    if not lines:
        return None
    return "; ".join(lines)


def releasable(case: Any, released_before: Iterable[int]) -> list[Any]:
    """The documents a partial decision releases now: assessed to be released in full or in part
    (``grant``/``partial``), not released by an earlier partial decision (``released_before``: ids)."""
    done = set(released_before)
    return [
        d
        for d in sorted(case.documents, key=lambda d: d.id)
        if d.assessment is not None and d.assessment.outcome in RELEASABLE_OUTCOMES and d.id not in done
    ]


#: Why a decision is refused when its letter is not the one the legal contact approved.
LETTER_LAPSED = (
    "den juridiske godkendelse dækker ikke brevet, som det dannes nu (afgørelsesbrevet er ændret siden "
    "godkendelsen); send sagen til juridisk vurdering igen ('submit_for_legal_review')"
)


#: The decisions whose letter an approval may cover (approve_legal's ``letter_trigger``).
LETTER_TRIGGERS = ("send_decision", "send_partial_decision")


def with_letter(
    snap: dict[str, Any], sha256: str | None, day: dt.date, trigger: str = "send_decision"
) -> dict[str, Any]:
    """``snap`` with the decision letter the legal contact saw: ``letter`` = ``{"sha256", "date",
    "trigger"}`` (hex; ISO date of the approval, the date the letter is compared at; the decision whose
    letter it is, one of :data:`LETTER_TRIGGERS`). ``sha256`` not a fingerprint (None, ``unseen``): the
    approval saw no letter and ``snap`` is returned as it is. Raises ValueError for another trigger."""
    if trigger not in LETTER_TRIGGERS:
        raise ValueError(f"no decision letter: {trigger}")
    if not isinstance(sha256, str) or not re.fullmatch(r"[0-9a-f]{64}", sha256):
        return snap
    return {**snap, "letter": {"sha256": sha256, "date": day.isoformat(), "trigger": trigger}}


def approved_letter(approved: dict[str, Any] | None, trigger: str = "send_decision") -> dict[str, str] | None:
    """The letter of decision ``trigger`` an approval's snapshot covers (``{"sha256", "date",
    "trigger"}``), or None when it covers no letter or another decision's. An approval recorded before
    the trigger was (no ``trigger``) covers ``send_decision``'s letter."""
    letter = (approved or {}).get("letter")
    if not (isinstance(letter, dict) and letter.get("sha256") and letter.get("date")):
        return None
    return letter if letter.get("trigger", "send_decision") == trigger else None


def _redaction_line(r: Any) -> str:
    where = r.term if r.kind != "region" else f"side {r.page}, {r.box}"
    return f"{r.kind}: {where} ({r.ground})"


def _digest(snap: dict[str, Any]) -> str:
    # An approval stored before redactions existed has none: an empty list leaves the digest as it was.
    body = {k: snap[k] for k in FIELDS if k != "redactions" or snap.get(k)}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


_OUTCOME_WORDS = {
    "grant": "udleveres",
    "partial": "delvis",
    "refuse": "udleveres ikke",
    None: "ikke vurderet",
}


def _show(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "ingen"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return _OUTCOME_WORDS.get(value, str(value))
