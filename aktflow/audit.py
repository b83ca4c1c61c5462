"""The event log: keyed hash chain, replay and verification.

Each case has its own chain: an event's ``prev_hash`` is the hash of the case's previous event (the first
event's is ``GENESIS``), and the case row keeps the newest hash in ``last_hash``. A chain per case keeps
writers of different cases independent, while any edited, removed or inserted event is still detected.

The chain is keyed: an event's hash is an HMAC-SHA-256 over its canonical JSON with a key kept outside
the database (:class:`KeyRing` in :mod:`aktflow.audit_keys`: ``AKTFLOW_AUDIT_KEY``, or the key file
``audit-keys`` in the instance folder, generated with mode 0600 on first use). The event stores the key's
id (``key_id``), so after a rotation old events verify with their own key while new events use the new
one. Someone who can write the database but does not hold the key cannot recompute a valid chain after
editing an event.

Events written before the chain was keyed (``key_id`` NULL) keep their plain SHA-256 and keep verifying,
but only up to the boundary migration 0018 recorded (``audit_legacy``): an unkeyed event written later is
reported as forged. A legacy event that a later keyed event follows is protected by that event's HMAC (it
covers ``prev_hash``); a case whose every event is legacy is protected by its plain chain only, which
someone with write access to the database could recompute (docs/reliability.md, "The audit trail").

The heads of the chains can also be checkpointed to a file outside the database
(:mod:`aktflow.audit_checkpoints`). This module re-exports the names of both, so ``aktflow.audit`` stays
the one place callers import from.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .audit_checkpoints import (
    CHECKPOINT_FILE_NAME,
    checkpoint_path,
    make_checkpoint,
    verify_checkpoints,
    write_checkpoint,
)
from .audit_keys import (
    GENESIS,
    KEY_FILE_NAME,
    KEY_MIN_LEN,
    AuditKeyError,
    KeyRing,
    add_key,
    canonical,
    digest,
    forget_keyring,
    key_file_path,
    key_id,
    key_notice,
    keyring,
    load_keyring,
)
from .models import AdminLogEntry, AuditLegacy, Case, Event
from .states import versions

__all__ = [
    "CHECKPOINT_FILE_NAME",
    "CREATE",
    "GENESIS",
    "KEY_FILE_NAME",
    "KEY_MIN_LEN",
    "AdminProblem",
    "AuditKeyError",
    "KeyRing",
    "Problem",
    "ReplayError",
    "add_key",
    "admin_entry_hash",
    "canonical",
    "check_key",
    "checkpoint_path",
    "digest",
    "event_hash",
    "forget_keyring",
    "hash_of",
    "key_file_path",
    "key_id",
    "key_notice",
    "keyring",
    "legacy_boundary",
    "load_keyring",
    "make_checkpoint",
    "replay",
    "verify",
    "verify_admin_log",
    "verify_case",
    "verify_checkpoints",
    "write_checkpoint",
]

CREATE = "create"


def event_hash(
    *,
    case_id: int,
    seq: int,
    at: dt.datetime,
    actor: str,
    trigger: str,
    from_state: str | None,
    to_state: str,
    note: str | None,
    data: dict[str, Any] | None,
    prev_hash: str,
    workflow_version: str = versions.BASE,
    key: bytes | None = None,
) -> str:
    """The event's hash (64 hex digits) over the canonical JSON of its fields and the previous hash.

    With ``key``: HMAC-SHA-256, and the key's id (:func:`key_id`) is part of the hashed body, so an
    event cannot be moved to another key or made unkeyed without breaking it. Without: the plain SHA-256
    of events written before the chain was keyed. The workflow version is part of the body when it is
    not :data:`versions.BASE`: events written before versioning keep their hashes.
    """
    fields: dict[str, Any] = {
        "case": case_id,
        "seq": seq,
        "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": actor,
        "trigger": trigger,
        "from": from_state,
        "to": to_state,
        "note": note,
        "data": data or {},
        "prev": prev_hash,
    }
    if workflow_version != versions.BASE:
        fields["workflow"] = workflow_version
    kid = key_id(key) if key is not None else None
    if kid is not None:
        fields["key"] = kid
    return digest(canonical(fields), key)


def hash_of(ev: Event, key: bytes | None = None) -> str:
    """The hash ``ev`` should have with ``key`` (None: the legacy unkeyed hash)."""
    return event_hash(
        case_id=ev.case_id,
        seq=ev.seq,
        at=ev.at,
        actor=ev.actor,
        trigger=ev.trigger,
        from_state=ev.from_state,
        to_state=ev.to_state,
        note=ev.note,
        data=ev.data,
        prev_hash=ev.prev_hash,
        workflow_version=ev.workflow_version,
        key=key,
    )


class ReplayError(Exception):
    def __init__(self, seq: int, message: str):
        super().__init__(message)
        self.seq = seq


def replay(events: Iterable[Any]) -> str | None:
    """The state that the events give, each checked against the workflow version it was written under.

    Raises ReplayError (with the event's seq) at the first event its own version did not allow.
    """
    state: str | None = None
    for ev in events:
        version = getattr(ev, "workflow_version", None) or versions.BASE
        if version not in versions.TABLES:
            raise ReplayError(ev.seq, f"ukendt version af arbejdsgangen {version!r}")
        if ev.trigger == CREATE:
            if state is not None or ev.to_state != versions.INITIAL[version]:
                raise ReplayError(ev.seq, "oprettelse midt i forløbet")
            state = ev.to_state
            continue
        if ev.from_state != state:
            raise ReplayError(ev.seq, f"fra-tilstand {ev.from_state!r}, men forløbet står i {state!r}")
        expected = versions.target(version, ev.trigger, state) if state else None
        if expected is None:
            raise ReplayError(ev.seq, f"'{ev.trigger}' er ikke tilladt fra {state!r}")
        if ev.to_state != expected:
            raise ReplayError(ev.seq, f"'{ev.trigger}' fører til {expected!r}, ikke {ev.to_state!r}")
        state = expected
    return state


@dataclass
class Problem:
    case_id: int
    seq: int | None
    event_id: int | None
    message: str

    def __str__(self) -> str:
        where = f"sag {self.case_id}"
        if self.seq is not None:
            where += f", hændelse nr. {self.seq}"
        if self.event_id is not None:
            where += f" (id {self.event_id})"
        return f"{where}: {self.message}"


def _events_by_case(session: Session, batch: int = 5000) -> Iterator[tuple[int, list[Event]]]:
    current: int | None = None
    bucket: list[Event] = []
    stmt = select(Event).order_by(Event.case_id, Event.seq).execution_options(yield_per=batch)
    for ev in session.scalars(stmt):
        if ev.case_id != current:
            if current is not None:
                yield current, bucket
            current, bucket = ev.case_id, []
        bucket.append(ev)
    if current is not None:
        yield current, bucket


def check_key(kid: str | None, ring: KeyRing, legacy_ok: bool) -> tuple[bytes | None, str | None]:
    """The key an entry with key id ``kid`` is checked with, and a problem (Danish) or None.

    An unkeyed entry (``kid`` None) is allowed only where ``legacy_ok`` (written before the chain was keyed).
    """
    if kid is None:
        if not legacy_ok:
            return None, "hændelsen har ingen nøgle, men er skrevet efter at loggen blev nøglebeskyttet"
        return None, None
    key = ring.get(kid)
    if key is None:
        return None, f"ukendt nøgle {kid}: læg den gamle nøgle i nøglefilen for at efterprøve"
    return key, None


def verify_case(
    case: Any, events: list[Event], case_id: int, ring: KeyRing | None = None, legacy_upto: int = 0
) -> Problem | None:
    """The first problem of one case's chain, or None.

    Each event is checked with the key its ``key_id`` names in ``ring`` (default: :func:`load_keyring`);
    unkeyed events only when their id is at most ``legacy_upto``, and never after a keyed one.
    """
    ring = ring or load_keyring()
    prev = GENESIS
    keyed = False
    for i, ev in enumerate(events, start=1):
        if ev.seq != i:
            return Problem(case_id, ev.seq, ev.id, f"hul i rækkefølgen: forventede nr. {i}")
        if ev.prev_hash != prev:
            return Problem(case_id, ev.seq, ev.id, "forrige-hash passer ikke (hændelse fjernet eller indsat)")
        kid = getattr(ev, "key_id", None)
        key, problem = check_key(
            kid, ring, legacy_ok=not keyed and ev.id is not None and ev.id <= legacy_upto
        )
        if problem:
            return Problem(case_id, ev.seq, ev.id, problem)
        keyed = keyed or key is not None
        if not hmac.compare_digest(hash_of(ev, key), ev.hash or ""):
            return Problem(case_id, ev.seq, ev.id, "hash passer ikke: hændelsen er ændret")
        prev = ev.hash
    if case is None:
        return Problem(case_id, None, None, "hændelser uden sag")
    try:
        state = replay(events)
    except ReplayError as e:
        failed = events[e.seq - 1] if 0 < e.seq <= len(events) else None
        return Problem(case_id, e.seq, failed.id if failed else None, f"genafspilning fejler: {e}")
    if case.last_hash != prev:
        return Problem(case_id, None, None, "sagens seneste hash passer ikke med den sidste hændelse")
    if case.version != len(events):
        return Problem(case_id, None, None, f"version {case.version}, men {len(events)} hændelser")
    if state != case.state:
        return Problem(case_id, None, None, f"tilstand {case.state!r}, men genafspilning giver {state!r}")
    return None


def legacy_boundary(session: Session) -> int:
    """The highest event id that may be unkeyed: what migration 0018 recorded (0 when nothing is recorded).

    The smallest recorded value counts, so a row added later cannot widen it."""
    return session.scalar(select(func.min(AuditLegacy.max_event_id))) or 0


def verify(session: Session, ring: KeyRing | None = None) -> tuple[int, list[Problem]]:
    """Check every case's chain (with the keys in ``ring``, default :func:`load_keyring`) and replay.

    Returns (cases checked, problems: the first per case). Raises AuditKeyError when no key can be read.
    """
    ring = ring or load_keyring()
    upto = legacy_boundary(session)
    cases = {
        row.id: row for row in session.execute(select(Case.id, Case.state, Case.version, Case.last_hash))
    }
    problems: list[Problem] = []
    seen: set[int] = set()
    for case_id, events in _events_by_case(session):
        seen.add(case_id)
        p = verify_case(cases.get(case_id), events, case_id, ring, upto)
        if p:
            problems.append(p)
    for case_id in sorted(set(cases) - seen):
        problems.append(Problem(case_id, None, None, "sagen har ingen hændelser"))
    return len(cases), problems


# --- the administrative log ----------------------------------------------------------------------------


def admin_entry_hash(row: Mapping[str, Any], key: bytes) -> str:
    """The hash of an administrative log entry: HMAC-SHA-256 with ``key`` over the canonical JSON of its
    ``seq``, time, actor, kind, target, old and new values, the previous hash and the key's id."""
    at = row["at"]
    fields = {
        "seq": row["seq"],
        "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": row["actor"],
        "kind": row["kind"],
        "target": row["target"],
        "old": row["old"],
        "new": row["new"],
        "prev": row["prev_hash"],
        "key": key_id(key),
    }
    return digest(canonical(fields), key)


@dataclass
class AdminProblem:
    """A problem in the administrative log: the entry's ``seq`` and id (None when one is missing)."""

    seq: int | None
    entry_id: int | None
    message: str

    def __str__(self) -> str:
        where = "administrationsloggen"
        if self.seq is not None:
            where += f", nr. {self.seq}"
        if self.entry_id is not None:
            where += f" (id {self.entry_id})"
        return f"{where}: {self.message}"


def verify_admin_log(session: Session, ring: KeyRing | None = None) -> tuple[int, list[AdminProblem]]:
    """Check the administrative log's chain: numbering, previous hashes and each entry's HMAC.

    Returns (entries checked, problems: the first one, as later entries hang on it). Raises AuditKeyError
    when no key can be read.
    """
    ring = ring or load_keyring()
    prev, n = GENESIS, 0
    stmt = select(AdminLogEntry).order_by(AdminLogEntry.seq).execution_options(yield_per=2000)
    for n, entry in enumerate(session.scalars(stmt), start=1):
        if entry.seq != n:
            return n, [AdminProblem(entry.seq, entry.id, f"hul i rækkefølgen: forventede nr. {n}")]
        if entry.prev_hash != prev:
            return n, [
                AdminProblem(entry.seq, entry.id, "forrige-hash passer ikke (indførsel fjernet eller indsat)")
            ]
        key, problem = check_key(entry.key_id, ring, legacy_ok=False)
        if problem or key is None:
            return n, [AdminProblem(entry.seq, entry.id, problem or "indførslen har ingen nøgle")]
        row = {
            c: getattr(entry, c) for c in ("seq", "at", "actor", "kind", "target", "old", "new", "prev_hash")
        }
        if not hmac.compare_digest(admin_entry_hash(row, key), entry.hash or ""):
            return n, [AdminProblem(entry.seq, entry.id, "hash passer ikke: indførslen er ændret")]
        prev = entry.hash
    return n, []
