"""The texts an assessment needs for the requester (FVL §§ 22-24), for tests that assess documents.

:func:`texts_for` gives a withheld document's reason and, for a discretionary ground, the main
considerations of the weighing, so a test about something else can assess in one line; a test about
those rules leaves them out or overrides them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aktflow import grounds

REASON = "Oplysningerne er undtaget af hensyn til de personer, de handler om."
WEIGHING = "Hensynet til de berørte vejer tungere end interessen i at kende oplysningerne."


def texts_for(outcome: str, codes: Iterable[str] = ()) -> dict[str, Any]:
    """``{"reason": …}`` for a partial or refused document, with ``"weighing_note"`` when a ground is
    discretionary (``grounds.DISCRETIONARY``); ``{}`` for a grant."""
    if outcome == "grant":
        return {}
    out: dict[str, Any] = {"reason": REASON}
    if any(c in grounds.DISCRETIONARY for c in codes):
        out["weighing_note"] = WEIGHING
    return out
