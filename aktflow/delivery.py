"""Delivering the outbox: the handler for the configured archive, inline after commit and by the worker."""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from .db import Database
from .models import OutboxItem
from .outbox import DeliveryError, run_once

log = logging.getLogger("aktflow.outbox")


def handler(db: Database, item: OutboxItem) -> dict[str, Any] | None:
    archive = os.environ.get("AKTFLOW_ARCHIVE", "local")
    if archive == "sbsys" or item.kind in ("create_case", "journalise", "set_status", "reminder"):
        from .archive import sbsys

        return sbsys.deliver(db, item)
    if item.kind == "make_letter":
        from .correspondence import render_deferred

        return render_deferred(db, item)
    raise DeliveryError(f"ukendt opgave {item.kind!r}", retryable=False)


def after_commit(db: Database, case_id: int) -> None:
    """Deliver the case's new outbox items at once when the archive answers; otherwise they wait."""
    if os.environ.get("AKTFLOW_ARCHIVE", "local") == "local":
        return
    try:
        run_once(db, handler, case_id=case_id, limit=20, stop_on_failure=True)
    except Exception:  # noqa: BLE001 - the items stay pending for 'aktflow outbox run'
        log.exception("inline delivery for case %s failed; the outbox keeps the work", case_id)


def run(
    db: Database,
    *,
    loop: bool = False,
    interval: float = 10.0,
    ignore_backoff: bool = False,
    max_loops: int | None = None,
    report=None,
) -> dict[str, int]:
    total = {"done": 0, "pending": 0, "failed": 0}
    n = 0
    while True:
        counts = run_once(db, handler, ignore_backoff=ignore_backoff, progress=report)
        for k, v in counts.items():
            total[k] += v
        n += 1
        if not loop or (max_loops is not None and n >= max_loops):
            return total
        time.sleep(interval)
