"""The caseworker's actions on the letters on their way out (docs/dispatch.md): another channel before the
letter is sent, another try after a failure, and "Sendt med post" for a printed letter.

Each is an action of the workflow (2026.6: ``choose_dispatch_channel``, ``retry_dispatch``,
``mark_dispatched_by_post``) fired through :func:`aktflow.service.fire`: the trigger's role (a caseworker,
manager or administrator), need-to-know (:mod:`aktflow.case_access`), and one event in the case's log with
the dispatch before and after. The rule on channels (:func:`aktflow.dispatch.rules.check_override`) is
checked by the effect (:func:`aktflow.case_actions.change_dispatch`). The rows returned are
:func:`aktflow.queries.dispatches.dispatch_row`'s.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from .dispatch import rules
from .errors import ValidationError
from .queries.dispatches import case_dispatches
from .service import fire

log = logging.getLogger("aktflow.dispatch")


def _fire(
    db: Any, case_id: int, trigger: str, data: dict[str, Any], actor: str, now: dt.datetime | None
) -> dict[str, Any]:
    fire(db, case_id, trigger, actor=actor, data=data, now=now)
    return next(r for r in case_dispatches(db, case_id) if r["id"] == data["dispatch_id"])


def choose(
    db: Any, case_id: int, dispatch_id: int, channel: str, *, actor: str, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The caseworker's channel for a dispatch not yet sent (status queued, exempt, rejected, bounced or
    failed); a dispatch that did not go is queued again. Raises ValidationError (field ``channel``) for a
    channel the rule forbids (e-mail for FVL/GDPR answers, Digital Post without CPR/CVR, a channel that is
    not configured, or one that is not a channel at all, named by its Danish label), WorkflowError when the
    letter is already out, NotFound, PermissionDenied."""
    if channel not in rules.CHANNELS:  # in the users' words, before the field's list of codes
        raise ValidationError("channel", rules.unknown_channel())
    row = _fire(
        db, case_id, "choose_dispatch_channel", {"dispatch_id": dispatch_id, "channel": channel}, actor, now
    )
    log.info("dispatch %s: channel %s chosen by the caseworker", dispatch_id, channel)
    return row


def retry(
    db: Any, case_id: int, dispatch_id: int, *, actor: str, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Send a dispatch that did not go (rejected, bounced, failed, exempt) again on its channel. Raises
    WorkflowError for one that is queued or out, NotFound, PermissionDenied."""
    return _fire(db, case_id, "retry_dispatch", {"dispatch_id": dispatch_id}, actor, now)


def confirm_posted(
    db: Any, case_id: int, dispatch_id: int, *, actor: str, now: dt.datetime | None = None
) -> dict[str, Any]:
    """ "Sendt med post": a printed letter was posted now (``sent_at``, the time that counts for the
    recipient). Raises WorkflowError unless the print file is ready (status ``printed``)."""
    return _fire(db, case_id, "mark_dispatched_by_post", {"dispatch_id": dispatch_id}, actor, now)
