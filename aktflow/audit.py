"""The event log: hash chain, replay and verification.

Each case has its own chain: an event's ``prev_hash`` is the hash of the case's previous event (the first
event's is ``GENESIS``), and the case row keeps the newest hash in ``last_hash``. A chain per case keeps
writers of different cases independent, while any edited, removed or inserted event is still detected.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Case, Event
from .states import versions

GENESIS = "0" * 64
CREATE = "create"


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


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
) -> str:
    """SHA-256 (64 hex digits) over the canonical JSON of the event's fields and the previous hash.

    The workflow version is part of the hashed body when it is not :data:`versions.BASE`: events written
    before versioning keep their hashes, and changing any event's version (to or from the base) breaks
    its hash.
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
    body = canonical(fields)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def hash_of(ev: Event) -> str:
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


def verify_case(case: Any, events: list[Event], case_id: int) -> Problem | None:
    """The first problem of one case's chain, or None."""
    prev = GENESIS
    for i, ev in enumerate(events, start=1):
        if ev.seq != i:
            return Problem(case_id, ev.seq, ev.id, f"hul i rækkefølgen: forventede nr. {i}")
        if ev.prev_hash != prev:
            return Problem(case_id, ev.seq, ev.id, "forrige-hash passer ikke (hændelse fjernet eller indsat)")
        if hash_of(ev) != ev.hash:
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


def verify(session: Session) -> tuple[int, list[Problem]]:
    """Check every case's chain and replay. Returns (cases checked, problems: the first per case)."""
    cases = {
        row.id: row for row in session.execute(select(Case.id, Case.state, Case.version, Case.last_hash))
    }
    problems: list[Problem] = []
    seen: set[int] = set()
    for case_id, events in _events_by_case(session):
        seen.add(case_id)
        p = verify_case(cases.get(case_id), events, case_id)
        if p:
            problems.append(p)
    for case_id in sorted(set(cases) - seen):
        problems.append(Problem(case_id, None, None, "sagen har ingen hændelser"))
    return len(cases), problems
