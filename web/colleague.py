"""The case page's actions for someone who may see a case but not act on it (a colleague's case).

Need-to-know (:mod:`aktflow.case_access`, docs/access.md) lets every caseworker see an ordinary case,
but only its caseworker, the people added to it, the legal contact (in the legal actions) and managers act
on it. For the others "Næste skridt" would list every step of the case, each refused with the same
sentence. Instead the page says who can act and what the case waits for: the next step and the steps that
cannot be taken yet, judged as its caseworker would find them (:func:`aktflow.service.action_hints` for
the caseworker, :func:`aktflow.queries.case_page.next_steps`). Read only: nothing is changed or logged.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from aktflow import case_access
from aktflow.queries.case_page import next_steps
from aktflow.service import action_hints


def colleague_view(
    case_id: int, view: dict[str, Any], hints: dict[str, str | None], user: Any, names: dict[str, str]
) -> dict[str, Any] | None:
    """None when ``user`` (``id``, ``username``, ``role``) may act on some of the case's offered actions
    (``view["allowed_triggers"]``; ``hints``: their unmet conditions for ``user``, as the case page has
    them). Otherwise what the page shows instead of the actions:

    - ``assignee``: the caseworker's real name (None for an unassigned case);
    - ``refusal``: why ``user`` may not act (a Danish sentence, :func:`aktflow.case_access.act_refusal`);
    - ``next``: the actions its caseworker can take now, the first being the next step (trigger names);
    - ``waiting``: the steps that cannot be taken yet, ``(trigger, why)``.
    """
    allowed = list(view.get("allowed_triggers") or [])
    if not allowed or any(not hints.get(t) for t in allowed):
        return None  # something can be done (or nothing is offered at all)
    with current_app.extensions["aktflow_db"].session() as s:
        if any(case_access.can_act(s, user, case_id, t) for t in allowed):
            return None  # the user's own case, waiting for its conditions: "Venter" says why
    assignee = view.get("assignee")
    out: dict[str, Any] = {
        "assignee": names.get(assignee, assignee) if assignee else None,
        "refusal": hints.get(allowed[0]),
        "next": [],
        "waiting": [],
    }
    if assignee:
        theirs = action_hints(current_app.extensions["aktflow_db"], case_id, assignee, allowed)
        steps = next_steps(view, {t: why for t, why in theirs.items() if why})
        out["next"] = steps["main"]
        out["waiting"] = steps["waiting"]
    return out
