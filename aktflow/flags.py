"""Flags: reasons a case needs the legal contact's review (docs/domain.md §4, flagging).

Raised by the effects inside ``fire()`` and by the screening worker when it records what a file held;
cleared by ``approve_legal``. Nothing here commits.
"""

from __future__ import annotations

from typing import Any

from .models import Case, Flag


def add_flag(case: Case, ctx: Any, reason: str, source: str) -> None:
    """Raise a flag on ``case`` unless an open one says the same; ``ctx`` gives ``session``, ``now`` and
    ``recorded`` (the event's data: the reason goes under ``flags_raised``). ``source``: manual | screening
    | assessment | personnel | request (a refusal of the whole request)."""
    if any(f.reason == reason for f in case.open_flags):
        return
    flag = Flag(case=case, reason=reason, source=source, created_at=ctx.now)
    ctx.session.add(flag)
    ctx.recorded.setdefault("flags_raised", []).append(reason)


def screen(case: Case, ctx: Any, text: str, where: str) -> None:
    """Flag the case for each CPR number or sensitive category found in ``text`` (never the number itself)."""
    from .screening import flag_reasons

    for reason in flag_reasons(text, where):
        add_flag(case, ctx, reason, "screening")
