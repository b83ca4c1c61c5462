"""The outbox: work for other systems, written in the same transaction as the event, delivered after commit.

An item is claimed by exactly one worker (on PostgreSQL ``SELECT … FOR UPDATE SKIP LOCKED``, and a claim
that lapses after ``CLAIM_SECONDS`` if the worker died), delivered outside any database transaction, then
marked done. Failures are retried with exponential backoff; an error the other system says will not go away
(a 4xx other than 401/429) marks the item failed with the system's message, for the caseworker and the
administrator to see. Every handler is idempotent: a retry first checks whether the work was already done.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
from collections.abc import Callable, Collection
from typing import Any, cast

from sqlalchemy import or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from .db import Database
from .errors import AktflowError
from .models import OutboxItem, utcnow

log = logging.getLogger("aktflow.outbox")

CLAIM_SECONDS = 300
MAX_BACKOFF_SECONDS = 3600
BASE_BACKOFF_SECONDS = 30


class DeliveryError(AktflowError):
    """A delivery failed. ``retryable`` False means: do not try again, show the reason."""

    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


class NotReady(Exception):
    """The item depends on work not yet done (e.g. a letter whose archive case is not created yet)."""


#: ``session.info`` key: the (case id, kind) of every item enqueued in the session's transaction.
ENQUEUED = "aktflow.outbox.enqueued"


def enqueue(
    session: Session, kind: str, payload: dict[str, Any], key: str, *, case_id: int | None, now: dt.datetime
) -> OutboxItem:
    """Add an outbox item to the session's transaction (delivered after commit). The session remembers
    what it enqueued (:func:`enqueued`), so fire() knows without a query whether there is new work."""
    session.info.setdefault(ENQUEUED, []).append((case_id, kind))
    item = OutboxItem(
        kind=kind,
        payload=payload,
        idempotency_key=key,
        case_id=case_id,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(item)
    return item


def enqueued(session: Session) -> list[tuple[int | None, str]]:
    """The (case id, kind) of the items :func:`enqueue` added to this session (since it was opened)."""
    return list(session.info.get(ENQUEUED, ()))


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(BASE_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


def claim(
    db: Database,
    *,
    now: dt.datetime | None = None,
    ignore_backoff: bool = False,
    case_id: int | None = None,
    worker: str | None = None,
    kinds: Collection[str] | None = None,
    exclude: Collection[str] = (),
    skip_ids: Collection[int] = (),
) -> int | None:
    """Claim the next due item for this worker; returns its id or None. Commits the claim.

    ``kinds`` limits the claim to those kinds of item; ``exclude`` leaves those kinds to others;
    ``skip_ids`` leaves the items already tried in this round.
    """
    now = now or utcnow()
    worker = worker or worker_id()
    with db.session() as s:
        q = select(OutboxItem.id).where(
            or_(
                OutboxItem.status == "pending",
                (OutboxItem.status == "delivering") & (OutboxItem.claimed_until < now),
            )
        )
        if not ignore_backoff:
            q = q.where(OutboxItem.next_attempt_at <= now)
        if case_id is not None:
            q = q.where(OutboxItem.case_id == case_id)
        if kinds is not None:
            q = q.where(OutboxItem.kind.in_(list(kinds)))
        if exclude:
            q = q.where(OutboxItem.kind.not_in(list(exclude)))
        if skip_ids:
            q = q.where(OutboxItem.id.not_in(list(skip_ids)))
        q = q.order_by(OutboxItem.id).limit(1)
        if db.dialect == "postgresql":
            q = q.with_for_update(skip_locked=True)
        item_id = s.scalar(q)
        if item_id is None:
            return None
        # The conditional UPDATE is the claim on every database (SQLite has no SKIP LOCKED).
        res = s.execute(
            update(OutboxItem)
            .where(
                OutboxItem.id == item_id,
                or_(
                    OutboxItem.status == "pending",
                    (OutboxItem.status == "delivering") & (OutboxItem.claimed_until < now),
                ),
            )
            .values(
                status="delivering",
                claimed_by=worker,
                claimed_until=now + dt.timedelta(seconds=CLAIM_SECONDS),
            )
        )
        s.commit()
        return item_id if cast(CursorResult[Any], res).rowcount == 1 else None  # an UPDATE: a cursor result


Handler = Callable[[Database, OutboxItem], dict[str, Any] | None]


def deliver(db: Database, item_id: int, handler: Handler, *, now: Callable[[], dt.datetime] = utcnow) -> str:
    """Deliver one claimed item with ``handler``; record the outcome. Returns the new status."""
    with db.session() as s:
        item = s.get_one(OutboxItem, item_id)
        s.expunge(item)
    started = time.monotonic()
    try:
        result = handler(db, item)
    except NotReady:
        _finish(db, item_id, status="pending", next_at=now() + dt.timedelta(seconds=5), count_attempt=False)
        return "pending"
    except DeliveryError as e:
        attempts = item.attempts + 1
        if e.retryable:
            _finish(
                db,
                item_id,
                status="pending",
                error=e.message,
                next_at=now() + backoff(attempts),
                count_attempt=True,
            )
            log.warning(
                "outbox %s %s failed (attempt %d, will retry): %s", item.id, item.kind, attempts, e.message
            )
            return "pending"
        _finish(db, item_id, status="failed", error=e.message, count_attempt=True)
        log.error("outbox %s %s failed for good: %s", item.id, item.kind, e.message)
        _on_failed(db, item, e.message)
        return "failed"
    except Exception as e:  # noqa: BLE001 - an unexpected error must not lose the item
        from .screening import redact_cpr

        message = redact_cpr(f"{type(e).__name__}: {e}")[:500]
        attempts = item.attempts + 1
        _finish(
            db,
            item_id,
            status="pending",
            error=message,
            next_at=now() + backoff(attempts),
            count_attempt=True,
        )
        log.exception("outbox %s %s: unexpected error", item.id, item.kind)
        return "pending"
    _finish(db, item_id, status="done", result=result or {}, delivered=now(), count_attempt=True)
    log.info("outbox %s %s delivered in %.2fs", item.id, item.kind, time.monotonic() - started)
    return "done"


def _finish(
    db: Database,
    item_id: int,
    *,
    status: str,
    error: str | None = None,
    next_at: dt.datetime | None = None,
    result: dict | None = None,
    delivered: dt.datetime | None = None,
    count_attempt: bool,
) -> None:
    values: dict[str, Any] = {"status": status, "claimed_until": None, "claimed_by": None}
    if count_attempt:
        values["attempts"] = OutboxItem.attempts + 1
    if error is not None:
        values["last_error"] = error
    if next_at is not None:
        values["next_attempt_at"] = next_at
    if result is not None:
        values["result"] = result
        values["last_error"] = None
    if delivered is not None:
        values["delivered_at"] = delivered
    with db.session() as s:
        s.execute(update(OutboxItem).where(OutboxItem.id == item_id).values(**values))
        s.commit()


def _on_failed(db: Database, item: OutboxItem, message: str) -> None:
    """A letter whose journalising failed for good shows that, with the reason, on the case."""
    if item.kind == "journalise" and item.payload.get("letter_id"):
        from .models import Letter

        with db.session() as s:
            s.execute(
                update(Letter)
                .where(Letter.id == item.payload["letter_id"])
                .values(archive_status="failed", archive_error=message)
            )
            s.commit()


def run_once(
    db: Database,
    handler: Handler,
    *,
    ignore_backoff: bool = False,
    case_id: int | None = None,
    limit: int = 1000,
    progress: Callable[[str], None] | None = None,
    stop_on_failure: bool = False,
    kinds: Collection[str] | None = None,
    exclude: Collection[str] = (),
) -> dict[str, int]:
    """Deliver what is due now, once. Returns counts per outcome.

    ``stop_on_failure`` ends the round at the first item that is not delivered (used inline after a
    commit: when the archive does not answer, the user's request should not wait for every item).
    Otherwise one item that fails does not end the round: each due item is tried once per round, also
    with ``ignore_backoff`` (``aktflow outbox run --now``), where a failed item is due again at once.
    """
    counts = {"done": 0, "pending": 0, "failed": 0}
    seen: set[int] = set()
    for _ in range(limit):
        item_id = claim(
            db, ignore_backoff=ignore_backoff, case_id=case_id, kinds=kinds, exclude=exclude, skip_ids=seen
        )
        if item_id is None:
            break
        if item_id in seen:  # released as not ready and claimed again in the same run: stop for now
            _finish(db, item_id, status="pending", count_attempt=False)
            break
        seen.add(item_id)
        status = deliver(db, item_id, handler)
        counts[status] += 1
        if stop_on_failure and status != "done":
            break
        if progress:
            progress(status)
    return counts
