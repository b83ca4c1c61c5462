"""One failed delivery does not end the outbox's round: with the mail server down, ``aktflow outbox run
--now`` tries every queued item once (aktflow/outbox.py ``run_once``); inline delivery after a commit
still stops at the first failure."""

from __future__ import annotations

from aktflow.models import utcnow
from aktflow.outbox import DeliveryError, enqueue, run_once


def _queue(db, n: int) -> None:
    with db.session() as s:
        for i in range(n):
            enqueue(s, "test_mail", {"n": i}, f"test-mail-{i}", case_id=None, now=utcnow())
        s.commit()


def test_every_queued_item_is_tried_once_when_the_server_is_down(db):
    _queue(db, 3)
    tried = []

    def smtp_down(db_, item):
        tried.append(item.payload["n"])
        raise DeliveryError("SMTP-serveren svarer ikke", retryable=True)

    counts = run_once(db, smtp_down, ignore_backoff=True, kinds=("test_mail",))
    assert sorted(tried) == [0, 1, 2]  # each once, none twice
    assert counts["done"] == 0 and counts["pending"] + counts["failed"] == 3


def test_inline_delivery_still_stops_at_the_first_failure(db):
    _queue(db, 3)
    tried = []

    def smtp_down(db_, item):
        tried.append(item.payload["n"])
        raise DeliveryError("SMTP-serveren svarer ikke", retryable=True)

    run_once(db, smtp_down, ignore_backoff=True, kinds=("test_mail",), stop_on_failure=True)
    assert tried == [0]
