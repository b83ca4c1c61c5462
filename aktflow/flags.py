"""Flags: reasons a case needs the legal contact's review (docs/domain.md §4, flagging).

Raised by the effects inside ``fire()`` and by the screening worker when it records what a file held;
cleared by ``approve_legal``. Nothing here commits.
"""

from __future__ import annotations

from typing import Any

from .models import Case, Flag


def add_flag(case: Case, ctx: Any, reason: str, source: str, document_id: int | None = None) -> None:
    """Raise a flag on ``case`` unless an open one says the same; ``ctx`` gives ``session``, ``now`` and
    ``recorded`` (the event's data: the reason goes under ``flags_raised``). ``source``: manual | screening
    | assessment | personnel | request (a refusal of the whole request); ``document_id``: the document
    whose assessment raised it."""
    if any(f.reason == reason for f in case.open_flags):
        return
    flag = Flag(case=case, reason=reason, source=source, created_at=ctx.now, document_id=document_id)
    ctx.session.add(flag)
    ctx.recorded.setdefault("flags_raised", []).append(reason)


def screen(case: Case, ctx: Any, text: str, where: str) -> None:
    """Flag the case for each CPR number or sensitive category found in ``text`` (never the number itself)."""
    from .screening import flag_reasons

    for reason in flag_reasons(text, where):
        add_flag(case, ctx, reason, "screening")


def supersede_assessment_flags(case: Case, ctx: Any, doc: Any, keep: frozenset[str] = frozenset()) -> None:
    """Close the open flags that ``doc``'s earlier assessment raised, but those whose reason is in ``keep``
    (raised again by the new assessment): flags follow the current assessment. A closed flag is marked
    ``superseded``; the event records the reasons under ``flags_superseded`` (the log keeps the history).
    Flags from before ``document_id`` was kept are matched by their reason ("Dokument '<title>': ...")."""
    prefix = f"Dokument '{doc.title}':"
    for f in case.open_flags:
        if f.source != "assessment" or f.reason in keep:
            continue
        if f.document_id == doc.id or (f.document_id is None and f.reason.startswith(prefix)):
            f.cleared_at = ctx.now
            f.cleared_by = ctx.actor.username
            f.superseded = True
            ctx.recorded.setdefault("flags_superseded", []).append(f.reason)
