"""Delivering the outbox: inline after commit and by the worker, with the installation's handlers.

Which handler delivers which kind of item is decided once, by :mod:`aktflow.bootstrap` (the archive
adapter's kinds plus the application's ``make_letter``); this module only runs them.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from .bootstrap import Services, current
from .db import Database
from .dispatch.delivery import KIND as DISPATCH_KIND
from .document_screening import KIND as SCREEN_KIND
from .models import OutboxItem
from .outbox import run_once
from .release.service import KIND as PACKAGE_KIND

log = logging.getLogger("aktflow.outbox")
#: The kinds inline delivery leaves to the worker (fire() asks for other waiting items only).
NOT_INLINE = (SCREEN_KIND, PACKAGE_KIND, DISPATCH_KIND)


def _services(services: Services | None = None) -> Services:
    return services or current()


def handler(db: Database, item: OutboxItem) -> dict[str, Any] | None:
    """Deliver one item with the process's handlers (see :meth:`aktflow.bootstrap.Services.deliver`)."""
    return _services().deliver(db, item)


def after_commit(db: Database, case_id: int, *, services: Services | None = None) -> None:
    """Deliver the case's new outbox items at once when the archive answers; otherwise they wait.

    Nothing is tried with an archive that does all its work inside the unit of work (``local``).
    """
    services = _services(services)
    if not services.inline_delivery:
        return
    try:
        # Reading a document's file, making a release package and sending a letter are left to the
        # worker: never inside the user's request (and the caseworker may choose another channel first).
        run_once(
            db,
            services.deliver,
            case_id=case_id,
            limit=20,
            stop_on_failure=True,
            exclude=NOT_INLINE,
        )
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
    services: Services | None = None,
) -> dict[str, int]:
    """Deliver due outbox items (``aktflow outbox run``); with ``loop``, keep going every ``interval`` s.

    Returns the counts ``{"done", "pending", "failed"}`` over all rounds.
    """
    services = _services(services)
    total = {"done": 0, "pending": 0, "failed": 0}
    n = 0
    while True:
        # The letters go last, after the packages they carry were made in the same round.
        rounds = (
            run_once(
                db, services.deliver, ignore_backoff=ignore_backoff, progress=report, exclude=(DISPATCH_KIND,)
            ),
            run_once(
                db, services.deliver, ignore_backoff=ignore_backoff, progress=report, kinds=(DISPATCH_KIND,)
            ),
        )
        for counts in rounds:
            for k, v in counts.items():
                total[k] += v
        n += 1
        if not loop or (max_loops is not None and n >= max_loops):
            return total
        time.sleep(interval)
