"""Cases as the command line lists them: ``aktflow case list`` and ``aktflow case letters``.

Thin read functions over the application's own queries (:func:`aktflow.dashboard.case_list`, the API's
list; :func:`aktflow.correspondence.letters_of`), each in one session, so the command line holds no SQL.
"""

from __future__ import annotations

from typing import Any

from ..db import Database


def case_list(db: Database, *, state: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """Cases newest first (at most ``limit``), optionally in one state; the rows of ``GET /api/v1/cases``.

    CPR numbers in the requester's name and the subject are masked (``XXXXXX-XXXX``), as in every list
    that leaves the server. The state is not checked here: an unknown state gives an empty list.
    """
    from ..dashboard import case_list as rows

    with db.session() as s:
        return rows(s, state=state, limit=limit)


def case_letters(db: Database, case_id: int) -> list[dict[str, Any]]:
    """The letters made on case ``case_id``, oldest first: id, kind, created, sha256, filename, archive state.

    Raises NotFound when the case does not exist (an empty list means a case without letters).
    """
    from ..correspondence import letters_of
    from ..views import get_case

    with db.session() as s:
        get_case(s, case_id)
        return letters_of(s, case_id)
