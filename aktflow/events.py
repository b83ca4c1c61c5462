"""The one writer of the event log.

Every event row is written here: by :func:`append_event` for one case inside ``fire()`` and case creation,
and by :func:`append_events` for many cases at once (the deadline recompute after a calendar change, and
test or benchmark set-up that builds whole histories). Both build the row with :func:`event_row`, so the
hash chain, the version bump and the workflow version are computed in exactly one way.

An event's ``seq`` is the case's version after it: a case with ``version`` n has events 1..n, and its
``last_hash`` is the hash of event n. Appending checks the version it read (optimistic locking): a case
that moved in between is a :class:`~aktflow.errors.ConflictError`, never a silent fork of the chain.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from . import audit
from .errors import ConflictError
from .exits import mask
from .models import Case, Event
from .states.versions import CURRENT as WORKFLOW_VERSION

CONFLICT = "sagen er netop ændret af en anden; hent den igen og prøv på ny"


def event_row(
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
    workflow_version: str = WORKFLOW_VERSION,
    key: bytes | None = None,
) -> dict[str, Any]:
    """The complete ``events`` row (a dict of column values) including its hash.

    ``prev_hash`` is the hash of event ``seq - 1`` (:data:`aktflow.audit.GENESIS` for the first). The
    hash is an HMAC-SHA-256 with the current audit key (:func:`aktflow.audit.keyring`; ``key``, when given,
    is that key as the caller read it once for many rows), whose id is stored in ``key_id``; it covers
    every column but ``id``; see :func:`aktflow.audit.event_hash`.

    The note and the data (recursively) pass the exit filter first (:func:`aktflow.exits.mask`): the
    append-only log never holds a CPR number, and the hash is computed over what is stored.
    """
    note = mask(note)
    data = mask(data or {})
    if key is None:
        key = audit.keyring().current
    h = audit.event_hash(
        case_id=case_id,
        seq=seq,
        at=at,
        actor=actor,
        trigger=trigger,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data,
        prev_hash=prev_hash,
        workflow_version=workflow_version,
        key=key,
    )
    return {
        "case_id": case_id,
        "seq": seq,
        "at": at,
        "actor": actor,
        "trigger": trigger,
        "from_state": from_state,
        "to_state": to_state,
        "note": note,
        "data": data,
        "prev_hash": prev_hash,
        "hash": h,
        "workflow_version": workflow_version,
        "key_id": audit.key_id(key),
    }


def append_event(
    session: Session,
    case: Case,
    *,
    trigger: str,
    from_state: str | None,
    to_state: str,
    actor: str,
    note: str | None,
    data: dict[str, Any],
    now: dt.datetime,
) -> int:
    """Append the next event of ``case`` (loaded in ``session``) and move its version and chain head.

    The event's ``seq`` is ``case.version + 1`` (1 for a new case, whose version is 0 until now). The case
    row is written with its version check before the event (on PostgreSQL, when only the case changed,
    both in one statement). Returns the event's id. Raises ConflictError when the case's version moved.
    """
    seq = case.version + 1
    prev = case.last_hash if seq > 1 else audit.GENESIS
    params = event_row(
        case_id=case.id,
        seq=seq,
        at=now,
        actor=actor,
        trigger=trigger,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data,
        prev_hash=prev,
    )
    case.last_hash = params["hash"]
    case.updated_at = now
    case.version = seq
    if seq > 1 and session.get_bind().dialect.name == "postgresql":
        changes = _case_only_changes(session, case)
        if changes is not None:
            # One round trip: the case's UPDATE (version check) and the event's INSERT in one statement.
            stmt = _update_and_insert(tuple(sorted(changes)))
            params.update({f"set_{k}": v for k, v in changes.items()}, old_version=seq - 1)
            event_id = session.connection().execute(stmt, params).scalar()
            if event_id is None:  # the version moved: someone else changed the case first
                raise ConflictError(CONFLICT)
            for k, v in changes.items():
                set_committed_value(case, k, v)
            return event_id
    # The case is written first (with its version check), then the event with a plain Core INSERT.
    try:
        session.flush()
        return session.connection().execute(_insert_event(), params).scalar_one()
    except (StaleDataError, IntegrityError) as e:  # a concurrent change seen at the flush: a conflict
        if lost_race(e):
            raise ConflictError(CONFLICT) from None
        raise


@dataclass
class NewEvent:
    """An event to append with :func:`append_events` (the chain fields are filled in there)."""

    case_id: int
    trigger: str
    from_state: str | None
    to_state: str
    actor: str
    at: dt.datetime
    note: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def append_events(
    session: Session,
    new: Iterable[NewEvent],
    heads: Mapping[int, tuple[int, str]] | None = None,
) -> int:
    """Append many events, in order, to many cases' chains, set-based (two statements per batch).

    ``heads`` maps a case id to its (version, last_hash) as read by the caller in this transaction; cases
    not in it are read here. Each case's row gets its new version and chain head with a version check;
    a case that moved since it was read raises ConflictError (nothing is written). Returns the number of
    events written. The caller commits. The same as :func:`write_events` of :func:`prepare_events`.
    """
    return write_events(session, prepare_events(session, new, heads))


@dataclass
class PreparedEvents:
    """Events hashed and chained by :func:`prepare_events`, not yet written: the ``events`` rows and, per
    case, its row's new version and chain head with the version it was read at (the version check)."""

    rows: list[dict[str, Any]]
    case_updates: list[dict[str, Any]]


def prepare_events(
    session: Session,
    new: Iterable[NewEvent],
    heads: Mapping[int, tuple[int, str]] | None = None,
) -> PreparedEvents:
    """The reading and computing half of :func:`append_events`: every event's row and hash (one pass, the
    audit key read once), nothing written. A caller that holds a write lock (the recompute's batches)
    prepares before its first write, so the lock covers the writes alone."""
    new = list(new)
    if not new:
        return PreparedEvents([], [])
    heads = dict(heads or {})
    missing = sorted({e.case_id for e in new} - set(heads))
    for start in range(0, len(missing), 5000):
        chunk = missing[start : start + 5000]
        for cid, version, last_hash in session.execute(
            select(Case.id, Case.version, Case.last_hash).where(Case.id.in_(chunk))
        ):
            heads[cid] = (version, last_hash)
    first_version = dict(heads)
    key = audit.keyring().current
    rows = []
    for e in new:
        version, prev = heads[e.case_id]
        row = event_row(
            case_id=e.case_id,
            seq=version + 1,
            at=e.at,
            actor=e.actor,
            trigger=e.trigger,
            from_state=e.from_state,
            to_state=e.to_state,
            note=e.note,
            data=e.data,
            prev_hash=prev if version else audit.GENESIS,
            key=key,
        )
        heads[e.case_id] = (version + 1, row["hash"])
        rows.append(row)
    last_at: dict[int, dt.datetime] = {e.case_id: e.at for e in new}
    case_updates = [
        {
            "b_id": cid,
            "b_version": first_version[cid][0],
            "version": version,
            "last_hash": last_hash,
            "updated_at": last_at[cid],
        }
        for cid, (version, last_hash) in heads.items()
        if cid in last_at
    ]
    return PreparedEvents(rows, case_updates)


def write_events(session: Session, prepared: PreparedEvents) -> int:
    """The writing half of :func:`append_events`: the cases' rows (version-checked, one executemany) and the
    events (one INSERT). Raises ConflictError, writing nothing, when a case moved since it was read.
    Returns the number of events written."""
    if not prepared.rows:
        return 0
    result = session.connection().execute(_bulk_case_update(), prepared.case_updates)
    if result.rowcount not in (-1, len(prepared.case_updates)):
        raise ConflictError("sager blev ændret undervejs; kør handlingen igen")
    session.execute(insert(Event.__table__), prepared.rows)
    return len(prepared.rows)


@functools.cache
def _bulk_case_update():
    cases = Case.__table__
    return (
        update(cases)
        .where(and_(cases.c.id == bindparam("b_id"), cases.c.version == bindparam("b_version")))
        .values(
            version=bindparam("version"),
            last_hash=bindparam("last_hash"),
            updated_at=bindparam("updated_at"),
        )
    )


@functools.cache
def _insert_event():
    return insert(Event.__table__).returning(Event.__table__.c.id)


@functools.cache
def _update_and_insert(keys: tuple[str, ...]):
    """PostgreSQL: the case's UPDATE (with its version check) and the event's INSERT in one statement."""
    cases, events = Case.__table__, Event.__table__
    changed = (
        update(cases)
        .where(cases.c.id == bindparam("case_id"), cases.c.version == bindparam("old_version"))
        .values({k: bindparam(f"set_{k}", type_=cases.c[k].type) for k in keys})
        .returning(cases.c.id)
        .cte("changed")
    )
    cols = (
        "seq",
        "at",
        "actor",
        "trigger",
        "from_state",
        "to_state",
        "note",
        "data",
        "prev_hash",
        "hash",
        "workflow_version",
        "key_id",
    )
    return (
        insert(events)
        .from_select(
            ["case_id", *cols],
            select(changed.c.id, *(bindparam(c, type_=events.c[c].type) for c in cols)),
        )
        .returning(events.c.id)
    )


def _case_only_changes(session: Session, case: Case) -> dict[str, Any] | None:
    """The case's changed columns, when nothing else in the session needs writing (else None)."""
    if session.new or session.deleted:
        return None
    st = sa_inspect(case)
    mapper = st.mapper
    changes = {}
    for key in st.committed_state:
        if key not in mapper.column_attrs:
            return None
        changes[key] = st.dict[key]
    if any(o is not case for o in session.dirty):
        return None
    return changes


def lost_race(e: Exception) -> bool:
    """A concurrent change of the same case, seen at a flush or at commit."""
    if isinstance(e, StaleDataError):
        return True
    if isinstance(e, IntegrityError):
        text = str(e.orig).lower()
        return "events" in text and "seq" in text
    return False


def commit(session: Session) -> None:
    """Commit; a concurrent change of a case seen at commit is a ConflictError, never a crash."""
    try:
        session.commit()
    except (StaleDataError, IntegrityError) as e:
        if lost_race(e):
            raise ConflictError(CONFLICT) from None
        raise
